"""Output records: immutable, mirroring ``schemas/extract.schema.json`` field for field."""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from extractor.model import BBox

SCHEMA_VERSION = "1.0.0"


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

    def to_pandas(self, by: str = "path") -> Any:
        """The table as a pandas DataFrame: one row per table row (side, code, level, parent, label, total, subitem,
        budget_unit, page), one column per amount column named by its printed path (``by="model"``: by its measure,
        year and component, ``budget 2026 personnel``), amounts exact as ``decimal128[pyarrow]`` in the table's unit
        (``frame.attrs`` holds kind, title, unit, pages, verified and each column's model)."""
        from extractor.export.frames import table_frame

        return table_frame(self, by)


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


@dataclass(frozen=True)
class Document:
    """Everything extracted from one disclosure."""

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

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: Decimals are already strings, tuples become lists."""
        return _plain(dataclasses.asdict(self))

    def show(self, page: int, scale: float = 1.5, password: str | None = None) -> Any:
        """Page ``page`` with what was found drawn over it and a legend, as a PIL image (a notebook shows it):
        the PDF page as printed, or the virtual page of a web page, workbook or Word file."""
        from extractor.errors import SettingsError
        from extractor.export.overlay import show

        origin = getattr(self, "_origin", None)
        if origin is None:
            raise SettingsError("this document was read back from its JSON: draw it with extractor.export.overlay.show(path, doc, page)")
        return show(origin, self, page, scale, password)


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
    return _build(Document, data)  # type: ignore[no-any-return]


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
