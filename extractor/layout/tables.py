"""Tables: grids read as header paths, sides, code and label columns and amount cells, joined over pages.

One grid on one page becomes a :class:`TablePiece`; a piece with no title of its own at the top of a
page continues the previous page's table. Rows keep the codes and labels as printed; the domain
step (:mod:`extractor.domain.table_rows`) normalises codes, levels and parents.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from extractor.domain.amounts import is_amount_text, normalise_digits, parse_amount
from extractor.domain.table_kinds import (
    TABLE_MARK,
    TableKind,
    classify_header,
    classify_title,
    is_title,
    same_title,
    says_empty,
    table_number,
    table_unit,
)
from extractor.domain.vocabulary import TOTAL_CELL, YEAR_ALONE
from extractor.geometry import Box, union
from extractor.layout.grid import Cell, Grid, LayoutLimitError, TextLine, chars_outside, prints
from extractor.layout.settings import TOLERANCES as TOL
from extractor.layout.strategies import DEFAULT_STRATEGY, STRATEGIES
from extractor.model import Page

logger = logging.getLogger(__name__)


class Role:
    """What a column holds."""

    CODE = "code"
    LABEL = "label"
    AMOUNT = "amount"
    INDEX = "index"  # 行次 / 序号: a row number, not data
    NOTE = "note"  # 备注: remarks beside a row, not an amount


@dataclass(frozen=True)
class Column:
    """A logical column: header path as printed, role, side (0 = first block from the left) and x range."""

    path: tuple[str, ...]
    role: str
    side: int
    x0: float
    x1: float

    @property
    def name(self) -> str:
        return "/".join(self.path)


@dataclass(frozen=True)
class RawCell:
    """One non-empty cell as printed."""

    column: int
    text: str
    page: int
    bbox: Box


@dataclass(frozen=True)
class RawRow:
    """One body row of one side: code and label cells as printed, then the amount cells."""

    side: int
    codes: tuple[tuple[str, str], ...]  # (column header, text) of each code cell, left to right
    labels: tuple[tuple[str, str], ...]  # (column header, text) of each label cell
    cells: tuple[RawCell, ...]
    page: int
    bbox: Box
    indent: float | None = None  # how far the first label's text starts right of its cell's left edge


@dataclass
class Table:
    """A table as found: title, number, unit, kind, pages, columns and raw rows."""

    title: str | None
    number: str | None
    unit: str | None
    kind: TableKind
    pages: list[int]
    bboxes: list[tuple[int, Box]]
    columns: list[Column]
    rows: list[RawRow] = field(default_factory=list)
    header_rows: int = 0
    empty: bool = False
    notes: list[str] = field(default_factory=list)
    title_repeats: list[int] = field(default_factory=list)  # pages that print the title again over the continuation
    reaches_bottom: bool = False  # the last piece ends near the foot of its page (so may continue)
    says_empty: bool = False  # a caption or note says the table has no data
    first_row: tuple[str, ...] = ()  # texts of the first grid row below the captions, to recognise a repeated header


_CODE_TEXT = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
_PERCENT = re.compile(r"^[-−]?\d+(?:\.\d+)?[%％]$")
_CODE_HEADER = re.compile(r"编码|代码|编号|^类$|^款$|^项$|^科目码$")
_LABEL_HEADER = re.compile(r"^(?:项目|科目|单位|部门)?(?:名称)?$|^(?:支出|收入)?(?:项目|科目)(?:名称)?$|名称$|^类别$")
_INDEX_HEADER = re.compile(r"^(?:行次|序号|栏次|行号)$")
_NOTE_HEADER = re.compile(r"^(?:备注|说明)$")
_HEAD_ROWS = 4
_MIN_TEXT_CELLS = 2
_TEXT_TABLE_ROWS = 3
_HEADING_MAX = 40
_INDEX_FILLER = re.compile(r"^(?:栏次|行次|[甲乙丙丁]|[*＊]+|[-—]+)$")
_INDEX_NUMBER = re.compile(r"^[(（]?\d{1,2}[)）]?(?:[=+\-－][\d+\-－]+)?$")
_SPLIT_HEADER = re.compile(r"^[类款项]+$")
_DASH = re.compile(r"^[-—－–/\\]+$")


is_amount = is_amount_text


@dataclass(frozen=True)
class TableSearch:
    """The tables found on a document's pages, and the pages whose layout defeated the reader, each with why."""

    tables: list[Table]
    failures: tuple[tuple[int, str], ...] = ()


def find_tables(pages: Sequence[Page], skip: set[int], default_unit: str | None, strategy: str = DEFAULT_STRATEGY) -> TableSearch:
    """Every table on the pages not in ``skip`` (contents pages), continuations joined.

    A page whose layout defeats the reader is skipped and reported in the search's ``failures`` as (page,
    reason), so one odd page does not cost the rest of the document.
    """
    tables: list[Table] = []
    failures: list[tuple[int, str]] = []
    carried: list[TextLine] = []
    for page in pages:
        if page.number in skip or not page.chars:
            carried = []
            continue
        try:
            grids = STRATEGIES[strategy](page)
            # with no grid, the lines outside matter only as titles and table numbers, none of which a page without
            # the mark prints: its lines are not put together
            outside = _join_wrapped_titles(chars_outside(page, grids)) if grids or prints(page, TABLE_MARK) else []
            carried = _tables_on_page(page, grids, outside, tables, default_unit, carried)
        except LayoutLimitError as e:  # more rules or cells than a page is read with: named, as the page's failure
            logger.warning("page %d: tables not read (%s)", page.number, e)
            failures.append((page.number, str(e)))
            carried = []
        except (ValueError, IndexError, KeyError, ArithmeticError) as e:
            logger.warning("page %d: tables not read (%s: %s)", page.number, type(e).__name__, e)
            failures.append((page.number, f"{type(e).__name__}: {e}"))
            carried = []
    for table in tables:
        table.empty = table.empty or _without_data(table)
    return TableSearch(tables, tuple(failures))


def _without_data(table: Table) -> bool:
    """No rows; or no amount other than zero in a financial table, or in one whose note says it is empty."""
    if not table.rows:
        return True
    amounts = [parse_amount(c.text) for row in table.rows for c in row.cells]
    if any(a is not None and a.value != 0 for a in amounts):
        return False
    if table.kind.info.text_only and table.kind.info.budget_table:
        # a 绩效目标表 left a blank template: nothing but labels, no figure or target anywhere
        printed = [text for row in table.rows for _, text in row.labels + row.codes] + [c.text for row in table.rows for c in row.cells]
        texts = (re.sub(r"[（(][^）)]*[）)]", "", text) for text in printed)
        return table.says_empty or not any(re.search(r"\d", t) for t in texts)
    return not table.kind.info.text_only or table.says_empty


def _join_wrapped_titles(lines: list[TextLine]) -> list[TextLine]:
    """A title wrapped onto a second line (``…培训费支出预`` + ``算表``) is one title."""
    result: list[TextLine] = []
    for line in lines:
        if result:
            prev = result[-1]
            joined = prev.text + line.text
            close = line.bbox.top - prev.bbox.bottom < prev.bbox.height * TOL.title_wrap
            if not is_title(prev.text) and not is_title(line.text) and is_title(joined) and close:
                box = Box(min(prev.bbox.x0, line.bbox.x0), prev.bbox.top, max(prev.bbox.x1, line.bbox.x1), line.bbox.bottom)
                result[-1] = TextLine(joined, box)
                continue
        result.append(line)
    return result


def _tables_on_page(
    page: Page, grids: list[Grid], outside: list[TextLine], tables: list[Table], default_unit: str | None, carried: list[TextLine],
) -> list[TextLine]:
    """Read the page's grids into tables; return the title or number printed at the foot, which belong to the next page's table."""
    above = 0.0
    slack = TOL.caption_slack
    for index, grid in enumerate(grids):
        top = grid.ys[0]
        captions = [ln for ln in outside if above - slack <= ln.bbox.top and ln.bbox.bottom <= top + slack]
        if index == 0 and carried:
            # a title or number printed at the foot of the page before belongs to this page's first grid
            captions = [ln for ln in carried if not (is_title(ln.text) and any(is_title(c.text) for c in captions))
                        and not (_is_number_line(ln.text) and any(table_number(c.text) for c in captions))] + captions
        # titles printed above with no grid of their own are tables printed empty
        titles = [ln for ln in captions if is_title(ln.text)]
        _orphans(page, titles[:-1], captions, tables, default_unit)
        title_line = titles[-1] if titles else None
        previous = tables[-1] if tables else None
        if index == 0 and previous is not None and previous.pages[-1] == page.number - 1 and _continues(previous, grid, title_line, captions):
            if title_line is not None:
                previous.title_repeats.append(page.number)
            _continue_table(previous, grid)
        elif sum(1 for c in grid.cells if c.lines) < _MIN_TEXT_CELLS:
            # a lone boxed text (a note, a chart legend) continues a table or is none
            above = grid.ys[-1]
            continue
        else:
            tables.append(_new_table(grid, title_line, captions, default_unit))
        tables[-1].reaches_bottom = grid.ys[-1] > page.height * TOL.foot
        below_end = grids[index + 1].ys[0] if index + 1 < len(grids) else page.height
        notes = [ln for ln in outside if grid.ys[-1] - slack <= ln.bbox.top < below_end and not is_title(ln.text)]
        tables[-1].says_empty = tables[-1].says_empty or says_empty(_caption_text(captions + notes))
        above = grid.ys[-1]
    trailing = [ln for ln in outside if ln.bbox.top >= above - slack]
    titles = [ln for ln in trailing if is_title(ln.text)]
    emptied = _orphans(page, titles, trailing, tables, default_unit)
    # what stands at the foot of the page, after the last grid, for the next page's first grid
    foot = trailing[-3:]
    return [ln for ln in foot if (_is_number_line(ln.text) or (is_title(ln.text) and ln not in emptied)) and not _is_page_number(ln.text)]


def _is_page_number(text: str) -> bool:
    return bool(re.match(r"^[-—–\s]*\d{1,4}[-—–\s]*$", text))


def _is_number_line(text: str) -> bool:
    number = table_number(text)
    return bool(number) and len(normalise_digits(text)) <= len(number or "") + 2


def _orphans(page: Page, titles: list[TextLine], lines: list[TextLine], tables: list[Table], default_unit: str | None) -> list[TextLine]:
    """Titles without a grid: a table printed empty when the text under the title says so (else a cover, a list,
    or a title whose table starts on the next page). Returns the titles taken as empty tables."""
    taken = []
    for i, title in enumerate(titles):
        end = titles[i + 1].bbox.top if i + 1 < len(titles) else float("inf")
        below = [ln for ln in lines if title.bbox.top <= ln.bbox.top < end]
        if says_empty(_caption_text(below)):
            tables.append(_empty_table(page, title, below, default_unit))
            taken.append(title)
    return taken


def _continues(previous: Table, grid: Grid, title_line: TextLine | None, captions: list[TextLine]) -> bool:
    """A grid at the top of a page continues the last table when it has no title, or repeats the same title (with the
    same number, or with none)."""
    inner_rows = grid_layout(grid).captions
    inner = next((c.text for c in grid.cells if c.row in inner_rows and is_title(c.text)), None)
    raw = inner or (title_line.text if title_line else None)
    if raw is None:
        return True
    title = normalise_digits(raw)
    number = _number(raw, captions)
    # the same title, and the same number or none (a continuation often repeats the title without its 表5)
    same = same_title(title, previous.title) and (number == previous.number or number is None)
    # Under a repeated title and number: the same first row is a repeated header (a continuation when
    # the table filled the page before); the same first cell with other text beside it is a new table
    # from the same template (one 绩效目标表 per project); another first row continues the body.
    row = _first_row(grid)
    if not same:
        return False
    if row == previous.first_row:
        return previous.reaches_bottom
    return row[:1] != previous.first_row[:1]


def _first_row(grid: Grid) -> tuple[str, ...]:
    captions = grid_layout(grid).captions
    first = captions[-1] + 1 if captions else 0
    return tuple(normalise_digits(c.text) for c in grid.cells if c.row == first)


def _heading_above(captions: list[TextLine], grid: Grid) -> str | None:
    """For a grid without a table title: the short heading printed just above it (``重点项目预算绩效目标情况``)."""
    lines = [ln for ln in captions if not table_unit(ln.text) and not _is_number_line(ln.text)]
    below = grid.ys[0]
    # an introducing sentence (``…绩效目标情况如下：``) sits between the heading and the grid
    while lines and re.search(r"[:：]$", lines[-1].text.strip()) and len(lines) > 1:
        below = lines[-1].bbox.top
        lines = lines[:-1]
    if not lines:
        return None
    line = lines[-1]
    height = max(line.bbox.height, 1.0)
    text = normalise_digits(line.text)
    if below - line.bbox.bottom > height * TOL.heading_gap or not 4 <= len(text) <= _HEADING_MAX or re.search(r"[。；;，,:：]|\d+$", text):
        return None
    return line.text


def _caption_text(captions: list[TextLine]) -> str:
    return "\n".join(ln.text for ln in captions)


def _number(title: str | None, captions: list[TextLine]) -> str | None:
    if title and table_number(title):
        return table_number(title)
    for line in reversed(captions):
        if _is_number_line(line.text):
            return table_number(line.text)
    return None


def _empty_table(page: Page, title: TextLine, captions: list[TextLine], default_unit: str | None) -> Table:
    text = _caption_text(captions)
    table = Table(
        title=normalise_digits(title.text), number=_number(title.text, captions), unit=table_unit(text) or default_unit,
        kind=classify_title(title.text), pages=[page.number], bboxes=[(page.number, title.bbox)], columns=[], empty=True,
    )
    return table


def _new_table(grid: Grid, title: TextLine | None, captions: list[TextLine], default_unit: str | None) -> Table:
    layout = grid_layout(grid)
    inner = [c.text for c in grid.cells if c.row in layout.captions]
    raw_title = next((t for t in inner if is_title(t)), None) or (title.text if title else _heading_above(captions, grid))
    title_text = normalise_digits(raw_title) if raw_title else None
    text = _caption_text(captions) + "\n" + "\n".join(inner)
    columns = _columns(grid, layout)
    kind = classify_title(title_text) if title_text else classify_header(" ".join(c.text for c in grid.cells if c.row < _HEAD_ROWS))
    table = Table(
        title=title_text, number=_number(raw_title, captions), unit=table_unit(text) or default_unit,
        kind=kind, pages=[grid.page], bboxes=[(grid.page, grid.bbox)], columns=columns,
        header_rows=len(layout.header), first_row=_first_row(grid),
    )
    table.rows.extend(_rows(grid, columns, layout.body_start))
    table.says_empty = says_empty(text)
    return table


def _continue_table(table: Table, grid: Grid) -> None:
    layout = grid_layout(grid)
    if not table.columns and layout.header:
        table.columns = _columns(grid, layout)
    # The continuation's cells are matched to the table's columns by position (in _rows), so a page that
    # repeats the header and one that does not are read the same way.
    table.pages.append(grid.page)
    table.bboxes.append((grid.page, grid.bbox))
    rows = _rows(grid, table.columns, layout.body_start)
    if rows and _repeats_a_total(rows[0], table.rows):
        # 佛山's 表5 prints its 合计 row again under the repeated header of its second page: one total, not two
        table.notes.append(f"p{grid.page}: the total row printed again over the continuation; read once")
        rows = rows[1:]
    table.rows.extend(rows)


def _repeats_a_total(row: RawRow, earlier: list[RawRow]) -> bool:
    """A continuation's first row that is a total row already read, with the same label and the same figures."""
    labels = [text for _, text in row.labels if text.strip()]
    if not labels or not TOTAL_CELL.match(normalise_digits(labels[0]).replace(" ", "")):
        return False
    printed = tuple(c.text for c in row.cells)
    return any(r.side == row.side and r.labels == row.labels and tuple(c.text for c in r.cells) == printed for r in earlier)


@dataclass(frozen=True)
class GridLayout:
    """Which rows of a grid are captions (title, unit), header, and where the body starts."""

    captions: tuple[int, ...]
    header: tuple[int, ...]
    body_start: int


def grid_layout(grid: Grid) -> GridLayout:
    """Captions, header rows (multi-row headers included) and the first body row: the first row holding an amount."""
    cached: GridLayout | None = grid.__dict__.get("_layout")
    if cached is not None:
        return cached
    captions: list[int] = []
    header: list[int] = []
    content = 0
    body_start = grid.n_rows
    for r in range(grid.n_rows):
        cells = [c for c in grid.cells if c.row == r]
        texts = [normalise_digits(c.text) for c in cells]
        if _is_body_row(texts):
            body_start = r
            break
        if not header and _is_caption_row(cells, texts, grid.n_cols):
            captions.append(r)
            continue
        if _is_index_row(texts):
            continue
        header.append(r)
        content += any(t and not TOTAL_CELL.match(t) for t in texts)
    if body_start == grid.n_rows and content > _TEXT_TABLE_ROWS + 1:
        # No amount anywhere and many rows of text: a text table (a list of units, a 绩效目标表) with
        # its header in the first row. Few rows: an empty financial table, all header.
        header, body_start = header[:1], header[1]
    layout = GridLayout(tuple(captions), tuple(header), body_start)
    object.__setattr__(grid, "_layout", layout)
    return layout


def _is_caption_row(cells: list[Cell], texts: list[str], n_cols: int) -> bool:
    """A title, unit or 单位名称 line printed inside the grid's frame."""
    if len(cells) == 1 and cells[0].col_span == n_cols:
        return True
    joined = "".join(texts)
    return bool(re.search(r"单位\s*[:：]", joined)) or any(is_title(t) for t in texts)


def _is_body_row(texts: list[str]) -> bool:
    return any(is_amount(t) and not YEAR_ALONE.match(t) for t in texts if t) and not _is_index_row(texts)


def _is_index_row(texts: list[str]) -> bool:
    """A row of column numbers (``栏次 1 2 3 …``, ``** 1 2 3``, ``甲 乙 1 2=3+4``), not whole-number amounts.

    It is one when a 栏次/行次/甲/乙/** cell marks it, or when its numbers run 1, 2, 3 … in order.
    """
    values = [t for t in texts if t]
    numbers = [t for t in values if _INDEX_NUMBER.match(t)]
    if not numbers or len(numbers) + sum(1 for t in values if _INDEX_FILLER.match(t)) != len(values):
        return False
    if len(numbers) < len(values):
        return True
    leading = [int(re.match(r"\d+", t.strip("()（）")).group()) for t in numbers]  # type: ignore[union-attr]
    return len(leading) >= 2 and leading == list(range(leading[0], leading[0] + len(leading)))


def _columns(grid: Grid, layout: GridLayout) -> list[Column]:
    """Logical columns: neighbouring atom columns under the same header cells are one column."""
    groups: list[tuple[tuple[int, ...], list[int]]] = []
    for c in range(grid.n_cols):
        ids = tuple(id(grid.cell_at(r, c)) for r in layout.header)
        if groups and layout.header and groups[-1][0] == ids:
            groups[-1][1].append(c)
        else:
            groups.append((ids, [c]))
    columns = []
    for _, atoms in groups:
        path: list[str] = []
        seen: set[int] = set()
        for r in layout.header:
            cell = grid.cell_at(r, atoms[0])
            if cell is None or id(cell) in seen:
                continue
            seen.add(id(cell))
            text = normalise_digits(cell.text)
            if text and not _DASH.match(text):
                path.append(text)
        columns.append(Column(tuple(path), "", 0, grid.xs[atoms[0]], grid.xs[atoms[-1] + 1]))
    return _assign_roles(grid, columns, layout.body_start)


def _column_texts(grid: Grid, column: Column, body_start: int) -> list[str]:
    texts = []
    for cell in grid.cells:
        if cell.row >= body_start and column.x0 - TOL.column_slack <= (cell.bbox.x0 + TOL.cell_nudge) < column.x1 - TOL.column_slack:
            text = normalise_digits(cell.text)
            if text and not _DASH.match(text):
                texts.append(text)
    return texts


def _header_role(path: tuple[str, ...]) -> str:
    """The role of a column with no body text (an empty table), from its header alone. The 合计 row of an empty table
    reads as the last header row (科目编码/合计), so every part of the path counts, not only the last."""
    if any(_CODE_HEADER.search(part) for part in path):
        return Role.CODE
    if any(_LABEL_HEADER.search(part) or "科目" in part for part in path):
        return Role.LABEL
    return Role.AMOUNT


def _assign_roles(grid: Grid, columns: list[Column], body_start: int) -> list[Column]:
    roles = []
    for column in columns:
        leaf = column.path[-1] if column.path else ""
        texts = _column_texts(grid, column, body_start)
        amounts = sum(1 for t in texts if is_amount(t) or _PERCENT.match(t))
        if _INDEX_HEADER.match(leaf):
            role = Role.INDEX
        elif _NOTE_HEADER.match(leaf):
            role = Role.NOTE
        elif _CODE_HEADER.search(leaf) or _looks_like_codes(texts):
            role = Role.CODE
        elif texts:
            role = Role.AMOUNT if amounts >= TOL.amount_share * len(texts) else Role.LABEL
        else:
            role = _header_role(column.path)
        roles.append(role)
    # a new side starts at a code or label column that follows an amount column
    side, seen_amount, result = 0, False, []
    for column, role in zip(columns, roles, strict=True):
        if role in (Role.CODE, Role.LABEL) and seen_amount:
            side, seen_amount = side + 1, False
        seen_amount = seen_amount or role == Role.AMOUNT
        result.append(replace(column, role=role, side=side))
    return _distinct_side_paths(result)


def _distinct_side_paths(columns: list[Column]) -> list[Column]:
    """Where two sides print the same amount header (西安: `支出/预算数` three times), the side's label header tells them apart."""
    sides_by_path: dict[tuple[str, ...], set[int]] = {}
    for column in columns:
        if column.role == Role.AMOUNT:
            sides_by_path.setdefault(column.path, set()).add(column.side)
    labels = {c.side: c.path[-1] for c in reversed(columns) if c.role == Role.LABEL and c.path}  # each side's first
    result = []
    for column in columns:
        if column.role == Role.AMOUNT and column.path and len(sides_by_path[column.path]) > 1:
            label = next((c for c in columns if c.side == column.side and c.role == Role.LABEL and c.path), None)
            # only a label header that differs between the sides tells them apart (上海: 科目名称 | 决算数 on both sides
            # says nothing of either: the side is the side)
            distinct = len({labels.get(side) for side in sides_by_path[column.path]}) > 1
            if label is not None and distinct and label.path[-1] not in column.path:
                column = replace(column, path=column.path[:-1] + (label.path[-1], column.path[-1]))
        result.append(column)
    return result


def _looks_like_codes(texts: list[str]) -> bool:
    """A column of 3/5/7-digit numbers where some extend others (201, 20103, 2010301): codes, not whole-yuan amounts."""
    if len(texts) < 2 or not all(_CODE_TEXT.match(t) for t in texts):
        return False
    values = set(texts)
    return any(a != b and b.startswith(a) for a in values for b in values)


def _map_columns(grid: Grid, columns: list[Column]) -> dict[int, int]:
    """Atom column of the grid -> index of the table's column with the widest overlap."""
    mapping = {}
    for c in range(grid.n_cols):
        x0, x1 = grid.xs[c], grid.xs[c + 1]
        best, best_overlap = -1, 0.0
        for i, column in enumerate(columns):
            overlap = min(x1, column.x1) - max(x0, column.x0)
            if overlap > best_overlap:
                best, best_overlap = i, overlap
        if best >= 0:
            mapping[c] = best
    return mapping


def _rows(grid: Grid, columns: list[Column], body_start: int) -> list[RawRow]:
    mapping = _map_columns(grid, columns)
    rows: list[RawRow] = []
    by_row: dict[int, list[Cell]] = {}
    for cell in grid.cells:  # in the grid's order, row by row
        by_row.setdefault(cell.row, []).append(cell)
    for r in range(body_start, grid.n_rows):
        starting = by_row.get(r)
        if not starting:
            continue
        by_column: dict[int, list[Cell]] = {}
        for cell in starting:
            index = mapping.get(cell.col)
            if index is not None:
                by_column.setdefault(index, []).append(cell)
        rows.extend(_side_rows(grid, columns, by_column, r))
    return rows


def _side_rows(grid: Grid, columns: list[Column], by_column: dict[int, list[Cell]], r: int) -> list[RawRow]:
    rows = []
    for side in sorted({c.side for c in columns}):
        codes, labels, cells = [], [], []
        boxes: list[Box] = []
        indent: float | None = None
        for index, column in enumerate(columns):
            if column.side != side or column.role == Role.INDEX:
                continue
            found = by_column.get(index, [])
            text = "".join(normalise_digits(c.text) for c in found)
            if column.role == Role.CODE and _SPLIT_HEADER.match(text):
                continue  # the 类/款/项 sub-header printed in the first body row
            if not text or _DASH.match(text):
                continue
            boxes.extend(c.bbox for c in found)
            if column.role == Role.CODE and re.search(r"\d", text):
                codes.append((column.name, text))
            elif column.role == Role.CODE:
                labels.append((column.name, "".join(c.text for c in found).strip()))
            elif column.role == Role.LABEL:
                if not labels and found[0].lines:
                    indent = round(found[0].lines[0].bbox.x0 - found[0].bbox.x0, 1)
                labels.append((column.name, "".join(c.text for c in found).strip()))
            else:
                box = found[0].bbox if len(found) == 1 else union([c.bbox for c in found])
                cells.append(RawCell(index, text, grid.page, box))
        if not (codes or labels or cells):
            continue
        rows.append(RawRow(side, tuple(codes), tuple(labels), tuple(cells), grid.page, union(boxes), indent))
    return _merge_label_only_sides(rows)


def _merge_label_only_sides(rows: list[RawRow]) -> list[RawRow]:
    """A label merged across blocks (江苏 `支出合计` spanning two blocks) belongs to the block holding its amount."""
    result: list[RawRow] = []
    for row in rows:
        if result and not row.labels and not row.codes and row.cells and result[-1].labels and not result[-1].cells:
            prev = result.pop()
            row = replace(row, labels=prev.labels, codes=prev.codes)
        result.append(row)
    return result
