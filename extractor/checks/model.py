"""Check results and the rounding tolerance shared by every rule."""

from __future__ import annotations

import contextlib
import enum
import itertools
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from extractor.domain.amounts import UNIT_SCALE
from extractor.model import BBox

if TYPE_CHECKING:
    from extractor.records import CellRecord, RowRecord, TableRecord


class Severity(enum.Enum):
    ERROR = "error"  # the document cannot be right as printed
    WARNING = "warning"  # likely wrong, or a scope the reader may have mixed up
    INFO = "info"  # worth knowing (a renamed classification), not an error


class Status(enum.Enum):
    OK = "ok"
    ROUNDING = "rounding"  # off by no more than the printed precision allows
    MISMATCH = "mismatch"
    INFO = "info"


@dataclass(frozen=True)
class Rule:
    """A named rule: id, what it checks in Chinese and English, and how bad a failure is."""

    id: str
    zh: str
    en: str
    severity: Severity
    # what a result's ``expected`` and ``actual`` are, as the readable report names them; ``difference`` is always
    # actual - expected
    sides: tuple[str, str] = ("printed total", "sum of its parts")


@dataclass(frozen=True)
class Evidence:
    """One figure a check compared: what it is, its printed value and unit, and where it is printed."""

    label: str
    value: str
    unit: str | None
    page: int | None
    bbox: BBox | None
    file: str | None = None
    # where a table's figure is printed: the table's index among those checked, its row's and its cell's (no cell:
    # the row's own figure); set from ``figure``, the row or cell a rule took, by :meth:`Figures.point`
    table: int | None = None
    row: int | None = None
    cell: int | None = None
    figure: RowRecord | CellRecord | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class CheckResult:
    rule: Rule
    status: Status
    message: str
    evidence: tuple[Evidence, ...]
    expected: str | None = None
    actual: str | None = None
    difference: str | None = None
    tolerance: str | None = None

    @property
    def page(self) -> int | None:
        return next((e.page for e in self.evidence if e.page), None)


class Figures:
    """The index of every row and cell of the tables a check run is given, so that each finding's evidence
    points at the table, row and cell it took a figure from (a verdict on a table then needs no search)."""

    def __init__(self, tables: Sequence[TableRecord]) -> None:
        where: dict[int, tuple[int, int, int | None]] = {}
        for t, table in enumerate(tables):
            for r, row in enumerate(table.rows):
                where[id(row)] = (t, r, None)
                places = zip(itertools.repeat(t), itertools.repeat(r), range(len(row.cells)))  # noqa: B905 - repeat is endless
                where.update(zip(map(id, row.cells), places, strict=True))
        self._where = where

    @contextlib.contextmanager
    def pointing(self) -> Iterator[None]:
        """While the rules run: each figure's evidence made by :func:`figure_evidence` is pointed as it is made (a
        document's checks take tens of thousands of figures, and pointing each result afterwards made them twice)."""
        token = _POINTING.set(self)
        try:
            yield
        finally:
            _POINTING.reset(token)

    def point(self, result: CheckResult) -> CheckResult:
        """The result with each figure of a table replaced by its indices."""
        if not any(e.figure is not None for e in result.evidence):
            return result
        evidence = tuple(e if e.figure is None else self._pointed(e) for e in result.evidence)
        return CheckResult(result.rule, result.status, result.message, evidence, result.expected, result.actual, result.difference,
                           result.tolerance)

    def _pointed(self, evidence: Evidence) -> Evidence:
        """The evidence with its figure's indices and without the figure (made field by field: ``replace`` costs
        three times as much, and a document's checks point tens of thousands of figures)."""
        table, row, cell = self._where[id(evidence.figure)]
        return Evidence(evidence.label, evidence.value, evidence.unit, evidence.page, evidence.bbox, evidence.file, table, row, cell)


_POINTING: ContextVar[Figures | None] = ContextVar("pointing", default=None)


def figure_evidence(label: str, value: str, unit: str | None, page: int | None, bbox: BBox | None, file: str | None,
                    figure: RowRecord | CellRecord) -> Evidence:
    """The evidence of a figure a rule took from a table: pointed at its indices while :meth:`Figures.pointing` (a
    figure of a table the checks were not given is a KeyError, as in :meth:`Figures.point`), else holding the figure
    for :meth:`Figures.point`."""
    figures = _POINTING.get()
    if figures is None:
        return Evidence(label, value, unit, page, bbox, file, figure=figure)
    return Evidence(label, value, unit, page, bbox, file, *figures._where[id(figure)])


def unit_scale(unit: str | None) -> Decimal:
    """元 per printed unit; a table or figure without a unit is read in 万元, the disclosures' usual unit."""
    return UNIT_SCALE.get(unit or "万元", UNIT_SCALE["万元"])


def in_yuan(value: str | Decimal | None, unit: str | None) -> Decimal:
    """A printed amount in 元 (a blank is 0)."""
    return Decimal(value or 0) * unit_scale(unit)


def precision(values: Sequence[Decimal]) -> Decimal:
    """The coarsest printed step among the values (``1002.30`` -> 0.01, ``1500`` -> 1)."""
    steps = [Decimal(1).scaleb(min(v.as_tuple().exponent, 0)) for v in values]  # type: ignore[arg-type]
    return max(steps) if steps else Decimal("0.01")


def tolerance(values: Sequence[Decimal], terms: int) -> Decimal:
    """How far a printed total may differ from the sum of ``terms`` printed parts by rounding alone.

    Each printed figure is within half a step of its true value, so the sum of n parts and the total
    may differ by up to (n + 1) × step / 2.
    """
    return precision(values) * (terms + 1) / 2


def classify(total: Decimal, parts: Sequence[Decimal]) -> tuple[Status, Decimal, Decimal]:
    """(status, difference, tolerance) of a printed total against its printed parts."""
    difference = sum(parts, Decimal(0)) - total
    allowed = tolerance([total, *parts], len(parts))
    if difference == 0:
        return Status.OK, difference, allowed
    return (Status.ROUNDING if abs(difference) <= allowed else Status.MISMATCH), difference, allowed
