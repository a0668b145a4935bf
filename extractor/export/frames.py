"""Tables as pandas DataFrames with exact decimal amounts (pyarrow decimal128 through pandas' ArrowDtype)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas

    from extractor.records import TableRecord

# the row fields every frame starts with, before one column per amount column
ROW_FIELDS = ("side", "code", "level", "parent", "label", "total", "subitem", "budget_unit", "page")


def decimal_scale(values: Sequence[Decimal | None]) -> int:
    """The decimal places the values' printed digits need (``12.50`` needs 2), so that a decimal128 rounds nothing."""
    exponents = [v.as_tuple().exponent for v in values if v is not None]
    return max([-e for e in exponents if isinstance(e, int)] + [0])


def amount_dtype(values: Sequence[Decimal | None]) -> Any:
    """``decimal128(38, s)[pyarrow]`` with the scale the values' printed digits need."""
    import pandas as pd
    import pyarrow as pa

    return pd.ArrowDtype(pa.decimal128(38, decimal_scale(values)))


def column_names(table: TableRecord, by: str) -> list[str]:
    """A name per amount column: its printed path, or its model (``budget 2026 personnel``); a name given twice
    (合计 printed once per group) gets the model, then its position, to stay apart."""
    amounts = [c for c in table.columns if c.role == "amount"]
    names = [f"{c.measure} {c.year} {c.component}" if by == "model" and c.status == "mapped" else c.path for c in amounts]
    for i, (name, column) in enumerate(zip(names, amounts, strict=True)):
        if names.count(name) > 1 and column.status == "mapped" and by != "model":
            names[i] = f"{name} ({column.measure} {column.year} {column.component})"
    return [name if names.count(name) == 1 else f"{name} #{i}" for i, name in enumerate(names)]


def table_frame(table: TableRecord, by: str = "path") -> pandas.DataFrame:
    """One row per table row (side, code, level, parent, label, total, subitem, budget_unit, page) and one column per
    amount column, amounts exact in the table's unit (``frame.attrs['unit']``); a cell that prints no amount is <NA>."""
    import pandas as pd

    amounts = [c for c in table.columns if c.role == "amount"]
    names = column_names(table, by)
    index: dict[tuple[int, str], list[int]] = {(c.side, c.path): [] for c in amounts}
    for position, column in enumerate(amounts):
        index[(column.side, column.path)].append(position)
    data: dict[str, list[Any]] = {field: [] for field in ROW_FIELDS}
    values: list[list[Decimal | None]] = [[] for _ in amounts]
    for row in table.rows:
        for field in ROW_FIELDS:
            data[field].append(getattr(row, field))
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
        **{field: pd.array(data[field], dtype=_ROW_DTYPES[field]) for field in ROW_FIELDS},
        **{name: pd.array(column_values, dtype=amount_dtype(column_values)) for name, column_values in zip(names, values, strict=True)},
    })
    frame.attrs.update(kind=table.kind, title=table.title, number=table.number, unit=table.unit, pages=list(table.pages),
                       verified=table.verified, columns={name: {"path": c.path, "measure": c.measure, "year": c.year,
                                                                "component": c.component} for name, c in zip(names, amounts, strict=True)})
    return frame


_ROW_DTYPES = {"side": "Int64", "code": "string", "level": "string", "parent": "string", "label": "string", "total": "boolean",
               "subitem": "boolean", "budget_unit": "string", "page": "Int64"}
