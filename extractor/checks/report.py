"""Check results as records for the JSON, counts per rule, and the readable report of ``extract check``."""

from __future__ import annotations

from collections.abc import Sequence

from extractor.checks.model import CheckResult, Severity, Status
from extractor.records import CheckEvidenceRecord, CheckRecord

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_STATUS_ORDER = {Status.MISMATCH: 0, Status.ROUNDING: 1, Status.INFO: 2, Status.OK: 3}


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


def format_report(records: Sequence[CheckRecord], counts: dict[str, dict[str, int]], title: str) -> str:
    """A readable report: the counts first, then the findings by outcome (mismatch, rounding, info), each with
    its rule, pages, figures and difference."""
    total = {s: sum(c.get(s, 0) for c in counts.values()) for s in ("mismatch", "rounding", "info", "ok")}
    lines = [f"{title}: " + ", ".join(f"{n} {'mismatches' if s == 'mismatch' and n != 1 else s}" for s, n in total.items()), ""]
    ordered = sorted(records, key=lambda r: (_STATUS_ORDER[Status(r.status)], _ORDER[Severity(r.severity)], r.rule))
    for status in (Status.MISMATCH, Status.ROUNDING, Status.INFO):
        group = [r for r in ordered if r.status == status.value]
        if not group:
            continue
        lines.append(f"== {status.value.upper()} ({len(group)})")
        for record in group:
            pages = sorted({e.page for e in record.evidence if e.page})
            where = ", ".join(f"p{p}" for p in pages)
            lines.append(f"[{record.severity}] {record.rule} {where}: {record.message}")
            lines.append(f"    {record.description_zh}")
            if record.difference is not None:
                lines.append(f"    expected {record.expected}, printed {record.actual}, difference {record.difference}")
            for e in record.evidence[:8]:
                file = f"{e.file} " if e.file else ""
                lines.append(f"    - {e.label} = {e.value}{e.unit or ''} ({file}p{e.page})")
            if len(record.evidence) > 8:
                lines.append(f"    - … {len(record.evidence) - 8} more")
        lines.append("")
    return "\n".join(lines) + "\n"
