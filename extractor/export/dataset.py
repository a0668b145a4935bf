"""The tidy dataset of a batch folder: the documents' JSON files concatenated into six tables.

``build_dataset`` reads ``manifest.csv`` and ``documents/<doc_id>.json`` (each back into a
:class:`~extractor.records.Document`) and writes ``data/<table>.parquet`` and
``data/<table>.csv`` for ``documents``, ``tables``, ``cells``, ``facts``, ``line_items`` and ``checks`` (and, on
request, ``data/dataset.duckdb``). Amounts stay exact: ``value`` is the decimal string of the JSON and
``value_yuan`` a Parquet ``decimal128(38, 8)``, never a float. ``document_key`` names one department's series
(region, department, level, report kind) so that its years line up; ``code_key`` and ``class_name_std`` line up
a code's rows across years.

pyarrow, pandas and duckdb are imported when used, so that importing this module costs nothing.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractor.domain.amounts import UNIT_SCALE
from extractor.domain.codes import code_key, function_codes
from extractor.domain.columns import SubjectFunding, fact_subject_and_funding, item_within, row_items, subject_and_funding
from extractor.domain.entities import entity_key, load_aliases, normalise_department
from extractor.domain.regions import region_code, region_in_path
from extractor.domain.table_kinds import Classification, kind_info
from extractor.errors import CorruptInputError, InputNotFoundError, OutputError, SettingsError
from extractor.export.atomic import from_spreadsheet, spreadsheet_safe
from extractor.export.csv_export import COLUMNS as LONG
from extractor.export.invariants import Invariants
from extractor.records import Document, DocumentInfo, RowRecord, TableRecord, document_from_dict

if TYPE_CHECKING:
    import pandas

log = logging.getLogger(__name__)

DECIMAL_PRECISION = 38
DECIMAL_SCALE = 8
DUCKDB_FILE = "dataset.duckdb"
_FLUSH_ROWS = 50_000  # rows per Parquet row group: one group per document would make thousands of tiny groups

Row = dict[str, Any]

# Column name and type ("s" string, "i" integer, "b" boolean, "d" exact decimal) of every table, in order.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "documents": (
        ("doc_id", "s"), ("document_key", "s"), ("entity_key", "s"), ("group", "s"), ("paths", "s"), ("sha256", "s"),
        ("source_file", "s"), ("department", "s"), ("region", "s"), ("region_code", "s"), ("region_source", "s"), ("government_level", "s"),
        ("fiscal_year", "i"), ("report_kind", "s"), ("entity", "s"), ("scope", "s"), ("report_scope", "s"), ("unit", "s"),
        ("document_type", "s"),
        ("pages", "i"), ("n_tables", "i"), ("n_facts", "i"), ("status", "s"),
    ),
    "tables": (
        ("doc_id", "s"), ("table_index", "i"), ("kind", "s"), ("number", "s"), ("title", "s"), ("unit", "s"),
        ("first_page", "i"), ("last_page", "i"), ("empty", "b"), ("n_rows", "i"), ("verified", "b"), ("failed_checks", "s"),
        ("n_unmapped_columns", "i"), ("classification", "s"),
    ),
    "cells": (
        ("doc_id", "s"), ("document_key", "s"), ("entity_key", "s"), ("fiscal_year", "i"), ("report_kind", "s"), ("department", "s"),
        ("region", "s"), ("table_index", "i"), ("table_kind", "s"), ("table_classification", "s"), ("table_number", "s"),
        ("table_title", "s"), ("row_index", "i"), ("side", "i"), ("code", "s"), ("code_key", "s"), ("code2", "s"), ("label2", "s"), ("level", "s"),
        ("class_code", "s"), ("segment_code", "s"), ("item_code", "s"), ("class_name", "s"), ("class_name_std", "s"),
        ("segment_name", "s"), ("item_name", "s"), ("label", "s"), ("label_normalised", "s"), ("total", "b"),
        ("subitem", "b"), ("role", "s"), ("budget_unit", "s"), ("code_source", "s"), ("column", "s"), ("column_key", "s"),
        ("measure", "s"), ("year", "i"), ("component", "s"), ("subject", "s"), ("funding", "s"), ("text", "s"), ("value", "s"),
        ("unit", "s"), ("value_yuan", "d"), ("page", "i"), ("table_verified", "b"),
    ),
    "facts": (
        ("doc_id", "s"), ("document_key", "s"), ("entity_key", "s"), ("fiscal_year", "i"), ("report_kind", "s"), ("department", "s"),
        ("key", "s"), ("value", "s"), ("unit", "s"), ("value_yuan", "d"), ("scope", "s"), ("prior_value", "s"),
        ("change", "s"), ("page", "i"), ("quote", "s"),
    ),
    "line_items": (
        ("doc_id", "s"), ("document_key", "s"), ("fiscal_year", "i"), ("code", "s"), ("level", "s"), ("class_name", "s"),
        ("segment_name", "s"), ("item_name", "s"), ("value", "s"), ("unit", "s"), ("value_yuan", "d"), ("page", "i"),
    ),
    # one row per figure of a table with its column model: the multi-year panel (see the research questions of the README and docs/datasets.md)
    "panel": (
        ("entity_key", "s"), ("department", "s"), ("region_code", "s"), ("fiscal_year", "i"), ("report_kind", "s"), ("scope", "s"),
        ("table_kind", "s"), ("table_classification", "s"), ("code_key", "s"), ("code2", "s"), ("code_source", "s"), ("level", "s"),
        ("label_normalised", "s"), ("budget_unit", "s"), ("side", "i"), ("total", "b"), ("role", "s"), ("measure", "s"), ("year", "i"),
        ("component", "s"), ("subject", "s"), ("funding", "s"), ("value_yuan", "d"), ("table_verified", "b"),
        ("doc_id", "s"), ("page", "i"), ("table_index", "i"), ("row_index", "i"),
    ),
    "checks": (
        ("doc_id", "s"), ("rule", "s"), ("severity", "s"), ("status", "s"), ("message", "s"), ("expected", "s"),
        ("actual", "s"), ("difference", "s"), ("page", "i"),
    ),
}
TABLES = tuple(COLUMNS)

_CODE_PARTS = (("class", 3), ("segment", 5), ("item", 7))


# --- keys -------------------------------------------------------------------------------------------------------

def document_key(document: DocumentInfo) -> str:
    """The key of a department's series across years: region, normalised department, level and report kind."""
    parts = (document.region, normalise_department(document.department), document.government_level, document.report_kind)
    return "|".join(part or "" for part in parts)


def to_yuan(value: str | None, unit: str | None) -> Decimal | None:
    """``value`` in 元, exact; None without a value, for a unit that is not money (个, 辆, 台) or when the product
    does not fit ``decimal(38, 8)`` exactly."""
    scale = UNIT_SCALE.get(unit or "")
    if not value or scale is None:
        return None
    with localcontext() as context:
        context.prec = 2 * DECIMAL_PRECISION  # wide enough that the product is never rounded
        try:
            yuan = Decimal(value) * scale
            fits = yuan.is_finite() and yuan.adjusted() < DECIMAL_PRECISION - DECIMAL_SCALE
            fits = fits and yuan == yuan.quantize(Decimal(1).scaleb(-DECIMAL_SCALE))
        except InvalidOperation:
            log.warning("not a decimal amount: %r", value)
            return None
    if not fits:
        log.warning("amount %s %s does not fit decimal(%d, %d) exactly; value_yuan left empty", value, unit, DECIMAL_PRECISION, DECIMAL_SCALE)
        return None
    return yuan


# --- the manifest -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ManifestEntry:
    """One extracted document of the manifest with every input path that gave it (duplicates included)."""

    doc_id: str
    status: str
    group: str
    paths: tuple[str, ...]


def read_manifest(path: Path) -> list[ManifestEntry]:
    """The documents ``manifest.csv`` names, in the order of their first row; failed inputs have none."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
    except FileNotFoundError as e:
        raise InputNotFoundError("no manifest.csv in the dataset folder", path=str(path)) from e
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CorruptInputError(f"cannot read the manifest ({e})", path=str(path)) from e
    missing = {"path", "status", "doc_id"} - set(reader.fieldnames or ())
    if missing:
        raise CorruptInputError(f"manifest has no column {', '.join(sorted(missing))}", path=str(path))
    entries: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not row.get("doc_id") or row.get("status") == "failed":
            continue
        entry = entries.setdefault(row["doc_id"], {"status": "", "group": "", "paths": []})
        entry["paths"].append(from_spreadsheet(row["path"]))
        if row["status"] != "duplicate" and not entry["status"]:
            entry["status"] = row["status"]
        entry["group"] = entry["group"] or row.get("group") or ""
    return [ManifestEntry(doc_id, e["status"] or "duplicate", e["group"], tuple(e["paths"])) for doc_id, e in entries.items()]


def _read_document(folder: Path, entry: ManifestEntry) -> Any:
    """The document's JSON as read (built into a Document by the caller), or None when it is missing."""
    path = folder / "documents" / f"{entry.doc_id}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        log.warning("%s: the manifest names it but it is missing; left out of the dataset", path)
        return None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise CorruptInputError(f"cannot read the extraction ({e})", path=str(path)) from e
    return data


# --- rows of one document -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Context:
    """What every row of one document repeats."""

    doc_id: str
    document_key: str
    entity_key: str | None
    fiscal_year: int | None
    report_kind: str | None
    department: str | None
    region: str | None
    region_code: str | None  # the document's, or worked out from its region for a result saved before it had one
    region_source: str | None  # document (its pages name it) or path (the archive's path does)

    def fields(self, *names: str) -> Row:
        return {name: getattr(self, name) for name in names}


def _document_row(entry: ManifestEntry, context: _Context, doc: Document) -> Row:
    ident, source = doc.document, doc.source
    return {
        "doc_id": entry.doc_id, "document_key": context.document_key, "entity_key": context.entity_key, "group": entry.group,
        "paths": "|".join(entry.paths), "region_code": context.region_code, "region_source": context.region_source,
        "sha256": source.sha256, "source_file": source.file, "pages": source.pages,
        **{name: getattr(ident, name) for name in ("department", "government_level", "fiscal_year", "report_kind",
                                                    "entity", "scope", "unit", "document_type")},
        "region": context.region, "report_scope": ident.report_scope,
        "n_tables": len(doc.tables), "n_facts": len(doc.facts), "status": entry.status,
    }


def _table_rows(context: _Context, doc: Document) -> Iterator[Row]:
    for index, table in enumerate(doc.tables):
        yield {
            "doc_id": context.doc_id, "table_index": index, "kind": table.kind, "number": table.number,
            "title": table.title, "unit": table.unit, "first_page": min(table.pages), "last_page": max(table.pages),
            "empty": table.empty, "n_rows": len(table.rows), "verified": table.verified,
            "failed_checks": " ".join(table.failed_checks or ()),
            "n_unmapped_columns": sum(1 for c in table.columns if c.status == "unmapped"), "classification": table.classification,
        }


def _code_names(rows: Iterable[RowRecord]) -> dict[str, str]:
    """The printed label of each code in one table (its first row with that code)."""
    names: dict[str, str] = {}
    for row in rows:
        if row.code:
            names.setdefault(row.code, row.label)
    return names


def code_parts(code: str | None, names: dict[str, str]) -> Row:
    """类/款/项 prefixes of a classification code and their labels in the same table."""
    parts: Row = {f"{part}_{field}": None for part, _ in _CODE_PARTS for field in ("code", "name")}
    parts["code_key"] = code_key(code, names.get(code or ""))
    if code and code.isdigit() and len(code) in (3, 5, 7):
        for part, length in _CODE_PARTS:
            if len(code) >= length:
                parts[f"{part}_code"] = code[:length]
                parts[f"{part}_name"] = names.get(code[:length])
    reference = function_codes().get(parts["class_code"] or "")
    # the reference list holds the current name of a 类 renamed over the years (210 医疗卫生与计划生育 → 卫生健康)
    parts["class_name_std"] = reference.name if reference is not None else parts["class_name"]
    return parts


_ROW_COLUMNS = ("side", "code", "code2", "label2", "level", "label", "label_normalised", "total", "subitem", "budget_unit", "code_source")
_CODE_FIELDS = ("code", "code2", "label2", "level", "code_source")
# what a rate or a share measures is not money: its figures keep their value but have no amount in 元
_RATES = frozenset({"change_pct", "completion_pct", "share_pct"})


def row_roles(table: TableRecord) -> list[str]:
    """Each row's place in its table, so that a SUM over one role never counts a figure twice: ``total`` (合计,
    总计), ``subtotal`` (a row whose parts are rows of the table: a 类 above its 款, “三公”经费 above its items),
    ``of_which`` (其中: a part of the row above, already in it) and ``item`` (a line counted once)."""
    rows = table.rows
    # in a 三公 table printed one item per row the item vocabulary, not the indentation, says which rows are parts
    # of which (因公出国 of “三公”经费, 公务用车购置费 of 公务用车购置及运行费)
    items = row_items(table.kind, [None if row.total else row.label for row in table.rows],
                      [column.component for column in table.columns if column.status == "mapped"])
    parents: set[tuple[int, str | None, str | None]] = set()  # (side, budget unit, code) of the codes some row sits under
    parent_rows: set[int] = set()
    for row in rows:
        if row.code and row.parent:
            parents.add((row.side, row.budget_unit, row.parent))
        elif not row.code and not row.subitem and row.parent_row is not None:
            parent_rows.add(row.parent_row)
    roles = []
    for index, (row, item) in enumerate(zip(rows, items, strict=True)):
        if row.total:
            roles.append("total")
        elif item is not None:
            roles.append("subtotal" if any(other and item_within(other, item) for other in items) else "item")
        elif row.subitem:
            roles.append("of_which")
        elif (row.code and (row.side, row.budget_unit, row.code) in parents) or (not row.code and index in parent_rows):
            roles.append("subtotal")
        else:
            roles.append("item")
    return roles


def _units_heading(table: TableRecord) -> set[int]:
    """The rows of a table of rows per 预算单位 that head its units and repeat its 合计 (西安: 合计, then 154
    西安市司法局 over 154001, 154002 …): the department's figures printed a second time. The JSON keeps them the
    department's (their units add up to them there); the dataset files them under their own name as a
    ``budget_unit``, so that a SUM of the department's figures counts the 合计 once."""
    totals = {row.side for row in table.rows if row.total and row.budget_unit is None}
    heads = {row.parent_row for row in table.rows if row.budget_unit and row.parent_row is not None}
    return {i for i, row in enumerate(table.rows)
            if i in heads and row.budget_unit is None and not row.total and not row.level and row.side in totals}


def _cell_rows(context: _Context, doc: Document) -> Iterator[Row]:
    base = context.fields("doc_id", "document_key", "entity_key", "fiscal_year", "report_kind", "department", "region")
    for table_index, table in enumerate(doc.tables):
        names, unit = _code_names(table.rows), table.unit
        info = kind_info(table.kind)
        # a standard table the catalogue does not code by a classification (三公, 收支总表, 绩效目标表) prints no
        # classification codes: a number in its rows (a hotline, a count) is not one
        uncoded = info.budget_table and info.classification is Classification.NONE
        table_fields = {"table_index": table_index, "table_kind": table.kind, "table_classification": table.classification,
                        "table_number": table.number,
                        "table_title": table.title, "unit": unit, "table_verified": table.verified}
        meanings: dict[str | None, SubjectFunding | None] = {}
        repeated = _units_heading(table)
        for row_index, (row, role) in enumerate(zip(table.rows, row_roles(table), strict=True)):
            row_fields = {"row_index": row_index, "role": role, **{name: getattr(row, name) for name in _ROW_COLUMNS},
                          **code_parts(None if uncoded else row.code, names)}
            if row_index in repeated:
                row_fields["budget_unit"] = row.label
            if uncoded:
                row_fields.update(dict.fromkeys(_CODE_FIELDS))
            for cell in row.cells:
                if cell.value is None and not cell.text:
                    continue
                if cell.component not in meanings:
                    meanings[cell.component] = subject_and_funding(cell.component, table.kind, table.title)
                split = meanings[cell.component]
                yuan = None if cell.measure in _RATES else to_yuan(cell.value, unit)
                yield {**base, **table_fields, **row_fields, "column": cell.column, "column_key": cell.key,
                       "measure": cell.measure, "year": cell.year, "component": cell.component,
                       "subject": split.subject if split else None, "funding": split.funding if split else None,
                       "text": cell.text, "value": cell.value, "value_yuan": yuan, "page": cell.page}


def _fact_rows(context: _Context, doc: Document) -> Iterator[Row]:
    base = context.fields("doc_id", "document_key", "entity_key", "fiscal_year", "report_kind", "department")
    for fact in doc.facts:
        yield {**base, **{name: getattr(fact, name) for name in ("key", "value", "unit", "scope", "prior_value", "change", "page", "quote")},
               "value_yuan": to_yuan(fact.value, fact.unit)}


def _line_item_rows(context: _Context, doc: Document) -> Iterator[Row]:
    base = context.fields("doc_id", "document_key", "fiscal_year")
    for item in doc.line_items:
        fields = ("code", "level", "class_name", "segment_name", "item_name", "value", "unit", "page")
        yield {**base, **{name: getattr(item, name) for name in fields}, "value_yuan": to_yuan(item.value, item.unit)}


def _check_rows(context: _Context, doc: Document) -> Iterator[Row]:
    for check in doc.checks:
        pages = [evidence.page for evidence in check.evidence if evidence.page is not None]
        fields = ("rule", "severity", "status", "message", "expected", "actual", "difference")
        yield {"doc_id": context.doc_id, **{name: getattr(check, name) for name in fields}, "page": pages[0] if pages else None}


def document_region(entry: ManifestEntry, doc: Document) -> tuple[str | None, str | None]:
    """The region of a document and where it was read: its own pages (``document``), else the archive path it came
    from (``path``: a crawl's ``福州_….pdf``, a folder per city); (None, None) for a disclosure naming none."""
    ident = doc.document
    if ident.region:
        return ident.region, "document"
    if ident.document_type != "disclosure" or not ident.department:
        return None, None
    found = next((region for path in entry.paths if (region := region_in_path(path, ident.fiscal_year))), None)
    return (found, "path") if found else (None, None)


def document_rows(entry: ManifestEntry, doc: Document, aliases: Mapping[str, str] | None = None) -> dict[str, Iterable[Row]]:
    """The rows one extraction adds to each table of the dataset."""
    ident = doc.document
    region, region_source = document_region(entry, doc)
    if region != ident.region:
        ident = replace(ident, region=region)
    entity = entity_key(ident.department, region, ident.fiscal_year, aliases)
    code = ident.region_code or region_code(region, ident.fiscal_year)
    context = _Context(entry.doc_id, document_key(ident), entity, ident.fiscal_year, ident.report_kind, ident.department, region, code,
                       region_source)
    cells = list(_cell_rows(context, doc))  # the cells table and the panel both take them
    return {
        "documents": [_document_row(entry, context, doc)],
        "tables": _table_rows(context, doc),
        "cells": cells,
        "facts": _fact_rows(context, doc),
        "line_items": _line_item_rows(context, doc),
        "panel": _panel_rows(context, doc, cells),
        "checks": _check_rows(context, doc),
    }


_PANEL_FROM_CELLS = ("entity_key", "department", "fiscal_year", "report_kind", "table_kind", "table_classification", "code_key", "code2",
                     "code_source", "level", "label_normalised", "budget_unit", "side", "total", "role", "measure", "year", "component",
                     "subject", "funding", "value_yuan", "table_verified", "doc_id", "page", "table_index", "row_index")


def _panel_rows(context: _Context, doc: Document, cells: list[Row]) -> Iterator[Row]:
    """Every table figure with its column model, then every narrative figure in money (table_kind ``narrative``,
    component: the figure's key and its scope): the current year's, the 年初预算 a 决算 states beside it and the prior
    year's."""
    base = {"region_code": context.region_code, "scope": doc.document.report_scope}
    for cell in cells:
        if cell["measure"] is not None and cell["value_yuan"] is not None:
            yield {**base, **{name: cell[name] for name in _PANEL_FROM_CELLS}}
    year = context.fiscal_year
    final = context.report_kind == "final_accounts"
    for fact in doc.facts:
        component = fact.key if fact.scope in (None, "department") else f"{fact.key}.{fact.scope}"
        split = fact_subject_and_funding(fact.key, fact.scope)
        figures = ((fact.value, "final" if final else "budget", year), (fact.budget_value, "budget", year),
                   (fact.prior_value, "prior_final" if final else "prior_budget", year - 1 if year else None))
        for value, measure, measure_year in figures:
            yuan = to_yuan(value, fact.unit)
            if yuan is not None:
                yield {**base, **context.fields("entity_key", "department", "fiscal_year", "report_kind", "doc_id"),
                       "table_kind": "narrative", "measure": measure, "year": measure_year, "component": component,
                       "subject": split.subject, "funding": split.funding, "value_yuan": yuan, "page": fact.page}


# --- writing -----------------------------------------------------------------------------------------------------

def _arrow_schema(columns: tuple[tuple[str, str], ...]) -> Any:
    import pyarrow as pa

    types = {"s": pa.string(), "i": pa.int64(), "b": pa.bool_(), "d": pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)}
    return pa.schema([(name, types[kind]) for name, kind in columns])


_CENT = Decimal("0.01")


def yuan_text(value: Decimal) -> str:
    """An amount in 元 as every dataset writer prints it: exact, to the 分 (``0.00``, ``152600.00``) and with more
    decimals only when the figure has them (``1021097.8712``); never an exponent (``0E-8``) nor the eight decimals of
    the Parquet type."""
    if value == value.quantize(_CENT):
        return format(value.quantize(_CENT), "f")
    return format(value.normalize(), "f")


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return yuan_text(value)
    return spreadsheet_safe(str(value))


def _temp_beside(target: Path) -> Path:
    # a fresh name rather than mkstemp: the files get the umask's permissions, not 0600, as the dataset is for sharing
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


class _TableFiles:
    """One table of the dataset as Parquet and CSV, written to temporary files and renamed into place on commit."""

    def __init__(self, folder: Path, name: str) -> None:
        import pyarrow.parquet as pq

        self.names = [column for column, _ in COLUMNS[name]]
        self.schema = _arrow_schema(COLUMNS[name])
        self.targets = (folder / f"{name}.parquet", folder / f"{name}.csv")
        self.temps = [_temp_beside(target) for target in self.targets]
        self.count = 0
        self._buffer: list[Row] = []
        try:
            self._parquet = pq.ParquetWriter(str(self.temps[0]), self.schema)
            self._csv_handle = open(self.temps[1], "w", encoding="utf-8", newline="")
        except BaseException:
            for temp in self.temps:
                temp.unlink(missing_ok=True)
            raise
        self._csv = csv.writer(self._csv_handle, lineterminator="\n")
        self._csv.writerow(self.names)

    def add(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self._csv.writerow([_csv_text(row.get(name)) for name in self.names])
            self._buffer.append(row)
            self.count += 1
        if len(self._buffer) >= _FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._buffer:
            self._parquet.write_table(pa.Table.from_pylist(self._buffer, schema=self.schema))
            self._buffer = []

    def close(self) -> None:
        self._flush()
        self._parquet.close()
        self._csv_handle.close()

    def commit(self) -> None:
        for temp, target in zip(self.temps, self.targets, strict=True):
            _fsync(temp)
            os.replace(temp, target)

    def discard(self) -> None:
        self._csv_handle.close()
        try:
            self._parquet.close()
        except Exception:  # noqa: BLE001 - already failing; the temporary files go either way
            log.debug("closing %s after an error failed", self.temps[0], exc_info=True)
        for temp in self.temps:
            temp.unlink(missing_ok=True)


def _duckdb_installed() -> bool:
    try:
        require_duckdb()
    except SettingsError:
        return False
    return True


def require_duckdb() -> None:
    """Raise ``SettingsError`` unless duckdb can be imported (a batch can ask before it starts, not after)."""
    try:
        import duckdb  # noqa: F401
    except ImportError as e:
        raise SettingsError("duckdb is not installed; pip install 'budget-disclosure-extractor[duckdb]'") from e


_VIEWS = (
    """CREATE VIEW cell_series AS
    SELECT d.document_key, d.fiscal_year, d.report_kind, d.department, d.region, d.government_level, d."group", c.doc_id,
           c.table_index, c.table_kind, c.table_classification, c.table_number, c.table_title, c.code_key, c.level, c.class_code, c.class_name_std,
           c.label, c.label_normalised, c.total, c.subitem, c.column_key, c."column", c.value, c.unit, c.value_yuan, c.page
    FROM cells c JOIN documents d USING (doc_id)""",
    """CREATE VIEW check_summary AS
    SELECT d.doc_id, d.document_key, d.fiscal_year, d.report_kind, d.department,
           count(k.status) AS checks,
           count(*) FILTER (WHERE k.status = 'mismatch') AS mismatch,
           count(*) FILTER (WHERE k.status = 'mismatch' AND k.severity = 'error') AS mismatch_error,
           count(*) FILTER (WHERE k.status = 'rounding') AS rounding,
           count(*) FILTER (WHERE k.status = 'info') AS info
    FROM documents d LEFT JOIN checks k USING (doc_id)
    GROUP BY ALL""",
)


def _write_duckdb(folder: Path) -> None:
    """``dataset.duckdb``: one table per Parquet file and the views ``cell_series`` and ``check_summary``."""
    import duckdb

    target = folder / DUCKDB_FILE
    temp = _temp_beside(target)
    try:
        with duckdb.connect(str(temp)) as connection:
            for name in TABLES:
                connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [str(folder / f"{name}.parquet")])
            for view in _VIEWS:
                connection.execute(view)
            connection.execute("CHECKPOINT")
        os.replace(temp, target)
    except (duckdb.Error, OSError) as e:
        raise OutputError(f"cannot write the DuckDB database ({e})", path=str(target)) from e
    finally:
        for leftover in (temp, temp.with_name(temp.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _fill(folder: Path, files: dict[str, _TableFiles], aliases: Mapping[str, str]) -> None:
    invariants = Invariants()
    for entry in read_manifest(folder / "manifest.csv"):
        data = _read_document(folder, entry)
        if data is None:
            continue
        try:
            doc = document_from_dict(data)
            rows = document_rows(entry, doc, aliases)
            for name, table_rows in rows.items():
                files[name].add(table_rows)
            invariants.add(rows["cells"], doc.document.report_scope, entry.group)
        except (KeyError, TypeError, AttributeError) as e:
            raise CorruptInputError(f"not an extraction result ({e!r})", path=str(folder / "documents" / f"{entry.doc_id}.json")) from e
    files["checks"].add(invariants.findings())


def build_dataset(dataset_dir: Path | str, duckdb: bool = False, aliases: Path | str | None = None) -> dict[str, int]:
    """Write the tidy tables of a batch folder into ``dataset_dir/data/`` and return their row counts.

    Reads ``manifest.csv`` (the documents, their paths, duplicates included, status and group) and
    ``documents/<doc_id>.json``; writes each table as Parquet and CSV (UTF-8), each file atomically. With ``duckdb``
    also ``data/dataset.duckdb``; without it an existing ``dataset.duckdb`` is rebuilt too (removed, with a warning,
    only where duckdb is not installed to rebuild it: it would no longer match).
    ``aliases``: a CSV (alias,name,note) of department names that are one entity, added to the package's.
    A document the manifest names whose JSON is missing is left out with a warning.

    >>> build_dataset("dataset", duckdb=True)  # doctest: +SKIP
    {'documents': 40, 'tables': 412, 'cells': 18233, 'facts': 610, 'line_items': 95, 'checks': 131}
    """
    folder = Path(dataset_dir)
    if not folder.is_dir():
        raise InputNotFoundError("dataset folder does not exist", path=str(folder))
    if duckdb:
        require_duckdb()
    names = load_aliases(aliases)
    out = folder / "data"
    try:
        out.mkdir(exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the data folder ({e.strerror})", path=str(out)) from e
    files: dict[str, _TableFiles] = {}
    try:
        for name in TABLES:
            files[name] = _TableFiles(out, name)
        _fill(folder, files, names)
        for table_files in files.values():
            table_files.close()
        for table_files in files.values():
            table_files.commit()
    except BaseException as e:
        for table_files in files.values():
            table_files.discard()
        if isinstance(e, OSError):
            raise OutputError(f"cannot write the dataset ({e.strerror or e})", path=str(out)) from e
        raise
    if duckdb or ((out / DUCKDB_FILE).exists() and _duckdb_installed()):
        _write_duckdb(out)  # a database the user once asked for is kept and rebuilt to match, asked again or not
    elif (out / DUCKDB_FILE).exists():
        log.warning("removing %s: it no longer matches the dataset, and duckdb is not installed to rebuild it", out / DUCKDB_FILE)
        (out / DUCKDB_FILE).unlink()
    counts = {name: table_files.count for name, table_files in files.items()}
    log.info("dataset %s: %s", out, ", ".join(f"{name} {count}" for name, count in counts.items()))
    return counts


@dataclass(frozen=True)
class DatasetFindings:
    """What a batch summary says of the dataset: its invariants (``dataset.*`` checks), the entities it could not
    place in a region and the files with tables not verified."""

    invariants: int
    invariant_mismatches: int
    without_region: tuple[str, ...]  # the disclosures' departments that no page and no path places
    unverified: tuple[tuple[str, int, str], ...] = ()  # (file, unverified tables, the rules they fail), most first


def dataset_findings(dataset_dir: Path | str) -> DatasetFindings:
    """The dataset invariants checked and failed, the entities without a region and the files with unverified tables
    (and the rules those fail), read from ``data/``."""
    import pyarrow.parquet as pq

    folder = Path(dataset_dir) / "data"
    checks = pq.read_table(folder / "checks.parquet", columns=["rule", "status"]).to_pylist()
    dataset = [c for c in checks if c["rule"].startswith("dataset.")]
    documents = pq.read_table(folder / "documents.parquet", columns=["doc_id", "source_file", "department", "region", "document_type"]).to_pylist()
    missing = sorted({d["department"] for d in documents if d["document_type"] == "disclosure" and d["department"] and not d["region"]})
    files = {d["doc_id"]: d["source_file"] for d in documents}
    tables = pq.read_table(folder / "tables.parquet", columns=["doc_id", "verified", "failed_checks"]).to_pylist()
    unverified: dict[str, list[str]] = {}
    for table in tables:
        if table["verified"] is False:
            unverified.setdefault(files.get(table["doc_id"], table["doc_id"]), []).append(table["failed_checks"] or "")
    # failed_checks is written space-separated (see the tables rows above)
    ranked = sorted(((file, len(rules), ", ".join(sorted({rule for joined in rules for rule in joined.split()})))
                     for file, rules in unverified.items()), key=lambda item: (-item[1], item[0]))
    return DatasetFindings(len(dataset), sum(1 for c in dataset if c["status"] == "mismatch"), tuple(missing), tuple(ranked))


def load_dataset(dataset_dir: Path | str, tables: tuple[str, ...] = TABLES) -> dict[str, pandas.DataFrame]:
    """The tables ``build_dataset`` wrote, as pandas DataFrames; ``value_yuan`` is ``decimal128(38, 8)[pyarrow]``.

    ``dataset_dir`` is the batch folder (holding ``data/``) or the ``data`` folder itself.
    """
    import pyarrow.parquet as pq

    folder = Path(dataset_dir)
    if not (folder / f"{TABLES[0]}.parquet").exists():
        folder = folder / "data"
    frames = {}
    for name in tables:
        path = folder / f"{name}.parquet"
        if not path.exists():
            raise InputNotFoundError("dataset table not found; run build_dataset first", path=str(path))
        frames[name] = pq.read_table(path).to_pandas(types_mapper=_pandas_types().get)
    return frames


def _pandas_types() -> dict[Any, Any]:
    """Integer and boolean columns with nulls stay integers and booleans (pandas would make them floats and objects);
    exact amounts stay exact decimals that sum (``decimal128[pyarrow]``), not ``Decimal`` objects."""
    import pandas as pd
    import pyarrow as pa

    decimal = pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)
    return {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), decimal: pd.ArrowDtype(decimal)}


def csv_dtypes(table: str = "cells") -> dict[str, str]:
    """``pd.read_csv(path, dtype=csv_dtypes("cells"))`` reads a dataset CSV as written: text stays text (codes too),
    integers and booleans keep their nulls, exact amounts are read as text (``Decimal`` them, or use the Parquet)."""
    if table == "long":
        integers = {"fiscal_year", "page", "table_index", "side", "measure_year"}
        return {name: "Int64" if name in integers else "boolean" if name == "table_verified" else "string" for name in LONG}
    if table not in COLUMNS:
        raise SettingsError(f"no dataset table {table!r}; the tables are {', '.join(TABLES)}")
    return {name: {"i": "Int64", "b": "boolean"}.get(kind, "string") for name, kind in COLUMNS[table]}


def _frame_to_arrow(frame: pandas.DataFrame, table: str) -> Any:
    import pyarrow as pa

    columns = COLUMNS[table]
    return pa.Table.from_pandas(frame[[name for name, _ in columns]], schema=_arrow_schema(columns), preserve_index=False)


def frame_to_csv(frame: pandas.DataFrame, table: str = "panel") -> str:
    """Rows of a dataset table (``load_dataset``'s or ``panel``'s frame, filtered or not) as ``data/<table>.csv`` has
    them: amounts by :func:`yuan_text`, booleans ``true``/``false``, nulls empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [name for name, _ in COLUMNS[table]]
    writer.writerow(names)
    for row in _frame_to_arrow(frame, table).to_pylist():
        writer.writerow([_csv_text(row[name]) for name in names])
    return out.getvalue()


def frame_to_parquet(frame: pandas.DataFrame, table: str = "panel") -> bytes:
    """Rows of a dataset table as Parquet with the table's types (``data/<table>.parquet``'s)."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(_frame_to_arrow(frame, table), buffer)
    return buffer.getvalue()


PANEL_FILTERS = ("entity", "table_kind", "measure", "component", "code_key")


def panel(dataset_dir: Path | str, **filters: str | None) -> pandas.DataFrame:
    """The dataset's panel (one row per figure: entity, fiscal year, report kind, scope, table kind, code_key, measure,
    year, component, exact value in 元 and its document and page), optionally only the rows whose ``entity`` key or
    department contains a text, or whose ``table_kind``, ``measure``, ``component`` or ``code_key`` is one given."""
    unknown = set(filters) - set(PANEL_FILTERS)
    if unknown:
        raise SettingsError(f"no panel filter {', '.join(sorted(unknown))}; the filters are {', '.join(PANEL_FILTERS)}")
    frame = load_dataset(dataset_dir, tables=("panel",))["panel"]
    for name, value in filters.items():
        if not value:
            continue
        if name == "entity":
            frame = frame[frame.entity_key.str.contains(value, regex=False).fillna(False)
                          | frame.department.str.contains(value, regex=False).fillna(False)]
        else:
            frame = frame[frame[name] == value]
    return frame.reset_index(drop=True)
