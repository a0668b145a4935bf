"""Table-extraction throughput: the extractor pipeline against pdfplumber's and camelot's table finders.

Run from the repository root::

    python benchmarks/bench_tables.py                      # every text PDF of the corpus
    python benchmarks/bench_tables.py --limit 5 --camelot-pages 3 --json out.json

Engines, each over the same documents, one after the other, with a garbage collection between runs:

* ``pipeline``            ``extractor.extract(path)``, the whole pipeline, on every page;
* ``pdfplumber``          ``page.find_tables()`` on every page (the baseline: ratio 1.00);
* ``pdfplumber@first-N``  the same, on the first N pages of each document only (the baseline of camelot);
* ``camelot-lattice``     ``camelot.read_pdf(path, pages="1-N", flavor="lattice")``, the first N pages only
                          (``--camelot-pages``, 0 for all), rendered with PDFium, so no Ghostscript is needed.

pages/s is pages over the summed wall time of the successful documents (``time.perf_counter``); with
``--repeat R`` each engine makes R passes and the fastest pass is reported. The ratio is an engine's
pages/s over pdfplumber's on the same pages: above 1 is faster than pdfplumber. A document an engine fails
on is reported and left out of that engine's pages and seconds.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_LIST = ROOT / "tests" / "data" / "corpus_identity.csv"
ENGINES = ("pipeline", "pdfplumber", "camelot")

# An engine's work on one document: (path, number of pages to cover) -> number of tables found, or None if unknown.
Runner = Callable[[Path, int], int | None]


@dataclass(frozen=True)
class Doc:
    """One input PDF and its page count (read with PDFium, outside any timing)."""

    path: Path
    name: str
    pages: int


@dataclass(frozen=True)
class Engine:
    """A timed engine: what it runs and on which pages of each document (``first`` None: every page)."""

    name: str
    run: Runner
    first: int | None = None
    baseline: str = "pdfplumber"

    def pages_of(self, doc: Doc) -> int:
        return doc.pages if self.first is None else min(self.first, doc.pages)

    def page_note(self) -> str:
        return "all pages" if self.first is None else f"pages 1-{self.first} of each document"


@dataclass
class Result:
    """One engine's fastest pass over the documents."""

    engine: str
    ran_on: str
    baseline: str
    docs: int = 0
    pages: int = 0
    seconds: float = 0.0
    tables: int | None = 0
    passes: list[float] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    per_doc: dict[str, float] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


# --- engines -------------------------------------------------------------------------------------------------


def run_pipeline(path: Path, pages: int) -> int | None:
    """The whole extractor pipeline; ``pages`` is ignored: it always reads the whole document."""
    from extractor import extract

    tables = getattr(extract(path), "tables", None)
    return None if tables is None else len(tables)


def run_pdfplumber(path: Path, pages: int) -> int | None:
    """pdfplumber's bare table finder on the first ``pages`` pages."""
    found = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages[:pages]:
            found += len(page.find_tables())
    return found


def run_camelot(path: Path, pages: int) -> int | None:
    """camelot's lattice flavor (OpenCV on a PDFium rendering) on pages 1..``pages``."""
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "No tables found on page-N" and the like
        tables = camelot.read_pdf(str(path), pages=f"1-{pages}", flavor="lattice", backend="pdfium", suppress_stdout=True)
    return len(tables)


def camelot_missing() -> str | None:
    """Why camelot cannot run here, or None when it can (imported now, so the import is not timed)."""
    try:
        import camelot  # noqa: F401
    except Exception as exc:  # ImportError, or cv2 failing to load its shared libraries
        return f"{type(exc).__name__}: {exc}"
    return None


def build_engines(wanted: Sequence[str], camelot_pages: int | None) -> tuple[list[Engine], list[str]]:
    """The engines to time, and notes on the ones skipped."""
    engines: list[Engine] = []
    notes: list[str] = []
    if "pipeline" in wanted:
        import extractor  # noqa: F401  (imported before timing)

        engines.append(Engine("pipeline", run_pipeline))
    if "pdfplumber" in wanted:
        engines.append(Engine("pdfplumber", run_pdfplumber))
    if "camelot" in wanted:
        missing = camelot_missing()
        if missing:
            notes.append(f"camelot skipped: not importable ({missing}); pip install 'camelot-py>=1.0'")
        else:
            if camelot_pages is not None:
                baseline = f"pdfplumber@first-{camelot_pages}"
                engines.append(Engine(baseline, run_pdfplumber, camelot_pages, baseline))
            else:
                baseline = "pdfplumber"
            engines.append(Engine("camelot-lattice", run_camelot, camelot_pages, baseline))
    return engines, notes


# --- inputs ----------------------------------------------------------------------------------------------------


def listed_paths(listing: Path) -> list[str]:
    """The first column of the listing CSV (after its header row)."""
    with open(listing, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return [row[0] for row in rows[1:] if row and row[0].strip()]


def page_count(path: Path) -> int:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def load_docs(corpus: Path, listing: Path, limit: int | None) -> list[Doc]:
    """The listed PDFs that exist under ``corpus``; missing or unreadable ones are reported on stderr."""
    docs: list[Doc] = []
    for name in listed_paths(listing)[:limit]:
        path = corpus / name
        try:
            path.read_bytes()  # also warms the page cache, so no engine pays the first disk read
            docs.append(Doc(path, name, page_count(path)))
        except Exception as exc:
            print(f"skipped {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
    return docs


# --- timing ----------------------------------------------------------------------------------------------------


def time_pass(engine: Engine, docs: Sequence[Doc], result: Result) -> dict[str, float]:
    """One pass over the documents: seconds per document; failures go to ``result.errors``, tables to ``result.tables``."""
    times: dict[str, float] = {}
    tables: int | None = 0
    for doc in docs:
        gc.collect()
        start = time.perf_counter()
        try:
            found = engine.run(doc.path, engine.pages_of(doc))
        except Exception as exc:
            result.errors[doc.name] = f"{type(exc).__name__}: {exc}"[:300]
            continue
        times[doc.name] = time.perf_counter() - start
        tables = None if found is None or tables is None else tables + found
    result.tables = tables
    return times


def time_engine(engine: Engine, docs: Sequence[Doc], repeat: int) -> Result:
    """``repeat`` passes of one engine over the documents; the fastest pass is kept."""
    result = Result(engine.name, engine.page_note(), engine.baseline)
    passes = [time_pass(engine, docs, result) for _ in range(repeat)]
    ok = [d for d in docs if d.name not in result.errors]  # a document that failed in any pass is left out of every pass
    totals = [sum(times[d.name] for d in ok) for times in passes]
    best = passes[totals.index(min(totals))]
    result.docs = len(ok)
    result.pages = sum(engine.pages_of(d) for d in ok)
    result.seconds = min(totals)
    result.passes = totals
    result.per_doc = {d.name: best[d.name] for d in ok}
    return result


# --- report ----------------------------------------------------------------------------------------------------


def ratio(result: Result, by_name: dict[str, Result]) -> float | None:
    base = by_name.get(result.baseline)
    if base is None or not base.pages_per_s:
        return None
    return result.pages_per_s / base.pages_per_s


def table_lines(results: Sequence[Result]) -> list[str]:
    by_name = {r.engine: r for r in results}
    header = f"{'engine':<22} {'docs':>5} {'pages':>6} {'seconds':>9} {'pages/s':>9} {'ratio':>6}  {'ratio vs':<22} {'tables':>6}  pages run"
    lines = [header, "-" * len(header)]
    for r in results:
        rat = ratio(r, by_name)
        rat_text = "-" if rat is None else f"{rat:.2f}"
        tables = "-" if r.tables is None else str(r.tables)
        lines.append(
            f"{r.engine:<22} {r.docs:>5} {r.pages:>6} {r.seconds:>9.2f} {r.pages_per_s:>9.2f} {rat_text:>6}  {r.baseline:<22} {tables:>6}  {r.ran_on}"
        )
    return lines


def report(results: Sequence[Result], notes: Sequence[str], repeat: int) -> str:
    lines = table_lines(results)
    lines.append("")
    lines.append(f"ratio = pages/s over the pages/s of the 'ratio vs' engine, which ran on the same pages; fastest of {repeat} pass(es).")
    if any(r.engine == "pipeline" and r.tables is None for r in results):
        lines.append("pipeline tables '-': the returned Document has no .tables attribute.")
    lines.extend(notes)
    for r in results:
        lines.extend(f"error: {r.engine} on {name}: {message}" for name, message in r.errors.items())
    return "\n".join(lines)


def json_payload(args: argparse.Namespace, docs: Sequence[Doc], results: Sequence[Result], notes: Sequence[str]) -> dict[str, Any]:
    by_name = {r.engine: r for r in results}
    return {
        "settings": {"corpus": str(args.corpus), "list": str(args.list), "limit": args.limit, "repeat": args.repeat,
                     "camelot_pages": args.camelot_pages, "engines": args.engines},
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "processor": platform.processor()},
        "documents": [{"name": d.name, "pages": d.pages} for d in docs],
        "results": [{**asdict(r), "pages_per_s": r.pages_per_s, "ratio": ratio(r, by_name)} for r in results],
        "notes": list(notes),
    }


# --- command line ----------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder the listed paths are relative to (default: %(default)s)")
    parser.add_argument("--list", type=Path, default=DEFAULT_LIST, help="CSV listing the PDFs in column 1, after a header (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N listed documents")
    parser.add_argument("--repeat", type=int, default=1, help="passes per engine; the fastest is reported (default: %(default)s)")
    parser.add_argument("--camelot-pages", type=int, default=10, help="camelot on the first N pages of each document, 0: all (default: %(default)s)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of %(default)s")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON to FILE")
    args = parser.parse_args(argv)
    unknown = set(args.engines.split(",")) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    if args.repeat < 1 or args.camelot_pages < 0 or (args.limit is not None and args.limit < 1):
        parser.error("--repeat and --limit must be at least 1, --camelot-pages at least 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    docs = load_docs(args.corpus, args.list, args.limit)
    if not docs:
        print(f"no documents found under {args.corpus}", file=sys.stderr)
        return 2
    engines, notes = build_engines(args.engines.split(","), args.camelot_pages or None)
    print(f"{len(docs)} document(s), {sum(d.pages for d in docs)} pages, from {args.corpus}", flush=True)
    results: list[Result] = []
    for engine in engines:
        print(f"timing {engine.name} ({engine.page_note()}) ...", file=sys.stderr, flush=True)
        results.append(time_engine(engine, docs, args.repeat))
        gc.collect()
    print(report(results, notes, args.repeat))
    if args.json:
        args.json.write_text(json.dumps(json_payload(args, docs, results, notes), ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
