"""A bounded mutation fuzz run of every reader, each mutant through the batch's worker pool with a time limit:
corpus PDFs with bytes flipped, cut, duplicated or spliced; web pages (the corpus's and the pool's) with hostile
row and column spans, elements repeated thousands of times, deep nesting, dropped closing tags, a wrong charset, or
mutated bytes; positioned HTML (the corpus's web page of a PDF's pages and ``pdftohtml -c``'s output of two corpus
PDFs) with hostile style numbers, damaged background pictures and repeated elements; .xlsx and .docx files made
from the truth documents (see tests/truth_fixtures.py), mutated as whole files and part by part inside their zip;
zip archives of corpus files, mutated, through a whole batch; plus random and mutated HTML and text through the
HTML reader and the normalisers in-process. Counts the outcomes of each format and its peak memory (the largest
peak resident size a worker reached: no mutant needed more); an internal error, a time-out or a file over the memory
ceiling is a finding.

    python benchmarks/fuzz.py --pdfs 2000 --office 2000 --zips 2000 --positioned 2000 --html 2000 --texts 20000 --seed 1 --timeout 20

PDF mutants are read with OCR off unless ``--ocr auto`` is given (then give a longer ``--timeout``).
"""

from __future__ import annotations

import argparse
import collections
import csv
import random
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.batch import BatchSettings, _Pool
from extractor.domain.amounts import parse_amount
from extractor.domain.columns import column_key
from extractor.domain.labels import normalise_label
from extractor.domain.table_kinds import classify_title, table_number
from extractor.domain.table_rows import split_glued
from extractor.errors import ExtractorError
from extractor.pipeline import extract

ROOT = Path(__file__).resolve().parents[1]


def mutate(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        position = rng.randrange(len(buffer)) if buffer else 0
        if choice < 0.4:
            for _ in range(rng.randint(1, 32)):
                if buffer:
                    buffer[rng.randrange(len(buffer))] = rng.randrange(256)
        elif choice < 0.55:
            del buffer[position : position + rng.randint(1, 4096)]
        elif choice < 0.7:
            buffer[position:position] = buffer[position : position + rng.randint(1, 4096)]
        elif choice < 0.85:
            buffer = buffer[: rng.randint(0, len(buffer))]
        else:
            buffer[position:position] = rng.choice([b"<<", b">>", b"obj", b"endobj", b"stream", b"0 0 R", b"9999999999", b"/Kids[", b"(" * 64])
    return bytes(buffer)


@dataclass
class Run:
    """One format's mutants: how each ended, the largest peak resident size of a worker that read them (a worker's
    peak since it started: no mutant needed more) and which mutant it was reached on, and the time."""

    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    peak_mb: float = 0.0
    heaviest: str = ""
    seconds: float = 0.0

    def add(self, result: dict[str, Any]) -> None:
        self.outcomes[_outcome(result)] += 1
        peak = float(result.get("peak_mb") or 0.0)
        if peak > self.peak_mb:
            self.peak_mb, self.heaviest = peak, str(result.get("path"))

    @property
    def findings(self) -> int:
        """Internal errors, time-outs and files over the memory ceiling."""
        return sum(n for outcome, n in self.outcomes.items() if outcome not in ("read", "duplicate") and not outcome.startswith("clean failure"))

    def line(self, name: str) -> str:
        return f"{name}: {dict(self.outcomes)} ({self.seconds:.0f} s; peak {self.peak_mb:.0f} MB, {self.heaviest})"


def _pool_run(tasks: list[dict[str, Any]], timeout: float, kind: Callable[[dict[str, Any]], str] = lambda _: "") -> dict[str, Run]:
    """The tasks through the batch's worker pool (two workers, the batch's memory ceiling), a run per kind of task."""
    runs: dict[str, Run] = collections.defaultdict(Run)
    started = time.perf_counter()
    pool = _Pool(2, BatchSettings(jobs=2, timeout=timeout, progress=False))
    try:
        pool.run(tasks, lambda result: runs[kind(result)].add(result))
    finally:
        pool.close()
    for run in runs.values():
        run.seconds = time.perf_counter() - started
    return dict(runs)


def pdf_run(count: int, rng: random.Random, timeout: float, ocr: str = "never") -> Run:
    """Mutated corpus PDFs through the batch's worker pool, each with a time limit. OCR is off unless asked for: a
    mutant whose text layer breaks is read from its pictures, seconds a page, past any fuzzing time limit."""
    with open(ROOT / "tests" / "data" / "corpus_identity.csv", encoding="utf-8") as handle:
        sources = [ROOT.parent / "shared" / "corpus" / row["path"] for row in csv.DictReader(handle)]
    originals = [p.read_bytes() for p in sources]
    with tempfile.TemporaryDirectory() as folder:
        tasks = []
        for i in range(count):
            data = mutate(rng.choice(originals), rng)
            tasks.append({"path": f"mutant-{i}.pdf", "data": data, "out": str(Path(folder) / f"{i}.json"), "tables": "hybrid", "ocr": ocr})
        return _pool_run(tasks, timeout).get("", Run())


POSITIONED_PAGE = ROOT.parent / "shared" / "corpus" / "renwu" / "YT_tyjrswj_2026_部门预算.html"
# pdftohtml draws these two's rules in background pictures: small ones of one IDAT chunk, and large ones of several
POSITIONED_PDFS = [ROOT.parent / "shared" / "corpus" / "GovBudgetChecker" / "SH_PT_ghzyj_2024_部门决算.pdf",
                   ROOT.parent / "shared" / "corpus" / "renwu" / "CN_gjxfj_2026_部门预算.pdf"]
_CONTAINER = re.compile(rb'<div[^>]*position:\s*relative', re.I)
_STYLE_NUMBER = re.compile(rb"((?:top|left|width|height|font-size|line-height)\s*:\s*)(-?[\d.]+)", re.I)
_ELEMENT = re.compile(rb"<(p|div)\b[^>]*position:absolute[^>]*>.*?</\1>", re.I | re.S)
_PICTURE = re.compile(rb"(data:image/png;base64,)([A-Za-z0-9+/=]+)")
_HOSTILE_NUMBERS = [b"1.2.3", b"9" * 400, b"0", b"0.0", b"-0", b".", b"..", b"-", b"-9" + b"9" * 400, b"99999999",
                    b"-99999999", b"0.0000001", b"1" + b"0" * 308, b"4" * 20]


def positioned_sources() -> list[bytes]:
    """Real positioned pages: the corpus's web page of a PDF's page ``<div>``s, and ``pdftohtml -c -dataurls``'s
    output of two corpus PDFs (rules in their background pictures) when poppler is installed."""
    import shutil
    import subprocess

    sources = [POSITIONED_PAGE.read_bytes()]
    if shutil.which("pdftohtml"):
        with tempfile.TemporaryDirectory() as folder:
            for i, pdf in enumerate(POSITIONED_PDFS):
                out = Path(folder) / f"page{i}"
                subprocess.run(["pdftohtml", "-c", "-s", "-noframes", "-q", "-dataurls", str(pdf), str(out)], check=True, timeout=120)
                sources.append(out.with_suffix(".html").read_bytes())
    return sources


def positioned_sample(page: bytes, rng: random.Random) -> bytes:
    """The page's head and a run of one to four of its page containers (a mutant reads in about a second)."""
    starts = [m.start() for m in _CONTAINER.finditer(page)]
    first = rng.randrange(len(starts))
    last = first + rng.randint(1, 4)
    end = starts[last] if last < len(starts) else len(page)
    return page[: starts[0]] + page[starts[first] : end] + b"</div></body></html>"


def mutate_positioned(page: bytes, rng: random.Random) -> bytes:
    """One to four changes aimed at what the positioned reader parses: a style number made hostile (two points,
    400 digits, zero, a lone sign), a class's font size likewise, a background picture's bytes damaged or cut,
    one element repeated up to thousands of times, or the bytes mutated as any file's."""
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.45:
            numbers = list(_STYLE_NUMBER.finditer(page))
            chosen = rng.sample(numbers, min(len(numbers), rng.randint(1, 20)))
            for match in sorted(chosen, key=lambda m: m.start(), reverse=True):  # from the end: earlier places stay put
                page = page[: match.start(2)] + rng.choice(_HOSTILE_NUMBERS) + page[match.end(2) :]
        elif choice < 0.6:
            pictures = list(_PICTURE.finditer(page))
            if pictures:
                match = rng.choice(pictures)
                damaged = _damaged_picture(match.group(2), rng)
                page = page[: match.start(2)] + damaged + page[match.end(2) :]
        elif choice < 0.75:
            elements = list(_ELEMENT.finditer(page))
            if elements:
                match = rng.choice(elements)
                copies = rng.choice([10, 100, 1000, 5000])
                page = page[: match.end()] + match.group() * copies + page[match.end() :]
        else:
            page = mutate(page, rng)
    return page


def positioned_run(count: int, rng: random.Random, timeout: float) -> Run:
    """Mutants of real positioned pages (see ``mutate_positioned``) through the batch's worker pool, each with a time limit."""
    sources = positioned_sources()
    return _pages_run([mutate_positioned(positioned_sample(rng.choice(sources), rng), rng) for _ in range(count)], timeout)


def _pages_run(pages: list[bytes], timeout: float) -> Run:
    """Mutated web pages through the batch's worker pool, each with a time limit."""
    with tempfile.TemporaryDirectory() as folder:
        tasks = [{"path": f"mutant-{i}.html", "data": data, "out": str(Path(folder) / f"{i}.json"), "tables": "hybrid"}
                 for i, data in enumerate(pages)]
        return _pool_run(tasks, timeout).get("", Run())


def html_sources() -> list[bytes]:
    """The corpus's web pages (not its positioned one, which ``positioned_run`` mutates) and the pool's."""
    shared = ROOT.parent / "shared"
    pages = sorted(p for p in (shared / "corpus").rglob("*.htm*") if p != POSITIONED_PAGE) + sorted((shared / "pool").glob("*.htm*"))
    return [p.read_bytes() for p in pages]


_SPAN = re.compile(rb"\b(rowspan|colspan)\s*=\s*[\"']?[^\s>\"']*[\"']?", re.I)
_CELL_OPEN = re.compile(rb"<t[dh]\b", re.I)
_REPEATABLE = re.compile(rb"<(tr|td|th|p|table|li)\b[^>]*>.*?</\1>", re.I | re.S)
_CHARSET = re.compile(rb"charset\s*=\s*[\"']?[-\w]+", re.I)
_HOSTILE_SPANS = [b"0", b"-1", b"1.5", b"", b"x", b"65535", b"99999", b"1" + b"0" * 12, b"9" * 400, b"2 3", b"+3", b"\xef\xbc\x93"]
_CHARSETS = [b"gbk", b"gb2312", b"gb18030", b"big5", b"utf-16", b"utf-32", b"latin-1", b"x-unknown", b"utf-7", b""]
_CLOSING = [b"</td>", b"</tr>", b"</table>", b"</p>", b"</div>", b"</tbody>", b"</th>"]
_OPENERS = [b"<div>", b"<table><tr><td>", b"<p><span>", b"<ul><li>", b"<td>"]
_REPEATED_BYTES = 2_000_000  # what repeating one element may add to a web page (the pool's largest page has 168 KB)


def mutate_html(page: bytes, rng: random.Random) -> bytes:
    """One to four changes aimed at what the HTML reader parses: a row or column span made hostile (zero, negative,
    huge, 400 digits, not a number), one row, cell, paragraph or table repeated up to 5,000 times (2 MB at most), a run of
    the page nested up to thousands deep, every closing tag of one kind dropped, the declared charset changed or a
    byte-order mark put first, or the bytes mutated as any file's."""
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.25:
            spans = list(_SPAN.finditer(page))
            value = rng.choice(_HOSTILE_SPANS)
            if spans:
                match = rng.choice(spans)
                page = page[: match.start()] + match.group(1) + b'="' + value + b'"' + page[match.end() :]
            elif cells := list(_CELL_OPEN.finditer(page)):
                at = rng.choice(cells).end()
                page = page[:at] + rng.choice([b" rowspan", b" colspan"]) + b'="' + value + b'"' + page[at:]
        elif choice < 0.4:
            elements = list(_REPEATABLE.finditer(page))
            if elements:  # at most 2 MB more (a whole table 5,000 times made pages of 50 MB: their size, not their structure)
                match = rng.choice(elements)
                copies = min(rng.choice([10, 100, 1000, 5000]), max(1, _REPEATED_BYTES // len(match.group())))
                page = page[: match.end()] + match.group() * copies + page[match.end() :]
        elif choice < 0.5:
            start = rng.randrange(len(page) + 1)
            end = rng.randint(start, len(page))
            depth, opener = rng.choice([10, 100, 1000, 3000]), rng.choice(_OPENERS)
            page = page[:start] + opener * depth + page[start:end] + opener.replace(b"<", b"</") * depth + page[end:]
        elif choice < 0.6:
            page = page.replace(rng.choice(_CLOSING), b"")
        elif choice < 0.7:
            if rng.random() < 0.3:
                page = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]) + page
            else:
                page = _CHARSET.sub(b"charset=" + rng.choice(_CHARSETS), page)
        else:
            page = mutate(page, rng)
    return page


def html_run(count: int, rng: random.Random, timeout: float) -> Run:
    """Mutants of real web pages (see ``mutate_html``) through the batch's worker pool, each with a time limit."""
    sources = html_sources()
    return _pages_run([mutate_html(rng.choice(sources), rng) for _ in range(count)], timeout)


def _damaged_picture(encoded: bytes, rng: random.Random) -> bytes:
    import base64
    import binascii

    try:
        data = base64.b64decode(encoded)
    except binascii.Error:
        return encoded[: rng.randrange(len(encoded) + 1)]
    choice = rng.random()
    if choice < 0.6:
        return base64.b64encode(mutate(data, rng))
    if choice < 0.8:
        return base64.b64encode(data[: rng.randrange(len(data) + 1)])
    return encoded[: rng.randrange(len(encoded) + 1)]


def _office_sources(folder: Path) -> dict[str, list[bytes]]:
    import sys

    sys.path.insert(0, str(ROOT))
    from tests.truth_fixtures import _read, write_docx, write_xlsx

    truth = ROOT.parent / "shared" / "eval" / "truth" / "dev"
    made: dict[str, list[bytes]] = {"xlsx": [], "docx": []}
    for meta_path in sorted(truth.glob("*.meta.json")):
        doc_id = meta_path.name.removesuffix(".meta.json")
        meta, values = _read(truth, doc_id)
        if not values:
            continue
        for kind, write in (("xlsx", write_xlsx), ("docx", write_docx)):
            path = folder / f"{doc_id}.{kind}"
            write(meta, values, path)
            made[kind].append(_timeless(path.read_bytes()))
    return made


_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _timeless(data: bytes) -> bytes:
    """The office file with the time it was written taken out (its members' dates, the document properties' created
    and modified), so that a seed makes the same mutants on every run."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            if name == "docProps/core.xml":
                content = _STAMP.sub(b"2026-01-01T00:00:00Z", content)
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def mutate_zip(data: bytes, rng: random.Random) -> bytes:
    """Half the time the file as bytes; else one part inside the zip, rewritten as a valid archive."""
    import io
    import zipfile

    if rng.random() < 0.5:
        return mutate(data, rng)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = rng.choice(sorted(parts))
    parts[name] = mutate(parts[name], rng)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return out.getvalue()


def office_run(count: int, rng: random.Random, timeout: float) -> dict[str, Run]:
    """``count`` mutated .xlsx and as many .docx (made in turns, as before), each kind through a worker pool of its
    own so that its peak memory is its own."""
    with tempfile.TemporaryDirectory() as folder:
        sources = _office_sources(Path(folder))
        tasks: dict[str, list[dict[str, Any]]] = {"xlsx": [], "docx": []}
        for i in range(count):
            for kind in ("xlsx", "docx"):
                data = mutate_zip(rng.choice(sources[kind]), rng)
                tasks[kind].append({"path": f"mutant-{i}.{kind}", "data": data, "out": str(Path(folder) / f"{kind}-{i}.json"), "tables": "hybrid"})
        return {kind: _pool_run(tasks[kind], timeout).get("", Run()) for kind in ("xlsx", "docx")}


def zip_run(count: int, rng: random.Random, timeout: float) -> Run:
    """Archives of a few small corpus files, mutated, each through a whole batch: every member gets a manifest row."""
    import io
    import zipfile

    from extractor.batch import batch

    members = [ROOT.parent / "shared" / "seeds" / "000_a578cfda0311d507.txt",
               ROOT.parent / "shared" / "corpus" / "renwu" / "CQ_swxcb_2026_部门预算情况说明.html"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            archive.writestr(member.name, member.read_bytes())
    original = buffer.getvalue()
    run = Run()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        archives = Path(folder) / "archives"
        archives.mkdir()
        for i in range(count):
            (archives / f"mutant-{i:05d}.zip").write_bytes(mutate(original, rng))
        try:  # one batch over all of them, as over a crawl: every member (or unreadable archive) gets its row
            rows = batch([archives], Path(folder) / "out", BatchSettings(jobs=2, timeout=timeout, progress=False))
            for r in rows:
                run.add({"status": r.status, "exit_code": r.exit_code, "peak_mb": r.peak_mb, "path": Path(r.path).name})
        except Exception as e:  # noqa: BLE001 - a finding, counted and shown
            run.outcomes[f"BATCH FAILED {type(e).__name__}: {e}"] += 1
    run.seconds = time.perf_counter() - started
    return run


def _outcome(result: dict) -> str:
    if result["status"] in ("ok", "warning"):
        return "read"
    if result["status"] == "duplicate":
        return "duplicate"
    code = result.get("exit_code", 0)
    return {70: "INTERNAL ERROR", 71: "TIMED OUT", 12: "OVER THE MEMORY CEILING"}.get(code, f"clean failure (exit {code})")


def text_run(count: int, rng: random.Random) -> collections.Counter[str]:
    html = (ROOT.parent / "shared" / "corpus" / "renwu" / "CQ_swxcb_2026_部门预算情况说明.html").read_bytes()
    alphabet = "0123456789,.-—（）()万元亿千表一二三四五六七八九十、：:类款项合计其中<>/=\"' \n\tabc年部门预算支出收入三公"
    outcomes: collections.Counter[str] = collections.Counter()
    for i in range(count):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        for function in (parse_amount, normalise_label, split_glued, column_key, classify_title, table_number):
            function(text)
        nested = "<div>" * rng.randint(1, 400)
        made = f"<html><body>{nested}{text}<table><tr><td rowspan=99999 colspan=-3>{text}</td></tr></table></body></html>"
        page = mutate(html, rng) if i % 2 else made.encode()
        try:
            extract(page)
            outcomes["html read"] += 1
        except ExtractorError:
            outcomes["html clean failure"] += 1
        except Exception as e:  # noqa: BLE001 - a finding, counted and shown
            outcomes[f"INTERNAL ERROR {type(e).__name__}"] += 1
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdfs", type=int, default=2000)
    parser.add_argument("--office", type=int, default=2000, help="mutated .xlsx and as many .docx")
    parser.add_argument("--zips", type=int, default=2000)
    parser.add_argument("--positioned", type=int, default=2000, help="mutated positioned HTML (a PDF's pages as positioned elements)")
    parser.add_argument("--html", type=int, default=2000, help="mutated web pages of the corpus and the pool")
    parser.add_argument("--texts", type=int, default=20000, help="random and mutated HTML and text, in-process")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--ocr", choices=["never", "auto"], default="never", help="OCR of the PDF mutants' pages without a usable text layer")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    runs: dict[str, Run] = {}
    if args.pdfs:
        runs["pdf"] = pdf_run(args.pdfs, rng, args.timeout, args.ocr)
        print(runs["pdf"].line("pdf mutants"), flush=True)
    if args.office:
        for kind, run in office_run(args.office, rng, args.timeout).items():
            runs[kind] = run
            print(run.line(f"{kind} mutants"), flush=True)
    if args.zips:
        runs["zip"] = zip_run(args.zips, rng, args.timeout)
        print(runs["zip"].line("zip mutants (manifest rows)"), flush=True)
    if args.positioned:
        runs["positioned html"] = positioned_run(args.positioned, rng, args.timeout)
        print(runs["positioned html"].line("positioned html mutants"), flush=True)
    if args.html:
        runs["html"] = html_run(args.html, rng, args.timeout)
        print(runs["html"].line("html mutants"), flush=True)
    findings = 0
    if args.texts:
        started = time.perf_counter()
        texts = text_run(args.texts, rng)
        findings += sum(n for outcome, n in texts.items() if outcome.startswith("INTERNAL"))
        print("html and normaliser inputs (in-process):", dict(texts), f"({time.perf_counter() - started:.0f} s)")
    print("peak memory per format (MB):", {name: round(run.peak_mb) for name, run in runs.items()})
    print("findings (internal errors, time-outs, over the memory ceiling):", findings + sum(run.findings for run in runs.values()))


if __name__ == "__main__":
    main()
