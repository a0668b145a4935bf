"""A page laid out from structure rather than printed: the readers of HTML, Excel and Word know paragraphs and
table cells (with their row and column spans) but not where they would be printed. They place them here on a
virtual page — lines one under another, tables as ruled grids with each cell's text inside its box — so the same
table finder, sections, facts and checks read them as they read a PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from extractor.errors import CorruptInputError
from extractor.geometry import Box
from extractor.model import Char, Line, Page, Rule

WIDTH = 1200.0
_LINE = 18.0  # line pitch in points
MAX_TABLES = 10_000  # tables of one web page or Word document (a disclosure prints tens; the corpus at most a few hundred)
_CHAR = 10.0  # every character 10 points wide: only the order and the cell a character falls in matter
_PAD = 4.0
_MAX_CELL = 36  # characters on one line of a cell before it wraps
MAX_SPAN = 64  # a cell spans at most this many columns (a real table's widest heading spans a few dozen)
MAX_COLUMNS = 512  # and a table has at most this many: past it the input is not a table but an attack or a fault


@dataclass(frozen=True)
class CellSpec:
    """One table cell as the source gives it: text and spans (``rowspan``/``colspan``, merged Excel cells)."""

    text: str
    rows: int = 1
    cols: int = 1


@dataclass
class VirtualPage:
    """Builds one page: add lines and tables in reading order, then :meth:`page`."""

    number: int = 1
    y: float = _LINE
    lines: list[Line] = field(default_factory=list)
    chars: list[Char] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    tables: int = 0

    def add_line(self, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        for chunk in _wrap(text, int((WIDTH - 2 * _PAD) / _CHAR)):
            self.chars.extend(_place(chunk, _PAD, self.y))
            self.lines.append(Line(chunk, Box(_PAD, self.y, _PAD + len(chunk) * _CHAR, self.y + _LINE - 4)))
            self.y += _LINE

    def add_table(self, rows: Sequence[Sequence[CellSpec]]) -> None:
        """A table from rows of cells with spans, expanded into a grid and drawn with every rule.

        Leading rows that are a title or labels (one text, or only ``label：value`` texts such as
        ``部门名称：…  单位：万元``) are lines above the table, as they are printed.
        """
        self.tables += 1
        if self.tables > MAX_TABLES:  # each becomes a grid the table reader reads: 100,000 one-cell tables ran past 100 s
            raise CorruptInputError(f"more than {MAX_TABLES:,} tables in one document, more than a disclosure prints")
        rows = [row for row in rows if any(cell.text for cell in row)]
        while rows and is_caption(rows[0]):
            self.add_line(" ".join(cell.text for cell in rows[0] if cell.text))
            rows = rows[1:]
        grid = expand(rows)
        if not grid or not grid[0]:
            return
        n_rows, n_cols = len(grid), max(len(r) for r in grid)
        widths = [_PAD * 2 + _CHAR * max([1] + [min(len(_text(grid, r, c)), _MAX_CELL) for r in range(n_rows)
                                                if _single_column(grid, r, c)]) for c in range(n_cols)]
        heights = [max([_LINE] + [_LINE * len(_wrap(_text(grid, r, c), _MAX_CELL)) for c in range(n_cols)
                                  if _single_row(grid, r, c)]) + 2 for r in range(n_rows)]
        xs = [_PAD]
        for w in widths:
            xs.append(xs[-1] + w)
        ys = [self.y + 4]
        for h in heights:
            ys.append(ys[-1] + h)
        drawn: set[int] = set()
        for r in range(n_rows):
            for c in range(len(grid[r])):
                slot = grid[r][c]
                if slot is None or id(slot) in drawn:
                    continue
                drawn.add(id(slot))
                r1, c1 = _extent(grid, r, c)
                self._cell(slot[0].text, xs[c], ys[r], xs[c1 + 1], ys[r1 + 1])
        self.y = ys[-1] + _LINE

    def _cell(self, text: str, x0: float, top: float, x1: float, bottom: float) -> None:
        self.rules.extend([Rule(x0, top, x1, top), Rule(x0, bottom, x1, bottom), Rule(x0, top, x0, bottom), Rule(x1, top, x1, bottom)])
        width = max(int((x1 - x0 - 2 * _PAD) / _CHAR), 1)
        y = top + 2
        for chunk in _wrap(" ".join(text.split()), width):
            self.chars.extend(_place(chunk, x0 + _PAD, y))
            y += _LINE

    def page(self) -> Page:
        return Page(number=self.number, width=WIDTH, height=self.y + _LINE, lines=tuple(self.lines), chars=tuple(self.chars), rules=tuple(self.rules),
                    laid_out=True)


def is_caption(row: Sequence[CellSpec]) -> bool:
    """A title or label row above a table: one text, or only ``label：value`` texts."""
    texts = [c.text for c in row if c.text]
    return len(texts) <= 1 or all(":" in t or "：" in t for t in texts)


Slot = tuple[CellSpec, int, int]  # the cell and the row and column where it starts


def expand(rows: Sequence[Sequence[CellSpec]]) -> list[list[Slot | None]]:
    """Rows of cells with spans as a rectangular grid: every position points to the cell covering it.

    A row span ends with the table (as HTML's does) and a column span at :data:`MAX_SPAN`; a grid wider than
    :data:`MAX_COLUMNS` is refused. So the work stays in proportion to the cells the source really has.
    """
    grid: list[list[Slot | None]] = []
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for cell in row:
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            down, across = min(max(cell.rows, 1), len(rows) - r), min(max(cell.cols, 1), MAX_SPAN)
            if c + across > MAX_COLUMNS:
                raise CorruptInputError(f"a table wider than {MAX_COLUMNS} columns: not read")
            slot = (cell, r, c)
            for dr in range(down):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                while len(target) < c + across:
                    target.append(None)
                for dc in range(across):
                    target[c + dc] = slot
            c += across
    width = max((len(line) for line in grid), default=0)
    for line in grid:
        line.extend([None] * (width - len(line)))
    return grid


def _extent(grid: list[list[Slot | None]], r: int, c: int) -> tuple[int, int]:
    slot = grid[r][c]
    r1, c1 = r, c
    while r1 + 1 < len(grid) and grid[r1 + 1][c] is slot:
        r1 += 1
    while c1 + 1 < len(grid[r]) and grid[r][c1 + 1] is slot:
        c1 += 1
    return r1, c1


def _text(grid: list[list[Slot | None]], r: int, c: int) -> str:
    slot = grid[r][c]
    return slot[0].text if slot is not None and slot[1] == r and slot[2] == c else ""


def _single_column(grid: list[list[Slot | None]], r: int, c: int) -> bool:
    slot = grid[r][c]
    return slot is not None and _extent(grid, slot[1], slot[2])[1] == slot[2]


def _single_row(grid: list[list[Slot | None]], r: int, c: int) -> bool:
    slot = grid[r][c]
    return slot is not None and _extent(grid, slot[1], slot[2])[0] == slot[1]


def _wrap(text: str, width: int) -> list[str]:
    if not text:
        return []
    return [text[i : i + width] for i in range(0, len(text), width)]


def _place(text: str, x: float, y: float) -> list[Char]:
    return [Char(ch, x + i * _CHAR, y, x + (i + 1) * _CHAR - 1, y + _CHAR) for i, ch in enumerate(text) if not ch.isspace()]
