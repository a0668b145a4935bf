"""OCR for pages without a usable text layer: a page image in, the neutral page model out.

Recognition is RapidOCR's ONNX build of PaddleOCR's PP-OCRv4 Chinese models (``rapidocr-onnxruntime``),
which ships its detection, direction and recognition models inside the wheel and runs offline on the
CPU. Ruling lines are found in the image by morphology (a long thin opening, as camelot's lattice mode
does), so the table finder sees a scanned grid as it sees a PDF's drawn rules.

Before recognition the page is cleaned and turned upright: coloured marks (a red official seal, a blue
stamp) become paper, a speckled scan is median-filtered, a page scanned askew is rotated straight by the
angle that makes its rows of ink sharpest, a page whose text lines stand on end is turned by 90° the
way its text reads, and one whose longest lines the direction model reads upside down is turned half round
(each line alone is turned by the model too, but a page upside down is lost that way).
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import logging
import math
import re
import statistics
from collections.abc import Sequence
from typing import Any

from extractor.errors import ExtractorError
from extractor.geometry import Box, union
from extractor.model import BBox, Char, Chars, Line, Page, Rule, char_boxes

NAME = "rapidocr"
DPI = 200  # pages are rendered at this resolution for OCR, or at their scan's own when that is lower
MIN_DPI = 120  # a coarser scan is enlarged to this
INSTALL_HINT = "install the OCR extra: pip install 'budget-disclosure-extractor[ocr]'"
LOW_CONFIDENCE = 0.9  # cells and figures read with less than this are listed in warnings

logger = logging.getLogger(__name__)

_RULE_CONTRAST = 30  # ink is at least this much darker than the paper
_RULE_INK = 20  # for rules, less: a one-pixel grey rule (about 190) resampled half a pixel off is two pixels of about 223
_COLOURED = 80  # a pixel whose channels differ by more than this is coloured ...
_MARK_BRIGHT = 190  # ... and one this bright in its brightest channel is a seal's or stamp's ink, not text under it
_SPECKS_SHARE = 0.6  # a page most of whose ink blobs are specks of at most 4 pixels ...
_SPECKS_PER_MEGAPIXEL = 500  # ... and that has this many of them is despeckled
_MIN_SKEW = 0.2  # degrees; straighter scans are left alone
_MAX_SKEW = 5.0
_CID = re.compile(r"\(cid:\d+\)")
_ORIENTATION_SAMPLE = 12  # the longest lines the angle classifier judges a page's orientation by
_TURNED_SCORE = 0.9  # RapidOCR's own threshold for turning a line


class OcrUnavailableError(ExtractorError):
    """OCR was asked for but its package is not installed."""

    exit_code = 8


def available() -> bool:
    return _import_problem() is None


@functools.lru_cache(maxsize=1)
def _import_problem() -> str | None:
    """Why the OCR package cannot be imported (not installed, or a system library OpenCV needs is missing)."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError as e:
        return str(e)
    return None


def install_hint() -> str:
    """What to do to get OCR, naming the import's own complaint when the package is there but cannot load."""
    problem = _import_problem()
    if problem and "No module named" not in problem:
        return f"OCR cannot load ({problem}); OpenCV needs libGL and glib: apt-get install libgl1 libglib2.0-0"
    return INSTALL_HINT


def garbled(page: Page) -> bool:
    """True when the page's text layer is missing or unusable: empty, ``(cid:N)`` runs, U+FFFD, private-use glyphs."""
    text = page.text
    visible = [c for c in _CID.sub("", text) if not c.isspace()]
    cid_chars = sum(len(m) for m in _CID.findall(text))
    bad = cid_chars + sum(1 for c in visible if c == "\ufffd" or 0xE000 <= ord(c) <= 0xF8FF)
    total = cid_chars + len(visible)
    return total == 0 or bad / total > 0.3


# One text line per recognition batch: a batch is padded to its widest line, and the recogniser's cost grows with
# the width it is given, so a page's few long sentence lines made every line batched with them cost as much.
_ENGINE_SETTINGS: dict[str, Any] = {"rec_batch_num": 1}


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as e:
        raise OcrUnavailableError(f"scanned pages need OCR; {install_hint()}") from e
    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    return RapidOCR(**_ENGINE_SETTINGS)


def recognise(rgb: Any, number: int, points_per_pixel: float) -> Page:
    """OCR one page image (an RGB array) into a :class:`Page` whose coordinates are in points."""
    import numpy as np

    plain = _without_colour(np.asarray(rgb))
    ink = _ink(plain, _RULE_CONTRAST)
    if not ink.any():  # a blank page: nothing to read
        height, width = plain.shape
        return Page(number=number, width=round(width * points_per_pixel, 2), height=round(height * points_per_pixel, 2), lines=(), ocr=True)
    speckled = _speckled(ink)
    lines, reading, skew = _prepared(plain, 0, speckled)
    items = _run(reading)
    rotation = _upright_turn(reading, items) if _standing(items) else 0
    if rotation:
        lines, reading, skew = _prepared(plain, rotation, speckled)
        items = _run(reading)
    if _upside_down(reading, items):  # scanned the wrong way up, or turned the wrong way of the two
        rotation = (rotation + 180) % 360
        lines, reading, skew = _prepared(plain, rotation, speckled)
        items = _run(reading)
    height, width = reading.shape
    page = _page(items, _rules(lines, [_box_of(item[0]) for item in items]), number, width, height, points_per_pixel)
    return dataclasses.replace(page, turned=rotation, skew=round(skew, 2))


def _without_colour(image: Any) -> Any:
    """Grey levels in which coloured marks (a red seal, a blue stamp) are paper: each pixel's brightest channel (a
    red seal's pixels are bright in red), and the pixels of the mark itself, strongly coloured and bright in their
    brightest channel, made white. Black ink under a seal, and the soft edges of its strokes, stay as they were
    (a grey rule the seal crosses may lose a stretch: the rule finder bridges it)."""
    import cv2
    import numpy as np

    if image.ndim == 2:
        return np.ascontiguousarray(image.astype(np.uint8))
    # OpenCV's per-pixel max and min, the same grey levels as numpy's max and min over the channel axis: 0.09 s a
    # page at 150 dpi there, 0.01 s here
    channels = cv2.split(np.ascontiguousarray(image, dtype=np.uint8))
    brightest = cv2.max(cv2.max(channels[0], channels[1]), channels[2])
    darkest = cv2.min(cv2.min(channels[0], channels[1]), channels[2])
    brightest[(cv2.subtract(brightest, darkest) > _COLOURED) & (brightest >= _MARK_BRIGHT)] = 255
    return brightest


def _ink(grey: Any, contrast: int) -> Any:
    """A 0/1 mask of the pixels at least ``contrast`` grey levels darker than the paper (the page's median)."""
    import numpy as np

    return (grey < int(np.median(grey)) - contrast).astype(np.uint8)


def _speckled(ink: Any) -> bool:
    """True for a page sprinkled with specks (a dirty scan: most blobs of ink are a few pixels), which the detector
    reads as punctuation and which break digits apart: it is read through a 3×3 median. A clean page is not (the
    median would thin its strokes and cost characters), and rules are always found on the unfiltered page (the
    median erases a one-pixel rule)."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    specks = int((stats[1:, cv2.CC_STAT_AREA] <= 4).sum())
    return specks > _SPECKS_SHARE * max(count - 1, 1) and specks > _SPECKS_PER_MEGAPIXEL * ink.size / 1e6


def _prepared(plain: Any, turn: int, speckled: bool) -> tuple[Any, Any, float]:
    """The page turned clockwise by ``turn`` degrees and straightened: the image to find rules on, the image to
    read (median-filtered when speckled), and the skew removed."""
    import cv2
    import numpy as np

    turned = np.ascontiguousarray(np.rot90(plain, k=-turn // 90)) if turn else plain
    straight, skew = _straightened(turned)
    return straight, (cv2.medianBlur(straight, 3) if speckled else straight), skew


def _run(grey: Any) -> list[Any]:
    """Detect and recognise the page's lines, each turned half round where the direction model reads it upside
    down (without it, a page turned a quarter round loses lines: measured, see docs/measured.md)."""
    import numpy as np

    release_freed_memory()  # before the detector's pass, the peak of a scan's memory
    result, _ = _engine()(np.dstack([grey, grey, grey]), return_word_box=True)
    return list(result or [])


def release_freed_memory() -> None:
    """Hand the memory freed since the last page back to the system (glibc's ``malloc_trim``; nothing on another C
    library). The detector needs about 415 MB for a page at 150 dpi; the memory the page before freed is otherwise
    kept in the C heap and its threads' arenas, and one scan peaked at 653–732 MB instead of 574–620 (measured, see
    docs/measured.md)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS, Windows)
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def _upside_down(grey: Any, items: list[Any]) -> bool:
    """True when most of the page's longest lines read upside down to the angle classifier (a page scanned the
    wrong way up): the classifier on a dozen lines, once per page."""
    import numpy as np

    crops = [np.dstack([crop, crop, crop]) for crop in _longest_runs(grey, items)]
    if len(crops) < 3:
        return False
    _, labels, _ = _engine().text_cls(crops)
    turned = sum(1 for label, score in labels if label == "180" and score >= _TURNED_SCORE)
    return turned * 2 > len(crops)


def _longest_runs(grey: Any, items: list[Any]) -> list[Any]:
    """The page's longest recognised runs (a dozen) cut out of the image, what its orientation is judged by."""
    crops = []
    for item in sorted(items, key=lambda item: -len(item[1]))[:_ORIENTATION_SAMPLE]:
        left, top, right, bottom = _box_of(item[0])
        crop = grey[int(max(top, 0)) : int(bottom) + 1, int(max(left, 0)) : int(right) + 1]
        if crop.size:
            crops.append(crop)
    return crops


def _width_height(box: Sequence[Sequence[float]]) -> tuple[float, float]:
    (x0, y0), (x1, y1), _, (x3, y3) = box[:4]
    return math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)


def _standing(items: list[Any]) -> bool:
    """True when most text runs of several characters are taller than wide: the page lies on its side."""
    shapes = [_width_height(item[0]) for item in items if len(item[1]) >= 3]
    if len(shapes) < 3:
        return False
    tall = sum(1 for w, h in shapes if h > 1.5 * w)
    return tall > len(shapes) / 2


def _upright_turn(grey: Any, items: list[Any]) -> int:
    """90 or 270: which clockwise turn makes the standing text read, judged by recognising the longest runs both ways."""
    import numpy as np

    scores = {90: 0.0, 270: 0.0}
    engine = _engine()
    for crop in _longest_runs(grey, items):
        for turn in scores:
            turned = np.ascontiguousarray(np.rot90(crop, k=-turn // 90))
            result, _ = engine(np.dstack([turned, turned, turned]), use_det=False, use_cls=False, use_rec=True)
            if result:
                scores[turn] += float(result[0][1])
    return 90 if scores[90] >= scores[270] else 270


def _straightened(grey: Any) -> tuple[Any, float]:
    """The page rotated straight, and the angle in degrees (0 when it is straight enough to leave alone)."""
    angle = _skew(grey)
    return (_rotate(grey, angle), angle) if abs(angle) >= _MIN_SKEW else (grey, 0.0)


def _skew(grey: Any) -> float:
    """The page's skew, found as the rotation that makes the rows of ink sharpest (text lines and rules then fall
    into few rows): tried every quarter degree up to the limit on a small copy, then refined to a twentieth."""
    import cv2
    import numpy as np

    factor = min(1.0, 1000 / max(grey.shape))
    small = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    ink = _ink(small, _RULE_CONTRAST).astype(np.float32)
    if ink.sum() < 50:
        return 0.0
    height, width = ink.shape

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        profile = cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_NEAREST).sum(axis=1)
        return float(np.sum(np.diff(profile) ** 2))

    coarse = max(np.arange(-_MAX_SKEW, _MAX_SKEW + 0.01, 0.25), key=sharpness)
    fine = max(np.arange(coarse - 0.25, coarse + 0.26, 0.05), key=sharpness)
    return round(float(fine), 2)


def _rotate(grey: Any, angle: float) -> Any:
    import cv2

    height, width = grey.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(grey, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)


def _box_of(quad: Sequence[Sequence[float]]) -> Box:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return Box(min(xs), min(ys), max(xs), max(ys))


def _inside_text(rule: BBox, texts: list[Box]) -> bool:
    """True when a found line lies within a text run's box (2 pixels to spare sideways, and clear of its top and
    bottom fifth): a stroke of a large character, not a rule."""
    return any(text.contains(rule, 2, -(text.height * 0.2)) for text in texts)


def _rules(grey: Any, texts: list[Box]) -> list[tuple[float, float, float, float]]:
    """Ruling lines in pixels, as (x0, top, x1, bottom) with the line's centre: long thin runs of ink."""
    import cv2

    ink = _ink(grey, _RULE_INK) * 255  # light grey rules count
    height, width = ink.shape
    found: list[tuple[float, float, float, float]] = []
    for horizontal in (True, False):
        length = max(width // 20, 30) if horizontal else max(height // 30, 30)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        # bridge short gaps along the line: where a seal or a speck of dirt lightened a stretch of it
        bridge = max(width // 40, 15) if horizontal else max(height // 40, 15)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 1) if horizontal else (1, bridge)))
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))  # rejoin a broken scan line
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if horizontal and h <= 12 and w >= length:
                found.append((x + 1, y + h / 2, x + w - 1, y + h / 2))
            elif not horizontal and w <= 12 and h >= length:
                found.append((x + w / 2, y + 1, x + w / 2, y + h - 1))
    return [rule for rule in found if not _inside_text(rule, texts)]


_LEADING_COMMA = re.compile(r"^、")
_NUMBER_PUNCT = re.compile(r"(?<=\d)[，。．](?=\d)")
_HALF_WIDTH = {"，": ",", "。": ".", "．": "."}  # full-width punctuation read inside a number


def _clean(text: str) -> str:
    """Undo two systematic misreadings: a lost leading 一 (a single stroke the detector drops) and
    full-width punctuation inside a number."""
    text = _LEADING_COMMA.sub("一、", text)
    return _NUMBER_PUNCT.sub(lambda m: _HALF_WIDTH[m.group()], text)


@dataclasses.dataclass
class _Run:
    text: str
    bbox: Box
    chars: list[tuple[Char, float]]


def _page(items: list[Any], rules: list[tuple[float, float, float, float]], number: int, width: int, height: int, scale: float) -> Page:
    runs = [_run_of(item, scale) for item in items]
    runs = [r for r in runs if r.text.strip()]
    lines, chars, confidence = [], [], []
    for row in _rows(runs):
        row.sort(key=lambda r: r.bbox.x0)
        row = [_cleaned(run) for run in _without_repeats(row)]
        parts = [row[0].text]
        for left, right in zip(row, row[1:], strict=False):
            gap = right.bbox.x0 - left.bbox.x1
            parts.append((" " if gap > 0.3 * left.bbox.height else "") + right.text)
        lines.append(Line("".join(parts), union([r.bbox for r in row])))
        for run in row:
            for char, score in run.chars:
                chars.append(char)
                confidence.append(score)
    page_rules = tuple(Rule(*(round(v * scale, 2) for v in rule)) for rule in rules)
    # the characters held as arrays, as a PDF page's: a scan's pages are all kept until the document is read, and a
    # character as a tuple of five Python objects takes about seven times the memory (what one 50-page scan's process
    # holds before each detection grew by 21 MB over the pages, now 15)
    return Page(
        number=number, width=round(width * scale, 2), height=round(height * scale, 2), lines=tuple(lines),
        chars=Chars.of(chars), rules=page_rules, ocr=True, confidence=tuple(round(c, 4) for c in confidence),
    )


def _run_of(item: Any, scale: float) -> _Run:
    text, score = item[1], float(item[2])
    left, upper, right, lower = _box_of(item[0])
    top, bottom = upper * scale, lower * scale
    bbox = Box(round(left * scale, 2), round(top, 2), round(right * scale, 2), round(bottom, 2))
    chars: list[tuple[Char, float]] = []
    if len(item) >= 6 and item[4] and "".join(item[4]) == text:
        for char_box, token, char_score in zip(item[3], item[4], item[5], strict=False):
            x0 = min(p[0] for p in char_box) * scale
            x1 = max(p[0] for p in char_box) * scale
            step = (x1 - x0) / max(len(token), 1)
            for i, ch in enumerate(token):
                if not ch.isspace():
                    char = Char(ch, round(x0 + i * step, 2), round(top, 2), round(x0 + (i + 1) * step, 2), round(bottom, 2))
                    chars.append((char, float(char_score)))
    else:  # no character boxes: share the run's width out evenly
        step = bbox.width / max(len(text), 1)
        chars = [
            (Char(ch, round(bbox.x0 + i * step, 2), bbox.top, round(bbox.x0 + (i + 1) * step, 2), bbox.bottom), score)
            for i, ch in enumerate(text)
            if not ch.isspace()
        ]
    return _Run(text, bbox, chars)


def _without_repeats(row: list[_Run]) -> list[_Run]:
    """A printed line's runs, left to right, without the characters the detector boxed twice: where a run starts
    over the end of the run before it (two boxes over one stretch of ink), its first characters whose middles lie
    within the run before, when they are that run's last characters again (``二、`` + ``、外交支出``), are read once.
    Runs that merely touch, or overlap with other characters, are left as they are."""
    kept = [row[0]]
    for run in row[1:]:
        before = kept[-1]
        inside = 0
        while inside < len(run.chars) and (run.chars[inside][0].x0 + run.chars[inside][0].x1) / 2 < before.bbox.x1:
            inside += 1
        if 0 < inside <= len(before.chars) and [c.text for c, _ in run.chars[:inside]] == [c.text for c, _ in before.chars[-inside:]]:
            text = _without_first(run.text, inside)
            if not text.strip():
                continue
            run = _Run(text, run.bbox, run.chars[inside:])
        kept.append(run)
    return kept


def _without_first(text: str, count: int) -> str:
    """The text without its first ``count`` printed (not blank) characters."""
    for index, char in enumerate(text):
        if count == 0:
            return text[index:]
        if not char.isspace():
            count -= 1
    return "" if count == 0 else text


def _cleaned(run: _Run) -> _Run:
    """The run with :func:`_clean`'s two corrections made to its text and its characters."""
    cleaned = _clean(run.text)
    return run if cleaned == run.text else _Run(cleaned, run.bbox, _recleaned(run.chars, cleaned, run.text))


def _recleaned(chars: list[tuple[Char, float]], cleaned: str, text: str) -> list[tuple[Char, float]]:
    """Apply :func:`_clean` to the characters: a restored leading 一 gets the width of the 、 before it."""
    out = list(chars)
    if cleaned.startswith("一、") and not text.startswith("一、") and out:
        first, score = out[0]
        width = first.x1 - first.x0
        out.insert(0, (Char("一", round(first.x0 - width, 2), first.top, first.x0, first.bottom), min(score, 0.5)))
    for i, (c, s) in enumerate(out):
        if c.text in _HALF_WIDTH and 0 < i < len(out) - 1 and out[i - 1][0].text.isdigit() and out[i + 1][0].text.isdigit():
            out[i] = (c._replace(text=_HALF_WIDTH[c.text]), s)
    return out


def _rows(runs: list[_Run]) -> list[list[_Run]]:
    """Group runs whose vertical middles lie within half a run's height of each other into printed lines."""
    rows: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: r.bbox.middle_y):
        middle = run.bbox.middle_y
        if rows:
            last = rows[-1]
            last_middle = statistics.mean(r.bbox.middle_y for r in last)
            height = statistics.mean(r.bbox.height for r in last)
            if abs(middle - last_middle) < 0.5 * height:
                last.append(run)
                continue
        rows.append([run])
    return rows


def confidence_in(page: Page, bbox: BBox, figure: str | None = None) -> float | None:
    """The lowest OCR confidence of the characters whose centres lie in ``bbox``; None for a text-layer page.

    With ``figure`` (a number as ``Decimal`` prints it), only the characters that spell it count: a
    sentence's box holds other words and figures.
    """
    if not page.ocr or not page.confidence:
        return None
    x0, top, x1, bottom = bbox
    chars, scores = page.chars, page.confidence
    inside = [(chars[i].text, scores[i]) for i in _centred_in(chars, x0, top, x1, bottom) if i < len(scores)]
    if figure:
        spelt = [(text, score) for text, score in inside if text not in ",，"]
        letters = "".join(text for text, _ in spelt)
        at = letters.find(figure)
        if at >= 0:
            inside = spelt[at : at + len(figure)]
    return round(min(score for _, score in inside), 4) if inside else None


def _centred_in(chars: Sequence[Char], x0: float, top: float, x1: float, bottom: float) -> list[int]:
    """The indices, in order, of the characters whose centres lie in the box (half a point of slack)."""
    boxes = chars.boxes if isinstance(chars, Chars) else char_boxes(chars)
    middle_x, middle_y = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    inside = (x0 - 0.5 <= middle_x) & (middle_x <= x1 + 0.5) & (top - 0.5 <= middle_y) & (middle_y <= bottom + 0.5)
    return inside.nonzero()[0].tolist()
