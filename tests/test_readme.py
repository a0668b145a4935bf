"""The README works as written: its set-up lines are what CI runs, its quick tour runs on the sample, every command
and Python example runs on real documents of the corpus and gives what the README shows, and it stays a short guide
whose table of contents and links lead somewhere."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, ROOT, SHARED, extracted, schema_validator

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"


def _fenced(text: str) -> list[tuple[str, str]]:
    """The fenced code blocks of a Markdown text, in order: (language, body)."""
    return re.findall(r"^```(\w*)\n(.*?)^```$", text, flags=re.S | re.M)


def _blocks(text: str) -> list[str]:
    return [body for _, body in _fenced(text)]


def _block(start: str, text: str = README) -> str:
    """The one code block of ``text`` whose body starts with ``start``."""
    found = [body for body in _blocks(text) if body.startswith(start)]
    assert len(found) == 1, start
    return found[0]


def _section(title: str) -> str:
    """The README's section under ``## title``, up to the next one."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.S | re.M)
    assert match, title
    return match.group(1)


# --- what an excerpt shows: the README abridges outputs with "…"; what it does show must be what the run gives


def _shows_text(excerpt: str, output: str) -> bool:
    """Every line of ``excerpt`` is a line of ``output``, in order and one after another, except where a line "…"
    skips some; a line ending in "…" is the start of its line."""
    def same(shown: str, line: str) -> bool:
        return line.startswith(shown[:-1]) if shown.endswith("…") else line == shown

    lines = [line.rstrip() for line in output.splitlines()]
    at = 0
    groups: list[list[str]] = [[]]
    for line in excerpt.rstrip("\n").splitlines():
        if line.strip() == "…":
            groups.append([])
        else:
            groups[-1].append(line.rstrip())
    for group in (g for g in groups if g):
        while at <= len(lines) - len(group) and not all(same(s, ln) for s, ln in zip(group, lines[at:], strict=False)):
            at += 1
        if at > len(lines) - len(group):
            return False
        at += len(group)
    return True


_MORE = "…"


def _abridged_json(text: str) -> Any:
    """An excerpt of JSON read as JSON: a bare "…" stands for the keys or items left out."""
    out, stack, quoted, escaped = [], [], False, False
    for char in text:
        if quoted:
            escaped, quoted = (False, quoted) if escaped else (char == "\\", char != '"')
        elif char == '"':
            quoted = True
        elif char in "[{":
            stack.append(char)
        elif char in "]}":
            stack.pop()
        elif char == _MORE:
            out.append(f'"{_MORE}": null' if stack[-1] == "{" else f'"{_MORE}"')
            continue
        out.append(char)
    return json.loads("".join(out))


def _shows_json(shown: Any, real: Any) -> bool:
    """``shown`` is ``real`` as the excerpt gives it: the same keys and items, or a part of them where it says "…";
    a string ending in "…" is the start of the string."""
    if isinstance(shown, dict):
        keys = set(shown) - {_MORE}
        return (isinstance(real, dict) and keys <= set(real) and (_MORE in shown or keys == set(real))
                and all(_shows_json(shown[k], real[k]) for k in keys))
    if isinstance(shown, list):
        items = [item for item in shown if item != _MORE]
        return (isinstance(real, list) and (len(items) <= len(real) if _MORE in shown else len(items) == len(real))
                and all(_shows_json(s, r) for s, r in zip(items, real, strict=False)))
    if isinstance(shown, str) and shown.endswith(_MORE):
        return isinstance(real, str) and real.startswith(shown[:-1])
    return bool(shown == real)


def _shows_csv(excerpt: str, text: str) -> bool:
    """The excerpt's header is the CSV's columns with runs of them left out ("…"), and each of its rows is a row of
    the CSV, its values under those columns."""
    header, *rows = list(csv.reader(io.StringIO(text)))
    shown_header, *shown_rows = list(csv.reader(io.StringIO(excerpt)))

    def runs(fields: list[str]) -> list[list[str]]:
        parts: list[list[str]] = [[]]
        for field in fields:
            parts.append([]) if field == _MORE else parts[-1].append(field)
        return parts

    places, at = [], 0
    for number, run in enumerate(runs(shown_header)):
        starts = [i for i in range(at, len(header) - len(run) + 1) if header[i:i + len(run)] == run]
        if not starts or (number == 0 and starts[0] != 0):
            return False
        places.append(starts[0])
        at = starts[0] + len(run)
    if shown_header[-1] != _MORE and at != len(header):
        return False
    for shown in shown_rows:
        given = {places[n] + i: value for n, run in enumerate(runs(shown)) if run for i, value in enumerate(run)}
        if not any(all(row[i] == value for i, value in given.items()) for row in rows if len(row) == len(header)):
            return False
    return True


def test_the_excerpt_readers_catch_a_wrong_excerpt() -> None:
    assert _shows_text("a\n…\nd…", "a\nb\nc\ndone") and not _shows_text("a\nc", "a\nb\nc")
    assert _shows_json(_abridged_json('{"a": [1, …], …}'), {"a": [1, 2], "b": 3})
    assert not _shows_json(_abridged_json('{"a": [1]}'), {"a": [1, 2]}) and not _shows_json(_abridged_json('{"a": 1}'), {"a": 1, "b": 2})
    assert _shows_csv("a,…,c,…\nx,…,z,…", "a,b,c,d\nx,y,z,w\n") and not _shows_csv("a,…,c\nx,…,q", "a,b,c\nx,y,z\n")


# --- running the commands as a reader would


def _environment() -> dict[str, str]:
    """The environment of ``extract``: this checkout's code first (the virtual environment may hold another one)."""
    command = Path(sys.executable).with_name("extract")
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PATH": f"{command.parent}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": path}


def _shell(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """One line of a README block run in ``cwd`` (its comment left out)."""
    return subprocess.run(shlex.split(line, comments=True), cwd=cwd, env=_environment(), capture_output=True, text=True,
                          timeout=600, check=False)


def _commands(block: str) -> list[str]:
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_first_lines_set_up_and_test_in_a_fresh_shell() -> None:
    setup, tests = _blocks(README)[0].strip().splitlines()
    assert setup.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' && extract ")
    assert tests.endswith('.venv/bin/python -m pytest -q -m "not slow"')  # no activated environment needed
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'python -m pytest -q -m "not slow"' in ci and "python -m pytest -q -m slow" in ci


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _headings(text: str) -> list[str]:
    prose = re.sub(r"^```.*?^```$", "", text, flags=re.S | re.M)
    return re.findall(r"^#{1,6} (.+)$", prose, flags=re.M)


def test_the_readme_is_a_short_guide_with_a_table_of_contents() -> None:
    assert len(README.splitlines()) <= 250
    contents = _section("Contents")
    assert re.search(r"^## .+$", README, flags=re.M).group(0) == "## Contents"  # the first section, after the set-up lines
    links = re.findall(r"^- \[(.+?)\]\(#(.+?)\)$", contents, flags=re.M)
    sections = [h[3:] for h in re.findall(r"^## .+$", re.sub(r"^```.*?^```$", "", README, flags=re.S | re.M), flags=re.M)]
    assert [title for title, _ in links] == [s for s in sections if s != "Contents"]  # every section, in order
    anchors = {_slug(h) for h in _headings(README)}
    assert all(anchor in anchors for _, anchor in links), [a for _, a in links if a not in anchors]


def _links(text: str) -> list[str]:
    prose = re.sub(r"^```.*?^```$", "", text, flags=re.S | re.M)
    return [target for target in re.findall(r"\]\(([^)\s]+)\)", prose) if not re.match(r"[a-z]+:", target)]


@pytest.mark.parametrize("page", ["README.md", "benchmarks/README.md", *(f"docs/{p.name}" for p in sorted(DOCS.glob("*.md")))])
def test_every_relative_link_points_to_a_file_and_heading_that_exist(page: str) -> None:
    path = ROOT / page
    for target in _links(path.read_text(encoding="utf-8")):
        name, _, anchor = target.partition("#")
        linked = (path.parent / name).resolve() if name else path
        assert linked.exists(), (page, target)
        if anchor and linked.suffix == ".md":
            assert anchor in {_slug(h) for h in _headings(linked.read_text(encoding="utf-8"))}, (page, target)


def test_the_quick_tour_runs_on_the_sample(tmp_path: Path) -> None:
    tour = re.search(r"<!-- tour -->\s*```bash\n(.*?)```\s*<!-- /tour -->", README, flags=re.S)
    assert tour, "the README's quick tour is marked <!-- tour --> … <!-- /tour -->"
    work = tmp_path / "project"
    work.mkdir()
    (tmp_path / "shared").symlink_to(SHARED)  # the tour's ../shared/ paths, as beside a clone
    results = []
    for line in tour.group(1).strip().splitlines():
        result = _shell(line, work)
        assert result.returncode == 0, (line, result.stderr)
        results.append(result)
    data = json.loads((work / "cq.json").read_text(encoding="utf-8"))
    said = f"wrote cq.json: {len(data['tables'])} tables ({sum(bool(t['verified']) for t in data['tables'])} verified), {len(data['facts'])} figures"
    assert results[0].stderr.startswith(said) and _block("wrote cq.json").strip() == results[0].stderr.strip()
    assert _shows_text(_block("checks: "), results[2].stdout)  # extract check, as the tour shows it
    timed = re.compile(r"in \d+\.\d s;")
    assert _shows_text(timed.sub("in s;", _block("10 files: ")), timed.sub("in s;", results[4].stderr))  # extract batch
    # what comes out: the figure, the row of 表五, the long CSV as the README shows them
    figure = next(f for f in data["facts"] if f["key"] == "income_total")
    assert _shows_json(_abridged_json(_block('{"key": "income_total"')), figure)
    table = next(t for t in data["tables"] if t["number"] == "表五")
    assert f"`{table['number']} {table['title']}` (pages {table['pages'][0]}–{table['pages'][-1]})" in README
    assert _shows_json(_abridged_json(_block('{"side": 0, "code": "201"')), next(r for r in table["rows"] if r["code"] == "201"))
    assert _shows_csv(_block("source_file,"), (work / "cq.csv").read_text(encoding="utf-8"))
    assert (work / "page15.png").read_bytes()[:4] == b"\x89PNG"
    assert (work / "dataset" / "manifest.csv").is_file() and (work / "dataset" / "data").is_dir()


# the README's file names, made real: report.pdf is the tour's document, archive/ a department over two years and two
# other departments
REPORT = CORPUS / "renwu" / "CQ_zfbgt_2026_部门预算.pdf"
ARCHIVE = ["open-budget/JS_swbgt_2017_预算公开表格.pdf", "open-budget/JS_swbgt_2017_部门预算.pdf", "open-budget/JS_swbgt_2018_部门预算公开表.pdf",
           "open-budget/JS_gjfy_2017_部门预算公开.pdf"]
# 北京司法局's disclosure in two files, the 情况说明 and the 报表; 长春消防救援局's, which contradicts itself; a scan
COMPANIONS = {"附件1_情况说明.pdf": "renwu/BJ_sfj_2026_附件1_情况说明.pdf", "附件2_报表.pdf": "renwu/BJ_sfj_2026_附件2_报表.pdf"}
CONTRADICTING = CORPUS / "renwu" / "CC_xfj_2026_部门预算.pdf"
SCAN = CORPUS / "renwu" / "BJ_zsj_2026_附件1_scanned.pdf"


def _python(marker: str) -> str:
    """The README's Python block that holds ``marker``."""
    blocks = [body for language, body in _fenced(README) if language == "python" and marker in body]
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
    from PIL import Image

    namespace: dict[str, Any] = {}
    identity, figures, _, total, classes, picture = _in(folder, _python('extractor.extract("report.pdf")'), namespace)
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
    assert isinstance(picture, Image.Image) and picture.width > 0  # doc.show(15)


def test_the_dataset_examples_read_what_the_documents_print(folder: Path, from_python: dict[str, Any]) -> None:
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
    assert len(from_python["cells"]) == sum(1 for doc in documents.values() for t in doc.tables for r in t.rows for c in r.cells
                                            if c.value is not None or c.text)
    read = from_python["read"]  # the CSV read with csv_dtypes: codes as text
    codes = {r.code for doc in documents.values() for t in doc.tables for r in t.rows if r.code and any(c.value or c.text for c in r.cells)}
    assert set(read.code.dropna()) == codes and any(len(code) == 7 for code in codes)  # codes as text: 2010301


@pytest.fixture(scope="module")
def locked(folder: Path) -> Path:
    """``locked.pdf``: the tour's document encrypted with the user password ``secret``."""
    pikepdf = pytest.importorskip("pikepdf")
    path = folder / "locked.pdf"
    with pikepdf.open(REPORT) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return path


def test_the_use_commands_write_what_their_comments_say(folder: Path, locked: Path) -> None:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    doc = extracted(str(REPORT))
    block = _block("extract report.pdf -o out.json")
    ran = {}
    for line in _commands(block):
        result = _shell(line, folder)
        assert result.returncode == 0, (line, result.stderr)
        ran[line.split("#")[0].strip()] = result
    assert len(ran) == len(_commands(block)) == 9
    data = json.loads((folder / "out.json").read_text(encoding="utf-8"))
    schema_validator().validate(data)
    assert len(data["tables"]) == len(doc.tables)
    said = ran["extract report.pdf -o out.json"].stderr.strip()  # the line docs/output.md shows
    assert said.startswith("wrote out.json: ") and said in (DOCS / "output.md").read_text(encoding="utf-8")
    long_csv = (folder / "figures.csv").read_text(encoding="utf-8")
    assert long_csv.startswith("\ufeffsource_file,")  # the BOM
    records = [row["record_type"] for row in csv.DictReader(io.StringIO(long_csv.lstrip("\ufeff")))]
    assert records.count("table_cell") == sum(len(r.cells) for t in doc.tables for r in t.rows) and "fact" in records
    sheets = pd.read_excel(folder / "tables.xlsx", sheet_name=None)
    assert {"document", "facts", "line_items", "tables"} <= set(sheets) and len(sheets) == 4 + len(doc.tables)
    assert list(sheets["tables"].sheet) == list(sheets)[4:]  # the index names every table's sheet
    schema = pq.read_schema(folder / "rows.parquet")
    assert schema.field("code").type == pa.string() and pa.types.is_decimal(schema.field("value").type)
    assert json.loads(ran["extract report.pdf -o -"].stdout)["tables"] == data["tables"]
    part = json.loads((folder / "part.json").read_text(encoding="utf-8"))
    assert part["facts"] and {f["page"] for f in part["facts"]} <= {1, 3, 4, 5}
    assert part["document"]["department"] == data["document"]["department"]  # identity from the title pages
    opened = json.loads((folder / "locked.json").read_text(encoding="utf-8"))
    assert opened["options"]["password"] == "***" and len(opened["tables"]) == len(data["tables"])
    ruled = json.loads((folder / "ruled.json").read_text(encoding="utf-8"))
    assert ruled["options"]["tables"] == "lattice" and ruled["tables"]
    assert json.loads(_shell("extract report.pdf --tables none -o -", folder).stdout)["tables"] == []
    assert all(f"extract {name}" in ran["extract"].stdout for name in ("check", "batch", "panel", "show", "report"))
    assert "Exit codes" in _shell("extract --help", folder).stdout


def test_the_review_commands_check_draw_and_report(folder: Path) -> None:
    from PIL import Image

    for name, path in COMPANIONS.items():
        if not (folder / name).exists():
            (folder / name).symlink_to(CORPUS / path)
    block = _block("extract check report.pdf")
    ran = {}
    for line in _commands(block):
        ran[line.split("#")[0].strip()] = _shell(line, folder)
    assert len(ran) == 5

    def counts(output: str) -> dict[str, int]:
        first = output.splitlines()[0]
        return {status: int(n) for n, status in re.findall(r"(\d+) (mismatch|rounding|info|ok)", first.replace("mismatches", "mismatch"))}

    checked = ran["extract check report.pdf"]
    assert checked.returncode == 0 and checked.stdout.startswith("checks: report.pdf: ")
    written = json.loads((folder / "checks.json").read_text(encoding="utf-8"))
    totals: dict[str, int] = {}
    for by_status in written["check_counts"].values():
        for status, n in by_status.items():
            totals[status] = totals.get(status, 0) + n
    assert {k: v for k, v in counts(checked.stdout).items() if v} == totals  # counts first, as the JSON counts them
    both = ran["extract check 附件1_情况说明.pdf 附件2_报表.pdf --strict"]
    assert both.stdout.startswith("checks: 附件1_情况说明.pdf + 附件2_报表.pdf: ")  # one disclosure in two files
    assert both.returncode == (1 if counts(both.stdout)["mismatch"] else 0)
    strict = _shell(f"extract check {CONTRADICTING} --strict", folder)  # a document that contradicts itself
    assert strict.returncode == 1 and counts(strict.stdout)["mismatch"] > 0
    assert 0 < strict.stdout.index("== MISMATCH") < strict.stdout.index("== ROUNDING")  # mismatches first
    assert ran["extract show report.pdf --page 11 -o page11.png"].returncode == 0
    with Image.open(folder / "page11.png") as picture:
        assert picture.format == "PNG" and picture.height > 0
    reported = ran["extract report report.pdf -o report.html"]
    assert reported.returncode == 0, reported.stderr
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<table" in html and "data:image/jpeg;base64," in html  # page images inlined
    assert not re.search(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", html)  # nothing fetched


def test_the_review_guide_shows_what_check_prints_on_the_seed(tmp_path: Path) -> None:
    seed = SHARED / "seeds" / "000_a578cfda0311d507.txt"
    excerpt = _block("checks: 000_a578cfda0311d507.txt", (DOCS / "review.md").read_text(encoding="utf-8"))
    assert _shows_text(excerpt, _shell(f"extract check {seed}", tmp_path).stdout)


def test_the_batch_commands_build_a_dataset_and_its_panel(tmp_path: Path) -> None:
    from extractor.export.dataset import panel

    (tmp_path / "archive").mkdir()
    for name in ARCHIVE:
        (tmp_path / "archive" / Path(name).name).symlink_to(CORPUS / name)
    (tmp_path / "crawl" / "长沙").mkdir(parents=True)
    (tmp_path / "crawl" / "长沙" / "CS_xfj_2026_部门预算.pdf").symlink_to(CORPUS / "renwu" / "CS_xfj_2026_部门预算.pdf")
    with zipfile.ZipFile(tmp_path / "crawl.zip", "w") as archive:
        archive.write(CORPUS / "open-budget" / "JS_jcy_2017_部门预算.pdf", "JS_jcy_2017_部门预算.pdf")
    lines = _commands(_block("extract batch archive/"))
    assert len(lines) == 3
    first = _shell(lines[0], tmp_path)  # folders, globs and zip archives
    assert first.returncode == 0, first.stderr
    with open(tmp_path / "dataset" / "manifest.csv", encoding="utf-8", newline="") as handle:
        manifest = list(csv.DictReader(handle))
    assert sorted(row["path"] for row in manifest) == sorted(
        [f"archive/{Path(name).name}" for name in ARCHIVE] + ["crawl/长沙/CS_xfj_2026_部门预算.pdf", "crawl.zip!JS_jcy_2017_部门预算.pdf"])
    assert all(row["status"] in ("ok", "warning") for row in manifest)
    second = _shell(lines[1], tmp_path)  # --duckdb
    assert second.returncode == 0, second.stderr
    duckdb = pytest.importorskip("duckdb")
    with duckdb.connect(str(tmp_path / "dataset" / "data" / "dataset.duckdb"), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM panel").fetchone()[0] > 0
    third = _shell(lines[2], tmp_path)  # the panel of one entity and table kind
    assert third.returncode == 0, third.stderr
    with open(tmp_path / "panel.csv", encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    expected = panel(tmp_path / "dataset", entity="江苏省委办公厅", table_kind="three_public")
    assert len(written) == len(expected) > 0 and {row["fiscal_year"] for row in written} == {"2017", "2018"}


def test_the_errors_are_what_the_readme_shows(folder: Path) -> None:
    (folder / "cut.pdf").write_bytes(REPORT.read_bytes()[:3000])  # the tour's PDF cut short: a truncated download
    if not (folder / "scan.pdf").exists():
        (folder / "scan.pdf").symlink_to(SCAN)
    transcript = _block("$ extract ", _section("Errors and exit codes"))
    runs = re.findall(r"^\$ (.+?)\s+# exit (\d+).*\n((?:(?!\$ ).*\n)*)", transcript, flags=re.M)
    assert len(runs) == 3
    for command, code, said in runs:
        (folder / "out.json").unlink(missing_ok=True)
        result = _shell(command, folder)
        assert (result.returncode, result.stderr.strip()) == (int(code), said.strip()), command
        assert not (folder / "out.json").exists()  # no output left behind
    mistyped = _shell("extract chek report.pdf", folder)
    assert mistyped.returncode == 2 and "did you mean 'check'?" in mistyped.stderr


def test_the_exit_code_table_is_the_tools(folder: Path) -> None:
    from extractor import errors

    table = {int(code) for code in re.findall(r"^\| (\d+) \|", _section("Errors and exit codes"), flags=re.M)}
    raised = {cls.exit_code for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.ExtractorError)}
    assert table == raised | {1, 2}  # 1: check --strict, 2: a bad option (click's own too)
    helped = re.findall(r"(?:^|\s{2})(\d{1,2}) {1,2}(?=[a-z])", _shell("extract --help", folder).stdout.split("Exit codes:")[1], flags=re.M)
    assert {int(code) for code in helped} - {0} == table  # extract --help lists the same codes
