"""Output records: immutable, mirroring ``schemas/extract.schema.json`` field for field; a document as plain data
and back, and a table as a pandas DataFrame.

Records stand below every stage that makes or reads them and import none of them: a document draws its pages
through the origin it was given (see :class:`PageOrigin`).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from extractor.domain.amounts import decimal_scale
from extractor.errors import SettingsError
from extractor.model import BBox

if TYPE_CHECKING:
    import pandas

SCHEMA_VERSION = "1.1.0"


@dataclass(frozen=True)
class Provenance:
    page: int
    bbox: BBox


@dataclass(frozen=True)
class EvidenceRecord:
    quote: str
    page: int


@dataclass(frozen=True)
class DocumentInfo:
    department: str | None
    region: str | None
    government_level: str | None
    fiscal_year: int | None
    report_kind: str | None
    document_type: str
    entity: str | None
    scope: str | None
    unit: str | None
    title: str | None
    evidence: dict[str, EvidenceRecord]
    published: str | None = None  # the publication date a web page prints, YYYY-MM-DD
    region_code: str | None = None  # the region's 行政区划代码 (GB/T 2260)

    @property
    def report_scope(self) -> str | None:
        """What the report covers, as its title says: 部门 or 单位, then 本级 or 汇总 where printed (部门, 部门本级,
        单位本级). A 部门 and a 单位 report of one department, or its 本级 and 汇总, are different figures."""
        return ((self.entity or "") + (self.scope or "")) or None


@dataclass(frozen=True)
class SourceInfo:
    file: str
    sha256: str
    size_bytes: int
    format: str
    reader: str
    pages: int
    ocr_pages: tuple[int, ...] = ()  # pages whose text was recognised from their image


@dataclass(frozen=True)
class SectionRecord:
    key: str
    number: str
    title: str
    level: int
    page: int
    bbox: BBox
    parent: int | None


@dataclass(frozen=True)
class FactRecord:
    key: str
    value: str
    unit: str
    scope: str | None
    quote: str
    page: int
    bbox: BBox
    section: str | None
    prior_value: str | None = None
    change: str | None = None
    change_direction: str | None = None
    budget_value: str | None = None
    confidence: float | None = None  # OCR pages: the lowest recognition confidence of the figure's characters


@dataclass(frozen=True)
class LineItemRecord:
    class_name: str
    segment_name: str | None
    item_name: str | None
    code: str | None
    code_source: str | None
    level: str
    value: str
    unit: str
    purpose: str | None
    quote: str
    page: int
    bbox: BBox
    confidence: float | None = None


@dataclass(frozen=True)
class CellRecord:
    """One non-empty amount cell: header path as printed, canonical key, text and exact value."""

    column: str
    key: str
    text: str
    value: str | None
    page: int
    bbox: BBox
    confidence: float | None = None  # OCR pages: the lowest recognition confidence of the cell's characters
    measure: str | None = None  # the column model of the cell's column (see ColumnRecord)
    year: int | None = None
    component: str | None = None


@dataclass(frozen=True)
class RowRecord:
    """One table row of one side: code (部门经济分类 where two are printed), level, parent, label, cells."""

    side: int
    code: str | None
    code2: str | None
    level: str | None
    parent: str | None
    label: str
    label_normalised: str
    total: bool
    subitem: bool
    depth: int
    parent_row: int | None
    page: int
    bbox: BBox
    cells: tuple[CellRecord, ...]
    budget_unit: str | None = None  # the 预算单位 the row belongs to, in a table of rows per unit; None: the department's
    code_source: str | None = None  # printed, or inferred from the row's name and its place (a table printing names only)
    label2: str | None = None  # the name printed beside code2 (the 政府经济分类 name where a row prints both)


@dataclass(frozen=True)
class ColumnRecord:
    """A column: its printed header path and role; for an amount column its place in the column model (what it
    measures, for which fiscal year, of what), or ``status='unmapped'`` when the header says nothing the vocabulary
    knows. ``key`` is the older word-by-word key of the printed path."""

    path: str
    key: str
    role: str
    side: int
    measure: str | None = None
    year: int | None = None
    component: str | None = None
    status: str | None = None  # amount columns: mapped / unmapped


@dataclass(frozen=True)
class PlacementRecord:
    page: int
    bbox: BBox


@dataclass(frozen=True)
class TableRecord:
    """One table, joined over the pages it runs on."""

    kind: str
    title: str | None
    number: str | None
    unit: str | None
    pages: tuple[int, ...]
    placements: tuple[PlacementRecord, ...]
    empty: bool
    columns: tuple[ColumnRecord, ...]
    rows: tuple[RowRecord, ...]
    notes: tuple[str, ...] = ()
    verified: bool | None = None  # every comparison touching its cells holds (True), one is a mismatch (False), none (None)
    failed_checks: tuple[str, ...] = ()  # the rules of those mismatches
    # the classification its rows are coded by: function (支出功能分类), economic (部门预算支出经济分类), economic_gov
    # (政府预算支出经济分类), or None for a table of named rows
    classification: str | None = None

    def to_pandas(self, by: str = "path") -> Any:
        """The table as a pandas DataFrame: one row per table row (side, code, level, parent, label, total, subitem,
        budget_unit, page), one column per amount column named by its printed path (``by="model"``: by its measure,
        year and component, ``budget 2026 personnel``), amounts exact as ``decimal128[pyarrow]`` in the table's unit
        (``frame.attrs`` holds kind, title, unit, pages, verified and each column's model)."""
        return _table_frame(self, by)


@dataclass(frozen=True)
class CheckEvidenceRecord:
    label: str
    value: str
    unit: str | None
    page: int | None
    bbox: BBox | None
    file: str | None


@dataclass(frozen=True)
class CheckRecord:
    """One finding of a consistency rule that is not plainly ok (rounding, mismatch or info)."""

    rule: str
    severity: str
    status: str
    description_zh: str
    description_en: str
    message: str
    expected: str | None
    actual: str | None
    difference: str | None
    tolerance: str | None
    evidence: tuple[CheckEvidenceRecord, ...]


@dataclass(frozen=True)
class AttachmentRecord:
    href: str
    text: str


@dataclass(frozen=True)
class WarningRecord:
    code: str
    message: str
    page: int | None = None


class PageOrigin(Protocol):
    """Where a document's pages came from, able to draw one with what was found over it: the extraction gives a
    document :class:`extractor.export.origin.FileOrigin` (its file's path or bytes)."""

    def show(self, doc: Document, page: int, scale: float, password: str | None) -> Any:
        """Page ``page`` of the document's file with ``doc``'s findings drawn over it (a PIL image)."""
        ...


@dataclass(frozen=True)
class Document:
    """Everything extracted from one disclosure; ``origin``, where its pages came from, is not part of what it says
    (not in its JSON, not compared)."""

    schema_version: str
    tool: dict[str, str]
    options: dict[str, Any]
    source: SourceInfo
    document: DocumentInfo
    sections: tuple[SectionRecord, ...]
    facts: tuple[FactRecord, ...]
    line_items: tuple[LineItemRecord, ...]
    tables: tuple[TableRecord, ...] = ()
    checks: tuple[CheckRecord, ...] = ()
    check_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    attachments: tuple[AttachmentRecord, ...] = ()
    warnings: tuple[WarningRecord, ...] = field(default_factory=tuple)
    origin: PageOrigin | None = field(default=None, compare=False, repr=False)  # None: read back from its JSON

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: Decimals are already strings, tuples become lists; the origin is left out."""
        data: dict[str, Any] = _plain(dataclasses.asdict(dataclasses.replace(self, origin=None)))
        del data["origin"]
        return data

    def show(self, page: int, scale: float = 1.5, password: str | None = None) -> Any:
        """Page ``page`` with what was found drawn over it and a legend, as a PIL image (a notebook shows it):
        the PDF page as printed, or the virtual page of a web page, workbook or Word file."""
        if self.origin is None:
            raise SettingsError("this document was read back from its JSON: draw it with extractor.export.overlay.show(path, doc, page)")
        return self.origin.show(self, page, scale, password)


def plain_record(record: Any) -> Any:
    """A record (a frozen dataclass) as plain JSON-ready data, as ``Document.to_dict`` gives it."""
    return _plain(dataclasses.asdict(record))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, enum.Enum):
        return value.value
    return value


def document_from_dict(data: dict[str, Any]) -> Document:
    """A :class:`Document` back from its JSON (what ``Document.to_dict`` gave), for checking saved results."""
    return record_from_dict(Document, data)


R = typing.TypeVar("R")


def record_from_dict(kind: type[R], data: dict[str, Any]) -> R:
    """A record of class ``kind`` back from its part of a document's JSON (``record_from_dict(DocumentInfo,
    data["document"])``); keys the record does not have are passed over."""
    return _build(kind, data)  # type: ignore[no-any-return]


@functools.cache
def _fields(kind: type) -> tuple[dict[str, Any], frozenset[str]]:
    """A record class's field types and names, worked out once (``get_type_hints`` evaluates every annotation anew:
    it was nine tenths of reading a saved result back)."""
    return typing.get_type_hints(kind), frozenset(f.name for f in dataclasses.fields(kind))


def _build(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if value is None:
        return None
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints, known = _fields(kind)
        return kind(**{name: _build(hints[name], v) for name, v in value.items() if name in known})
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _build(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in value)
        return tuple(_build(a, v) for a, v in zip(args, value, strict=False))
    if origin is dict:
        _, item = typing.get_args(kind)
        return {k: _build(item, v) for k, v in value.items()}
    return value


# --- a table as a pandas DataFrame ------------------------------------------------------------------------------

# the row fields every frame starts with, before one column per amount column
_ROW_FIELDS = ("side", "code", "level", "parent", "label", "total", "subitem", "budget_unit", "page")


def _amount_dtype(values: Sequence[Decimal | None]) -> Any:
    """``decimal128(38, s)[pyarrow]`` with the scale the values' printed digits need."""
    import pandas as pd
    import pyarrow as pa

    return pd.ArrowDtype(pa.decimal128(38, decimal_scale(values)))


def _column_names(table: TableRecord, by: str) -> list[str]:
    """A name per amount column: its printed path, or its model (``budget 2026 personnel``); a name given twice
    (合计 printed once per group) gets the model, then its position, to stay apart."""
    amounts = [c for c in table.columns if c.role == "amount"]
    names = [f"{c.measure} {c.year} {c.component}" if by == "model" and c.status == "mapped" else c.path for c in amounts]
    for i, (name, column) in enumerate(zip(names, amounts, strict=True)):
        if names.count(name) > 1 and column.status == "mapped" and by != "model":
            names[i] = f"{name} ({column.measure} {column.year} {column.component})"
    return [name if names.count(name) == 1 else f"{name} #{i}" for i, name in enumerate(names)]


def _table_frame(table: TableRecord, by: str = "path") -> pandas.DataFrame:
    """One row per table row (side, code, level, parent, label, total, subitem, budget_unit, page) and one column per
    amount column, amounts exact in the table's unit (``frame.attrs['unit']``); a cell that prints no amount is <NA>."""
    import pandas as pd

    amounts = [c for c in table.columns if c.role == "amount"]
    names = _column_names(table, by)
    index: dict[tuple[int, str], list[int]] = {(c.side, c.path): [] for c in amounts}
    for position, column in enumerate(amounts):
        index[(column.side, column.path)].append(position)
    data: dict[str, list[Any]] = {name: [] for name in _ROW_FIELDS}
    values: list[list[Decimal | None]] = [[] for _ in amounts]
    for row in table.rows:
        for name in _ROW_FIELDS:
            data[name].append(getattr(row, name))
        found: dict[int, Decimal | None] = {}
        for cell in row.cells:
            positions = index.get((row.side, cell.column), [])
            # a path printed once per group: the cell's own model tells which of its columns it is
            model = (cell.measure, cell.year, cell.component)
            chosen = next((p for p in positions if (amounts[p].measure, amounts[p].year, amounts[p].component) == model),
                          positions[0] if positions else None)
            if chosen is not None and cell.value is not None:
                found[chosen] = Decimal(cell.value)
        for position, column_values in enumerate(values):
            column_values.append(found.get(position))
    frame = pd.DataFrame({
        **{name: pd.array(data[name], dtype=_ROW_DTYPES[name]) for name in _ROW_FIELDS},
        **{name: pd.array(column_values, dtype=_amount_dtype(column_values)) for name, column_values in zip(names, values, strict=True)},
    })
    frame.attrs.update(kind=table.kind, title=table.title, number=table.number, unit=table.unit, pages=list(table.pages),
                       verified=table.verified, columns={name: {"path": c.path, "measure": c.measure, "year": c.year,
                                                                "component": c.component} for name, c in zip(names, amounts, strict=True)})
    return frame


_ROW_DTYPES = {"side": "Int64", "code": "string", "level": "string", "parent": "string", "label": "string", "total": "boolean",
               "subitem": "boolean", "budget_unit": "string", "page": "Int64"}
