"""The PDF reader's page model: ruling lines in page space whatever draws them."""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.model import Char, Line
from extractor.readers.pdf import (
    _char_boxes,
    _chars_or_none,
    _Orientation,
    _printed_lines,
    _round2,
    _segment_bbox,
    _text_to_lines,
    _visible_paths,
    read_pdf,
)
from tests.conftest import CORPUS


def _pdf(objects: list[bytes]) -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return out + f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()


def test_rules_drawn_inside_a_form_xobject_are_placed_on_the_page() -> None:
    content = b"q 1 0 0 1 100 200 cm /Fm0 Do Q"
    form = b"0 0 m 50 0 l S 0 0 m 0 40 l S"
    data = _pdf([
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</XObject<</Fm0 5 0 R>>>>/Contents 4 0 R>>",
        b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream",
        b"<</Type/XObject/Subtype/Form/BBox[0 0 500 500]/Length %d>>stream\n" % len(form) + form + b"\nendstream",
    ])
    rules = read_pdf(data)[0].rules
    horizontal = next(r for r in rules if r.horizontal)
    vertical = next(r for r in rules if not r.horizontal)
    assert 98 <= horizontal.x0 <= 101 and 149 <= horizontal.x1 <= 152 and abs(horizontal.top - 642) < 1.5
    assert abs(vertical.x0 - 100) < 1.5 and 600 <= vertical.top <= 603 and 641 <= vertical.bottom <= 644


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(
    st.floats(min_value=-1e5, max_value=1e5, allow_nan=False),
    st.integers(min_value=-10**7, max_value=10**7).map(lambda k: (k + 0.5) / 100),  # printed ties: 1.005, 2.675
    st.integers(min_value=-10**6, max_value=10**6).map(lambda k: k / 1000),
), min_size=1, max_size=50))
def test_rounding_a_page_at_a_time_is_pythons_round(values: list[float]) -> None:
    assert _round2(np.array(values, dtype=np.float64)).tolist() == [round(v, 2) for v in values]
    assert _round2(np.array([values, values], dtype=np.float64)).tolist() == [[round(v, 2) for v in values]] * 2  # any shape


def test_character_boxes_are_pdfiums_own_turned_to_the_page() -> None:
    """Every character's box as read a page at a time equals pypdfium2's own box for it, mapped to the displayed
    page: on an upright page and on a page printed turned (/Rotate)."""
    document = pdfium.PdfDocument(str(CORPUS / "renwu" / "YT_zfbgs_2026_部门预算.pdf"))
    try:
        pages = [(index, document[index].get_rotation()) for index in (4, 22)]
        assert [rotation for _, rotation in pages] == [0, 90]
        for index, _ in pages:
            page = document[index]
            orientation = _Orientation(page)
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            expected = []
            for i, ch in enumerate(text):
                left, bottom, right, top = textpage.get_charbox(i)
                expected.append(None if ch.isspace() or right <= left else Char(ch, *orientation.box(left, bottom, right, top)))
            assert sum(c is not None for c in expected) > 300
            assert _chars_or_none(text, _char_boxes(textpage, text, orientation)) == expected
    finally:
        document.close()


def test_lines_read_from_arrays_are_the_lines_read_character_by_character() -> None:
    """A page's lines (PDFium's, split where the text drops to another line) come out the same whether a line's box
    is taken from the page's arrays or worked out character by character: on pages with many split lines."""
    document = pdfium.PdfDocument(str(CORPUS / "GovBudgetChecker" / "SH_PT_wljd_2024_预算.pdf"))
    try:
        splits = 0
        for index in range(9, 19):
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            boxes = _char_boxes(textpage, text, _Orientation(page))
            chars = _chars_or_none(text, boxes)
            expected, start = [], 0
            for raw in text.split("\n"):
                segment = raw.rstrip("\r")
                pieces = _printed_lines(segment, chars[start : start + len(segment)])
                splits += len(pieces) - 1
                expected += [Line(piece, _segment_bbox(chars[start + offset : start + offset + len(piece)]))
                             for offset, piece in pieces if piece.strip()]
                start += len(raw) + 1
            assert _text_to_lines(text, boxes) == expected
        assert splits >= 20
    finally:
        document.close()


def test_path_boxes_turned_a_page_at_a_time_are_those_turned_one_by_one() -> None:
    """The boxes of a page's paths, turned and rounded as arrays (_Orientation.boxes), are those of
    _Orientation.box path by path: on an upright page and on a page printed turned (/Rotate)."""
    document = pdfium.PdfDocument(str(CORPUS / "renwu" / "YT_zfbgs_2026_部门预算.pdf"))
    try:
        for index in (8, 22):  # drawn upright, and printed turned
            page = document[index]
            orientation = _Orientation(page)
            edges = _visible_paths(page)[2]
            assert len(edges) > 50
            turned = np.column_stack(orientation.boxes(edges)).tolist()
            assert turned == [list(orientation.box(*edge)) for edge in edges.tolist()]
    finally:
        document.close()


def test_a_pdf_pages_characters_are_held_as_arrays_and_read_as_characters() -> None:
    """The PDF reader keeps a page's characters as arrays (Chars), which read as the tuple of Char they stand for:
    indexing, slicing, iterating, equality, pickling; the table finder takes the arrays as they are."""
    import pickle

    from extractor.layout.grid import chars_to_lines
    from extractor.model import Chars

    page = read_pdf((CORPUS / "GovBudgetChecker" / "SH_PT_wljd_2024_预算.pdf").read_bytes(), ocr_mode="never")[9]
    chars = page.chars
    assert isinstance(chars, Chars) and len(chars) > 300
    plain = tuple(chars)
    assert all(isinstance(c, Char) for c in plain)
    assert chars[5] == plain[5] and chars[-1] == plain[-1]
    assert tuple(chars[10:20]) == plain[10:20] and isinstance(chars[10:20], Chars)
    assert chars == plain and plain == tuple(chars) and chars != plain[:-1]
    assert pickle.loads(pickle.dumps(chars)) == chars
    assert "".join(c.text for c in plain) == chars.texts and chars.boxes.shape == (len(plain), 4)
    assert chars_to_lines(chars) == chars_to_lines(plain)


_coordinate = st.floats(min_value=-2e3, max_value=2e3, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_coordinate, _coordinate, _coordinate, _coordinate), min_size=1, max_size=20),
       st.lists(st.tuples(*[st.floats(min_value=-3, max_value=3, allow_nan=False)] * 4, _coordinate, _coordinate), min_size=1, max_size=3))
def test_boxes_mapped_through_form_matrices_at_once_are_those_mapped_one_by_one(edges: list, matrices: list) -> None:
    """Paths inside Form XObjects: their boxes mapped to the page a form at a time are those mapped one by one
    (turned, mirrored and scaled matrices, forms inside forms)."""
    from extractor.readers.pdf import _mapped_box, _mapped_boxes, _through

    chain = tuple(pdfium.PdfMatrix(*m) for m in matrices)
    at_once = _mapped_boxes(np.array(edges, dtype=np.float64), chain).tolist()
    assert at_once == [list(_mapped_box(*edge, lambda x, y: _through(chain, x, y))) for edge in edges]
