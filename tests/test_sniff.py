from extractor.model import InputFormat
from extractor.readers.sniff import sniff_format
from tests.conftest import CORPUS, SEED


def test_formats_come_from_bytes_not_names() -> None:
    assert sniff_format((CORPUS / "renwu" / "CQ_swxcb_2026_部门预算情况说明.html").read_bytes()) is InputFormat.HTML
    assert sniff_format((CORPUS / "renwu" / "YT_tyjrswj_2026_部门预算.html").read_bytes()[:100000]) is InputFormat.HTML
    assert sniff_format((CORPUS / "tianbaoxitong" / "SH_PT_2026_单位预算_TEMPLATE.xls").read_bytes()) is InputFormat.OLE
    assert sniff_format(SEED.read_bytes()) is InputFormat.TEXT
    assert sniff_format("收支总预算1002.30万元".encode("gb18030")) is InputFormat.TEXT
    assert sniff_format(b'{"a": 1}') is InputFormat.JSON
    assert sniff_format(b"\x89PNG\r\n\x1a\n") is InputFormat.IMAGE
