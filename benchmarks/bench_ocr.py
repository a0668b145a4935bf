"""Scanned tables: score.py on the truth documents printed to images and read back through OCR, next to the
text layer, and the OCR seconds per page on this machine.

Run from the repository root::

    python benchmarks/bench_ocr.py                                  # scan150 of every truth document, every page
    python benchmarks/bench_ocr.py --variants scan150,turned150,askew150,sealed150 --cited-only
    python benchmarks/bench_ocr.py --docs SH_PT_czj_2025_部门预算 --variants scan200 --alone-runs 1

Each variant is made by ``tests/scan_fixtures.py`` (pdftoppm, then spoiled and bound as an image-only PDF). With
``--cited-only`` the pages the truth does not cite are left white (faster; facts are then not scored).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor import extract  # noqa: E402
from extractor.export.json_export import document_to_json  # noqa: E402
from tests.scan_fixtures import VARIANTS, build  # noqa: E402
from tests.truth_fixtures import copy_truth  # noqa: E402

TRUTH = ROOT.parent / "shared" / "eval" / "truth" / "dev"
SCORE = ROOT.parent / "shared" / "eval" / "score.py"


def score(truth: Path, pred: Path) -> str:
    result = subprocess.run([sys.executable, str(SCORE), "--truth", str(truth), "--pred", str(pred)], capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


# The CLI is run in a grandchild forked from a fresh interpreter: a child started from this process inherits its
# peak resident memory (Linux keeps the high-water mark across exec), which would report this process's peak.
_ALONE = """
import os, runpy, sys
pid = os.fork()
if pid == 0:
    sys.argv = ["extractor", *sys.argv[1:]]
    try:
        runpy.run_module("extractor.cli", run_name="__main__", alter_sys=True)
    except SystemExit as e:
        os._exit(e.code if isinstance(e.code, int) else 1)
    os._exit(0)
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def alone(path: Path, out: Path) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of the CLI extracting one scan in a process of its own: what one
    scan costs, apart from this process's text layers and other scans."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _ALONE, str(path), "-o", str(out)], cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, int(result.stdout.split()[-1]) / 1024  # kilobytes on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="", help="comma-separated truth doc ids (default: all with values)")
    parser.add_argument("--variants", default="scan150", help=f"comma-separated, from {', '.join(VARIANTS)}")
    parser.add_argument("--cited-only", action="store_true", help="print only the pages the truth cites (others white)")
    parser.add_argument("--alone-runs", type=int, default=3, help="times the longest scan is read alone (its peak varies from run to run)")
    args = parser.parse_args()
    docs = [d for d in args.docs.split(",") if d] or sorted(
        p.name[: -len(".values.csv")] for p in TRUTH.glob("*.values.csv") if len(p.read_text(encoding="utf-8").splitlines()) > 2
    )
    with tempfile.TemporaryDirectory() as tmp:
        text_pred = Path(tmp) / "text"
        text_pred.mkdir()
        text_truth = Path(tmp) / "text_truth"
        text_truth.mkdir()
        for doc_id in docs:
            source = next((ROOT.parent / "shared" / "corpus").rglob(f"{doc_id}.pdf"))
            (text_pred / f"{doc_id}.json").write_text(document_to_json(extract(source)), encoding="utf-8")
            copy_truth(TRUTH, doc_id, text_truth, doc_id)
        print(f"{'text layer':<12} {score(text_truth, text_pred)}")
        for variant in args.variants.split(","):
            out = Path(tmp) / variant
            files, truth = build(TRUTH, out, docs, [variant], args.cited_only)
            pred = out / "pred"
            pred.mkdir()
            seconds, pages, longest = 0.0, 0, (0, Path())
            for path in sorted(files.glob("*.pdf")):
                started = time.perf_counter()
                doc = extract(path)
                seconds += time.perf_counter() - started
                pages += len(doc.source.ocr_pages)
                longest = max(longest, (len(doc.source.ocr_pages), path))
                (pred / f"{path.stem}.json").write_text(document_to_json(doc), encoding="utf-8")
            print(f"{variant:<12} {score(truth, pred)}")
            white = " (white pages included: see --cited-only)" if args.cited_only else ""
            print(f"{'':<12} {pages} OCR pages in {seconds:.1f} s: {seconds / max(pages, 1):.2f} s/page{white} (whole pipeline, 2 cores)")
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
            print(f"{'':<12} peak resident memory of this process so far: {peak:.0f} MB")
            runs = [alone(longest[1], out / "alone.json") for _ in range(args.alone_runs)]
            name = f"{longest[1].stem}, {longest[0]} pages"
            each = ", ".join(f"{taken:.1f} s {peak_mb:.0f} MB" for taken, peak_mb in runs)
            middle = sorted(runs, key=lambda run: run[1])[len(runs) // 2] if runs else (0.0, 0.0)
            print(f"{'':<12} one scan alone ({name}, the CLI in its own process), {len(runs)} runs: {each}; "
                  f"median peak {middle[1]:.0f} MB, highest {max((r[1] for r in runs), default=0):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
