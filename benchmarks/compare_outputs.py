"""Every output of a corpus-and-pool batch, before and after a change: byte for byte.

A change of structure must leave what users get unchanged. ``snapshot`` runs ``extract batch`` over
``../shared/corpus`` and ``../shared/pool`` (or the folders given) into a folder: every document's JSON, the
companion groups, the manifest and every dataset table (CSV and Parquet). ``compare`` then lists every file that
differs between two snapshots; the manifest is compared without the columns that vary from run to run (seconds,
peak memory), and the journal not at all (it records times).

    python benchmarks/compare_outputs.py snapshot /tmp/before          # at the old commit
    python benchmarks/compare_outputs.py snapshot /tmp/after           # at the new one
    python benchmarks/compare_outputs.py compare /tmp/before /tmp/after

``--ocr auto`` reads the scanned pages too (a few minutes more); the default, ``never``, leaves them out.
Exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
_VARYING = ("seconds", "peak_mb")  # manifest columns that differ between two runs of the same code


def snapshot(out: Path, folders: list[str], ocr: str, jobs: int) -> None:
    """Run the batch into ``out`` (which must not exist: a resumed batch would re-read nothing)."""
    if out.exists():
        sys.exit(f"error: {out} exists; give a new folder")
    command = [sys.executable, "-m", "extractor.cli", "batch", *folders, "-o", str(out), "--jobs", str(jobs), "--ocr", ocr, "--quiet"]
    subprocess.run(command, check=False, cwd=ROOT)  # exit 1 when some file failed: those rows are part of the snapshot
    if not (out / "manifest.csv").is_file():
        sys.exit(f"error: the batch wrote no manifest in {out}")


def _manifest(path: Path) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    return [{k: v for k, v in row.items() if k not in _VARYING} for row in rows]


def _outputs(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and p.name != "journal.jsonl"}


def compare(before: Path, after: Path) -> list[str]:
    """One line per output that is missing on one side or differs."""
    differences = []
    old, new = _outputs(before), _outputs(after)
    differences += [f"only before: {p}" for p in sorted(old - new)]
    differences += [f"only after: {p}" for p in sorted(new - old)]
    for name in sorted(old & new):
        if name.name == "manifest.csv":
            same = _manifest(before / name) == _manifest(after / name)
        else:
            same = (before / name).read_bytes() == (after / name).read_bytes()
        if not same:
            differences.append(f"differs: {name}")
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("snapshot", help="run the batch into a new folder")
    take.add_argument("out", type=Path)
    take.add_argument("folders", nargs="*", default=[str(SHARED / "corpus"), str(SHARED / "pool")])
    take.add_argument("--ocr", choices=("auto", "never"), default="never")
    take.add_argument("--jobs", type=int, default=2)
    check = commands.add_parser("compare", help="list the outputs that differ between two snapshots")
    check.add_argument("before", type=Path)
    check.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "snapshot":
        snapshot(args.out, args.folders, args.ocr, args.jobs)
        print(f"snapshot: {len(_outputs(args.out))} files in {args.out}")
        return
    differences = compare(args.before, args.after)
    print("\n".join(differences))
    print(f"compare: {len(_outputs(args.before))} outputs before, {len(_outputs(args.after))} after, {len(differences)} differ")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
