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

from tests.conftest import CORPUS, SEED

PDF = CORPUS / "renwu" / "CQ_zfbgt_2026_部门预算.pdf"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], capture_output=True, text=True)


def test_json_to_file(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run(str(PDF), "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["document"]["department"] == "重庆市人民政府办公厅"
    assert data["options"] == {"password": None, "max_pages": None, "tables": "hybrid", "ocr": "auto"}
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
        ("truncated", 6, "PDF is corrupt or truncated and cannot be opened"),
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
