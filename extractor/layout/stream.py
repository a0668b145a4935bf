"""Tables without (all) their rules: columns from the gaps the text leaves, rows from its lines.

Two cases the lattice reader cannot see: a table drawn with horizontal rules only (a 三线表: top rule,
rule under the header, bottom rule) and a table printed with no rules at all under its title. Both are
cut into a grid at the gaps that run down every amount row and between text lines, and the grid then
goes through the same reading as a ruled one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import replace

from extractor.domain.amounts import is_amount_text, normalise_digits
from extractor.domain.table_kinds import TABLE_MARK, is_title, table_unit
from extractor.geometry import Box, bounds
from extractor.layout.grid import Cell, Grid, TextLine, chars_outside, chars_to_lines, chars_within, grid_from_cuts, horizontal_rules, prints
from extractor.layout.settings import TOLERANCES as TOL
from extractor.model import Char, Page

_NUMERIC = set("0123456789,.-%()（）")
_PAGE_NUMBER = re.compile(r"^[-—–]*\d{1,4}[-—–]*$")


def find_stream_grids(page: Page, ruled: Sequence[Grid]) -> list[Grid]:
    """Grids for the tables on the page that the ruled grids do not cover."""
    taken: list[Box] = [g.bbox for g in ruled]
    found: list[Grid] = []
    candidates = [(r, False) for r in _rule_bounded_regions(page, taken)] + [(r, True) for r in _titled_regions(page, ruled)]
    for region, unruled in candidates:
        if any(region.overlaps(box) for box in taken):
            continue
        grid = _region_grid(page, region, unruled)
        if grid is not None:
            found.append(grid)
            taken.append(grid.bbox)
    return found


def _rule_bounded_regions(page: Page, taken: list[Box]) -> list[Box]:
    """Stacks of two or more horizontal rules of the same extent, outside the ruled grids."""
    # a rule along a ruled grid's border (within grid_margin of its box) belongs to that grid
    free = [(y, x0, x1) for y, x0, x1 in horizontal_rules(page) if not any(b.contains(Box(x0, y, x1, y), TOL.grid_margin) for b in taken)]
    regions: list[Box] = []
    groups: list[list[tuple[float, float, float]]] = []
    for rule in sorted(free):
        group = next((g for g in groups if abs(g[0][1] - rule[1]) < TOL.rule_alignment and abs(g[0][2] - rule[2]) < TOL.rule_alignment), None)
        if group is None:
            groups.append([rule])
        else:
            group.append(rule)
    for group in groups:
        if len(group) >= 2:
            ys = [r[0] for r in group]
            regions.append(Box(min(r[1] for r in group), min(ys), max(r[2] for r in group), max(ys)))
    return regions


def _titled_regions(page: Page, ruled: Sequence[Grid]) -> list[Box]:
    """Below each table title with no grid under it: the block of lines down to a note, a new title or the page's end."""
    if not prints(page, TABLE_MARK):  # no title on the page: its lines need not be put together
        return []
    lines = chars_outside(page, ruled)
    regions: list[Box] = []
    for i, line in enumerate(lines):
        if not is_title(line.text):
            continue
        block: list[TextLine] = []
        for following in lines[i + 1 :]:
            text = normalise_digits(following.text)
            previous = block[-1] if block else line
            far = following.bbox.top - previous.bbox.bottom > TOL.block_gap * max(previous.bbox.height, 1.0)
            if is_title(following.text) or text.startswith(("注", "说明", "备注")) or _PAGE_NUMBER.match(text) or far:
                break
            if table_unit(following.text) and not block:
                continue  # the 单位 line under the title
            block.append(following)
        if block:
            regions.append(Box(min(b.bbox.x0 for b in block), block[0].bbox.top, max(b.bbox.x1 for b in block), block[-1].bbox.bottom))
    return regions


def _region_grid(page: Page, region: Box, unruled: bool) -> Grid | None:
    x0, top, x1, bottom = region
    margin = TOL.region_margin
    chars = chars_within(page, Box(x0 - margin, top, x1 + margin, bottom))
    lines = _char_lines(chars)
    counts = [_amount_tokens(line) for line in lines]
    amount_rows = [i for i, n in enumerate(counts) if n]
    if sum(counts) < TOL.min_amounts or (unruled and not _aligned_amounts([lines[i] for i in amount_rows])):
        return None
    xs = _column_cuts([c for i in amount_rows for c in lines[i]], x0, x1)
    if len(xs) - 1 < TOL.min_columns:
        return None
    first = amount_rows[0]
    # the header (all lines above the first amount row) is one band; body lines close together are one row
    body = _merge_close(lines[first:])
    ys = [top]
    if first:
        ys.append(_between(lines[first - 1], lines[first]))
    ys += [_between(a, b) for a, b in zip(body, body[1:], strict=False)] + [bottom]
    grid = grid_from_cuts(page, xs, ys)
    if grid is None or not first:
        return grid
    return _with_phrase_header(grid, [c for line in lines[:first] for c in line])


def _aligned_amounts(lines: list[list[Char]]) -> bool:
    """Without any rule, a table shows itself by amounts ending at the same x on several lines (a right-aligned
    column); figures inside justified sentences do not line up."""
    ends: list[float] = []
    for line in lines:
        ends.extend(p.bbox.x1 for p in _phrases(line) if is_amount_text(p.text))
    ends.sort()
    run = 1
    for a, b in zip(ends, ends[1:], strict=False):
        run = run + 1 if b - a <= TOL.amount_alignment else 1
        if run >= TOL.min_aligned:
            return True
    return False


def _between(upper: list[Char], lower: list[Char]) -> float:
    return (max(c.bottom for c in upper) + min(c.top for c in lower)) / 2


def _merge_close(lines: list[list[Char]]) -> list[list[Char]]:
    """Lines whose middles are closer than most of a line's height are one row (a code printed a little higher)."""
    merged: list[list[Char]] = []
    for line in lines:
        if merged and abs(_middle(line) - _middle(merged[-1])) < TOL.row_merge * _height(merged[-1]):
            merged[-1] = merged[-1] + line
        else:
            merged.append(line)
    return merged


def _middle(chars: list[Char]) -> float:
    return (min(c.top for c in chars) + max(c.bottom for c in chars)) / 2


def _height(chars: list[Char]) -> float:
    return max(max(c.bottom for c in chars) - min(c.top for c in chars), 1.0)


def _with_phrase_header(grid: Grid, header_chars: list[Char]) -> Grid:
    """Rebuild the header band from whole phrases: a phrase over several columns is a spanning header cell
    above them; phrases inside one column are its leaf, wrapped lines joined."""
    phrases = [p for line in _char_lines(header_chars) for p in _phrases(line)]
    spanning: list[tuple[TextLine, int, int]] = []
    leaves: dict[int, list[TextLine]] = {}
    for phrase in phrases:
        cols = [c for c in range(grid.n_cols) if _share(phrase.bbox, grid.xs[c], grid.xs[c + 1]) > TOL.span_share]
        if not cols:
            middle = phrase.bbox.middle_x
            cols = [max(0, min(bisect.bisect_right(grid.xs, middle) - 1, grid.n_cols - 1))]
        if len(cols) > 1:
            spanning.append((phrase, cols[0], cols[-1]))
        else:
            leaves.setdefault(cols[0], []).append(phrase)
    levels = sorted({round(p.bbox.top) for p, _, _ in spanning})
    n_levels = len(levels) + 1
    top, bottom = grid.ys[0], grid.ys[1]
    cuts = [top + (bottom - top) * i / n_levels for i in range(n_levels + 1)]
    cells = [replace(c, row=c.row + n_levels - 1) for c in grid.cells if c.row != 0]
    covered: set[tuple[int, int]] = set()
    for phrase, c0, c1 in spanning:
        level = levels.index(round(phrase.bbox.top))
        if any((level, c) in covered for c in range(c0, c1 + 1)):
            continue
        covered.update((level, c) for c in range(c0, c1 + 1))
        cells.append(Cell(level, c0, 1, c1 - c0 + 1, Box(grid.xs[c0], cuts[level], grid.xs[c1 + 1], cuts[level + 1]), (phrase,)))
    for c in range(grid.n_cols):
        for level in range(n_levels - 1):
            if (level, c) not in covered:
                cells.append(Cell(level, c, 1, 1, Box(grid.xs[c], cuts[level], grid.xs[c + 1], cuts[level + 1]), ()))
        own = tuple(sorted(leaves.get(c, []), key=lambda p: (p.bbox.top, p.bbox.x0)))
        cells.append(Cell(n_levels - 1, c, 1, 1, Box(grid.xs[c], cuts[-2], grid.xs[c + 1], cuts[-1]), own))
    cells.sort(key=lambda cell: (cell.row, cell.col))
    ys = tuple(cuts[:-1]) + grid.ys[1:]
    return Grid(page=grid.page, xs=grid.xs, ys=ys, cells=tuple(cells))


def _share(box: Box, x0: float, x1: float) -> float:
    """The part of the column [x0, x1] that the box covers."""
    return box.x_overlap(x0, x1) / max(x1 - x0, 1.0)


def _phrases(chars: list[Char]) -> list[TextLine]:
    ordered = sorted(chars, key=lambda c: c.x0)
    groups: list[list[Char]] = [[ordered[0]]]
    for prev, ch in zip(ordered, ordered[1:], strict=False):
        if _is_gap(prev, ch):
            groups.append([ch])
        else:
            groups[-1].append(ch)
    return [TextLine("".join(c.text for c in g), bounds(g)) for g in groups]


def _char_lines(chars: list[Char]) -> list[list[Char]]:
    """The characters of each text line: those whose middle lies within the line's height, in the given order (found
    by bisection over the middles, not by a pass over every character for each line: a region of 6,000 lines took
    half a minute)."""
    middles = [(c.top + c.bottom) / 2 for c in chars]
    order = sorted((i for i, middle in enumerate(middles) if middle == middle), key=middles.__getitem__)  # NaN is in no line
    ordered = [middles[i] for i in order]
    lines: list[list[Char]] = []
    for line in chars_to_lines(chars, gap=TOL.column_gap):
        if line.bbox.top != line.bbox.top or line.bbox.bottom != line.bbox.bottom:
            continue  # NaN: no middle lies within
        low, high = bisect.bisect_left(ordered, line.bbox.top), bisect.bisect_right(ordered, line.bbox.bottom)
        lines.append([chars[i] for i in sorted(order[low:high])])
    return [line for line in lines if line]


def _amount_tokens(chars: list[Char]) -> int:
    """How many amounts stand apart on a text line (cells, not figures inside a sentence)."""
    tokens = [p.text for p in _phrases(chars)] if chars else []
    return sum(1 for token in tokens if is_amount_text(token) and any(ch in token for ch in ".,"))


def _is_gap(prev: Char, ch: Char) -> bool:
    """Whether the space between two neighbouring characters separates cells.

    Digits are often letter-spaced (``20, 153. 75``), so between two numeric characters the gap must
    also be wider than two characters; next to a CJK character any clear gap separates.
    """
    gap = ch.x0 - prev.x1
    if prev.text in _NUMERIC and ch.text in _NUMERIC:
        return gap >= max(TOL.column_gap, TOL.digit_gap * max(prev.x1 - prev.x0, ch.x1 - ch.x0))
    return gap >= TOL.column_gap


def _column_cuts(chars: list[Char], left: float, right: float) -> list[float]:
    """Cut positions at the middles of the gaps no amount row fills, plus both edges."""
    ordered = sorted(chars, key=lambda c: c.x0)
    cuts = [left]
    last = ordered[0]
    for ch in ordered[1:]:
        if ch.x0 > last.x1 and _is_gap(last, ch):
            cuts.append((ch.x0 + last.x1) / 2)
        if ch.x1 > last.x1:
            last = ch
    cuts.append(right)
    return cuts
