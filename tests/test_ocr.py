"""Scanned disclosures through OCR: the corpus's image-only narrative, and scanned-table fixtures made at test
time from the truth documents (see ``scan_fixtures.py``) scored with score.py like the text layer."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from extractor import extract
from extractor.errors import NoTextLayerError
from extractor.export.json_export import document_to_json
from extractor.model import Page
from extractor.pipeline import ExtractSettings
from extractor.readers import ocr
from tests.conftest import CORPUS, SHARED, TRUTH, extracted, read_csv, schema_validator
from tests.scan_fixtures import build

SCANNED = CORPUS / "renwu" / "BJ_zsj_2026_附件1_scanned.pdf"


def test_the_ocr_models_ship_with_the_package() -> None:
    import rapidocr_onnxruntime

    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    assert {p.name for p in models.glob("*.onnx")} >= {"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx"}


def test_a_scanned_narrative_gives_identity_sections_and_facts() -> None:
    doc = extracted(str(SCANNED))
    assert doc.source.reader == "pdfium+rapidocr" and doc.source.ocr_pages == tuple(range(1, 9))
    info = doc.document
    assert (info.department, info.fiscal_year, info.report_kind, info.document_type) == ("北京市政务服务和数据管理局", 2026, "budget", "disclosure")
    top = [(s.number, s.title, s.page) for s in doc.sections if s.level == 2]
    assert top[:6] == [("一", "部门情况说明", 3), ("二", "收入预算情况说明", 5), ("三", "支出预算情况说明", 6),
                       ("四", "财政拨款“三公”经费预算情况说明", 7), ("五", "其他情况说明", 7), ("六", "名词解释", 8)]
    facts = {f.key: f for f in doc.facts}
    for row in read_csv("scanned_narrative_facts.csv"):  # read off the page images
        fact = facts[row["key"]]
        assert (fact.value, fact.unit, fact.page) == (row["value"], row["unit"], int(row["page"])), row["key"]
        assert fact.confidence is not None and 0 < fact.confidence <= 1
    assert [e.message for e in schema_validator().iter_errors(doc.to_dict())] == []


def test_a_recognised_page_holds_its_characters_as_arrays_and_each_box_s_confidence_is_its_characters_least() -> None:
    from extractor.model import Chars
    from extractor.readers import ReaderSettings, read_source

    page = read_source(SCANNED.read_bytes(), str(SCANNED), ReaderSettings(pages=frozenset({7}))).pages[6]
    assert page.ocr and isinstance(page.chars, Chars) and len(page.chars) == len(page.confidence) > 100
    for line in page.lines:
        x0, top, x1, bottom = line.bbox
        inside = [score for char, score in zip(page.chars, page.confidence, strict=True)
                  if x0 - 0.5 <= (char.x0 + char.x1) / 2 <= x1 + 0.5 and top - 0.5 <= (char.top + char.bottom) / 2 <= bottom + 0.5]
        assert ocr.confidence_in(page, line.bbox) == (round(min(inside), 4) if inside else None)


def test_every_ocr_page_is_named_in_the_warnings() -> None:
    doc = extracted(str(SCANNED))
    assert [w.page for w in doc.warnings if w.code == "ocr_page"] == list(range(1, 9))
    low = [w for w in doc.warnings if w.code == "ocr_low_confidence"]
    assert all(re.search(r"confidence 0\.\d+", w.message) for w in low)


def test_ocr_off_or_missing_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NoTextLayerError, match=r"OCR is off \(--ocr never\)"):
        extract(SCANNED, ExtractSettings(ocr="never"))
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(NoTextLayerError, match=r"pip install 'budget-disclosure-extractor\[ocr\]'"):
        extract(SCANNED)
    with pytest.raises(ocr.OcrUnavailableError, match="--ocr always needs OCR"):
        extract(SCANNED, ExtractSettings(ocr="always"))


def test_cli_reads_a_scan_and_refuses_an_unknown_mode(tmp_path: Path) -> None:
    bad = subprocess.run([sys.executable, "-m", "extractor.cli", str(SCANNED), "--ocr", "sometimes"], capture_output=True, text=True)
    assert bad.returncode == 2 and "sometimes" in bad.stderr
    out = tmp_path / "scan.json"
    done = subprocess.run([sys.executable, "-m", "extractor.cli", str(SCANNED), "--max-pages", "1", "-o", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["options"]["ocr"] == "auto" and data["source"]["ocr_pages"][0] == 1
    assert data["document"]["department"] == "北京市政务服务和数据管理局"


@pytest.mark.parametrize(("text", "expected"), [
    ("", True),
    ("(cid:12)(cid:345)(cid:6)(cid:78) 2026", True),
    ("\ufffd\ufffd\ufffd\ufffd预算", True),
    ("\ue001\ue002\ue003\ue004\ue005", True),
    ("2026年部门预算情况说明", False),
])
def test_unusable_text_layers_are_recognised(text: str, expected: bool) -> None:
    from extractor.model import Line

    page = Page(number=1, width=595, height=842, lines=(Line(text, (0, 0, 10, 10)),) if text else ())
    assert ocr.garbled(page) is expected


def test_always_reads_a_text_page_from_its_image_too() -> None:
    text_layer = extract(CORPUS / "renwu" / "CQ_zfbgt_2026_部门预算.pdf", ExtractSettings(max_pages=1, tables="none"))
    scanned = extract(CORPUS / "renwu" / "CQ_zfbgt_2026_部门预算.pdf", ExtractSettings(max_pages=1, tables="none", ocr="always"))
    assert text_layer.source.ocr_pages == () and scanned.source.ocr_pages[0] == 1
    assert scanned.document.department == text_layer.document.department == "重庆市人民政府办公厅"


# Scanned tables: (truth document, how it was spoiled). Only the pages the truth cites are printed (the others
# are left white) to keep the OCR time of the suite near two minutes; benchmarks/bench_ocr.py scans them all.
SCANS = [
    ("SH_PT_czj_2025_部门预算", "scan150"),
    ("JS_swbgt_2018_部门预算公开表", "turned150"),
    ("JS_swbgt_2018_部门预算公开表", "sealed150"),
    ("SH_PT_czj_2025_部门预算", "askew150"),
]


@pytest.fixture(scope="module")
def scanned_scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[float, float]]:
    out = tmp_path_factory.mktemp("scans")
    files, truth = out / "files", out / "truth"
    for doc_id, variant in SCANS:
        build(TRUTH, out, [doc_id], [variant], cited_pages_only=True)
    pred = out / "pred"
    pred.mkdir()
    for path in sorted(files.glob("*.pdf")):
        doc = extract(path)
        cells = [c for t in doc.tables for r in t.rows for c in r.cells]
        assert cells and all(c.confidence is not None and 0 < c.confidence <= 1 for c in cells), path.name
        (pred / f"{path.stem}.json").write_text(document_to_json(doc), encoding="utf-8")
    result = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), "--truth", str(truth), "--pred", str(pred)],
                            capture_output=True, text=True, check=True)
    scores = {}
    for line in result.stdout.splitlines():
        m = re.match(r"(\S+): values (\d+)/(\d+) recall, (\d+)/(\d+) precision", line)
        if m:
            scores[m.group(1)] = (int(m.group(2)) / int(m.group(3)), int(m.group(4)) / max(int(m.group(5)), 1))
    return scores


@pytest.mark.slow  # OCR of every page of four scanned truth documents: about three minutes
@pytest.mark.parametrize(("doc_id", "variant"), SCANS)
def test_scanned_tables_score_close_to_the_text_layer(scanned_scores: dict[str, tuple[float, float]], doc_id: str, variant: str) -> None:
    recall, precision = scanned_scores[f"{doc_id}__{variant}"]
    assert recall >= 0.95 and precision >= 0.95, (recall, precision)


def test_a_cover_with_a_background_picture_keeps_its_text_layer() -> None:
    # JS_jcy_2017 p1: 17 printed characters over a full-page picture; OCR finds no more text, so the text layer stays
    doc = extract(CORPUS / "open-budget" / "JS_jcy_2017_部门预算.pdf", ExtractSettings(max_pages=1, tables="none"))
    assert doc.source.ocr_pages == () and doc.source.reader == "pdfium"
    assert doc.document.department == "江苏省人民检察院"


@pytest.mark.parametrize(("read", "label", "expected"), [
    ("30200", "手续费", "30204"),  # one digit misread: the listed code of that name
    ("30266", "其他商品和服务支出", "30299"),  # two digits
    ("302", "差旅费", "30211"),  # the 款 digits lost
    ("30204", "手续费", None),  # already right
    ("2010391", "行政运行", None),  # 行政运行 is listed under many 款: no single answer
    ("39999", "手续费", None),  # too far from any listed code of that name
    ("30215", "会议费用", None),  # a name the list does not have
])
def test_misread_codes_are_put_right_only_when_the_label_says_which(read: str, label: str, expected: str | None) -> None:
    from extractor.domain.codes import repaired_code

    assert repaired_code(read, label) == expected


def test_scans_published_as_pictures_are_read(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(SCANNED))
    frames = [document[i].render(scale=2).to_pil().convert("RGB") for i in (0, 4)]  # the title page and p5
    tiff = tmp_path / "scan.tiff"
    frames[0].save(tiff, save_all=True, append_images=frames[1:], dpi=(144, 144))
    doc = extract(tiff)
    assert (doc.source.format, doc.source.reader, doc.source.ocr_pages) == ("image", "pillow+rapidocr", (1, 2))
    assert doc.document.department == "北京市政务服务和数据管理局" and doc.document.fiscal_year == 2026
    assert {f.key: f.value for f in doc.facts}["income_total"] == "101673.03"
    png = tmp_path / "broken.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = subprocess.run([sys.executable, "-m", "extractor.cli", str(png)], capture_output=True, text=True)
    assert result.returncode == 6 and "picture cannot be decoded" in result.stderr


@pytest.mark.slow  # one page through OCR twice
def test_a_page_scanned_upside_down_is_turned_for_the_whole_page(tmp_path: Path) -> None:
    # 重庆 p9 at 150 dpi, as scanned and turned half round: judged by the direction model on its longest lines, the
    # page is turned upright (line by line alone, the model left the page unread: no value at all)
    subprocess.run(["pdftoppm", "-f", "9", "-l", "9", "-r", "150", "-gray", str(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf"),
                    str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p*.pgm")))
    image.save(tmp_path / "up.pdf", resolution=150)
    image.rotate(180).save(tmp_path / "down.pdf", resolution=150)
    up, down = (extract(str(tmp_path / f"{name}.pdf"), ocr="always") for name in ("up", "down"))
    values = [sorted(c.value for t in doc.tables for r in t.rows for c in r.cells if c.value) for doc in (up, down)]
    assert values[0] == values[1] and "19230.18" in values[0]
    assert [w.message for w in down.warnings if w.code == "ocr_page"][0].startswith("page read by OCR from its image, turned 180° upright")


@pytest.mark.slow  # one page through OCR
def test_a_stretch_of_ink_the_detector_boxes_twice_is_read_once(tmp_path: Path) -> None:
    # 广州 2026's 收支总表 (p5) at 150 dpi: the detector boxes 二、 and 、外交支出 over one 、, and the second run's
    # leading 、 read as a lost 一 made the label 二一、、外交支出 while every sum held (a verified table, wrong)
    build(TRUTH, tmp_path, ["GZ_zfbgt_2026_部门预算"], ["scan150"], cited_pages_only=True)
    doc = extract(str(tmp_path / "files" / "GZ_zfbgt_2026_部门预算__scan150.pdf"), pages="5")
    labels = [row.label for table in doc.tables for row in table.rows]
    assert "二、外交支出" in labels and "一、一般公共服务支出" in labels
    assert not any("、、" in (label or "") for label in labels)


def _resident_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024  # type: ignore[index]


@pytest.mark.skipif(ocr._malloc_trim() is None, reason="glibc's malloc_trim: Linux with glibc, as CI")
def test_memory_freed_below_live_memory_is_handed_back_before_a_page_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan's peak is the detector's pass (issue 31): memory freed in the C heap under memory still in use stays
    resident (the heap shrinks only from its top) until it is handed back, which each page's detection starts with."""
    blocks = [bytes(4000) for _ in range(25_000)]  # 100 MB through malloc, then one block above them kept alive
    kept = bytes(4000)
    del blocks
    before = _resident_mb()
    at_detection: list[float] = []

    def engine(image: object, **_: object) -> tuple[None, None]:
        at_detection.append(_resident_mb())
        return None, None

    monkeypatch.setattr(ocr, "_engine", lambda: engine)
    assert ocr._run(np.full((64, 64), 255, dtype=np.uint8)) == []
    assert before - at_detection[0] > 60, (before, at_detection)
    assert kept
