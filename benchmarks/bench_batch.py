"""Batch throughput and worker memory: files/s and pages/s at --jobs 1 and 2, and each worker's peak memory
over the corpus processed three times in a row by the same workers (it must stay flat).

Run from the repository root::

    python benchmarks/bench_batch.py                 # every text PDF of tests/data/corpus_identity.csv
    python benchmarks/bench_batch.py --limit 10 --passes 2
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from extractor.batch import BatchSettings, _Pool, batch

ROOT = Path(__file__).resolve().parents[1]


def corpus(limit: int | None) -> list[Path]:
    with open(ROOT / "tests" / "data" / "corpus_identity.csv", encoding="utf-8") as handle:
        paths = [ROOT.parent / "shared" / "corpus" / row["path"] for row in csv.DictReader(handle)]
    return paths[:limit] if limit else paths


def throughput(paths: list[Path], jobs: int) -> tuple[float, int, float]:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        rows = batch(paths, out, BatchSettings(jobs=jobs, progress=False))
        seconds = time.perf_counter() - started
    return seconds, sum(r.pages for r in rows), len(rows) / seconds


def memory(paths: list[Path], jobs: int, passes: int) -> list[tuple[float, float]]:
    """(highest peak, highest resident-after-a-file) memory in MB of the workers in each pass over the corpus,
    the same workers throughout: flat figures mean nothing accumulates from file to file."""
    peaks: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as out:
        pool = _Pool(jobs, BatchSettings(jobs=jobs, progress=False, max_memory_mb=100_000))
        try:
            for index in range(passes):
                results: list[dict] = []
                tasks = [{"path": str(p), "out": str(Path(out) / f"{index}-{n}.json"), "tables": "hybrid"} for n, p in enumerate(paths)]
                pool.run(tasks, results.append)
                peaks.append((max(r.get("peak_mb", 0) for r in results), max(r.get("rss_mb", 0) for r in results)))
        finally:
            pool.close()
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    paths = corpus(args.limit)
    print(f"{len(paths)} files")
    for jobs in (1, 2):
        seconds, pages, rate = throughput(paths, jobs)
        print(f"--jobs {jobs}: {seconds:.1f} s, {rate:.2f} files/s, {pages / seconds:.1f} pages/s ({pages} pages)")
    for index, (peak, resident) in enumerate(memory(paths, 2, args.passes), 1):
        print(f"pass {index} (2 workers): peak {peak:.0f} MB, largest resident after a file {resident:.0f} MB")


if __name__ == "__main__":
    main()
