"""Reader for PDFs with a text layer, on pypdfium2 (PDFium).

PDFium extracts text in reading order about 40 times faster than pdfminer on these documents, and
gives each character's box, from which each line's box is built.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from extractor.errors import CorruptInputError, PasswordRequiredError
from extractor.geometry import ZERO, Box, bounds, boxes_of
from extractor.model import Char, Chars, Line, Page, Rule
from extractor.progress import report_page
from extractor.readers import ocr

NAME = "pdfium"
logger = logging.getLogger(__name__)


def open_pdf(data: bytes, password: str | None = None) -> pdfium.PdfDocument:
    """Open a PDF from bytes, turning PDFium's error codes into the library's errors."""
    try:
        return pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == pdfium_raw.FPDF_ERR_PASSWORD:
            if password:
                raise PasswordRequiredError("wrong password for encrypted PDF") from e
            raise PasswordRequiredError("PDF is encrypted; give its password with --password") from e
        raise CorruptInputError("PDF is corrupt or truncated and cannot be opened") from e


def read_pdf(
    data: bytes, password: str | None = None, ocr_mode: str = "auto", max_pages: int | None = None, only: frozenset[int] | None = None,
) -> tuple[Page, ...]:
    """Return every page of the PDF as lines of text with their boxes.

    ``ocr_mode`` says which pages are recognised from their image: ``auto`` those without a usable
    text layer (when the OCR extra is installed), ``always`` every page, ``never`` none.
    """
    if ocr_mode == "always" and not ocr.available():
        raise ocr.OcrUnavailableError(f"--ocr always needs OCR; {ocr.install_hint()}")
    use_ocr = ocr_mode == "always" or (ocr_mode == "auto" and ocr.available())
    document = open_pdf(data, password)
    try:
        pages = []
        for index in range(len(document)):
            try:
                page = document[index]
            except pdfium.PdfiumError:
                # one broken page costs only itself: it stays in the document, empty, and is reported
                logger.warning("page %d cannot be loaded; it is left empty", index + 1)
                pages.append(Page(number=index + 1, width=0.0, height=0.0, lines=(), unreadable=True))
                continue
            try:
                read = _read_page(page, index + 1)
                # pages past --max-pages or outside --pages are counted, not OCR'd
                wanted = (max_pages is None or index < max_pages) and (only is None or index + 1 in only)
                if use_ocr and wanted and (ocr_mode == "always" or _scanned(page, read)):
                    recognised = _recognise(page, index + 1, len(document))
                    # a few printed words over a picture are kept unless the picture holds much more text (a scan
                    # with its page number printed) than they do (a cover with a background picture)
                    if ocr_mode == "always" or ocr.garbled(read) or len(recognised.chars) > 2 * len(read.chars) + 20:
                        read = recognised
                pages.append(read)
            finally:
                page.close()
        if pages and all(p.unreadable for p in pages):
            raise CorruptInputError("PDF is corrupt: none of its pages can be loaded")
        return tuple(pages)
    finally:
        document.close()


# A page with no more printed characters than this, under a picture covering most of it, is a scan
# (a scanner or web site may stamp a page number or a watermark as text).
_SCAN_TEXT_MAX = 40
_SCAN_COVER = 0.5
_OUTLINED_TEXT_PATHS = 500  # a page with no text but more objects than this has its text drawn as outlines
_OCR_MAX_SIDE = 4000  # pixels: a huge page is rendered at a lower resolution


def _scanned(page: pdfium.PdfPage, read: Page) -> bool:
    """True when the page's text must come from its image: a text layer of garbage; or no text (or only a page
    number's worth) under a picture covering most of the page, or under so many paths that its text was drawn
    as outlines. A blank page, or one of rules only, is not read."""
    if read.has_text and ocr.garbled(read):
        return True
    if len(read.chars) > _SCAN_TEXT_MAX:
        return False
    area = read.width * read.height
    if area and any(covered / area >= _SCAN_COVER for _, covered, _ in _pictures(page)):
        return True
    return not read.has_text and pdfium_raw.FPDFPage_CountObjects(page.raw) > _OUTLINED_TEXT_PATHS


def _pictures(page: pdfium.PdfPage) -> list[tuple[pdfium.PdfObject, float, float]]:
    """The page's pictures with the area they cover and their width, in points."""
    found = []
    for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = _page_bounds(obj)
        found.append((obj, (right - left) * (top - bottom), right - left))
    return found


def _scan_dpi(page: pdfium.PdfPage) -> float:
    """The resolution of the page's largest picture (a scan's own), or the OCR default when there is none or it is odd."""
    best, dpi = 0.0, float(ocr.DPI)
    for obj, covered, width in _pictures(page):
        try:
            pixels = obj.get_px_size()[0]
        except (pdfium.PdfiumError, AttributeError):
            continue
        if covered > best and width > 0:
            best, dpi = covered, pixels / (width / 72)
    return min(max(dpi, ocr.MIN_DPI), ocr.DPI)


def _recognise(page: pdfium.PdfPage, number: int, count: int) -> Page:
    width, height = page.get_size()
    scale = min(_scan_dpi(page) / 72, _OCR_MAX_SIDE / max(width, height, 1))
    report_page(number, count)
    bitmap = page.render(scale=scale)
    try:
        image = bitmap.to_numpy()[:, :, :3]  # BGR(A) channel order does not matter: OCR sees the brightest channel
        return ocr.recognise(image.copy(), number, 1 / scale)
    finally:
        bitmap.close()


class _Orientation:
    """Maps PDF user space (origin bottom-left, unrotated) to the page as displayed (origin top-left, /Rotate applied)."""

    def __init__(self, page: pdfium.PdfPage) -> None:
        self.rotation = page.get_rotation() % 360
        width, height = page.get_size()  # already rotated
        self.width, self.height = (height, width) if self.rotation in (90, 270) else (width, height)

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y, x
        if self.rotation == 180:
            return self.width - x, y
        if self.rotation == 270:
            return self.height - y, self.width - x
        return x, self.height - y

    def boxes(self, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`box` for many boxes at once: ``edges`` holds each one's left, bottom, right and top; the same
        figures (:func:`_round2` rounds as ``round``)."""
        if self.rotation != 0:
            return tuple(np.array([self.box(*edge) for edge in edges.tolist()], dtype=np.float64).reshape(-1, 4).T)  # type: ignore[return-value]
        left, bottom, right, top = edges.T
        upward, rightward = bottom <= top, left <= right
        low, high = np.where(upward, bottom, top), np.where(upward, top, bottom)
        x0, x1 = np.where(rightward, left, right), np.where(rightward, right, left)
        rounded = _round2(np.stack([x0, self.height - high, x1, self.height - low]))
        return rounded[0], rounded[1], rounded[2], rounded[3]

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        if self.rotation == 0:  # the common case, without the two point() calls (a box per character); same figures
            low, high = (bottom, top) if bottom <= top else (top, bottom)
            x0, x1 = (left, right) if left <= right else (right, left)
            return round(x0, 2), round(self.height - high, 2), round(x1, 2), round(self.height - low, 2)
        ax, ay = self.point(left, bottom)
        bx, by = self.point(right, top)
        return round(min(ax, bx), 2), round(min(ay, by), 2), round(max(ax, bx), 2), round(max(ay, by), 2)


def _read_page(page: pdfium.PdfPage, number: int) -> Page:
    width, height = page.get_size()
    orientation = _Orientation(page)
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        if len(text) == count:
            boxes = _char_boxes(textpage, text, orientation)
            lines = _text_to_lines(text, boxes)
            printed: Sequence[Char] = _printed(text, boxes)
            if _scrambled(lines) or _out_of_order(lines):
                lines = _lines_from_boxes(printed)
        else:
            lines, printed = _lines_without_boxes(text, width), ()
    finally:
        textpage.close()
    rules = tuple(_page_rules(page, orientation))
    return Page(number=number, width=float(width), height=float(height), lines=tuple(lines), chars=printed, rules=rules)


def _bare(function: Any, returns: Any = ctypes.c_int) -> Any:
    """A PDFium function called without pypdfium2's argument types: each call of a typed binding checks every
    argument's pointer type, which costs three times the call itself, and a page has thousands of characters and
    objects. Callers pass handles as ctypes pointers, indices as ``int`` and out-parameters by ``byref``; a handle
    returned (``returns=_HANDLE``) is false when null, and goes back to a typed binding through :func:`_typed`."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    if address is None:
        raise pdfium.PdfiumError("PDFium function not found")
    return ctypes.CFUNCTYPE(returns)(address)


_HANDLE = ctypes.POINTER(ctypes.c_char)
_GET_CHAR_BOX = _bare(pdfium_raw.FPDFText_GetCharBox)
_COUNT_OBJECTS = _bare(pdfium_raw.FPDFPage_CountObjects)
_GET_OBJECT = _bare(pdfium_raw.FPDFPage_GetObject, _HANDLE)
_COUNT_FORM_OBJECTS = _bare(pdfium_raw.FPDFFormObj_CountObjects)
_GET_FORM_OBJECT = _bare(pdfium_raw.FPDFFormObj_GetObject, _HANDLE)
_GET_TYPE = _bare(pdfium_raw.FPDFPageObj_GetType)
_GET_BOUNDS = _bare(pdfium_raw.FPDFPageObj_GetBounds)
_GET_DRAW_MODE = _bare(pdfium_raw.FPDFPath_GetDrawMode)
_GET_STROKE_COLOR = _bare(pdfium_raw.FPDFPageObj_GetStrokeColor)
_GET_FILL_COLOR = _bare(pdfium_raw.FPDFPageObj_GetFillColor)
_COUNT_SEGMENTS = _bare(pdfium_raw.FPDFPath_CountSegments)


def _typed(handle: Any) -> Any:
    """A page object's handle from a bare function, as pypdfium2's typed bindings take it."""
    return ctypes.cast(handle, pdfium_raw.FPDF_PAGEOBJECT)


def _char_boxes(textpage: pdfium.PdfTextPage, text: str, orientation: _Orientation) -> np.ndarray:
    """Each character's box in top-left coordinates, as an (n, 4) array, NaN where there is none (generated spaces
    and line breaks).

    PDFium is asked for the boxes one character at a time; the figures are then checked, turned and rounded a page
    at a time (:func:`_round2`), with no Python object made per character."""
    if not text:
        return np.zeros((0, 4))
    edges = (ctypes.c_double * 4)()  # left, right, bottom, top: PDFium's order
    a, b, c, d = (ctypes.byref(edges, 8 * k) for k in range(4))
    get_box, handle = _GET_CHAR_BOX, ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    # each box's four doubles as bytes, read into one array; a character PDFium gives no box for gets zeros, which
    # leave it unprinted as they do a box of no width
    none = bytes(32)
    found = b"".join([bytes(edges) if get_box(handle, i, a, b, c, d) else none for i in range(len(text))])
    x0, x1, y0, y1 = np.frombuffer(found, dtype=np.float64).reshape(-1, 4).T
    printed = (x1 > x0) & ~np.fromiter(map(str.isspace, text), dtype=bool, count=len(text))
    if orientation.rotation == 0:
        low, high = np.minimum(y0, y1), np.maximum(y0, y1)
        boxes = _round2(np.column_stack([x0, orientation.height - high, x1, orientation.height - low]))
    else:  # a page printed turned: each box as _Orientation.box turns it
        boxes = np.column_stack(orientation.boxes(np.column_stack([x0, y0, x1, y1])))
    boxes[~printed] = np.nan
    return boxes


def _printed(text: str, boxes: np.ndarray) -> Chars:
    """The characters that have a box, as one :class:`Chars` (a PDF text's every character is one code point)."""
    printed = ~np.isnan(boxes[:, 0])
    return Chars("".join(itertools.compress(text, printed.tolist())), boxes[printed])


def _round2(values: np.ndarray) -> np.ndarray:
    """``round(v, 2)`` for each value of an array of any shape, a page at a time: away from a tie, the nearest hundredth is the rounded
    hundredfold divided by 100 (both steps exact to the nearest double, as Python's own ``round``); the few values
    within a hair of a tie are rounded by Python."""
    scaled = values * 100
    rounded = np.rint(scaled) / 100
    near_tie = np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) < 1e-6
    if near_tie.any():  # a page's rules and characters repeat their few positions: each value rounded once
        ties, where = np.unique(values[near_tie], return_inverse=True)
        rounded[near_tie] = np.array([round(value, 2) for value in ties.tolist()], dtype=np.float64)[where]
    return rounded


_LINE_BREAK = re.compile("\n")


def _text_to_lines(text: str, boxes: np.ndarray) -> list[Line]:
    """PDFium's lines, each split where its characters drop to another line (:func:`_printed_lines`), with the box
    of their printed characters. A line whose characters' tops all lie within half its tallest glyph of all their
    bottoms cannot split: its box comes from the page's arrays, without a pass over its characters."""
    starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
    ends = [*(start - 1 for start in starts[1:]), len(text)]
    whole: list[bool] = [True] * len(starts)
    extremes: list[Box] = [ZERO] * len(starts)
    if len(text):
        at = np.minimum(np.array(starts), len(text) - 1)  # a last, empty line after a final line break
        printed = ~np.isnan(boxes[:, 0])
        x0, top, x1, bottom = boxes.T

        def extreme(reduce: np.ufunc, values: np.ndarray, none: float) -> np.ndarray:
            return reduce.reduceat(np.where(printed, values, none), at)

        left, right = extreme(np.minimum, x0, np.inf), extreme(np.maximum, x1, -np.inf)
        highest, lowest = extreme(np.minimum, top, np.inf), extreme(np.maximum, bottom, -np.inf)
        lowest_top, highest_bottom = extreme(np.maximum, top, -np.inf), extreme(np.minimum, bottom, np.inf)
        tallest = extreme(np.maximum, bottom - top, -np.inf)
        half = np.where(np.isinf(tallest), 0.0, tallest) / 2
        whole = (lowest_top - highest_bottom <= half).tolist()
        extremes = [box if box.x0 != np.inf else ZERO for box in boxes_of(left.tolist(), highest.tolist(), right.tolist(), lowest.tolist())]
    lines: list[Line] = []
    for start, end, single, box in zip(starts, ends, whole, extremes, strict=True):
        segment = text[start:end].rstrip("\r")
        if single:
            if segment.strip():
                lines.append(Line(text=segment, bbox=box))
            continue
        chars = _chars_or_none(segment, boxes[start : start + len(segment)])
        for offset, piece in _printed_lines(segment, chars):
            if piece.strip():
                lines.append(Line(text=piece, bbox=_segment_bbox(chars[offset : offset + len(piece)])))
    return lines


def _chars_or_none(segment: str, boxes: np.ndarray) -> list[Char | None]:
    """A line's characters, None for those without a box."""
    return [None if box[0] != box[0] else Char(ch, *box) for ch, box in zip(segment, boxes.tolist(), strict=True)]


def _printed_lines(segment: str, chars: list[Char | None]) -> list[tuple[int, str]]:
    """Split a run of text that PDFium gives as one line where the next character lies below or above the
    characters so far by more than half its tallest glyph (a heading printed under a paragraph's last line, with
    no line break between); a thin glyph (一) beside a low one (、) is not a new line."""
    pieces: list[tuple[int, str]] = []
    half = max((c.bottom - c.top for c in chars if c is not None), default=0.0) / 2  # half the tallest glyph
    first = 0
    top = bottom = 0.0
    started = False
    for index, char in enumerate(chars):
        if char is None:
            continue
        if started:
            if char.top - bottom > half or top - char.bottom > half:
                pieces.append((first, segment[first:index]))
                first, started = index, False
        top, bottom = (min(top, char.top), max(bottom, char.bottom)) if started else (char.top, char.bottom)
        started = True
    pieces.append((first, segment[first:]))
    return pieces


def _scrambled(lines: list[Line]) -> bool:
    """PDFium's text order is the content stream's: a few files draw several lines a character or two at a time,
    interleaved, so that most of the page comes out as lines of one or two characters."""
    tiny = sum(1 for line in lines if len(line.text.strip()) <= 2)
    return tiny >= 10 and tiny * 4 >= len(lines)


def _out_of_order(lines: list[Line]) -> bool:
    """Paragraphs drawn out of reading order: two or more lines that start well above the line before them
    (running heads and page numbers, first or last in the stream, aside)."""
    body = [line for line in lines[1:-1] if line.bbox.bottom > line.bbox.top]
    jumps = sum(1 for before, line in zip(body, body[1:], strict=False) if line.bbox.bottom < before.bbox.top - before.bbox.height)
    return jumps >= 2


def _lines_from_boxes(chars: Sequence[Char]) -> list[Line]:
    """Lines rebuilt from the characters' positions, as the table finder groups the text outside its grids."""
    from extractor.layout.grid import chars_to_lines

    return [Line(text=line.text, bbox=line.bbox) for line in chars_to_lines(chars)]


def _segment_bbox(chars: list[Char | None]) -> Box:
    return bounds([c for c in chars if c is not None])


def _lines_without_boxes(text: str, width: float) -> list[Line]:
    # Characters outside the BMP make PDFium's text and char indices disagree; keep the text.
    logger.debug("text and character counts differ; line boxes span the page")
    return [Line(text=t.rstrip("\r"), bbox=Box(0.0, 0.0, float(width), 0.0)) for t in text.split("\n") if t.strip()]


# A path thinner than this is a line; a box wider and taller than it contributes its four edges.
_THIN = 3.0
_WHITE = 245


def _page_rules(page: pdfium.PdfPage, orientation: _Orientation) -> list[Rule]:
    """Horizontal and vertical ruling lines drawn on the page (top-left coordinates)."""
    handles, chains, edges = _visible_paths(page)
    if not handles:
        return []
    # the paths' boxes turned and rounded a page at a time, as _Orientation.box one at a time
    x0s, y0s, x1s, y1s = orientation.boxes(edges)
    middle_x, middle_y = _round2(np.stack([(x0s + x1s) / 2, (y0s + y1s) / 2]))
    tiny = (x1s - x0s < _THIN) & (y1s - y0s < _THIN)
    vertical = ~tiny & (x1s - x0s < _THIN)
    horizontal = ~tiny & ~vertical & (y1s - y0s < _THIN)
    # a thin path is one rule along its middle; a wider one is a box or a drawing of several (rare, in the loop below)
    lines = zip(np.where(vertical, middle_x, x0s).tolist(), np.where(horizontal, middle_y, y0s).tolist(),
                np.where(vertical, middle_x, x1s).tolist(), np.where(horizontal, middle_y, y1s).tolist(), strict=True)
    wide = ~tiny & ~vertical & ~horizontal
    if not wide.any():
        return list(map(_make_rule, itertools.compress(lines, (~tiny).tolist())))
    rules: list[Rule] = []
    for i, (line, skip, drawn) in enumerate(zip(lines, tiny.tolist(), wide.tolist(), strict=True)):
        if skip:
            continue
        if not drawn:
            rules.append(_make_rule(line))
        elif _COUNT_SEGMENTS(handles[i]) <= 5:
            rules.extend(_box_edges(*line))
        else:
            rules.extend(_segment_rules(handles[i], chains[i], orientation))
    return rules


_make_rule = functools.partial(tuple.__new__, Rule)  # Rule(*fields) from a tuple, without NamedTuple's Python-level __new__
_MAX_FORM_DEPTH = 15  # as pypdfium2's get_objects


def _visible_paths(page: pdfium.PdfPage) -> tuple[list[object], list[tuple[pdfium.PdfMatrix, ...]], np.ndarray]:
    """The page's visible path objects, Form XObjects descended into, in page order: their PDFium handles, the matrices
    of the Form XObjects around each (nearest first), and each one's bounds in page space (left, bottom, right,
    top). A path neither filled nor stroked, or drawn in white, does not show. ``page.get_objects(filter=[PATH])``
    without a Python object made for each of the page's thousands of objects (a third of the time it took), and
    the out-parameters made once per page."""
    handles: list[object] = []
    chains: list[tuple[pdfium.PdfMatrix, ...]] = []
    edges: list[tuple[float, float, float, float]] = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    mode = (ctypes.byref(fill), ctypes.byref(stroke))
    red, green, blue, alpha = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    colour = (ctypes.byref(red), ctypes.byref(green), ctypes.byref(blue), ctypes.byref(alpha))
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    box = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    path, form = pdfium_raw.FPDF_PAGEOBJ_PATH, pdfium_raw.FPDF_PAGEOBJ_FORM

    def walk(parent: object, count: Any, get: Any, chain: tuple[pdfium.PdfMatrix, ...], level: int) -> None:
        total = count(parent)
        if total < 0:
            raise pdfium.PdfiumError("Failed to get number of pageobjects.")
        for index in range(total):
            raw = get(parent, index)
            if not raw:
                raise pdfium.PdfiumError("Failed to get pageobject.")
            kind = _GET_TYPE(raw)
            if kind == path:
                if _GET_DRAW_MODE(raw, *mode):
                    if not fill.value and not stroke.value:
                        continue
                    if (_GET_STROKE_COLOR if stroke.value else _GET_FILL_COLOR)(raw, *colour) and (
                            min(red.value, green.value, blue.value) >= _WHITE or alpha.value == 0):
                        continue
                if not _GET_BOUNDS(raw, *box):
                    raise pdfium.PdfiumError("Failed to locate pageobject.")
                handles.append(raw)
                chains.append(chain)
                edges.append((left.value, bottom.value, right.value, top.value))
            elif kind == form and level < _MAX_FORM_DEPTH - 1:
                walk(raw, _COUNT_FORM_OBJECTS, _GET_FORM_OBJECT, (_matrix(raw), *chain), level + 1)

    walk(ctypes.cast(page.raw, _HANDLE), _COUNT_OBJECTS, _GET_OBJECT, (), 0)
    bounds = np.array(edges, dtype=np.float64).reshape(-1, 4)
    inside: dict[int, list[int]] = {}  # the paths of each Form XObject (one chain of matrices), mapped together
    for index, chain in enumerate(chains):
        if chain:
            inside.setdefault(id(chain), []).append(index)
    for members in inside.values():
        bounds[members] = _mapped_boxes(bounds[members], chains[members[0]])
    return handles, chains, bounds


def _matrix(raw: object) -> pdfium.PdfMatrix:
    """A page object's matrix, as pypdfium2's ``get_matrix``."""
    matrix = pdfium_raw.FS_MATRIX()
    if not pdfium_raw.FPDFPageObj_GetMatrix(_typed(raw), matrix):
        raise pdfium.PdfiumError("Failed to get matrix of pageobject.")
    return pdfium.PdfMatrix.from_raw(matrix)


def _through(chain: Sequence[pdfium.PdfMatrix], x: float, y: float) -> tuple[float, float]:
    for matrix in chain:
        x, y = matrix.on_point(x, y)
    return x, y


def _in_page(obj: pdfium.PdfObject, x: float, y: float) -> tuple[float, float]:
    """A point in the space of the object's container (a Form XObject, maybe nested) mapped to page space."""
    container = getattr(obj, "container", None)
    while container is not None:
        x, y = container.get_matrix().on_point(x, y)
        container = getattr(container, "container", None)
    return x, y


def _page_bounds(obj: pdfium.PdfObject) -> tuple[float, float, float, float]:
    """The object's bounds in page space (PDFium gives them in its container's space)."""
    left, bottom, right, top = obj.get_bounds()
    if getattr(obj, "container", None) is None:
        return left, bottom, right, top
    return _mapped_box(left, bottom, right, top, lambda x, y: _in_page(obj, x, y))


def _mapped_boxes(edges: np.ndarray, chain: Sequence[pdfium.PdfMatrix]) -> np.ndarray:
    """:func:`_mapped_box` through a chain of matrices (nearest first, as :func:`_through`) for many boxes at once:
    ``edges`` holds each box's left, bottom, right and top; the same figures (each matrix applied as
    ``PdfMatrix.on_point``, the corners' least and greatest taken as ``min`` and ``max`` take them)."""
    left, bottom, right, top = edges.T
    corners = [(x, y) for x in (left, right) for y in (bottom, top)]
    for matrix in chain:
        corners = [(matrix.a * x + matrix.c * y + matrix.e, matrix.b * x + matrix.d * y + matrix.f) for x, y in corners]

    def least(values: list[np.ndarray]) -> np.ndarray:
        found = values[0]
        for value in values[1:]:
            found = np.where(value < found, value, found)
        return found

    def greatest(values: list[np.ndarray]) -> np.ndarray:
        found = values[0]
        for value in values[1:]:
            found = np.where(value > found, value, found)
        return found

    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return np.column_stack([least(xs), least(ys), greatest(xs), greatest(ys)])


def _mapped_box(left: float, bottom: float, right: float, top: float,
                to_page: Callable[[float, float], tuple[float, float]]) -> tuple[float, float, float, float]:
    """The page-space bounds of a box whose four corners ``to_page`` maps from its container's space."""
    corners = [to_page(x, y) for x in (left, right) for y in (bottom, top)]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _box_edges(x0: float, top: float, x1: float, bottom: float) -> list[Rule]:
    return [Rule(x0, top, x1, top), Rule(x0, bottom, x1, bottom), Rule(x0, top, x0, bottom), Rule(x1, top, x1, bottom)]


def _segment_rules(raw: object, chain: tuple[pdfium.PdfMatrix, ...], orientation: _Orientation) -> list[Rule]:
    """Axis-aligned straight segments of a complex path (a whole grid drawn as one path)."""
    matrix = _matrix(raw)
    raw = _typed(raw)
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float, bool]] = []
    start: tuple[float, float] | None = None
    for i in range(pdfium_raw.FPDFPath_CountSegments(raw)):
        segment = pdfium_raw.FPDFPath_GetPathSegment(raw, i)
        if not pdfium_raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
            continue
        px, py = orientation.point(*_through(chain, *matrix.on_point(x.value, y.value)))
        kind = pdfium_raw.FPDFPathSegment_GetType(segment)
        if kind == pdfium_raw.FPDF_SEGMENT_MOVETO or start is None:
            start = (px, py)
        points.append((px, py, kind == pdfium_raw.FPDF_SEGMENT_LINETO))
        if pdfium_raw.FPDFPathSegment_GetClose(segment):
            points.append((start[0], start[1], True))
    rules = []
    for (ax, ay, _), (bx, by, is_line) in zip(points, points[1:], strict=False):
        if not is_line:
            continue
        if abs(ay - by) < 1 and abs(ax - bx) >= _THIN:
            rules.append(Rule(round(min(ax, bx), 2), round(ay, 2), round(max(ax, bx), 2), round(ay, 2)))
        elif abs(ax - bx) < 1 and abs(ay - by) >= _THIN:
            rules.append(Rule(round(ax, 2), round(min(ay, by), 2), round(ax, 2), round(max(ay, by), 2)))
    return rules
