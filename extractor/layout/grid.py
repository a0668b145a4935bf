"""Cell grids from ruling lines: the geometric half of the table finder.

Budget tables are ruled. The horizontal and vertical rules that touch each other form one grid; the
rules' positions cut it into atoms (one row band x one column band), and atoms not separated by a
printed rule are one (merged) cell. Characters are then dropped into cells by their centres.
Nothing here knows what the text means: see :mod:`extractor.layout.tables` for that.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import numpy as np

from extractor.geometry import Box, bounds, boxes_of
from extractor.layout.settings import TOLERANCES as TOL
from extractor.model import Char, Chars, Page, char_boxes

# read in the hot loops below (see LayoutTolerances for what each measures)
_SNAP = TOL.snap
_REACH = TOL.reach


@dataclass(frozen=True)
class TextLine:
    """One line of text inside a cell or outside any grid."""

    text: str
    bbox: Box


@dataclass(frozen=True)
class Cell:
    """A (possibly merged) cell: its first atom row/column, spans, box and text lines."""

    row: int
    col: int
    row_span: int
    col_span: int
    bbox: Box
    lines: tuple[TextLine, ...]

    @functools.cached_property
    def text(self) -> str:  # asked for again and again by the table reader: joined once
        return "".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Grid:
    """One ruled table on one page."""

    page: int
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    cells: tuple[Cell, ...]

    @property
    def bbox(self) -> Box:
        return Box(self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    def cell_at(self, row: int, col: int) -> Cell | None:
        """The cell covering atom (row, col)."""
        return self._index().get((row, col))

    def _index(self) -> dict[tuple[int, int], Cell]:
        index: dict[tuple[int, int], Cell] | None = self.__dict__.get("_atoms")
        if index is None:
            index = {}
            for cell in self.cells:
                for r in range(cell.row, cell.row + cell.row_span):
                    for c in range(cell.col, cell.col + cell.col_span):
                        index[(r, c)] = cell
            object.__setattr__(self, "_atoms", index)
        return index


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, keep: int, other: int) -> None:
        self.parent[self.find(other)] = self.find(keep)


class _Line(NamedTuple):
    pos: float  # y of a horizontal line, x of a vertical one
    start: float
    end: float


_make_line = functools.partial(tuple.__new__, _Line)
_T = TypeVar("_T")


def _for_the_page(build: Callable[[Page], _T]) -> Callable[[Page], _T]:
    """``build(page)``, kept for the page it was last asked about: one page is read at a time, and the ruled and the
    unruled table finders ask about it in turn."""
    last: list[tuple[Page, _T]] = []

    def of(page: Page) -> _T:
        if not last or last[0][0] is not page:
            last[:] = [(page, build(page))]
        return last[0][1]

    return of


def _merged_rules(page: Page) -> tuple[list[_Line], list[_Line]]:
    """The page's ruling lines, snapped and joined (:func:`_merge_lines`), horizontal and vertical."""
    if not page.rules:
        return [], []
    flat = itertools.chain.from_iterable(page.rules)  # np.array on a tuple of tuples costs four times as much
    x0, top, x1, bottom = np.fromiter(flat, dtype=np.float64, count=4 * len(page.rules)).reshape(-1, 4).T
    across = x1 - x0 >= bottom - top  # Rule.horizontal
    horizontal = map(_make_line, zip(top[across].tolist(), x0[across].tolist(), x1[across].tolist(), strict=True))
    vertical = map(_make_line, zip(x0[~across].tolist(), top[~across].tolist(), bottom[~across].tolist(), strict=True))
    return _merge_lines(list(horizontal)), _merge_lines(list(vertical))


_page_lines = _for_the_page(_merged_rules)


# The most ruling lines (snapped and joined) and the most cells they cut a printed page is read with: the table
# finder's work grows with both (every horizontal met with the verticals of its band, each cell asked which rules
# divide it), and a damaged or hostile page may draw its table again thousands of times. The densest page of the
# corpus and the pool has 231 lines (厦门 p11) and 672 cells (西安 p47). A page laid out by the reader (a web page's,
# a Word document's or a sheet's tables) draws each cell of the source once: its readers bound those.
MAX_PAGE_LINES = 2_000
MAX_PAGE_CELLS = 20_000


class LayoutLimitError(Exception):
    """A page whose rules go past what a page is read with: its tables are not read, the rest of the document is."""


def find_grids(page: Page) -> list[Grid]:
    """Every ruled grid on the page, top to bottom, with its characters; a printed page past ``MAX_PAGE_LINES`` or
    ``MAX_PAGE_CELLS`` raises :class:`LayoutLimitError`."""
    horizontal, vertical = _page_lines(page)
    lines = len(horizontal) + len(vertical)
    if lines > MAX_PAGE_LINES and not page.laid_out:
        raise LayoutLimitError(f"the page has {lines:,} ruling lines, more than the {MAX_PAGE_LINES:,} its tables are read with")
    components = [(hs, vs, _cuts(hs, vs)) for hs, vs in _components(horizontal, vertical)]
    cells = sum((len(xs) - 1) * (len(ys) - 1) for _, _, (xs, ys) in components)
    if cells > MAX_PAGE_CELLS and not page.laid_out:
        raise LayoutLimitError(f"the page's ruling lines cut {cells:,} cells, more than the {MAX_PAGE_CELLS:,} its tables are read with")
    grids = []
    for hs, vs, (xs, ys) in components:
        grid = _build_grid(page, hs, vs, xs, ys)
        if grid is not None:
            grids.append(grid)
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    return grids


def horizontal_rules(page: Page) -> list[tuple[float, float, float]]:
    """The page's horizontal rules, snapped and joined: (y, x0, x1)."""
    return [(ln.pos, ln.start, ln.end) for ln in _page_lines(page)[0]]


def grid_from_cuts(page: Page, xs: Sequence[float], ys: Sequence[float]) -> Grid | None:
    """A grid cut at the given positions with every cut running across it (no merged cells): for tables
    whose column or row rules are not printed, cut where the text leaves gaps."""
    if len(xs) < 2 or len(ys) < 2:
        return None
    hs = [_Line(y, xs[0], xs[-1]) for y in ys]
    vs = [_Line(x, ys[0], ys[-1]) for x in xs]
    return _build_grid(page, hs, vs, *_cuts(hs, vs))


class _CharIndex:
    """A page's characters as arrays (left, top, right, bottom and the two middles), sorted by the height of their
    middle to take those of a band of the page at once (a page of two thousand small tables must not cost two
    thousand passes over every character)."""

    def __init__(self, chars: Sequence[Char]) -> None:
        self.boxes, texts = _arrays(chars)
        codes = _code_points(texts)  # a region's characters are taken as code points when each is one
        self.texts: Sequence[str] | np.ndarray = texts if codes is None else codes
        x0, top, x1, bottom = self.boxes.T
        self.middle_x, self.middle_y = (x0 + x1) / 2, (top + bottom) / 2
        self.order = np.argsort(self.middle_y, kind="stable")
        self.middles = self.middle_y[self.order]
        self.outside: tuple[tuple[Box, ...], list[TextLine]] | None = None

    def within(self, box: Box) -> np.ndarray:
        """Indices (in the page's order) of the characters whose middle lies in the box."""
        low = int(np.searchsorted(self.middles, box.top, side="left"))
        high = int(np.searchsorted(self.middles, box.bottom, side="right"))
        found = self.order[low:high]
        middle = self.middle_x[found]
        return np.sort(found[(box.x0 <= middle) & (middle <= box.x1)])


_char_index = _for_the_page(lambda page: _CharIndex(page.chars))


def _taken(texts: Sequence[str] | np.ndarray, indices: np.ndarray) -> Sequence[str] | np.ndarray:
    """The texts at the indices, an array's at once."""
    return texts[indices] if isinstance(texts, np.ndarray) else [texts[i] for i in indices.tolist()]


def _arrays(chars: Sequence[Char]) -> tuple[np.ndarray, Sequence[str]]:
    """The characters' boxes as an (n, 4) array and their texts: as the PDF reader's :class:`Chars` holds them."""
    if isinstance(chars, Chars):
        return chars.boxes, chars.texts
    return char_boxes(chars), [c.text for c in chars]


def chars_within(page: Page, box: Box) -> list[Char]:
    """The page's characters whose middle lies in the box (its edges included), in the page's order."""
    chars = page.chars
    return [chars[i] for i in _char_index(page).within(box).tolist()]


def chars_outside(page: Page, grids: Sequence[Grid]) -> list[TextLine]:
    """The page's text lines that lie outside every grid (titles, units, notes, page numbers)."""
    index = _char_index(page)
    boxes = tuple(grid.bbox for grid in grids)
    if index.outside is not None and index.outside[0] == boxes:  # asked again with the same grids
        return list(index.outside[1])
    outside = np.ones(len(page.chars), dtype=bool)
    for box in boxes:
        outside[index.within(box)] = False
    kept = np.flatnonzero(outside)
    lines = _lines(index.boxes[kept], _taken(index.texts, kept))
    index.outside = (boxes, lines)
    return list(lines)


def prints(page: Page, mark: str) -> bool:
    """Whether any of the page's characters holds ``mark`` (a PDF page's characters as one string, searched at once)."""
    texts = page.chars.texts if isinstance(page.chars, Chars) else [c.text for c in page.chars]
    return mark in texts if isinstance(texts, str) else any(mark in text for text in texts)


def chars_to_lines(chars: Iterable[Char], gap: float | None = None) -> list[TextLine]:
    """Group characters into lines by vertical overlap, left to right; wide gaps become one space.

    Characters are taken top to bottom by the height of their middle (ties in the given order); each joins the line
    so far while its middle lies within ``line_join`` (1 point) of the span of the line's last three, or starts the next.
    In a line, a gap wider than ``gap`` (by default ``word_gap``, one and a half times the line's tallest character) is
    one space (see :class:`~extractor.layout.settings.LayoutTolerances`)."""
    if not isinstance(chars, list | tuple | Chars):
        chars = list(chars)
    if len(chars) >= _ARRAY_MIN:
        return _lines(*_arrays(chars), gap)
    return _chars_to_lines(list(chars) if isinstance(chars, Chars) else chars, gap)


# From this many characters on, lines are grouped as arrays; below it, numpy's cost per call outweighs the work
_ARRAY_MIN = 24


def _chars_to_lines(chars: Sequence[Char], gap: float | None) -> list[TextLine]:
    """:func:`chars_to_lines` a character at a time (few characters; and the rule :func:`_grouped_lines` keeps)."""
    rows: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c.top + c.bottom) / 2):
        middle = (ch.top + ch.bottom) / 2
        if rows:
            last = rows[-1]
            top = min(c.top for c in last[-3:])
            bottom = max(c.bottom for c in last[-3:])
            if top - TOL.line_join <= middle <= bottom + TOL.line_join:
                last.append(ch)
                continue
        rows.append([ch])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c.x0)
        height = max(c.bottom - c.top for c in row) or 1.0
        parts = [row[0].text]
        for prev, ch in zip(row, row[1:], strict=False):
            if ch.x0 - prev.x1 > (gap if gap is not None else height * TOL.word_gap):
                parts.append(" ")
            parts.append(ch.text)
        lines.append(TextLine("".join(parts), bounds(row)))
    return lines


def _grouped_lines(boxes: np.ndarray, texts: Sequence[str] | np.ndarray, groups: np.ndarray, gap: float | None = None) -> dict[int, list[TextLine]]:
    """:func:`chars_to_lines` for many groups of characters at once (the cells of a grid): ``boxes`` holds each
    character's left, top, right and bottom, ``groups`` its group; within a group, the given order breaks ties.
    The same lines as one call per group, figures and all (a property test holds the two equal)."""
    count = len(texts)
    if not count:
        return {}
    x0, top, x1, bottom = boxes.T
    if np.any(bottom < top) or not np.all(np.isfinite(boxes)):  # not boxes the rules below hold for
        return _grouped_one_by_one(boxes, texts, groups, gap)
    middle = (top + bottom) / 2
    order = np.lexsort((np.arange(count), middle, groups))
    g, m, t, b = groups[order], middle[order], top[order], bottom[order]
    same = np.zeros(count, dtype=bool)  # same group as the character before
    same[1:] = g[1:] == g[:-1]
    # A character joins the line so far when its middle lies within line_join (1 point) of the span of the line's
    # last three (at most). Its middle is never above the tops (middles only grow, and a middle lies below its own
    # top), so only the bottoms decide: below the last character's bottom + 1 it joins; below none of the last
    # three's it starts a line; in between, whether the two before are on the same line decides, worked out in order.
    join = TOL.line_join
    near = np.full(count, -np.inf)
    near[1:] = np.where(same[1:], b[:-1], -np.inf)
    widest = near.copy()
    for back in (2, 3):
        reach = np.full(count, -np.inf)
        reach[back:] = np.where(same[back:] & same[back - 1 : -1] & (same[back - 2 : -2] if back == 3 else True), b[:-back], -np.inf)
        widest = np.maximum(widest, reach)
    starts = ~same | (m > widest + join)
    for k in np.flatnonzero(same & (m > near + join) & (m <= widest + join)).tolist():
        members, j = [k - 1], k - 1
        while len(members) < 3 and not starts[j]:
            j -= 1
            members.append(j)
        low, high = min(float(t[i]) for i in members), max(float(b[i]) for i in members)
        starts[k] = not (low - join <= m[k] <= high + join)
    line = np.cumsum(starts) - 1
    # each line left to right (stably: characters at the same left keep their order)
    order = order[np.lexsort((np.arange(count), x0[order], line))]
    x0, top, x1, bottom = x0[order], top[order], x1[order], bottom[order]
    first = np.flatnonzero(np.r_[True, line[1:] != line[:-1]])
    height = np.maximum.reduceat(bottom - top, first)
    space = np.full(len(first), float(gap)) if gap is not None else np.where(height == 0, 1.0, height) * TOL.word_gap
    per_char = np.repeat(space, np.diff(np.r_[first, count]))
    spaced = np.zeros(count, dtype=bool)
    spaced[1:] = x0[1:] - x1[:-1] > per_char[1:]
    spaced[first] = False
    boxes_out = boxes_of(x0[first].tolist(), np.minimum.reduceat(top, first).tolist(), np.maximum.reduceat(x1, first).tolist(),
                         np.maximum.reduceat(bottom, first).tolist())
    result: dict[int, list[TextLine]] = {}
    for text, box, group in zip(_line_texts(texts, order, spaced, first), boxes_out, groups[order[first]].tolist(), strict=True):
        result.setdefault(group, []).append(TextLine(text, box))
    return result


def _line_texts(texts: Sequence[str] | np.ndarray, order: np.ndarray, spaced: np.ndarray, first: np.ndarray) -> list[str]:
    """The text of each line: the characters in ``order``, one space before each ``spaced`` one, a line from each
    ``first``. Characters that are one code point each (a PDF page's, as code points) are put together as one array
    of code points and the lines cut from its text; others one by one."""
    codes = _code_points(texts)
    if codes is None:
        pieces = [texts[i] for i in order.tolist()]
        for k in np.flatnonzero(spaced).tolist():  # a wide gap before the character: one space
            pieces[k] = " " + pieces[k]
        ends = [*first.tolist()[1:], len(pieces)]
        return ["".join(pieces[start:end]) for start, end in zip(first.tolist(), ends, strict=True)]
    at = np.arange(len(order)) + np.cumsum(spaced)  # each character's place, after the spaces before it
    joined = np.full(len(order) + int(np.count_nonzero(spaced)), ord(" "), dtype=np.uint32)
    joined[at] = codes[order]
    text = joined.tobytes().decode("utf-32-le", "surrogatepass")
    starts = at[first].tolist()  # no space starts a line
    return [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]


def _code_points(texts: Sequence[str] | np.ndarray) -> np.ndarray | None:
    """The characters' code points as an array, when each is one code point (None otherwise): an array as given, or
    a string (the PDF reader's characters, one code point each)."""
    if isinstance(texts, np.ndarray):
        return texts
    if isinstance(texts, str):
        return np.frombuffer(texts.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return None


def _lines(boxes: np.ndarray, texts: Sequence[str] | np.ndarray, gap: float | None = None) -> list[TextLine]:
    """:func:`_grouped_lines` for characters that are all one group."""
    return _grouped_lines(boxes, texts, np.zeros(len(texts), dtype=np.int64), gap).get(0, [])


def _grouped_one_by_one(boxes: np.ndarray, texts: Sequence[str] | np.ndarray, groups: np.ndarray, gap: float | None) -> dict[int, list[TextLine]]:
    if isinstance(texts, np.ndarray):  # code points
        texts = list(map(chr, texts.tolist()))
    members: dict[int, list[Char]] = {}
    for text, box, group in zip(texts, boxes.tolist(), groups.tolist(), strict=True):
        members.setdefault(group, []).append(Char(text, *box))
    return {group: _chars_to_lines(chars, gap) for group, chars in members.items()}


def _merge_lines(lines: list[_Line]) -> list[_Line]:
    """Snap nearly collinear rules together and join the pieces that touch."""
    merged: list[_Line] = []
    for group in _clusters(sorted(lines, key=lambda ln: ln.pos), key=lambda ln: ln.pos):
        pos = sum(ln.pos for ln in group) / len(group)
        spans = sorted((ln.start, ln.end) for ln in group)
        start, end = spans[0]
        for s, e in spans[1:]:
            if s <= end + _REACH:
                end = max(end, e)
            else:
                merged.append(_Line(pos, start, end))
                start, end = s, e
        merged.append(_Line(pos, start, end))
    return merged


def _clusters(items: list, key) -> list[list]:  # type: ignore[no-untyped-def,type-arg]
    groups: list[list] = []  # type: ignore[type-arg]
    for item in items:
        if groups and key(item) - key(groups[-1][-1]) < _SNAP:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


_BAND = 50.0  # points: the height of the bands verticals are filed under


def _meets(h: _Line, v: _Line) -> bool:
    return h.start - _REACH <= v.pos <= h.end + _REACH and v.start - _REACH <= h.pos <= v.end + _REACH


def _components(horizontal: list[_Line], vertical: list[_Line]) -> list[tuple[list[_Line], list[_Line]]]:
    """Sets of rules that touch one another (each set one table).

    The horizontals are filed under the band of the page's height they lie in, and each vertical is met with those
    of the bands it reaches that hold one: never more bands than horizontals, however long the vertical (a damaged
    file's rule may run a billion points: filing the vertical under every band it crosses took gigabytes)."""
    sets = _UnionFind(len(horizontal) + len(vertical))
    find = sets.find
    by_band: dict[int, list[int]] = {}  # the horizontals in each band of the page's height
    for i, h in enumerate(horizontal):
        by_band.setdefault(int(h.pos // _BAND), []).append(i)
    bands = sorted(by_band)
    for j, v in enumerate(vertical):
        low = bisect.bisect_left(bands, int((v.start - _REACH) // _BAND))
        high = bisect.bisect_right(bands, int((v.end + _REACH) // _BAND))
        for band in bands[low:high]:
            for i in by_band[band]:
                if _meets(horizontal[i], v):
                    sets.union(len(horizontal) + j, i)
    groups: dict[int, tuple[list[_Line], list[_Line]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _positions(values: list[float], low: float, high: float) -> list[float]:
    """Cut positions: the rules' positions, plus the far ends of the crossing rules when a table has no outer border."""
    points = sorted(values)
    open_edge = _SNAP * TOL.open_edge
    if points[0] - low > open_edge:
        points.insert(0, low)
    if high - points[-1] > open_edge:
        points.append(high)
    snapped = [sum(g) / len(g) for g in _clusters(points, key=lambda p: p)]
    return snapped


def _at_cuts(lines: list[_Line], cuts: Sequence[float]) -> list[list[_Line]]:
    """For each cut position, the rules within ``snap`` of it: the only ones that may divide a band there (found by
    bisection, so that a cell is not asked about every rule of its grid)."""
    ordered = sorted(lines, key=lambda ln: ln.pos)
    positions = [ln.pos for ln in ordered]
    found = []
    for cut in cuts:
        low, high = bisect.bisect_left(positions, cut - 2 * _SNAP), bisect.bisect_right(positions, cut + 2 * _SNAP)
        found.append([ln for ln in ordered[low:high] if abs(ln.pos - cut) < _SNAP])
    return found


def _overflow_column(page: Page, index: _CharIndex, ch: Char, xs: Sequence[float], column: int) -> int:
    """The column of a character drawn across a rule: the one whose text it runs on from.

    A label too long for its cell runs over the rule into the next (西安: "机关事业单位基本养老保险缴费支" with 支
    astride the rule, its middle in the 合计 cell beside "2947399.16"); a character astride a rule belongs with the
    text it touches, not with the cell its middle falls in.
    """
    left, right, astride = xs[column], xs[column + 1], TOL.astride
    if ch.x0 < left - astride < left + astride < ch.x1 and column > 0:
        toward = -1
    elif ch.x0 < right - astride < right + astride < ch.x1 and column + 2 < len(xs):
        toward = 1
    else:
        return column
    before = after = False
    for i in index.within(Box(ch.x0 - TOL.run_search, ch.top, ch.x1 + TOL.run_search, ch.bottom)).tolist():
        other = page.chars[i]
        if other is ch or not other.text.strip():
            continue
        before = before or 0 <= ch.x0 - other.x1 <= TOL.run_gap
        after = after or 0 <= other.x0 - ch.x1 <= TOL.run_gap
    if (toward < 0 and before and not after) or (toward > 0 and after and not before):
        return column + toward
    return column


def _cuts(hs: list[_Line], vs: list[_Line]) -> tuple[list[float], list[float]]:
    """Where a set of touching rules cuts its grid: the columns' and the rows' edges."""
    xs = _positions([v.pos for v in vs], min(h.start for h in hs), max(h.end for h in hs))
    ys = _positions([h.pos for h in hs], min(v.start for v in vs), max(v.end for v in vs))
    return xs, ys


def _build_grid(page: Page, hs: list[_Line], vs: list[_Line], xs: list[float], ys: list[float]) -> Grid | None:
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 1 or n_rows * n_cols < TOL.min_grid_cells:
        return None
    label, merged = _merged_atoms(xs, ys, _at_cuts(vs, xs), _at_cuts(hs, ys))
    x0, y0, x1, y1 = xs[0], ys[0], xs[-1], ys[-1]
    index = _char_index(page)
    found = index.within(Box(x0, y0, x1, y1))  # their middles inside the grid
    x, y = index.middle_x[found], index.middle_y[found]
    cuts = np.array(xs)
    column = np.clip(np.searchsorted(cuts, x, side="right") - 1, 0, n_cols - 1)
    row = np.clip(np.searchsorted(np.array(ys), y, side="right") - 1, 0, n_rows - 1)
    # characters astride a rule (rare) are looked at one by one
    left_edge, right_edge = cuts[column], cuts[column + 1]
    chars_left, chars_right = index.boxes[found, 0], index.boxes[found, 2]
    margin = TOL.astride
    astride = ((chars_left < left_edge - margin) & (left_edge + margin < chars_right) & (column > 0)) | (
        (chars_left < right_edge - margin) & (right_edge + margin < chars_right) & (column + 2 < len(xs)))
    for k in np.flatnonzero(astride).tolist():
        column[k] = _overflow_column(page, index, page.chars[int(found[k])], xs, int(column[k]))
    texts = _grouped_lines(index.boxes[found], _taken(index.texts, found), label[row * n_cols + column])
    rounded_x, rounded_y = [round(x, 2) for x in xs], [round(y, 2) for y in ys]
    # each cell at its first atom, row by row: its first and last row and column, a merged cell's from its atoms
    firsts = np.flatnonzero(label == np.arange(len(label)))
    r0, c0 = (firsts // n_cols).tolist(), (firsts % n_cols).tolist()
    r1, c1 = list(r0), list(c0)
    at = {first: i for i, first in enumerate(firsts.tolist())} if merged else {}
    for first, atoms in merged.items():
        i = at[first]
        rows, cols = [atom // n_cols for atom in atoms], [atom % n_cols for atom in atoms]
        r0[i], r1[i], c0[i], c1[i] = min(rows), max(rows), min(cols), max(cols)
    boxes = boxes_of([rounded_x[c] for c in c0], [rounded_y[r] for r in r0], [rounded_x[c + 1] for c in c1], [rounded_y[r + 1] for r in r1])
    lines = [tuple(texts.get(first, ())) for first in firsts.tolist()]
    cells = list(map(Cell, r0, c0, [b - a + 1 for a, b in zip(r0, r1, strict=True)], [b - a + 1 for a, b in zip(c0, c1, strict=True)], boxes, lines))
    if merged:  # a merged cell's first atom may not be its top-left one
        cells.sort(key=lambda cell: (cell.row, cell.col))
    return Grid(page=page.number, xs=tuple(rounded_x), ys=tuple(rounded_y), cells=tuple(cells))


def _merged_atoms(xs: Sequence[float], ys: Sequence[float], at_x: list[list[_Line]],
                  at_y: list[list[_Line]]) -> tuple[np.ndarray, dict[int, list[int]]]:
    """Which atoms (row by row, ``row * columns + column``) make one cell: two side by side, or one above the other,
    are one where no rule at the cut between them crosses the middle of their band (:func:`_covering`). Returns each
    atom's cell as the number of its first atom, and the atoms of each cell of more than one, by its first."""
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    cut_x, cut_y = np.array(xs), np.array(ys)
    middle_x, half_x = (cut_x[:-1] + cut_x[1:]) / 2, (cut_x[1:] - cut_x[:-1]) / 2
    middle_y, half_y = (cut_y[:-1] + cut_y[1:]) / 2, (cut_y[1:] - cut_y[:-1]) / 2
    pairs: list[tuple[int, int]] = []
    for c in range(1, n_cols):
        for r in np.flatnonzero(~_covering(at_x[c], middle_y, half_y)).tolist():
            pairs.append((r * n_cols + c - 1, r * n_cols + c))
    for r in range(1, n_rows):
        for c in np.flatnonzero(~_covering(at_y[r], middle_x, half_x)).tolist():
            pairs.append(((r - 1) * n_cols + c, r * n_cols + c))
    label = np.arange(n_rows * n_cols)
    if not pairs:
        return label, {}
    sets = _UnionFind(n_rows * n_cols)
    for a, b in pairs:
        sets.union(a, b)
    groups: dict[int, list[int]] = {}
    for atom in sorted({atom for pair in pairs for atom in pair}):
        groups.setdefault(sets.find(atom), []).append(atom)
    merged = {atoms[0]: atoms for atoms in groups.values()}
    for first, atoms in merged.items():
        label[atoms] = first
    return label, merged


def _covering(lines: list[_Line], at: np.ndarray, half: np.ndarray) -> np.ndarray:
    """For the middles ``at`` of bands ``half`` as wide on either side (the rows along a column's cut, or the columns
    along a row's), whether one of the rules at the cut (:func:`_at_cuts`) crosses each: a rule that stops short by
    ``reach`` still does, but never by more than ``reach_share`` of the half band (a rule ending at the edge of a
    header row 6.6 points high does not divide it: 西安's 上年 over 合计 … 培训费)."""
    slack = np.minimum(_REACH, half * TOL.reach_share)
    covered = np.zeros(len(at), dtype=bool)
    for ln in lines:
        covered |= (ln.start - slack <= at) & (at <= ln.end + slack)
    return covered
