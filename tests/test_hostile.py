"""Hostile and broken input, made by the tests: what must fail fails with one clear line, a distinct exit code and
no output file; what must succeed gives a valid output; a batch records each failure and finishes."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import subprocess
import sys
import time
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


REPLACEMENT = "\ufffd".encode()


def must_fail(folder: Path) -> dict[str, tuple[Path, int, str]]:
    """name -> (file, exit code, the message after the path)"""
    data = PDF.read_bytes()
    flipped = bytearray(data)
    for i in range(1024, len(flipped), 97):  # the header stays: a PDF, damaged inside
        flipped[i] ^= 0xFF
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9)) + ']><x>&lol8;</x>').encode()
    files = {
        "truncated.pdf": (data[: len(data) // 3], 6, f"the PDF ends after {len(data) // 3:,} bytes without its end marker (%%EOF): a truncated "
                          "download; fetch it again"),
        "saved-as-text.pdf": ((as_text := data.decode("utf-8", "replace").encode()), 13,
                              f"a PDF saved as text: {as_text.count(REPLACEMENT):,} of its bytes were replaced by U+FFFD, so its binary "
                              "streams are lost; download it again as binary"),
        "redirect.pdf": (b'<html><head><meta http-equiv="refresh" content="0;url=/a.pdf"></head></html>', 13,
                         "a web page of 76 bytes with no text redirecting to /a.pdf: not the document; fetch the page it points to"),
        "text.pdf": ("2026年部门预算\n一、部门职责\n".encode(), 13,
                     "named .pdf but holds plain text (39 bytes, starting '2026年部门预算'), not a PDF; rename it .txt to read it as text"),
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
    assert result.returncode in (4, 5, 6, 13) and "Traceback" not in result.stderr  # one byte is a (tiny) text file named .pdf


def _drawn_again(path: Path, page_number: int, matrices: list[list[float]]) -> None:
    """``PDF`` with the drawing operators of one page (everything but its text objects: its table's rules) drawn again
    under each matrix, after the page's own content."""
    from decimal import Decimal

    with pikepdf.open(PDF) as pdf:
        page = pdf.pages[page_number - 1]
        instructions = list(pikepdf.parse_content_stream(page))
        drawing, in_text = [], False
        for instruction in instructions:
            in_text = in_text or str(instruction.operator) == "BT"
            if not in_text:
                drawing.append(instruction)
            in_text = in_text and str(instruction.operator) != "ET"
        push, pop = pikepdf.ContentStreamInstruction([], pikepdf.Operator("q")), pikepdf.ContentStreamInstruction([], pikepdf.Operator("Q"))
        again = [push, *instructions, pop]
        for matrix in matrices:
            again += [push, pikepdf.ContentStreamInstruction([Decimal(str(m)) for m in matrix], pikepdf.Operator("cm")), *drawing, pop]
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(again))
        pdf.save(path)


def test_a_rule_a_billion_points_long_is_read_in_the_memory_of_a_page(tmp_path: Path) -> None:
    # issue 30: a mutated PDF's rule ran 10^8 to 10^10 points; the grid finder filed each vertical under every
    # 50-point band it crossed (2 x 10^8 entries, gigabytes) before it ever met a horizontal
    stretched = tmp_path / "stretched.pdf"
    # page 10's rules drawn again two million times taller, beside and below the page (their own lines: rules in line
    # are snapped to one position page-wide)
    _drawn_again(stretched, 10, [[1, 0, 0, 2_000_000, 2_000, -2_000_000_000]])
    result = _run(str(stretched), "-o", str(tmp_path / "stretched.json"), "--max-memory", "512", "--ocr", "never")
    assert result.returncode == 0, result.stderr  # before: exit 12, more memory than 512 MB
    original = _run(str(PDF), "-o", str(tmp_path / "original.json"), "--ocr", "never")
    assert original.returncode == 0, original.stderr
    read = [json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8")) for name in ("stretched", "original")]
    assert read[0]["tables"] == read[1]["tables"] and read[0]["warnings"] == read[1]["warnings"]


@pytest.mark.parametrize(("copies", "limit"), [
    (8, "the page's ruling lines cut 20,412 cells, more than the 20,000 its tables are read with"),
    (80, "the page has 2,756 ruling lines, more than the 2,000 its tables are read with"),
])
def test_a_page_past_the_ruling_line_or_cell_limit_loses_only_its_own_tables(tmp_path: Path, copies: int, limit: str) -> None:
    # page 10's table (820.2 by 441.96 points) drawn again corner to corner, each copy where the one before ends: one
    # grid of 12n by 21n cells for n tables; 40 copies took 22 s before the limits, 80 copies 170 s
    stairs = tmp_path / "stairs.pdf"
    _drawn_again(stairs, 10, [[1, 0, 0, 1, 820.2 * k, -441.96 * k] for k in range(1, copies + 1)])
    result = _run(str(stairs), "-o", str(tmp_path / "stairs.json"), "--ocr", "never")
    original = _run(str(PDF), "-o", str(tmp_path / "original.json"), "--ocr", "never")
    assert result.returncode == original.returncode == 0, result.stderr
    read = json.loads((tmp_path / "stairs.json").read_text(encoding="utf-8"))
    assert [w["message"] for w in read["warnings"] if w["code"] == "tables_not_read"] == [f"tables on this page could not be read ({limit})"]
    assert [w["page"] for w in read["warnings"] if w["code"] == "tables_not_read"] == [10]
    before = json.loads((tmp_path / "original.json").read_text(encoding="utf-8"))["tables"]
    elsewhere = [t for t in before if not {10, 11} & set(t["pages"])]  # page 10's table goes on to page 11
    assert len(elsewhere) == 11 and [t for t in read["tables"] if not {10, 11} & set(t["pages"])] == elsewhere


def test_a_sheet_past_the_printed_page_limits_is_read_whole(tmp_path: Path) -> None:
    # the ruling-line and cell limits bound what a printed page draws; a sheet's grid is its own cells, each drawn once
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "支出总表"
    sheet.append(["某某局2026年部门预算支出总表"])
    sheet.append(["单位：万元"])
    sheet.append(["科目编码", "科目名称", "合计", "基本支出", "项目支出"])
    sheet.append(["", "合计", 4100 * 3.0, 4100 * 1.0, 4100 * 2.0])
    for i in range(4100):
        sheet.append([f"20101{i % 100:02d}", f"行政运行{i}", 3.0, 1.0, 2.0])
    path = tmp_path / "支出总表.xlsx"
    book.save(path)
    result = _run(str(path), "-o", str(tmp_path / "out.json"), "--quiet")
    assert result.returncode == 0, result.stderr
    read = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [w for w in read["warnings"] if w["code"] == "tables_not_read"] == []  # 4,109 ruling lines, 20,510 cells
    assert [len(t["rows"]) for t in read["tables"]] == [4101]


def test_a_web_page_nested_two_thousand_deep_is_read_within_the_time_limit(tmp_path: Path) -> None:
    # issue 30: the main content was found by counting each element's Chinese text anew at every level of nesting (the
    # whole page's text once per level: 58 s for 2,000 levels around 2 MB); now counted once, from the leaves up
    page = (CORPUS.parent / "pool" / "福州_b24c43e361a3.html").read_bytes()
    body = page.index(b">", page.index(b"<body")) + 1
    end = page.rindex(b"</body>")
    nested = tmp_path / "nested.html"
    nested.write_bytes(page[:body] + b"<div>" * 2000 + page[body:end] * 20 + b"</div>" * 2000 + page[end:])  # 3.4 MB
    rows = batch([nested], tmp_path / "out", BatchSettings(jobs=1, timeout=30, progress=False))
    assert rows[0].status in ("ok", "warning"), rows[0].error  # before: timed out after 30 s


def test_thousands_of_lines_under_a_table_title_are_read_within_the_time_limit(tmp_path: Path) -> None:
    # issue 30: an html mutant repeated the date under a corpus page's list of attached tables 6,000 times; the table
    # finder looked under the last title for a table without rules and gave each of its lines its characters by a pass
    # over all of them (22 s); now by bisection
    page = (CORPUS / "renwu" / "ZZ_gtzyj_2015_部门预算说明.html").read_bytes()
    date = '<p style="text-indent: 2em; text-align: right;">2015年3月5日</p>'.encode()
    assert page.count(date) == 1
    repeated = tmp_path / "dates.html"
    repeated.write_bytes(page.replace(date, date * 12000))
    rows = batch([repeated], tmp_path / "out", BatchSettings(jobs=1, timeout=30, progress=False))
    assert rows[0].status in ("ok", "warning"), rows[0].error  # before: timed out after 30 s


def test_a_listing_whose_entries_run_together_is_read_within_the_time_limit(tmp_path: Path) -> None:
    # issue 30: an html mutant repeated one entry of a crawled listing 5,000 times, which the narrative joins into one run
    # of 165,000 characters without punctuation; the line-item pattern read on from each of its characters to the end
    # of the run (minutes), now at most a name's length
    import re

    listing = (CORPUS.parent / "pool" / "长沙_71dc3d5a0280.html").read_bytes()
    entry = list(re.finditer(rb"<li>.*?</li>", listing, re.S))[3]  # 2024-09-30 2023年度长沙市城市管理和综合执法局部门决算
    page = tmp_path / "listing.html"
    page.write_bytes(listing[: entry.end()] + entry.group() * 5000 + listing[entry.end() :])
    rows = batch([page], tmp_path / "out", BatchSettings(jobs=1, timeout=60, progress=False))
    assert rows[0].status in ("ok", "warning"), rows[0].error  # before: timed out after 60 s


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["", "<table><tr><td rowspan=3 colspan=0>", "<div style='position:absolute;top:x;left:1pt'>", "<td>"]))
def test_the_html_reader_never_fails_unexpectedly(text: str, markup: str) -> None:
    from extractor.errors import ExtractorError
    from extractor.readers.html import read_html

    try:
        read_html(f"<html><body>{markup}{text}</body></html>".encode("utf-8", "surrogatepass"))
    except (ExtractorError, UnicodeEncodeError):
        pass


_INJECTION = "=cmd|'/C calc'!A0"


def _page_with_formulas(folder: Path) -> Path:
    """A disclosure web page whose table labels and headers would be formulas in a spreadsheet."""
    rows = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in
                   ((_INJECTION, "1.00"), ("+SUM(A1:A9)", "2.00"), ("@HYPERLINK(x)", "3.00"), ("-12.50", "-12.50"), ("合计", "-6.50")))
    page = (f"<html><head><meta charset='utf-8'><title>某某局2026年部门预算</title></head><body><h1>某某局2026年部门预算公开</h1>"
            f"<p>一、部门收支总体情况</p><p>单位：万元</p><table border=1><tr><th>项目</th><th>{_INJECTION}</th></tr>{rows}</table></body></html>")
    path = folder / "=HYPERLINK(page).html"
    path.write_text(page, encoding="utf-8")
    return path


def test_text_that_would_start_a_formula_is_neutralised_in_every_spreadsheet_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    page = _page_with_formulas(tmp_path)
    run = [sys.executable, "-m", "extractor.cli", str(page)]
    assert subprocess.run([*run, "-o", str(tmp_path / "out.json"), "--quiet"]).returncode == 0
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    formulas = [r["label"] for t in data["tables"] for r in t["rows"] if r["label"][:1] in ("=", "+", "@")]
    assert len(formulas) == 3 and data["source"]["file"].startswith("=")  # the JSON keeps the text
    assert subprocess.run([*run, "-o", str(tmp_path / "out.csv"), "--excel", "--quiet"]).returncode == 0
    cells = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    texts = {v for row in cells for v in row.values() if v}
    assert {"'" + f for f in formulas} <= texts and "'=HYPERLINK(page).html" in texts
    assert not [v for v in texts if v[0] in "=+@"] and "-12.50" in texts  # a negative amount stays a number
    assert subprocess.run([*run, "-o", str(tmp_path / "out.xlsx"), "--quiet"]).returncode == 0
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    values = [v for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "'" + formulas[0] in values and not [v for v in values if v.startswith(("=", "+", "@"))]
    broken = tmp_path / "=1+1 broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n=SUM(A1)")
    monkeypatch.chdir(tmp_path)  # named as a user types them: the manifest's paths start like formulas
    rows = batch([Path(page.name), Path(broken.name)], tmp_path / "dataset", BatchSettings(jobs=1, progress=False))
    assert rows[0].status in ("ok", "warning") and rows[1].status == "failed"
    manifest = list(csv.reader(io.StringIO((tmp_path / "dataset" / "manifest.csv").read_text(encoding="utf-8"))))
    assert not [v for row in manifest for v in row if v[:1] in ("=", "+", "@")]
    assert {"'" + page.name, "'" + broken.name} <= {row[0] for row in manifest}
    from extractor.export.dataset import build_dataset, load_dataset

    build_dataset(tmp_path / "dataset")
    documents = load_dataset(tmp_path / "dataset")["documents"]
    assert list(documents["paths"]) == [page.name]  # read back from the manifest as the path it is
    for written in (tmp_path / "dataset" / "data").glob("*.csv"):
        for row in csv.reader(io.StringIO(written.read_text(encoding="utf-8-sig"))):
            assert not [v for v in row if v[:1] in ("=", "+", "@")], written.name


def test_only_regular_files_are_written_and_never_the_input(tmp_path: Path) -> None:
    import os
    import stat

    page = _page_with_formulas(tmp_path)
    run = [sys.executable, "-m", "extractor.cli", str(page), "--quiet"]
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    refused = subprocess.run([*run, "-o", str(fifo)], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 9 and "not a regular file" in refused.stderr and stat.S_ISFIFO(os.stat(fifo).st_mode)
    device = subprocess.run([*run, "-o", "/dev/null", "--format", "json"], capture_output=True, text=True, timeout=120)
    assert device.returncode == 9 and "not a regular file" in device.stderr and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    named_csv = tmp_path / "page.csv"  # a web page whose name says csv: -o the same path would overwrite it
    named_csv.write_bytes(page.read_bytes())
    before = named_csv.read_bytes()
    same = subprocess.run([sys.executable, "-m", "extractor.cli", str(named_csv), "-o", str(named_csv)], capture_output=True, text=True)
    assert same.returncode == 9 and "the output is the input file" in same.stderr and named_csv.read_bytes() == before


def _doc_with_a_linked_picture(folder: Path, port: int) -> Path:
    """A legacy .doc whose picture is a link to http://127.0.0.1:PORT/x.png (made by LibreOffice from flat XML)."""
    import shutil as shell

    flat = folder / "linked.fodt"
    flat.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>'
        "<text:p>某某局2026年部门预算 一、部门收支总体情况</text:p>"
        '<text:p><draw:frame draw:name="x" svg:width="2cm" svg:height="2cm" text:anchor-type="paragraph">'
        f'<draw:image xlink:href="http://127.0.0.1:{port}/x.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>'
        "</draw:frame></text:p></office:text></office:body></office:document>",
        encoding="utf-8",
    )
    soffice = shell.which("soffice") or shell.which("libreoffice")
    assert soffice, "this test needs LibreOffice (apt-get install libreoffice-writer-nogui); .ci/run installs it"
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--convert-to", "doc", "--outdir", str(folder),
                    str(flat)], check=True, capture_output=True, timeout=180)
    return folder / "linked.doc"


def test_libreoffice_fetches_nothing_a_legacy_file_links_to(tmp_path: Path) -> None:
    import socket
    import threading

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    doc = _doc_with_a_linked_picture(tmp_path, port)  # made while nothing listens there
    assert f"127.0.0.1:{port}".encode("utf-16-le") in doc.read_bytes()  # the link, as Word stores it
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(8)
    listener.settimeout(0.2)
    requests: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                requests.append(connection.recv(1024))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        result = subprocess.run([sys.executable, "-m", "extractor.cli", str(doc), "-o", str(tmp_path / "out.json"), "--quiet"],
                                capture_output=True, text=True, timeout=300)
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
    assert result.returncode in (0, 8), result.stderr  # read (or: no text found); either way
    assert requests == []


def test_a_conversion_stopped_by_the_batch_leaves_no_libreoffice_and_no_folder(tmp_path: Path) -> None:
    import tempfile

    def offices() -> set[str]:  # LibreOffice processes still running (a killed one may linger as a zombie here)
        found = subprocess.run(["pgrep", "-f", "soffice"], capture_output=True, text=True).stdout.split()
        return {pid for pid in found if os.path.exists(f"/proc/{pid}/stat") and open(f"/proc/{pid}/stat").read().split(") ")[-1][:1] != "Z"}

    doc = _doc_with_a_linked_picture(tmp_path, 9)
    before, folders = offices(), set(os.listdir(tempfile.gettempdir()))
    # LibreOffice takes seconds to start: a 0.5 s limit always stops the worker in the middle of the conversion
    rows = batch([doc], tmp_path / "out", BatchSettings(jobs=1, timeout=0.5, progress=False))
    assert rows[0].status == "failed" and rows[0].error.startswith("timed out")
    assert offices() - before == set()  # no LibreOffice left running
    new = [name for name in set(os.listdir(tempfile.gettempdir())) - folders
           if name.startswith(("extractor-office-", "lu")) or os.path.exists(os.path.join(tempfile.gettempdir(), name, "input.doc"))]
    assert new == []  # nor its folder (the input, the output, the profile), nor LibreOffice's own temporary folders


def _workbook(folder: Path, name: str, edit=None) -> Path:  # type: ignore[no-untyped-def]
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"], sheet["B2"] = "某某局2026年部门预算", "合计", 1.5
    path = folder / name
    book.save(path)
    if edit is not None:  # rewrite the sheet's XML
        with zipfile.ZipFile(path) as archive:
            parts = {info.filename: archive.read(info) for info in archive.infolist()}
        parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"])
        with zipfile.ZipFile(path, "w") as archive:
            for part, data in parts.items():
                archive.writestr(part, data)
    return path


def _docx(path: Path, body: str) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                         '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                         f"<w:body>{body}</w:body></w:document>")


@pytest.mark.parametrize("case", ["far cell", "huge merge", "many merges", "half a sheet", "wide span html", "wide span docx",
                                  "2000 small tables", "100000 one-cell tables"])
def test_small_files_that_would_hang_or_crash_are_read_or_refused_at_once(tmp_path: Path, case: str) -> None:
    if case == "far cell":
        path = _workbook(tmp_path, "far.xlsx", lambda xml: xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                                                                            b"<is><t>x</t></is></c></row></sheetData>"))
    elif case == "huge merge":
        path = _workbook(tmp_path, "merge.xlsx", lambda xml: xml.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                                                              b'<mergeCell ref="E5:XFD1048576"/></mergeCells>'))
    elif case == "many merges":  # 200 ranges of 99,900 cells, each under the per-range limit: together 90 s and 2.3 GB
        merges = b"".join(b'<mergeCell ref="%s1:%s99900"/>' % (c, c) for c in [bytes([65 + i // 26, 65 + i % 26]) for i in range(200)])
        path = _workbook(tmp_path, "merges.xlsx", lambda xml: xml.replace(b"</sheetData>", b'</sheetData><mergeCells count="200">'
                                                                             + merges + b"</mergeCells>"))
    elif case == "half a sheet":
        path = _workbook(tmp_path, "half.xlsx", lambda xml: xml[: len(xml) // 2])
    elif case == "2000 small tables":
        path = tmp_path / "tables.html"
        table = "<table><tr><td>项目</td><td>金额</td></tr><tr><td>合计</td><td>1.00</td></tr></table>"
        path.write_text(f"<html><body><p>某某局2026年部门预算</p>{table * 2000}</body></html>", encoding="utf-8")
    elif case == "wide span html":
        path = tmp_path / "span.html"
        cell = '<td rowspan="1000" colspan="1000">1.00</td>'
        path.write_text(f"<html><body><p>某某局2026年部门预算</p>{('<table><tr>' + cell + '</tr></table>') * 4}</body></html>", encoding="utf-8")
    elif case == "100000 one-cell tables":
        path = tmp_path / "many.docx"
        _docx(path, '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>1.00</w:t></w:r></w:p></w:tc></w:tr></w:tbl>' * 100_000)
    else:
        path = tmp_path / "span.docx"
        _docx(path, '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="100000"/></w:tcPr><w:p><w:r><w:t>1.00</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
                    "<w:p><w:r><w:t>某某局2026年部门预算</w:t></w:r></w:p>")
    # seconds, not minutes: a generous bound that only a hang or a quadratic blow-up breaks
    result = subprocess.run([sys.executable, "-m", "extractor.cli", str(path), "-o", str(tmp_path / "out.json"), "--quiet"],
                            capture_output=True, text=True, timeout=120)
    if case == "half a sheet":
        assert result.returncode == 6 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    elif case == "100000 one-cell tables":
        assert result.returncode == 6 and "more than 10,000 tables in one document" in result.stderr
    elif case == "many merges":
        assert result.returncode == 6 and "merged ranges cover 19,980,000 cells, more than the 1,000,000 a sheet is read with" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert [e.message for e in schema_validator().iter_errors(json.loads((tmp_path / "out.json").read_text(encoding="utf-8")))] == []


def test_a_single_file_runs_inside_a_time_limit_and_a_memory_ceiling(tmp_path: Path) -> None:
    scan = CORPUS / "renwu/BJ_zsj_2026_附件1_scanned.pdf"  # OCR of eight pages: tens of seconds against half a second
    slow = subprocess.run([sys.executable, "-m", "extractor.cli", str(scan), "-o", str(tmp_path / "out.json"), "--timeout", "0.5"],
                          capture_output=True, text=True, timeout=120)
    assert slow.returncode == 11 and "took longer than 0.5 s (raise it with --timeout)" in slow.stderr and "Traceback" not in slow.stderr
    tight = subprocess.run([sys.executable, "-m", "extractor.cli", str(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf"), "-o",
                            str(tmp_path / "out.json"), "--max-memory", "64"], capture_output=True, text=True, timeout=120)
    assert tight.returncode == 12 and "raise it with --max-memory" in tight.stderr and "Traceback" not in tight.stderr
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("case", ["nested 300", "nested 5000 with text", "text node over 10 MB", "a 400-megapixel background"])
def test_web_pages_past_the_parser_defaults_are_read_whole_or_refused_by_name(tmp_path: Path, case: str) -> None:
    import base64
    import struct
    import zlib

    heading = "<p>某某局2026年部门预算</p><p>一、部门收支总体情况</p><p>2026年收入预算1,234.56万元。</p>"
    if case == "nested 300":
        page = f"<html><body>{'<div>' * 300}{heading}{'</div>' * 300}</body></html>"
    elif case == "nested 5000 with text":
        page = f"<html><body>{'<div>' * 5000}{heading * 200}{'</div>' * 5000}</body></html>"
    elif case == "text node over 10 MB":
        page = f"<html><body><p>{' ' * 10_500_000}</p>{heading}</body></html>"  # the figures after a text node of 10.5 MB
    else:
        header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
        png = header + struct.pack(">I", zlib.crc32(header[12:]) & 0xFFFFFFFF)  # a header that declares 20000 x 20000 pixels
        spans = "".join(f'<p style="position:absolute;top:{40 + 20 * i}px;left:40px">{t}</p>' for i, t in
                        enumerate(["某某局2026年部门预算", "一、部门收支总体情况", "2026年收入预算1,234.56万元。"] * 20))
        page = (f'<html><body><div style="position:relative;width:900px;height:1200px">'
                f'<img width="900" height="1200" src="data:image/png;base64,{base64.b64encode(png).decode()}">{spans}</div></body></html>')
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "extractor.cli", str(path), "-o", str(tmp_path / "out.json"), "--quiet"],
                            capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr
    if case == "nested 5000 with text":
        assert result.returncode == 6 and "the HTML parser's limit of 2,048 elements" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert ("income_total", "1234.56") in {(f["key"], f["value"]) for f in data["facts"]}  # the text past the old limits is read


POSITIONED = CORPUS / "renwu" / "YT_tyjrswj_2026_部门预算.html"  # a PDF's pages as positioned <div>s


def _positioned(first: int, count: int) -> bytes:
    """The corpus's positioned page cut to its head and ``count`` page containers from ``first`` (a table's pages)."""
    import re

    data = POSITIONED.read_bytes()
    starts = [m.start() for m in re.finditer(rb'<div class="page"', data)]
    return data[: starts[0]] + data[starts[first] : starts[first + count]] + b"</div></body></html>"


def _pdftohtml(tmp_path: Path, pdf: Path, first: int, last: int) -> bytes:
    """``pdftohtml -c``'s positioned HTML of some pages, its rules drawn in inlined background pictures."""
    import shutil

    if not shutil.which("pdftohtml"):
        pytest.skip("poppler's pdftohtml makes the positioned HTML; .ci/run installs it")
    out = tmp_path / "converted"
    subprocess.run(["pdftohtml", "-c", "-s", "-noframes", "-q", "-dataurls", "-f", str(first), "-l", str(last), str(pdf), str(out)],
                   check=True, timeout=120)
    return out.with_suffix(".html").read_bytes()


def _letters(pages: tuple) -> list[str]:  # type: ignore[type-arg]
    return sorted(c.text for page in pages for c in page.chars)


@pytest.mark.parametrize("bad", ["1.2.3pt", "9" * 400 + "pt", "-" + "9" * 400 + "pt", ".pt"])
@pytest.mark.parametrize("where", ["top", "left"])
def test_a_bad_number_in_one_positioned_element_skips_that_element(where: str, bad: str) -> None:
    from extractor.readers.html import read_html

    page = _positioned(10, 3)
    element = page.index(b'<div class="p" style="', page.index(b'<div class="page"') + 20)  # the first text run
    end = page.index(b"</div>", element) + len(b"</div>")
    style = page[element:end]
    damaged = page[:element] + style.replace(f"{where}:".encode(), f"{where}:{bad};x-was:".encode(), 1) + page[end:]
    assert read_html(damaged) == read_html(page[:element] + page[end:])  # read as if the element were not there


def test_a_zero_font_size_in_a_positioned_page_style_sheet_is_no_size(tmp_path: Path) -> None:
    import re

    from extractor.readers.html import read_html

    page = _pdftohtml(tmp_path, CORPUS / "GovBudgetChecker" / "SH_PT_ghzyj_2024_部门决算.pdf", 3, 5)
    damaged = re.sub(rb"font-size:\d+px", b"font-size:0px", page)  # every class: 12 px then, as for a run without one
    assert _letters(read_html(damaged)) == _letters(read_html(page))


def test_a_damaged_background_picture_costs_only_its_rules(tmp_path: Path) -> None:
    import base64
    import re

    from extractor.readers.html import read_html

    page = _pdftohtml(tmp_path, CORPUS / "renwu" / "CN_gjxfj_2026_部门预算.pdf", 17, 18)  # pictures of several IDAT chunks
    picture = re.search(rb"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert picture is not None
    png = base64.b64decode(picture.group(1))
    second = png.index(b"IDAT", png.index(b"IDAT") + 1)
    broken = png[:second] + b"ID\x00T" + png[second + 4 :]  # a chunk type no PNG has: Pillow's SyntaxError
    damaged = page[: picture.start(1)] + base64.b64encode(broken) + page[picture.end(1) :]
    pages, unpictured = read_html(damaged), read_html(page[: picture.start()] + page[picture.end() :])
    assert pages == unpictured and pages[0].rules == () and pages[1].rules != ()  # the text all read; the other page's rules too


def test_one_positioned_element_repeated_thousands_of_times_is_read_once() -> None:
    from extractor.readers.html import read_html

    page = _positioned(10, 3)
    element = page.index(b'<div class="p" style="', page.index(b'<div class="page"') + 20)
    end = page.index(b"</div>", element) + len(b"</div>")
    assert read_html(page[:end] + page[element:end] * 5000 + page[end:]) == read_html(page)


def test_positioned_elements_nested_by_damaged_markup_are_each_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.readers import positioned
    from extractor.readers.html import read_html

    page = _positioned(23, 1)  # the densest page: 1,555 elements
    head = page.index(b'<div class="page"')
    nested = page[:head] + page[head:].replace(b"</div>", b"")  # no element closed: each inside the one before
    visits = {"count": 0}
    looked_at = positioned._positioned

    def counted(element):  # type: ignore[no-untyped-def]
        visits["count"] += 1
        return looked_at(element)

    monkeypatch.setattr(positioned, "_positioned", counted)
    flat = read_html(page)
    visits["count"] = 0
    pages = read_html(nested)
    # each element looked at once or so: read once per ancestor, the nest cost some 1,555² / 2 looks (minutes)
    elements = page[head:].count(b"<div")
    assert visits["count"] <= 2 * elements, (visits["count"], elements)
    assert _letters(pages) == _letters(flat)


def test_a_positioned_page_past_the_element_limit_is_refused_by_name(tmp_path: Path) -> None:
    import re

    page = _positioned(23, 1)
    found = list(re.finditer(rb'<div class="[pr]" [^>]*>.*?</div>', page, re.S))
    copies = b"".join(re.sub(rb"top:([\d.]+)", lambda m, down=842 * k: b"top:%.3f" % (float(m.group(1)) + down), e.group(), count=1)
                      for k in range(1, 14) for e in found)  # the page's table 14 times down one tall page
    path = tmp_path / "tall.html"
    path.write_bytes(page[: found[-1].end()] + copies + page[found[-1].end() :])
    result = _run(str(path), "-o", str(tmp_path / "out.json"), "--quiet")
    assert result.returncode == 6 and "Traceback" not in result.stderr
    assert "page 1 of the positioned HTML has 21,756 positioned elements, more than the 20,000 a page is read with" in result.stderr


@pytest.mark.slow  # 340 mutants of every reader through the batch's worker pool (a batch for the zips): about 40 s
def test_a_fixed_seed_fuzz_of_every_reader_finds_no_internal_error_no_hang_and_no_file_over_the_memory_ceiling() -> None:
    import random

    from benchmarks.fuzz import html_run, office_run, pdf_run, positioned_run, zip_run

    runs = {"pdf": pdf_run(60, random.Random(30), timeout=20), "html": html_run(80, random.Random(30), timeout=20),
            "positioned html": positioned_run(80, random.Random(30), timeout=20), **office_run(40, random.Random(30), timeout=20),
            "zip": zip_run(40, random.Random(30), timeout=20)}
    counts = {name: sum(run.outcomes.values()) for name, run in runs.items()}
    assert {name: n for name, n in counts.items() if name != "zip"} == {"pdf": 60, "html": 80, "positioned html": 80, "xlsx": 40, "docx": 40}
    assert counts["zip"] >= 40  # a row per member of each archive, or one for an archive that cannot be opened
    assert {name: dict(run.outcomes) for name, run in runs.items() if run.findings} == {}  # internal errors, time-outs, over the ceiling
    assert all(0 < run.peak_mb < 2048 for run in runs.values()), {name: run.peak_mb for name, run in runs.items()}


@pytest.mark.parametrize("argv", [
    ["show", "{pdf}", "--page", "1", "-o", "{out}/p.png", "--scale", "nan"],
    ["{pdf}", "-o", "{out}/d.json", "--timeout", "nan"],
    ["batch", "{pdf}", "-o", "{out}/ds", "--timeout", "nan"],
    ["batch", "{pdf}", "-o", "{out}/ds", "--timeout", "inf"],
])
def test_a_number_option_that_is_not_finite_is_a_bad_option(tmp_path: Path, argv: list[str]) -> None:
    # nan passes every comparison a range makes: once it turned a batch's per-file limit off
    pdf = CORPUS / "GovBudgetChecker/SH_PT_sww_2025_部门预算.pdf"
    args = [a.format(pdf=pdf, out=tmp_path) for a in argv]
    run = subprocess.run([sys.executable, "-m", "extractor.cli", *args], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "is not a finite number" in run.stderr and "Traceback" not in run.stderr
    assert not list(tmp_path.iterdir())  # nothing was started


def test_the_library_refuses_a_batch_without_a_time_limit() -> None:
    from extractor.errors import SettingsError

    for bad in (float("nan"), float("inf"), 0.0):
        with pytest.raises(SettingsError, match="timeout must be a positive number"):
            BatchSettings(timeout=bad)


@pytest.mark.parametrize(("name", "shown"), [
    (os.fsdecode(b"bad\xff.pdf"), "bad\\xff.pdf"), ("bell\x07.pdf", "bell\\x07.pdf"), ("two\nlines\u2028.pdf", "two\\x0alines\\u2028.pdf"),
    ("evil\u202efdp.exe", "evil\\u202efdp.exe"), ("某局 2026年\u3000部门预算.pdf", "某局 2026年\u3000部门预算.pdf"),
])
def test_a_name_is_shown_with_its_undecodable_bytes_and_control_characters_escaped(name: str, shown: str) -> None:
    from extractor.names import shown_name

    assert shown_name(name) == shown and shown_name(shown) == shown


def test_a_name_not_utf8_or_with_control_characters_is_read_and_written_escaped(tmp_path: Path) -> None:
    # Linux allows any bytes in a name: once the journal could not take one, and every run (and resume) stopped there
    folder, out = tmp_path / "crawl", tmp_path / "data\x1b[2J"
    folder.mkdir()
    bad, bell, empty = (folder / os.fsdecode(name) for name in (b"bad\xff.html", b"bell\x07.html", b"empty\xff.pdf"))
    bad.write_bytes(HTML.read_bytes())
    bell.write_bytes(HTML.read_bytes() + b"<!-- another file -->")
    empty.write_bytes(b"")
    for attempt in ("run", "resume"):
        result = _run("batch", str(folder), "-o", str(out), "--jobs", "1", "--quiet")
        assert result.returncode == 0 and "Traceback" not in result.stderr, (attempt, result.stderr)
        assert "\x1b" not in result.stderr and "\\udc" not in result.stderr and "data\\x1b[2J" in result.stderr, attempt
        written = (out / "manifest.csv").read_text(encoding="utf-8")
        assert not [c for c in written if c != "\n" and not c.isprintable()], attempt
        rows = {Path(r["path"]).name: r for r in csv.DictReader(io.StringIO(written))}
        assert sorted(rows) == ["bad\\xff.html", "bell\\x07.html", "empty\\xff.pdf"], attempt
        assert rows["bad\\xff.html"]["status"] in ("ok", "warning") and rows["bell\\x07.html"]["status"] in ("ok", "warning")
        assert rows["empty\\xff.pdf"]["error"] == f"{folder}/empty\\xff.pdf: file is empty (0 bytes)"
        journal = [json.loads(line)["path"] for line in (out / "journal.jsonl").read_text(encoding="utf-8").splitlines()]
        assert {Path(p).name for p in journal} == set(rows), attempt
    doc_id = rows["bad\\xff.html"]["doc_id"]
    document = json.loads((out / "documents" / f"{doc_id}.json").read_text(encoding="utf-8"))
    assert document["source"]["file"] == "bad\\xff.html"
    single = _run(str(bad), "-o", str(tmp_path / "one.json"))
    assert single.returncode == 0 and json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))["source"]["file"] == "bad\\xff.html"
    report = _run("report", str(bell), "-o", str(tmp_path / "report.html"))
    assert report.returncode == 0 and "bell\\x07.html" in (tmp_path / "report.html").read_text(encoding="utf-8"), report.stderr
    failed = _run(str(empty), "-o", str(tmp_path / "empty.json"))
    assert failed.returncode == 4 and failed.stderr == f"error: {folder}/empty\\xff.pdf: file is empty (0 bytes)\n"


_BAD_ALLOC = "[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Exception during initialization: std::bad_alloc"  # as OCR raises it


@pytest.mark.parametrize("error", [MemoryError(), RuntimeError(_BAD_ALLOC), OSError(errno.ENOMEM, "Cannot allocate memory")],
                         ids=["MemoryError", "ONNX Runtime", "ENOMEM"])
def test_out_of_memory_is_said_alike_by_a_batch_row_and_the_single_file_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                                 error: Exception) -> None:
    # a batch once called it an internal error (exit 70, a traceback in its log)
    import extractor.guard
    import extractor.task
    from extractor.errors import ExtractorError
    from extractor.pipeline import ExtractSettings

    def run_out(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(extractor.task, "extract", run_out)
    monkeypatch.setattr(extractor.guard, "extract", run_out)  # in the forked child that reads one file
    row = extractor.task.process({"path": str(HTML), "out": str(tmp_path / "out.json"), "max_memory": 300})
    with pytest.raises(ExtractorError) as single:
        extractor.guard.guarded_extract(HTML, ExtractSettings(), max_memory=300)
    assert (row["status"], row["exit_code"]) == ("failed", single.value.exit_code) == ("failed", 12)
    assert row["error"] == str(single.value) == f"{HTML}: needs more memory than 300 MB (raise it with --max-memory)"


def test_ocr_over_the_memory_ceiling_in_a_batch_is_exit_12_as_alone(tmp_path: Path) -> None:
    # under a tight ceiling OCR fails by a MemoryError, ONNX Runtime's failed allocation or a worker that aborts: each is exit 12
    scan = CORPUS / "renwu/BJ_zsj_2026_附件1_scanned.pdf"
    rows = batch([scan], tmp_path / "out", BatchSettings(jobs=1, max_memory_mb=400, pages="1", progress=False))
    alone = _run(str(scan), "-o", str(tmp_path / "out.json"), "--max-memory", "400", "--pages", "1")
    assert alone.returncode == rows[0].exit_code == 12, (alone.stderr, rows[0].error)
    assert rows[0].error.endswith("more memory than 400 MB (raise it with --max-memory)") and "internal error" not in rows[0].error


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow  # OCR of a scan: seconds a page, long enough to kill the command mid-extraction
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc (Linux)")
@pytest.mark.parametrize("command", [[], ["batch", "--jobs", "1"]], ids=["single file", "batch"])
def test_killing_the_command_takes_its_extraction_with_it(tmp_path: Path, command: list[str]) -> None:
    scan = CORPUS / "renwu/BJ_zsj_2026_附件1_scanned.pdf"
    out = tmp_path / ("out" if command else "out.json")
    args = [*command[:1], str(scan), "-o", str(out), "--ocr", "always", *command[1:], "--quiet"]
    parent = subprocess.Popen([sys.executable, "-m", "extractor.cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    children: list[int] = []
    while time.monotonic() < deadline and not children:
        time.sleep(0.2)
        children = _children(parent.pid)
    assert children, "the command started no child to read the file"
    time.sleep(1.0)  # the child is reading the pages
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 3  # at once, not when the page being read is done and its progress finds no parent
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.2)
    assert not [pid for pid in children if _alive(pid)], "a child outlived the killed command"
