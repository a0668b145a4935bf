"""An archive at scale (issue 19): N distinct inputs made from the corpus and the pool, read by ``extract batch`` with
two workers, at several sizes, to show that the cost grows linearly with the number of files.

    python benchmarks/bench_archive.py                               # 1,000, 3,000 and 10,000 files
    python benchmarks/bench_archive.py --sizes 1000 --cluster        # and again on a local Dask cluster of 2 workers

Each input is a corpus or pool file with a marker appended (a PDF comment after %%EOF, an HTML comment), so that
every input's bytes differ and nothing is read once for two names. To keep 10,000 files within an hour on two
cores, the sources are the files of at most ``--max-pages`` pages (the small disclosures, web pages and notices an
archive is mostly made of); OCR is off. For each size it reports:

- files/s over time (the journal's count every few seconds) and overall;
- worker memory: the peak resident size after each file (the manifest's ``peak_mb``), first and last tenth;
- the manifest's size and the cost of a resume (the same command again, nothing left to do);
- the dataset: build time (``build_dataset`` again on the finished batch) and size on disk;
- the three panel questions (the README's and docs/datasets.md's) in DuckDB, each timed.

With ``--cluster`` the smallest size runs again through the Dask scheduler of a local cluster of two workers, and
the two datasets' Parquet values are compared, table by table, row for row. Not a timed test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def sources(max_pages: int) -> list[Path]:
    import pypdfium2 as pdfium

    found = []
    for folder in (SHARED / "corpus", SHARED / "pool"):
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in (".html", ".htm"):
                found.append(path)
            elif path.suffix.lower() == ".pdf":
                try:
                    pdf = pdfium.PdfDocument(str(path))
                except pdfium.PdfiumError:
                    continue
                if len(pdf) <= max_pages:
                    found.append(path)
                pdf.close()
    return found


def make_inputs(folder: Path, count: int, pool: list[Path]) -> None:
    """``count`` distinct files: the sources in turn, each with its copy number appended."""
    if folder.is_dir() and len(list(folder.iterdir())) == count:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index in range(count):
        source = pool[index % len(pool)]
        data = source.read_bytes()
        marker = f"\n<!-- copy {index} -->\n" if source.suffix.lower() in (".html", ".htm") else f"\n%copy {index}\n"
        (folder / f"{index:05d}_{source.name}").write_bytes(data + marker.encode())


def _journal_lines(out: Path) -> int:
    try:
        with open(out / "journal.jsonl", "rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0


def run_batch(inputs: Path, out: Path, extra: list[str]) -> tuple[float, list[tuple[float, int]]]:
    """The batch as a user runs it; returns its seconds and (seconds, files done) every few seconds."""
    command = [sys.executable, "-m", "extractor.cli", "batch", str(inputs), "-o", str(out), "--jobs", "2", "--ocr", "never",
               "--duckdb", "--quiet", *extra]
    started = time.perf_counter()
    timeline = []
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        while process.poll() is None:
            time.sleep(0.2)
            now = time.perf_counter() - started
            if now - (timeline[-1][0] if timeline else 0.0) >= 5:
                timeline.append((now, _journal_lines(out)))
        error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({process.returncode}): {error[-500:]}")
    return time.perf_counter() - started, timeline


# a scan of the whole panel beside the three research questions (which name one entity or region)
_WHOLE_PANEL = "SELECT entity_key, fiscal_year, table_kind, count(*), sum(value_yuan) FROM panel GROUP BY ALL"


def queries() -> list[str]:
    """The research questions: the README's, then docs/datasets.md's (each block marked ``<!-- panel -->``)."""
    blocks = [block for page in (ROOT / "README.md", ROOT / "docs" / "datasets.md")
              for block in re.findall(r"<!-- panel -->\s*```sql\n(.*?)```", page.read_text(encoding="utf-8"), re.S)]
    return [q.strip() for block in blocks for q in block.split(";") if q.strip()] + [_WHOLE_PANEL]


def measure(size: int, work: Path, pool: list[Path], extra: list[str], tag: str) -> dict[str, object]:
    from extractor.export.dataset import build_dataset

    inputs = work / f"inputs_{size}"
    make_inputs(inputs, size, pool)
    out = work / f"out_{tag}_{size}"
    shutil.rmtree(out, ignore_errors=True)
    seconds, timeline = run_batch(inputs, out, extra)
    rows = [json.loads(line) for line in (out / "journal.jsonl").read_text(encoding="utf-8").splitlines()]
    peaks = [float(r.get("peak_mb") or 0) for r in rows]
    tenth = max(1, len(peaks) // 10)
    resume, _ = run_batch(inputs, out, extra)
    started = time.perf_counter()
    counts = build_dataset(out, duckdb=True)
    build = time.perf_counter() - started
    data_bytes = sum(p.stat().st_size for p in (out / "data").iterdir())
    timed = []
    import duckdb

    with duckdb.connect(str(out / "data" / "dataset.duckdb"), read_only=True) as connection:
        for query in queries():
            started = time.perf_counter()
            found = connection.execute(query).fetchall()
            timed.append((round(time.perf_counter() - started, 3), len(found)))
    rates = [(round(t), round((n - n0) / (t - t0), 2)) for (t0, n0), (t, n) in zip([(0.0, 0), *timeline], timeline, strict=False) if t > t0]
    return {
        "size": size, "mode": tag, "seconds": round(seconds, 1), "files_per_s": round(size / seconds, 2),
        "files_per_s_over_time": rates[:: max(1, len(rates) // 12)],
        "peak_mb_first_tenth": round(max(peaks[:tenth]), 1), "peak_mb_last_tenth": round(max(peaks[-tenth:]), 1),
        "manifest_kb": round((out / "manifest.csv").stat().st_size / 1024, 1), "journal_kb": round((out / "journal.jsonl").stat().st_size / 1024, 1),
        "resume_s": round(resume, 1), "dataset_build_s": round(build, 1), "dataset_mb": round(data_bytes / 2**20, 1),
        "rows": counts, "panel_queries_s_rows": timed,
    }


def same_values(a: Path, b: Path) -> dict[str, bool]:
    """Each dataset table's values equal in both runs, rows sorted (a cluster finishes files in its own order)."""
    import pyarrow.parquet as pq

    same = {}
    for path in sorted((a / "data").glob("*.parquet")):
        left, right = pq.read_table(path), pq.read_table(b / "data" / path.name)
        drop = [c for c in ("paths", "group") if c in left.column_names]  # the documents' own input paths differ in nothing else
        key = [c for c in left.column_names if c not in drop]
        same[path.stem] = sorted(map(str, left.select(key).to_pylist())) == sorted(map(str, right.select(key).to_pylist()))
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,3000,10000")
    parser.add_argument("--max-pages", type=int, default=12)
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "bench_archive")
    parser.add_argument("--cluster", action="store_true", help="the smallest size again on a local Dask cluster of 2 workers")
    args = parser.parse_args()
    pool = sources(args.max_pages)
    print(f"{len(pool)} source files of at most {args.max_pages} pages", flush=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        print(json.dumps(measure(size, args.work, pool, [], "local"), ensure_ascii=False), flush=True)
    if args.cluster:
        from dask.distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
            result = measure(sizes[0], args.work, pool, ["--scheduler", cluster.scheduler_address], "cluster")
        print(json.dumps(result, ensure_ascii=False), flush=True)
        same = same_values(args.work / f"out_local_{sizes[0]}", args.work / f"out_cluster_{sizes[0]}")
        print("cluster dataset equals the local one:", json.dumps(same), flush=True)


if __name__ == "__main__":
    main()
