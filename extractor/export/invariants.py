"""What the dataset of a batch promises as a whole, checked after it is built (``dataset.*`` rules in ``data/checks``).

A researcher sums the panel by entity, fiscal year and scope. Three things must then hold, or the SUM is not the
printed figure:

- ``dataset.gpb_classes``: the 一般公共预算 total of an entity's year and scope equals the sum of its 类 rows;
- ``dataset.three_public_items``: the 三公 total equals its items (因公出国, 公务用车, 公务接待), for each funding;
- ``dataset.same_figure``: a total or a 类 printed in two documents of one report (a narrative and its tables) is
  the same figure in both.

Each is also reported when a total is printed more than once for one entity, year and scope (two documents of one
report, or one document given twice under different bytes): a SUM then counts it more than once. Figures of budget
units (``budget_unit``) are not the department's and are left out, as the panel's department-level query does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from extractor.checks.model import Status, precision, unit_scale
from extractor.domain.columns import item_parent

Row = dict[str, Any]

_THREE_PUBLIC = "three_public"
_SUMMED = ("gpb_expenditure",)


@dataclass
class _Sum:
    """A printed total and the printed parts that must add up to it, with where each was printed."""

    totals: list[Row] = field(default_factory=list)
    parts: list[Row] = field(default_factory=list)


def _printed(row: Row) -> Decimal:
    return Decimal(row["value"])


def _tolerance(rows: list[Row]) -> Decimal:
    """Rounding allowed between a total and its parts, in 元: half a printed step per figure."""
    steps = [precision([_printed(r)]) * unit_scale(r["unit"]) for r in rows]
    return max(steps, default=Decimal(0)) * (len(rows)) / 2


def _status(difference: Decimal, rows: list[Row]) -> Status:
    """Equal, off by rounding alone (half a printed step per figure: 0.005 万元 for a figure printed to the 分 of 万元),
    or a mismatch."""
    if difference == 0:
        return Status.OK
    return Status.ROUNDING if abs(difference) <= _tolerance(rows) else Status.MISMATCH


def _yuan(rows: list[Row]) -> Decimal:
    return sum((r["value_yuan"] for r in rows), Decimal(0))


class Invariants:
    """Collects the figures the dataset invariants need, one document at a time, and reports each invariant."""

    def __init__(self) -> None:
        self._classes: dict[tuple[Any, ...], _Sum] = {}
        self._three_public: dict[tuple[Any, ...], dict[str, list[Row]]] = {}
        self._shared: dict[tuple[Any, ...], dict[str, Row]] = {}

    def add(self, cells: Iterable[Row], scope: str | None, group: str) -> None:
        """The cells of one document (the dataset's ``cells`` rows), its report scope and companion group."""
        for cell in cells:
            if cell["value_yuan"] is None or cell["budget_unit"] or cell["measure"] is None or not cell["value"]:
                continue
            base = (cell["entity_key"], cell["fiscal_year"], cell["report_kind"], scope)
            column = (cell["measure"], cell["year"], cell["side"])
            kind = cell["table_kind"]
            if kind in _SUMMED:
                entry = self._classes.setdefault((*base, kind, cell["table_classification"], *column, cell["component"]), _Sum())
                if cell["role"] == "total" and not cell["code_key"]:
                    entry.totals.append(cell)
                elif cell["level"] == "类":
                    entry.parts.append(cell)
            if kind == _THREE_PUBLIC and cell["subject"]:
                subjects = self._three_public.setdefault((*base, *column, cell["funding"]), {})
                subjects.setdefault(cell["subject"], []).append(cell)
            if group and (cell["role"] == "total" or cell["level"] == "类"):
                key = (group, kind, cell["table_classification"], cell["code_key"], cell["role"], *column, cell["component"])
                self._shared.setdefault(key, {}).setdefault(cell["doc_id"], cell)

    def findings(self) -> Iterator[Row]:
        """One ``checks`` row per invariant checked: ok, rounding or mismatch."""
        for key, entry in self._classes.items():
            if entry.totals and entry.parts:
                yield from _sum_finding("dataset.gpb_classes", key, entry.totals, entry.parts, "its 类 rows")
        for key, subjects in self._three_public.items():
            totals = subjects.get(_THREE_PUBLIC, [])
            parts = _three_public_parts(subjects)
            if totals and parts:
                yield from _sum_finding("dataset.three_public_items", key, totals, parts, "its items")
        for key, by_doc in self._shared.items():
            if len(by_doc) > 1:
                yield _same_figure(key, list(by_doc.values()))


def _three_public_parts(subjects: Mapping[str, list[Row]]) -> list[Row]:
    """The 三公 items printed: 因公出国, 公务接待 and 公务用车 (or, without it, its 购置 and 运行)."""
    parts: list[Row] = []
    for subject, rows in subjects.items():
        parent = item_parent(subject)
        if parent == _THREE_PUBLIC:
            parts += rows
        elif parent and item_parent(parent) == _THREE_PUBLIC and parent not in subjects:
            parts += rows
    return parts


def _where(rows: list[Row]) -> str:
    return ", ".join(sorted({f"{r['doc_id']} p{r['page']}" for r in rows}))


def _sum_finding(rule: str, key: tuple[Any, ...], totals: list[Row], parts: list[Row], what: str) -> Iterator[Row]:
    first = totals[0]
    subject = f"{first['entity_key']} {first['fiscal_year']} {first['table_kind']} {first['measure']} {first['year']} {first['component']}"
    total = _yuan(totals)
    difference = _yuan(parts) - total
    status = _status(difference, parts + totals)
    message = f"{subject}: the total ({_where(totals)}) against the sum of {what} ({len(parts)} figures)"
    yield _row(first["doc_id"], rule, status, message, total, _yuan(parts), difference, first["page"])
    docs = {r["doc_id"] for r in totals}
    if len(totals) > 1:
        message = (f"{subject}: the total is printed {len(totals)} times for one entity, year and scope ({_where(totals)}); "
                   f"a SUM over the panel counts it {len(totals)} times" + (" (one document per report part)" if len(docs) > 1 else ""))
        yield _row(first["doc_id"], f"{rule}.once", Status.MISMATCH, message, total / len(totals), total, total - total / len(totals),
                   first["page"], severity="warning")


def _same_figure(key: tuple[Any, ...], rows: list[Row]) -> Row:
    first = rows[0]
    values = [r["value_yuan"] for r in rows]
    status = _status(max(values) - min(values), rows)
    what = first["code_key"] or "total"
    message = (f"{first['entity_key']} {first['fiscal_year']} {first['table_kind']} {what} {first['measure']} {first['year']} "
               f"{first['component']}: printed in {len(rows)} documents of one report ({_where(rows)})")
    return _row(first["doc_id"], "dataset.same_figure", status, message, values[0], values[-1], values[-1] - values[0], first["page"])


def _row(doc_id: str, rule: str, status: Status, message: str, expected: Decimal, actual: Decimal, difference: Decimal, page: int | None,
         severity: str = "error") -> Row:
    return {"doc_id": doc_id, "rule": rule, "severity": severity if status is Status.MISMATCH else "info", "status": status.value,
            "message": message, "expected": _text(expected), "actual": _text(actual), "difference": _text(difference), "page": page}


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")
