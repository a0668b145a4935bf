"""The README works as written: its set-up lines are what CI runs, and its quick tour runs on the sample."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SHARED

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(text: str) -> list[str]:
    return re.findall(r"```(?:bash|python|json)?\n(.*?)```", text, flags=re.S)


def test_the_first_lines_set_up_and_test_in_a_fresh_shell() -> None:
    setup, tests = _blocks(README)[0].strip().splitlines()
    assert setup.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' && extract ")
    assert tests.endswith('.venv/bin/python -m pytest -q -m "not slow"')  # no activated environment needed
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'python -m pytest -q -m "not slow"' in ci and "python -m pytest -q -m slow" in ci


def test_the_quick_tour_runs_on_the_sample(tmp_path: Path) -> None:
    tour = re.search(r"<!-- tour -->\s*```bash\n(.*?)```\s*<!-- /tour -->", README, flags=re.S)
    assert tour, "the README's quick tour is marked <!-- tour --> … <!-- /tour -->"
    work = tmp_path / "project"
    work.mkdir()
    (tmp_path / "shared").symlink_to(SHARED)  # the tour's ../shared/ paths, as beside a clone
    command = Path(sys.executable).with_name("extract")
    env = {**os.environ, "PATH": f"{command.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for line in tour.group(1).strip().splitlines():
        result = subprocess.run(shlex.split(line), cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, (line, result.stderr)
    data = json.loads((work / "cq.json").read_text(encoding="utf-8"))
    said = f"wrote cq.json: {len(data['tables'])} tables ({sum(bool(t['verified']) for t in data['tables'])} verified), {len(data['facts'])} figures"
    assert said in README  # the excerpt shows what this run says
    figure = next(f for f in data["facts"] if f["key"] == "income_total")
    assert f'"value": "{figure["value"]}"' in README and f'"page": {figure["page"]}' in README
    assert (work / "cq.csv").read_text(encoding="utf-8").startswith("source_file,source_sha256,department")
    assert (work / "page15.png").read_bytes()[:4] == b"\x89PNG"
    assert (work / "dataset" / "manifest.csv").is_file() and (work / "dataset" / "data").is_dir()
