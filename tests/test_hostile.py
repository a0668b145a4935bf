"""Hostile and broken input, made by the tests: what must fail fails with one clear line, a distinct exit code and
no output file; what must succeed gives a valid output; a batch records each failure and finishes."""

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
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.batch import BatchSettings, batch
from tests.conftest import CORPUS, schema_validator

PDF = CORPUS / "renwu" / "CQ_zfbgt_2026_部门预算.pdf"
HTML = CORPUS / "renwu" / "CQ_swxcb_2026_部门预算情况说明.html"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def must_fail(folder: Path) -> dict[str, tuple[Path, int, str]]:
    """name -> (file, exit code, the message after the path)"""
    data = PDF.read_bytes()
    flipped = bytearray(data)
    for i in range(1024, len(flipped), 97):  # the header stays: a PDF, damaged inside
        flipped[i] ^= 0xFF
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9)) + ']><x>&lol8;</x>').encode()
    files = {
        "truncated.pdf": (data[: len(data) // 3], 6, "PDF is corrupt or truncated and cannot be opened"),
        "bitflipped.pdf": (bytes(flipped), 6, "PDF is corrupt or truncated and cannot be opened"),
        "json.pdf": (b'{"not": "a pdf"}', 5, "unsupported format: JSON"),
        "zip.pdf": (_zip({"a.txt": b"x"}), 5, "unsupported format: zip archive"),
        "garbage.pdf": (bytes(range(256)) * 40, 5, "unsupported format: unrecognised binary data"),
        "empty.pdf": (b"", 4, "file is empty (0 bytes)"),
        "bomb.xlsx": (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/worksheets/sheet1.xml": b"\0" * (210 << 20)}),
                      6, "Excel workbook unpacks to 210 MB, more than the 200 MB allowed"),
        "laughs.docx": (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": laughs}), 6, ""),
    }
    out = {}
    for name, (payload, code, message) in files.items():
        path = folder / name
        path.write_bytes(payload)
        out[name] = (path, code, message)
    locked = folder / "user-password.pdf"
    with pikepdf.open(PDF) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    out["user-password.pdf"] = (locked, 7, "PDF is encrypted; give its password with --password")
    return out


def must_succeed(folder: Path) -> list[Path]:
    owner_only = folder / "owner password only.pdf"
    with pikepdf.open(PDF) as pdf:
        pdf.save(owner_only, encryption=pikepdf.Encryption(user="", owner="owner"))
    wide = folder / "十米宽的页.pdf"
    with pikepdf.open(PDF) as pdf:
        pdf.pages[0].mediabox = [0, 0, 28346, 842]  # a page 10 m wide
        pdf.save(wide)
    deep = folder / "deep.html"
    nested = "<div>" * 5000 + "一、部门职责" + "</div>" * 5000
    deep.write_bytes(f"<html><head><title>某局2026年部门预算</title></head><body>{nested}</body></html>".encode())
    wrong = folder / "wrong-charset.html"
    wrong.write_bytes(HTML.read_bytes().replace(b"charset=UTF-8", b"charset=gbk").replace(b'charset="UTF-8"', b'charset="gbk"'))
    html_as_pdf = folder / "page.pdf"
    html_as_pdf.write_bytes(HTML.read_bytes())
    return [owner_only, wide, deep, wrong, html_as_pdf]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], capture_output=True, text=True, timeout=300)


def test_must_fail_inputs_fail_cleanly_with_no_output(tmp_path: Path) -> None:
    for name, (path, code, message) in must_fail(tmp_path).items():
        out = tmp_path / f"{name}.json"
        result = _run(str(path), "-o", str(out))
        assert result.returncode == code, (name, result.stderr)
        assert result.stderr.startswith(f"error: {path}: {message}") and result.stderr.count("\n") == 1, (name, result.stderr)
        assert "Traceback" not in result.stderr and not out.exists(), name


def test_must_succeed_inputs_give_valid_output(tmp_path: Path) -> None:
    for path in must_succeed(tmp_path):
        out = tmp_path / "out dir" / f"{path.stem}.json"
        out.parent.mkdir(exist_ok=True)
        result = _run(str(path), "-o", str(out))
        assert result.returncode == 0, (path.name, result.stderr)
        document = json.loads(out.read_text(encoding="utf-8"))
        assert not list(schema_validator().iter_errors(document)), path.name


def test_an_unwritable_output_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    result = _run(str(PDF), "-o", str(tmp_path / "missing" / "out.json"))
    assert result.returncode == 9 and result.stderr.startswith("error: ") and not (tmp_path / "missing").exists()


def test_a_batch_records_every_bad_file_and_finishes(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    bad = must_fail(folder)
    good = must_succeed(folder)
    rows = batch([folder], tmp_path / "dataset", BatchSettings(jobs=2, progress=False))
    by_name = {Path(r.path).name: r for r in rows}
    for name, (_, code, _) in bad.items():
        assert by_name[name].status == "failed" and by_name[name].exit_code == code, name
    for path in good:
        assert by_name[path.name].status in ("ok", "warning"), path.name
    with open(tmp_path / "dataset" / "manifest.csv", encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(bad) + len(good)


@pytest.mark.parametrize("size", [0, 1, 7, 1024])
def test_pdf_prefixes_never_crash(tmp_path: Path, size: int) -> None:
    path = tmp_path / "prefix.pdf"
    path.write_bytes(PDF.read_bytes()[:size])
    result = _run(str(path), "-o", str(tmp_path / "out.json"))
    assert result.returncode in (0, 4, 5, 6) and "Traceback" not in result.stderr  # one byte is a (tiny) text file


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["", "<table><tr><td rowspan=3 colspan=0>", "<div style='position:absolute;top:x;left:1pt'>", "<td>"]))
def test_the_html_reader_never_fails_unexpectedly(text: str, markup: str) -> None:
    from extractor.errors import ExtractorError
    from extractor.readers.html import read_html

    try:
        read_html(f"<html><body>{markup}{text}</body></html>".encode("utf-8", "surrogatepass"))
    except (ExtractorError, UnicodeEncodeError):
        pass
