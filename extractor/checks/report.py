"""Check results as records for the JSON, counts per rule, and the readable report of ``extract check``."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal

from extractor.checks.model import CheckResult, Severity, Status
from extractor.records import CheckEvidenceRecord, CheckRecord

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def check_record(result: CheckResult) -> CheckRecord:
    return CheckRecord(
        rule=result.rule.id, severity=result.rule.severity.value, status=result.status.value,
        description_zh=result.rule.zh, description_en=result.rule.en, message=result.message,
        expected=result.expected, actual=result.actual, difference=result.difference, tolerance=result.tolerance,
        evidence=tuple(CheckEvidenceRecord(e.label, e.value, e.unit, e.page, e.bbox, e.file) for e in result.evidence),
    )


def count_checks(results: Sequence[CheckResult]) -> dict[str, dict[str, int]]:
    """How many comparisons each rule made, by status."""
    counts: dict[str, dict[str, int]] = {}
    for result in results:
        by_status = counts.setdefault(result.rule.id, {})
        by_status[result.status.value] = by_status.get(result.status.value, 0) + 1
    return counts


def mismatches(records: Sequence[CheckRecord]) -> list[CheckRecord]:
    return [r for r in records if r.status == Status.MISMATCH.value]


_COLUMN = re.compile(r"\[([^\]]*)\]")
_DEFAULT_SIDES = ("expected", "actual")


def format_report(records: Sequence[CheckRecord], counts: dict[str, dict[str, int]], title: str,
                  sides: Mapping[str, tuple[str, str]] | None = None) -> str:
    """A readable report, in the order a reader acts on it: the counts; the mismatches (what the document contradicts,
    or what was read wrong), each with its rule, pages, the two sides compared by name (printed total and sum of its
    parts, stated and computed …) and every figure with its page, one finding repeated over several columns shown
    once; then the rounding differences grouped per rule, with the largest and where; then the notes. ``sides``
    names each rule's ``expected`` and ``actual`` (``Rule.sides``)."""
    names = sides or {}
    total = {s: sum(c.get(s, 0) for c in counts.values()) for s in ("mismatch", "rounding", "info", "ok")}
    lines = [f"{title}: " + ", ".join(f"{n} {'mismatches' if s == 'mismatch' and n != 1 else s}" for s, n in total.items()), ""]
    ordered = sorted(records, key=lambda r: (_ORDER[Severity(r.severity)], r.rule))
    found = [r for r in ordered if r.status == Status.MISMATCH.value]
    if found:
        lines.append(f"== MISMATCH ({len(found)}): the document contradicts itself here, or it was read wrong; the page tells which")
        for record, columns in _same_findings(found):
            lines += _finding(record, names.get(record.rule, _DEFAULT_SIDES), tag=True)
            if columns:
                lines.append(f"    the same figures in {len(columns)} more column{'s' if len(columns) > 1 else ''}: {'; '.join(columns)}")
        lines.append("")
    rounding = [r for r in ordered if r.status == Status.ROUNDING.value]
    if rounding:
        lines.append(f"== ROUNDING ({len(rounding)}): within what the printed precision allows (each one: --format json)")
        lines += _rounding_groups(rounding)
        lines.append("")
    notes = [r for r in ordered if r.status == Status.INFO.value]
    if notes:
        lines.append(f"== INFO ({len(notes)})")
        for record in notes:
            lines += _finding(record, names.get(record.rule, _DEFAULT_SIDES), tag=False)
        lines.append("")
    return "\n".join(lines) + "\n"


def _pages(record: CheckRecord) -> str:
    return ", ".join(f"p{p}" for p in sorted({e.page for e in record.evidence if e.page}))


def _finding(record: CheckRecord, sides: tuple[str, str], *, tag: bool) -> list[str]:
    head = f"[{record.severity}] " if tag else ""
    lines = [f"{head}{record.rule} {_pages(record)}: {record.message}", f"    {record.description_zh}"]
    if record.difference is not None:
        lines.append(f"    {sides[0]} {record.expected}, {sides[1]} {record.actual}: difference {record.difference}")
    for e in record.evidence[:8]:
        file = f"{e.file} " if e.file else ""
        lines.append(f"    - {e.label} = {e.value}{e.unit or ''} ({file}p{e.page})")
    if len(record.evidence) > 8:
        lines.append(f"    - … {len(record.evidence) - 8} more")
    return lines


def _same_findings(records: Sequence[CheckRecord]) -> list[tuple[CheckRecord, list[str]]]:
    """Findings that compare the same figures in several columns of one table (a 类 that fails in 合计 and in
    当年预算/小计 alike), as the first with the other columns' names."""
    groups: dict[tuple[object, ...], tuple[CheckRecord, list[str]]] = {}
    for record in records:
        column = _COLUMN.search(record.message)
        key: tuple[object, ...] = (record.rule, record.expected, record.actual, record.difference, _pages(record),
                                   _COLUMN.sub("[]", record.message) if column else record.message)
        if key in groups and column:
            groups[key][1].append(f"[{column.group(1)}]")
        else:
            groups.setdefault(key, (record, []))
    return list(groups.values())


def _rounding_groups(records: Sequence[CheckRecord]) -> list[str]:
    """One line per rule: how many, the largest difference, and where (each table or passage with its page)."""
    lines = []
    by_rule: dict[str, list[CheckRecord]] = {}
    for record in records:
        by_rule.setdefault(record.rule, []).append(record)
    for rule, group in by_rule.items():
        largest = max((abs(Decimal(r.difference)) for r in group if r.difference is not None), default=None)
        places: Counter[str] = Counter(f"{r.message.split(':')[0][:30]} {_pages(r)}".strip() for r in group)
        where = "; ".join(f"{place} ×{n}" if n > 1 else place for place, n in places.items())
        size = f", at most {largest}" if largest is not None else ""
        lines.append(f"{rule}: {len(group)}{size}: {where}")
    return lines
