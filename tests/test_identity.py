"""Who, what, when on every file of the pool and on the corpus files no identity test lists: document type, and for
disclosures department, scope, entity, year and kind, each row written by reading the file's title page
(`tests/data/document_identity.csv`, its last column quoting what was read)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from extractor.errors import NoTextLayerError
from extractor.pipeline import ExtractSettings, extract
from tests.conftest import CORPUS, SHARED, extracted, read_csv

ROWS = read_csv("document_identity.csv")


def _path(row: dict[str, str]) -> str:
    return str(SHARED / row["path"] if row["path"].startswith("pool/") else CORPUS / row["path"])


def _read(row: dict[str, str]):  # type: ignore[no-untyped-def]
    try:
        return extract(_path(row), ExtractSettings(ocr="never"))
    except NoTextLayerError:
        return extracted(_path(row))  # a scan: its title is read by OCR (once per session, as the corpus tests read it)


def _params() -> list[object]:
    return [pytest.param(r, id=r["path"].split("/")[-1], marks=pytest.mark.slow) for r in ROWS]


def test_the_list_covers_every_file_of_the_pool() -> None:
    listed = {r["path"] for r in ROWS if r["path"].startswith("pool/")}
    assert listed == {f"pool/{p.name}" for p in (SHARED / "pool").iterdir() if p.suffix not in (".md", ".tsv")}


@pytest.mark.parametrize("row", _params())
def test_document_type_and_identity_as_the_title_page_states(row: dict[str, str]) -> None:
    doc = _read(row).document
    assert doc.document_type == row["document_type"]
    if row["document_type"] != "disclosure":
        return
    assert (doc.department, doc.scope, doc.fiscal_year, doc.report_kind) == (
        row["department"], row["scope"] or None, int(row["fiscal_year"]), row["report_kind"])
    if row["entity"]:
        assert doc.entity == row["entity"]


def _pool(name: str):  # type: ignore[no-untyped-def]
    return extract(str(SHARED / "pool" / name), ExtractSettings(ocr="never"))


def test_a_landing_page_is_a_listing_with_its_attachment_and_the_identity_its_heading_states() -> None:
    # 无锡科技局: <title>/<h2> 无锡市科学技术局（本级）2026年度部门预算公开和绩效公开, body 请详见附件 (a .zip)
    doc = _pool("无锡_1864b8fcc0c1.html")
    info = doc.document
    assert (info.document_type, info.department, info.scope, info.fiscal_year, info.report_kind) == (
        "listing", "无锡市科学技术局", "本级", 2026, "budget")
    assert [(a.href, a.text) for a in doc.attachments] == [("/uploadfiles/202602/12/2026021214260741848127.zip", "请详见附件")]
    assert not doc.tables and not doc.facts and "not_a_disclosure" in {w.code for w in doc.warnings}


def test_a_portal_page_is_no_ones_document_whatever_its_headlines_say() -> None:
    # 无锡国资委's home page: news headlines, and links to three 2026 预算公开 pages
    doc = _pool("无锡_5dfd578678f9.html")
    info = doc.document
    assert (info.document_type, info.department, info.fiscal_year, info.report_kind) == ("portal", None, None, None)
    assert len(doc.attachments) == 3 and all("预算公开" in a.text for a in doc.attachments)


def test_a_report_published_as_pictures_lists_them_and_not_the_sites_logos() -> None:
    # 重庆公安局 (a web page saved as .pdf): 2026年部门预算情况说明 as 26 page pictures, besides logos and icons
    doc = _pool("重庆_b789e28c98c7.pdf")
    assert doc.document.document_type == "listing" and "tables_as_images" in {w.code for w in doc.warnings}
    pictures = [a.href for a in doc.attachments if a.text == "(picture)"]
    assert len([p for p in pictures if p.endswith("_ORIGIN.jpg")]) == 26
    assert not [p for p in pictures if "logo" in p or "/images/" in p]


def test_official_documents_are_notices() -> None:
    # 杭政办函〔2025〕30号 …关于印发全面加强新时代消防安全工作实施办法的通知; 川办规〔2025〕11号 printed in full-width digits
    assert _pool("杭州_c2cebac359ad.pdf").document.document_type == "notice"
    assert _pool("绵阳_a36b74aea35b.pdf").document.document_type == "notice"


def test_a_volume_of_performance_targets_is_a_disclosure_with_its_tables() -> None:
    # 广州市生态环境局2026年项目支出绩效目标表（含转移支付项目）: 140 pages of 绩效目标表, no 预算 in its title
    doc = _pool("广州_7168026ded9b.pdf")
    assert (doc.document.document_type, doc.document.department, doc.document.report_kind) == ("disclosure", "广州市生态环境局", "budget")
    assert sum(1 for t in doc.tables if t.kind == "project_performance") >= 20


def test_words_about_the_document_are_not_part_of_the_department_name() -> None:
    # "北京市统计局部门 2026 年度部门预算信息公开", "2026年深圳市统计局（本级）部门预算", 西安 "…科学技术局部门综合预算"
    assert _pool("北京_ffea07b58ddc.pdf").document.department == "北京市统计局"
    shenzhen = _pool("深圳_12a61b5a9e7c.pdf").document
    assert (shenzhen.department, shenzhen.scope) == ("深圳市统计局", "本级")
    assert _pool("西安_d8b69a4ecb5c.pdf").document.department == "西安市科学技术局"


def test_a_web_page_keeps_its_publication_date_and_its_name_before_the_year_in_its_title() -> None:
    page = extract(str(CORPUS / "renwu/CQ_swxcb_2026_部门预算情况说明.html")).document
    assert page.published == "2026-03-02"
    # <title> 天津市商务局_2019年部门预算公开目录_天津市财政局: the name is the part before the year
    assert extract(str(CORPUS / "renwu/TJ_swj_2019_部门预算公开目录.html")).document.department == "天津市商务局"


def test_an_embedded_viewer_is_an_attachment() -> None:
    # no page of the corpus or the pool embeds one; built the way portals do (pdf.js viewer with file=, <embed>)
    from extractor.readers.html import inventory

    page = ('<html><head><title>某局2026年部门预算公开</title></head><body><h2>某局2026年部门预算公开</h2>'
            '<iframe src="/pdfjs/web/viewer.html?file=%2Fuploads%2F2026%2Fys.pdf"></iframe>'
            '<embed src="/uploads/2026/tables.pdf"><img src="/images/logo.png"></body></html>').encode()
    found = inventory(page)
    assert found.attachments == [("/uploads/2026/ys.pdf", "(embedded viewer)"), ("/uploads/2026/tables.pdf", "(embedded viewer)")]
    assert found.pictures == []


def test_a_document_without_a_title_page_is_named_by_the_heading_over_its_tables() -> None:
    # 北京市人民政府办公厅: page 1 is the table of contents; page 8 prints 附件：北京市人民政府办公厅 2026 年度部门预算报表
    info = _pool("北京_977a55b8f517.pdf").document
    assert (info.department, info.region, info.evidence["department"].page) == ("北京市人民政府办公厅", "北京市", 8)


def test_a_part_heading_that_names_the_document_gives_the_name_without_its_part_number() -> None:
    # 上海市普陀区规划和自然资源局 without its title page: the contents (page 2) print
    # 第二部分 上海市普陀区规划和自然资源局 2024 年度部门决算表, the first heading that names it
    from extractor.domain.identity import identify
    from extractor.readers.pdf import read_pdf

    pages = read_pdf((CORPUS / "GovBudgetChecker/SH_PT_ghzyj_2024_部门决算.pdf").read_bytes())[1:]
    info = identify(pages)
    assert (info.department, info.region) == ("上海市普陀区规划和自然资源局", "上海市普陀区")
    assert info.evidence["department"].quote.startswith("第二部分")


def test_a_notice_that_prints_budget_tables_keeps_them_with_a_warning() -> None:
    # a 通知 with the department's tables attached, made of real pages: 杭州's notice (杭政办函〔2025〕30号) page 1, then
    # 广州's 收支总表, 收入总表 and 支出总表 (pages 5-8). A wrong guess of the type must not throw the tables away.
    import io

    import pikepdf

    made = pikepdf.new()
    with pikepdf.open(SHARED / "pool/杭州_c2cebac359ad.pdf") as notice, pikepdf.open(SHARED / "pool/广州_58417d10a0e4.pdf") as tables:
        made.pages.append(notice.pages[0])
        made.pages.extend(tables.pages[4:8])
        buffer = io.BytesIO()
        made.save(buffer)
    doc = extract(buffer.getvalue(), ExtractSettings(ocr="never"))
    assert doc.document.document_type == "disclosure"
    (unsure,) = [w for w in doc.warnings if w.code == "type_unsure"]
    assert "notice" in unsure.message and "summary" in unsure.message
    assert {t.kind for t in doc.tables} >= {"summary", "income", "expenditure"} and all(t.verified for t in doc.tables)


def test_a_volume_of_project_self_evaluations_is_a_final_accounts_part_with_performance_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # No file of corpus or pool is such a volume on its own: 国家信访局's final account prints four 项目绩效自评表
    # (pp. 30-36), taken out here as the volume a site publishes apart
    whole = CORPUS / "renwu/CN_gjxfj_2024_部门决算.pdf"
    volume = pdfium.PdfDocument.new()
    volume.import_pages(pdfium.PdfDocument(str(whole)), list(range(29, 36)))
    volume.save(str(tmp_path / "volume.pdf"))
    read = extract(str(tmp_path / "volume.pdf"), ExtractSettings(ocr="never"))
    doc = read.document
    assert (doc.document_type, doc.report_kind, doc.fiscal_year, doc.department) == ("disclosure", "final_accounts", 2024, "国家信访局")
    assert doc.title == "信访干部培训专项项目绩效自评表（2024年度）"  # the form's rows (项目名称 …) are not the title
    assert [(t.kind, t.title) for t in read.tables] == [
        ("project_performance", "信访干部培训专项项目绩效自评表"), ("project_performance", "信访研究宣传立法专项项目绩效自评表"),
        ("project_performance", "资产运行维护项目绩效自评表"), ("project_performance", "信息化运行维护项目绩效自评表"),
    ]
    assert [t.kind for t in extracted(str(whole)).tables if "自评表" in (t.title or "")] == ["project_performance"] * 4


def test_plain_text_that_states_no_figure_is_no_disclosure() -> None:
    # the pool's README and PROVENANCE.tsv name 部门预算 in their text, and a crawl's folder holds such files
    for name in ("README.md", "PROVENANCE.tsv"):
        doc = extract(str(SHARED / "pool" / name), ExtractSettings(ocr="never"))
        assert doc.document.document_type == "other" and "not_a_disclosure" in [w.code for w in doc.warnings]
    assert extracted(str(SHARED / "seeds/000_a578cfda0311d507.txt")).document.document_type == "disclosure"
