"""Every file of ../shared/pool (or of the folders given) read as a batch reads it, one line per file: status,
document type, department, year, tables, verified tables, mismatches; then every table a rule fails, with the rules;
then the totals, with the amount columns of the financial table kinds and those the column model leaves unmapped, and
how many tables each rule fails.

    python benchmarks/bench_pool.py                  # the pool, two processes
    python benchmarks/bench_pool.py ../shared/corpus --jobs 1

Not a timed test: it prints what a run over unseen files gives, to be read page by page where a mismatch shows.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def read(path: str) -> dict[str, object]:
    from extractor.errors import ExtractorError
    from extractor.pipeline import ExtractSettings, extract

    try:
        doc = extract(path, ExtractSettings(ocr="never"))
    except ExtractorError as e:
        return {"file": path, "status": f"failed (exit {e.exit_code})", "error": str(e)}
    from extractor.domain.columns import FINANCIAL_KINDS

    tables = [t for t in doc.tables if not t.empty]
    amounts = [(t.kind, c.status) for t in doc.tables for c in t.columns if c.role == "amount"]
    return {
        "amount columns": sum(1 for kind, _ in amounts if kind in FINANCIAL_KINDS),
        "unmapped amount columns": sum(1 for kind, status in amounts if kind in FINANCIAL_KINDS and status == "unmapped"),
        "unmapped amount columns of 绩效目标表": sum(1 for kind, status in amounts if kind not in FINANCIAL_KINDS and status == "unmapped"),
        "file": path, "status": "warning" if doc.warnings else "ok", "type": doc.document.document_type,
        "department": doc.document.department or "", "year": doc.document.fiscal_year or "", "kind": doc.document.report_kind or "",
        "tables": len(tables), "verified": sum(1 for t in tables if t.verified), "unverified": sum(1 for t in tables if t.verified is False),
        "mismatches": sum(1 for c in doc.checks if c.status == "mismatch"), "figures": len(doc.facts),
        "failing": [(t.number or t.title or t.kind, t.pages[0] if t.pages else 0, t.failed_checks) for t in tables if t.failed_checks],
        "inferred codes": sum(1 for t in tables for r in t.rows if r.code_source == "inferred"),
        "unresolved names": sum(int(m.group(1)) for t in tables for n in t.notes if (m := re.search(r"(\d+) names not resolved", n))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", default=[str(ROOT.parent / "shared" / "pool")])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    files = sorted(str(p) for folder in args.folders for p in Path(folder).rglob("*") if p.is_file() and p.suffix not in (".md", ".tsv"))
    started = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(read, files))
    totals: collections.Counter[str] = collections.Counter()
    for r in results:
        name = os.path.basename(str(r["file"]))
        if "error" in r:
            print(f"{name:<28} {r['status']:<16} {str(r['error'])[:90]}")
            totals["failed"] += 1
            continue
        print(f"{name:<28} {r['status']:<8} {r['type']:<11} {str(r['department'])[:24]:<24} {r['year']!s:<5} {r['kind']!s:<15} "
              f"tables {r['tables']:>3} verified {r['verified']:>3} unverified {r['unverified']:>2} mismatches {r['mismatches']:>3}")
        totals[f"type {r['type']}"] += 1
        if r["type"] == "disclosure":
            totals["disclosures"] += 1
            totals["tables"] += int(r["tables"])  # type: ignore[call-overload]
            totals["verified tables"] += int(r["verified"])  # type: ignore[call-overload]
            totals["unverified tables"] += int(r["unverified"])  # type: ignore[call-overload]
            totals["mismatches"] += int(r["mismatches"])  # type: ignore[call-overload]
            for key in ("amount columns", "unmapped amount columns", "unmapped amount columns of 绩效目标表", "inferred codes", "unresolved names"):
                totals[key] += int(r[key])  # type: ignore[call-overload]
            if r["tables"]:
                totals["tabled disclosures"] += 1
                if r["mismatches"]:
                    totals["tabled disclosures with a mismatch"] += 1
    print("\ntables a rule fails (file, table, first page: rules):")
    for r in results:
        for table, page, rules in r.get("failing", []):  # type: ignore[attr-defined]
            print(f"  {os.path.basename(str(r['file']))}, {str(table)[:40]}, p{page}: {', '.join(rules)}")
            for rule in rules:
                totals[f"tables failing {rule}"] += 1
    print(f"\n{len(files)} files in {time.perf_counter() - started:.0f} s:", ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
