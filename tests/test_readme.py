"""The README works as written: its set-up lines are what CI runs, its quick tour runs on the sample, and its Python
examples run on real documents and give what the documents print."""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, ROOT, SHARED, extracted

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


# the README's file names, made real: report.pdf is the tour's document, archive/ a department over two years and two
# other departments
REPORT = CORPUS / "renwu" / "CQ_zfbgt_2026_部门预算.pdf"
ARCHIVE = ["open-budget/JS_swbgt_2017_预算公开表格.pdf", "open-budget/JS_swbgt_2017_部门预算.pdf", "open-budget/JS_swbgt_2018_部门预算公开表.pdf",
           "open-budget/JS_gjfy_2017_部门预算公开.pdf"]


def _python(marker: str) -> str:
    """The README's Python block that holds ``marker``."""
    blocks = [block for block in re.findall(r"```python\n(.*?)```", README, flags=re.S) if marker in block]
    assert len(blocks) == 1, marker
    return blocks[0]


def _run(block: str, namespace: dict[str, Any]) -> list[Any]:
    """Run a README block statement by statement; the values of its bare expressions, in order (what it shows)."""
    shown = []
    for statement in ast.parse(block).body:
        if isinstance(statement, ast.Expr):
            shown.append(eval(compile(ast.Expression(statement.value), "README.md", "eval"), namespace))  # noqa: S307 - our README
        else:
            exec(compile(ast.Module([statement], type_ignores=[]), "README.md", "exec"), namespace)  # noqa: S102 - our README
    return shown


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("readme")
    (work / "report.pdf").symlink_to(REPORT)
    (work / "archive").mkdir()
    for name in ARCHIVE:
        (work / "archive" / Path(name).name).symlink_to(CORPUS / name)
    return work


@pytest.fixture(scope="module")
def from_python(folder: Path) -> dict[str, Any]:
    """The namespace of the README's batch example, run as a script (``__main__``) in ``folder``."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    here = Path.cwd()
    os.chdir(folder)
    try:
        _run(_python("extractor.batch("), namespace)
    finally:
        os.chdir(here)
    return namespace


def test_the_batch_example_leaves_a_dataset_that_load_dataset_reads(folder: Path, from_python: dict[str, Any]) -> None:
    from extractor.export.dataset import TABLES

    manifest = from_python["manifest"]
    assert sorted(row.path.rsplit("/", 1)[-1] for row in manifest) == sorted(Path(name).name for name in ARCHIVE)
    assert set(from_python["frames"]) == set(TABLES)
    documents = from_python["frames"]["documents"]
    assert sorted(documents.doc_id) == sorted(row.doc_id for row in manifest)


def _in(folder: Path, block: str, namespace: dict[str, Any]) -> list[Any]:
    here = Path.cwd()
    os.chdir(folder)
    try:
        return _run(block, namespace)
    finally:
        os.chdir(here)


def _yuan(value: str, unit: str | None) -> Decimal:
    from extractor.domain.amounts import UNIT_SCALE

    return Decimal(value) * UNIT_SCALE[unit or "万元"]


def test_the_library_example_sums_to_the_printed_total(folder: Path) -> None:
    namespace: dict[str, Any] = {}
    identity, figures, _, total, classes = _in(folder, _python('extractor.extract("report.pdf")'), namespace)
    doc = extracted(str(REPORT))
    assert identity == (doc.document.department, doc.document.fiscal_year, doc.document.report_kind)
    assert ("income_total", "19230.18", "万元", 2) in figures  # the tour's figure, as the README shows it
    assert namespace["first"].facts and all(figure.page <= 5 for figure in namespace["first"].facts)  # pages="1-5"
    assert len(namespace["frames"]) == len(doc.tables)
    table = doc.tables[4]

    def printed(level: str | None) -> list[Decimal]:
        return [Decimal(c.value) for r in table.rows if (r.total if level is None else r.level == level)
                for c in r.cells if c.column == "2026年预算数/总计" and c.value]

    assert [total] == printed(None)  # the 合计 row as printed, not four times it
    assert classes == sum(printed("类")) != total and f"{classes} against a 合计 of {total}" in README


def test_the_dataset_examples_read_what_the_documents_print(folder: Path, from_python: dict[str, Any]) -> None:
    from extractor.export.dataset import TABLES

    documents = {path: extracted(str(CORPUS / path)) for path in ARCHIVE}
    entity = {doc_id: key for doc_id, key in zip(from_python["frames"]["documents"].doc_id,
                                                 from_python["frames"]["documents"].entity_key, strict=True)}
    expected: dict[tuple[str, int], Decimal] = {}
    for doc in documents.values():
        year = doc.document.fiscal_year
        for table in doc.tables:
            for row in table.rows:
                if table.kind == "gpb_expenditure" and row.code == "201" and row.budget_unit is None:
                    for cell in row.cells:
                        if (cell.measure, cell.year, cell.component) == ("budget", year, "total") and cell.value:
                            key = (entity[doc.source.sha256[:16]], year)
                            expected[key] = expected.get(key, Decimal(0)) + _yuan(cell.value, table.unit)
    assert len(expected) == 2 and from_python["series"].to_dict() == expected

    tour: dict[str, Any] = {}
    _in(folder, _python('frames = extractor.load_dataset("dataset")   #'), tour)
    assert set(tour["frames"]) == set(TABLES)
    assert len(tour["cells"]) == sum(1 for doc in documents.values() for t in doc.tables for r in t.rows for c in r.cells
                                     if c.value is not None or c.text)

    read: dict[str, Any] = {}
    _in(folder, _python("csv_dtypes"), read)
    codes = {r.code for doc in documents.values() for t in doc.tables for r in t.rows if r.code and any(c.value or c.text for c in r.cells)}
    assert set(read["cells"].code.dropna()) == codes and any(len(code) == 7 for code in codes)  # codes as text: 2010301
