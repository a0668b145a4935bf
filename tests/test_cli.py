"""The command line: outputs, formats, and one clear line for each kind of bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest

from tests.conftest import CORPUS, SEED, extracted

PDF = CORPUS / "renwu" / "CQ_zfbgt_2026_部门预算.pdf"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], capture_output=True, text=True)


def test_json_to_file(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run(str(PDF), "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["document"]["department"] == "重庆市人民政府办公厅"
    assert data["options"] == {"password": None, "max_pages": None, "tables": "hybrid", "ocr": "auto", "pages": None}
    assert {t["kind"] for t in data["tables"]} >= {"summary", "gpb_expenditure", "three_public"}
    assert data["tool"]["name"] == "extractor" and data["schema_version"]
    assert list(tmp_path.iterdir()) == [out]


def test_stdout_and_run_subcommand() -> None:
    result = run("run", str(SEED), "-o", "-")
    assert result.returncode == 0
    assert json.loads(result.stdout)["document"]["fiscal_year"] == 2026


def test_csv_inferred_from_suffix_with_bom(tmp_path: Path) -> None:
    out = tmp_path / "figures.csv"
    assert run(str(SEED), "-o", str(out), "--excel").returncode == 0
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["record_type"] for r in rows} == {"fact", "line_item"}
    assert all(r["department"] == "攀枝花市西区人民政府办公室" for r in rows)
    total = next(r for r in rows if r["key"] == "income_total")
    assert (total["value"], total["unit"], total["value_yuan"]) == ("1002.30", "万元", "10023000.00")


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    # made once: the encrypted copy is the slow one
    tmp_path = tmp_path_factory.mktemp("bad_inputs")
    files = {
        "empty": tmp_path / "empty.pdf",
        "html": tmp_path / "page.pdf",
        "zip": tmp_path / "bundle.pdf",
        "truncated": tmp_path / "truncated.pdf",
        "garbage": tmp_path / "garbage.pdf",
        "encrypted": tmp_path / "locked.pdf",
    }
    files["empty"].write_bytes(b"")
    files["html"].write_bytes((CORPUS / "renwu" / "CQ_swxcb_2026_部门预算情况说明.html").read_bytes())
    with zipfile.ZipFile(files["zip"], "w") as archive:
        archive.writestr("readme.txt", "a zip archive, not a disclosure")
    files["truncated"].write_bytes(PDF.read_bytes()[:2000])
    files["garbage"].write_bytes(bytes(range(256)) * 8)
    with pikepdf.open(PDF) as pdf:
        pdf.save(files["encrypted"], encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return files


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("empty", 4, "file is empty (0 bytes)"),
        ("zip", 5, "unsupported format: zip archive"),
        ("truncated", 6, "the PDF ends after 2,000 bytes without its end marker (%%EOF): a truncated download; fetch it again"),
        ("garbage", 5, "unsupported format: unrecognised binary data"),
        ("encrypted", 7, "PDF is encrypted; give its password with --password"),
    ],
)
def test_bad_input_gives_one_line_and_no_output(bad_inputs: dict[str, Path], tmp_path: Path, name: str, code: int, message: str) -> None:
    out = tmp_path / "out.json"
    result = run(str(bad_inputs[name]), "-o", str(out))
    assert result.returncode == code
    assert result.stderr == f"error: {bad_inputs[name]}: {message}\n"
    assert not out.exists()


def test_a_web_page_saved_as_pdf_is_read_as_html(bad_inputs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert run(str(bad_inputs["html"]), "-o", str(out)).returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["source"]["format"] == "html" and data["document"]["department"] == "中共重庆市委宣传部"


def test_password_opens_encrypted_pdf(bad_inputs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert run(str(bad_inputs["encrypted"]), "--password", "secret", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["options"]["password"] == "***"
    wrong = run(str(bad_inputs["encrypted"]), "--password", "nope", "-o", str(out))
    assert wrong.returncode == 7 and "wrong password" in wrong.stderr


def test_missing_file_and_unwritable_output(tmp_path: Path) -> None:
    missing = run(str(tmp_path / "nope.pdf"))
    assert missing.returncode == 3 and missing.stderr == f"error: {tmp_path / 'nope.pdf'}: no such file\n"
    unwritable = run(str(SEED), "-o", str(tmp_path / "no" / "dir" / "out.json"))
    assert unwritable.returncode == 9 and "output folder does not exist" in unwritable.stderr


def test_scanned_pdf_without_ocr_is_reported() -> None:
    result = run(str(CORPUS / "renwu" / "BJ_zsj_2026_附件1_scanned.pdf"), "--ocr", "never")
    assert result.returncode == 8 and "no page has a text layer (scanned document); OCR is off (--ocr never)" in result.stderr


def test_unknown_table_strategy_is_a_usage_error() -> None:
    result = run(str(PDF), "--tables", "stream", "-o", "-")
    assert result.returncode == 2 and "stream" in result.stderr


def test_the_format_follows_the_suffix_and_a_name_it_cannot_write_is_refused(tmp_path: Path) -> None:
    import openpyxl
    import pandas as pd
    import pyarrow.parquet as pq

    book, table = tmp_path / "tables.xlsx", tmp_path / "rows.parquet"
    assert run(str(PDF), "-o", str(book), "--quiet").returncode == 0
    sheets = openpyxl.load_workbook(book, read_only=True).sheetnames
    assert sheets[:4] == ["document", "facts", "line_items", "tables"] and "T5 表五 gpb_expenditure" in sheets
    # every sheet reads with pandas' defaults: its first row is its header, no "Unnamed" column
    read = pd.read_excel(book, sheet_name=None)
    assert not [(name, c) for name, frame in read.items() for c in frame.columns if str(c).startswith("Unnamed")]
    gpb = read["T5 表五 gpb_expenditure"]
    assert list(gpb.columns[:4]) == ["side", "code", "level", "label"] and gpb.label.iloc[0] == "合计"
    index = read["tables"].set_index("sheet")
    assert index.loc["T5 表五 gpb_expenditure", "kind"] == "gpb_expenditure" and index.loc["T5 表五 gpb_expenditure", "title"]
    assert read["facts"].key.tolist() == [f.key for f in extracted(str(PDF)).facts]
    assert run(str(PDF), "-o", str(table), "--quiet").returncode == 0
    read = pq.read_table(table)
    assert str(read.schema.field("value").type).startswith("decimal128") and str(read.schema.field("code").type) == "string"
    types = {name: str(read.schema.field(name).type) for name in ("side", "measure_year", "table_verified", "page")}
    assert types == {"side": "int64", "measure_year": "int64", "table_verified": "bool", "page": "int64"}
    verified = {r["table_index"]: r["table_verified"] for r in read.select(["record_type", "table_index", "table_verified"]).to_pylist()
                if r["record_type"] == "table_cell"}
    assert verified == {i: t.verified for i, t in enumerate(extracted(str(PDF)).tables) if any(r.cells for r in t.rows)}
    cells = read.to_pandas()
    total = cells[(cells.record_type == "fact") & (cells.key == "three_public_total")]
    assert str(total.value.iloc[0]) == "394.49"
    for name in ("out.xls", "out.txt", "out"):
        refused = run(str(PDF), "-o", str(tmp_path / name))
        assert refused.returncode == 2 and "name it .json, .csv, .xlsx or .parquet" in refused.stderr
        assert not (tmp_path / name).exists()
    binary = run(str(PDF), "--format", "parquet")
    assert binary.returncode == 2 and "give -o out.parquet" in binary.stderr


def test_a_run_says_what_it_found_unless_quiet(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    said = run(str(PDF), "-o", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert said.stderr.strip() == (
        f"wrote {out}: {len(data['tables'])} tables ({sum(bool(t['verified']) for t in data['tables'])} verified), "
        f"{len(data['facts'])} figures, {len(data['line_items'])} line items, "
        f"{sum(c['status'] == 'mismatch' for c in data['checks'])} mismatches, {len(data['warnings'])} warnings"
    )
    assert run(str(PDF), "-o", str(out), "--quiet").stderr == ""


def test_pages_select_what_is_read_and_a_bad_selection_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert run(str(PDF), "-o", str(out), "--pages", "1-3,9", "--quiet").returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {p for t in data["tables"] for p in t["pages"]} == {9} and data["options"]["pages"] == "1-3,9"
    assert data["document"]["department"] == "重庆市人民政府办公厅"  # the title page is read whatever --pages keeps
    assert {s["page"] for s in data["sections"]} <= {1, 2, 3}
    for bad in ("3-1", "0", "a-b"):
        refused = run(str(PDF), "-o", str(out), "--pages", bad)
        assert refused.returncode == 2 and "pages" in refused.stderr
    assert run(str(PDF), "-o", str(out), "--pages", "90-99").returncode == 2


def test_extract_alone_lists_the_commands_and_help_gives_the_exit_codes() -> None:
    alone = run()
    assert alone.returncode == 0
    assert all(f"extract {command}" in alone.stdout for command in ("check", "batch", "show", "report"))
    assert "Exit codes" in run("--help").stdout and "8  no text on any page" in run("--help").stdout


def test_the_library_takes_the_options_as_keywords() -> None:
    import extractor
    from extractor.errors import SettingsError

    doc = extractor.extract(PDF, ocr="never", pages="9", tables="lattice")
    assert doc.options["pages"] == "9" and [t.pages for t in doc.tables] == [(9,)]
    with pytest.raises(SettingsError, match="unknown option 'colour'"):
        extractor.extract(PDF, colour="red")
    with pytest.raises(SettingsError, match="either as settings or as keywords"):
        extractor.extract(PDF, extractor.ExtractSettings(), ocr="never")


def test_check_lists_mismatches_first_with_the_counts_on_the_first_line() -> None:
    report = run("check", str(SEED)).stdout.splitlines()
    assert report[0].endswith(": 1 mismatch, 2 rounding, 0 info, 6 ok")
    groups = [line for line in report if line.startswith("== ")]
    assert [g.split(":")[0] for g in groups] == ["== MISMATCH (1)", "== ROUNDING (2)"]
    assert "    computed 6.94, stated 6.49: difference -0.45" in report  # each side by name, the printed one as printed
    assert "[error]" not in "".join(report[report.index(groups[1]):])  # rounding is not tagged an error
    assert report[report.index(groups[1]) + 1].startswith("narrative.list_sum: 2, at most 0.03: ")  # grouped per rule


def test_a_batch_called_from_a_script_without_a_main_guard_fails_at_once(tmp_path: Path) -> None:
    script = tmp_path / "script.py"
    script.write_text(
        "import extractor\n"
        f"extractor.batch([{str(SEED)!r}], {str(tmp_path / 'out')!r}, extractor.BatchSettings(jobs=1, progress=False))\n",
        encoding="utf-8",
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode != 0
    assert 'under `if __name__ == "__main__":`' in result.stderr and "WorkerStartError" in result.stderr


def test_a_mistyped_command_is_named_with_the_command_meant(tmp_path: Path) -> None:
    pdf = CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf"
    run = subprocess.run([sys.executable, "-m", "extractor.cli", "chek", str(pdf)], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 2 and "'chek' is not a command; did you mean 'check'?" in run.stderr
    assert "unexpected extra argument" not in run.stderr
    # a file of that name is still read as a file
    (tmp_path / "chek").write_bytes(pdf.read_bytes())
    read = subprocess.run([sys.executable, "-m", "extractor.cli", "chek", "-o", "out.json"], capture_output=True, text=True, cwd=tmp_path)
    assert read.returncode == 0 and (tmp_path / "out.json").exists()


def test_check_shows_a_finding_repeated_over_columns_once_and_groups_the_rounding() -> None:
    # 长春信访局 预算表6 p11: 301 工资福利支出 prints 911.21 where its 款 add up to 920.96, in 合计, 当年预算/小计 and
    # 当年预算/人员经费 alike
    report = run("check", str(CORPUS / "renwu/CC_xfj_2026_部门预算.pdf")).stdout
    assert report.count("301 = Σ children") == 1
    assert "    printed total 911.21, sum of its parts 920.96: difference 9.75" in report
    assert "    the same figures in 2 more columns: [当年预算/小计]; [当年预算/人员经费]" in report
    rounding = report[report.index("== ROUNDING"):]
    assert "table.row_hierarchy: 7, at most 0.01: 预算表3 p8 ×3; 预算表5 p10 ×4" in rounding
