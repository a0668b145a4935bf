"""The grid reader's line grouping: a grid's cells grouped as arrays in one pass read the same lines as each cell's
characters grouped one at a time, and a whole page's cells come out the same either way."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.layout import grid
from extractor.model import Char, char_boxes
from extractor.readers.pdf import read_pdf
from tests.conftest import CORPUS

# characters on a small patch, so that lines touch, overlap and share lefts: boxes in hundredths, as the readers print
_coordinate = st.integers(min_value=0, max_value=4000).map(lambda v: v / 100)
_char = st.builds(
    lambda text, x, y, width, height: Char(text, x, y, round(x + width, 2), round(y + height, 2)),
    st.sampled_from("一二三4.5,6 （"), _coordinate, _coordinate,
    st.integers(min_value=0, max_value=1200).map(lambda v: v / 100), st.integers(min_value=0, max_value=1200).map(lambda v: v / 100),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_char, st.integers(min_value=0, max_value=3)), max_size=60), st.sampled_from([None, 4.0]))
def test_cells_grouped_at_once_read_as_each_cell_alone(placed: list[tuple[Char, int]], gap: float | None) -> None:
    chars = [c for c, _ in placed]
    groups = np.array([g for _, g in placed], dtype=np.int64)
    at_once = grid._grouped_lines(char_boxes(chars), [c.text for c in chars], groups, gap)
    alone = {g: grid._chars_to_lines([c for c, cg in placed if cg == g], gap) for g in sorted(set(groups.tolist()))}
    assert at_once == alone
    # a PDF page's characters, one code point each, put together as code points (issue 31): the same lines
    assert grid._grouped_lines(char_boxes(chars), "".join(c.text for c in chars), groups, gap) == alone


def test_a_pages_cells_read_the_same_as_one_at_a_time() -> None:
    """A page of a real 一般公共预算支出表: every cell's lines equal its characters grouped one at a time."""
    pages = read_pdf((CORPUS / "renwu" / "YT_zfbgs_2026_部门预算.pdf").read_bytes(), ocr_mode="never")
    page = next(p for p in pages if len(grid.find_grids(p)) == 1 and len(p.chars) > 800)
    (found,) = grid.find_grids(page)
    assert sum(1 for cell in found.cells if cell.lines) > 50
    for cell in found.cells:
        x0, top, x1, bottom = cell.bbox
        middle = [c for c in page.chars if x0 <= (c.x0 + c.x1) / 2 <= x1 and top <= (c.top + c.bottom) / 2 <= bottom]
        if cell.row_span == cell.col_span == 1:  # a merged cell's characters are those of its atoms
            assert list(cell.lines) == grid._chars_to_lines(middle, None)


def _atoms_one_by_one(xs: list[float], ys: list[float], at_x: list, at_y: list) -> set[frozenset[int]]:
    """The cells as atoms, each pair of neighbours asked on its own whether a rule divides them (the rule written out
    a band at a time, as the grid reader did before it asked a whole cut at once)."""
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    def covered(lines: list, at: float, half: float) -> bool:
        slack = min(grid._REACH, half * grid.TOL.reach_share)
        return any(ln.start - slack <= at <= ln.end + slack for ln in lines)

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not covered(at_x[c + 1], (ys[r] + ys[r + 1]) / 2, (ys[r + 1] - ys[r]) / 2):
                parent[find(r * n_cols + c + 1)] = find(r * n_cols + c)
            if r + 1 < n_rows and not covered(at_y[r + 1], (xs[c] + xs[c + 1]) / 2, (xs[c + 1] - xs[c]) / 2):
                parent[find((r + 1) * n_cols + c)] = find(r * n_cols + c)
    cells: dict[int, set[int]] = {}
    for atom in range(n_rows * n_cols):
        cells.setdefault(find(atom), set()).add(atom)
    return {frozenset(atoms) for atoms in cells.values()}


def test_merged_cells_found_a_cut_at_a_time_are_those_found_atom_by_atom() -> None:
    """Which atoms make one cell, worked out a whole cut at a time (_merged_atoms), is what asking each pair of
    neighbours gives: on every ruled grid of a document with merged header cells over several rows and columns."""
    pages = read_pdf((CORPUS / "renwu" / "YT_zfbgs_2026_部门预算.pdf").read_bytes(), ocr_mode="never")
    merged_cells = 0
    for page in pages:
        horizontal, vertical = grid._page_lines(page)
        for hs, vs in grid._components(horizontal, vertical):
            xs, ys = grid._cuts(hs, vs)
            at_x, at_y = grid._at_cuts(vs, xs), grid._at_cuts(hs, ys)
            label, merged = grid._merged_atoms(xs, ys, at_x, at_y)
            found: dict[int, set[int]] = {}
            for atom, first in enumerate(label.tolist()):
                found.setdefault(first, set()).add(atom)
            assert {frozenset(atoms) for atoms in found.values()} == _atoms_one_by_one(xs, ys, at_x, at_y)
            assert all(min(atoms) == first for first, atoms in found.items())
            merged_cells += len(merged)
    assert merged_cells > 20
