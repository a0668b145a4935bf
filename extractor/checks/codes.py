"""Rules on a table's classification codes: what the classifications promise beyond arithmetic.

A reading error that keeps the sums intact (a code taken from the wrong column, two names run together, a unit's
number read as a 类) passes every sum; it shows here. Each coded row (a 类/款/项 of 支出功能分类, or a 类/款 of the
部门 or 政府 经济分类) must

- exist in its classification for the document's year (``domain/classifications.py``, built from the codes documents
  print and the reference lists, with the renumberings of ``code_changes.csv``);
- sit under its parent row: the code of the row the hierarchy puts it under is its code's prefix;
- be printed with its code's name, or a name documents print for it (renames in their years).

A disagreement is a mismatch: either our misreading, to be fixed, or the document's own error, kept and flagged.
"""

from __future__ import annotations

from collections.abc import Iterator

from extractor.checks.model import CheckResult, Evidence, Rule, Severity, Status, figure_evidence
from extractor.domain.classifications import SCHEME_OF, lookup, name_matches, parent_of, scheme_of
from extractor.records import RowRecord, TableRecord

CODE_KNOWN = Rule("code.known", "科目编码属于其分类（功能分类、部门/政府经济分类）",
                  "a row's code exists in its classification for the document's year", Severity.ERROR)
CODE_PARENT = Rule("code.parent", "科目编码在其上级科目行之下", "a row's code continues the code of the row it is nested under",
                   Severity.ERROR)
CODE_NAME = Rule("code.name", "科目名称与编码一致", "a row's printed name is its code's name, or a name documents print for it",
                 Severity.ERROR)
RULES = (CODE_KNOWN, CODE_PARENT, CODE_NAME)


def check_codes(table: TableRecord, file: str | None = None, year: int | None = None) -> Iterator[CheckResult]:
    """The three rules on every coded row of a table coded by a classification (``table.classification``: a 功能分类
    or 经济分类 table; a 政府采购 or 绩效 table's code column is an attribute of its rows, not their 科目): one ``ok``
    per rule for a table whose rows all hold, else a mismatch per row that does not."""
    coded = [row for row in table.rows if _classified(row)]
    if table.empty or not coded or table.classification is None:
        return
    for rule, test in ((CODE_KNOWN, _known), (CODE_PARENT, _under_parent), (CODE_NAME, _named)):
        failures = [(row, found) for row in coded if (found := test(row, table, year))]
        for row, (why, expected) in failures:
            yield CheckResult(rule, Status.MISMATCH, f"{table.number or table.title or table.kind}: {row.code} {row.label}: {why}",
                              (_evidence(row, table, file),), expected=expected, actual=f"{row.code} {row.label}")
        if not failures:
            yield CheckResult(rule, Status.OK, f"{table.number or table.title or table.kind}: {len(coded)} coded rows",
                              (_evidence(coded[0], table, file),))


def _classified(row: RowRecord) -> bool:
    """A 科目 row: a code of a classification's levels (a unit's number has no level) that names a 科目."""
    return bool(row.code and row.level and row.budget_unit is None and scheme_of(row.code))


# each test gives, for a row that fails it, why and what the classification expects there
Failure = tuple[str, str | None]


def _known(row: RowRecord, table: TableRecord, year: int | None) -> Failure | None:
    scheme = scheme_of(row.code)
    assert scheme is not None and row.code
    if table.classification and SCHEME_OF[table.classification] is not scheme:
        return f"a {scheme.value} code in a table of {table.classification}", table.classification
    return None if lookup(scheme, row.code, year) else (f"no such code in {scheme.value}" + (f" in {year}" if year else ""), None)


def _under_parent(row: RowRecord, table: TableRecord, year: int | None) -> Failure | None:
    if row.parent_row is None:
        return None
    above = table.rows[row.parent_row]
    if not _classified(above) or not above.code or not row.code:
        return None
    # the same code under itself is a row printed again as its own part (a 款 whose one 项 repeats it)
    return None if row.code.startswith(above.code) else (f"nested under {above.code} {above.label}", parent_of(row.code))


def _named(row: RowRecord, table: TableRecord, year: int | None) -> Failure | None:
    scheme = scheme_of(row.code)
    assert scheme is not None and row.code
    entry = lookup(scheme, row.code, year)
    if not row.label or entry is None or name_matches(scheme, row.code, row.label, year):
        return None  # no name printed, no code to name (code.known says so), or the name is the code's
    return f"printed name is not {entry.name}", entry.name


def _evidence(row: RowRecord, table: TableRecord, file: str | None) -> Evidence:
    cell = next((c for c in row.cells if c.value is not None), None)
    return figure_evidence(f"{row.code} {row.label}", cell.value or "" if cell else "", table.unit, row.page, row.bbox, file, row)
