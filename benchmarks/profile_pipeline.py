"""Where the time of the text-PDF pipeline goes, beside PDFium's own pace on the same pages (issue 19).

    python benchmarks/profile_pipeline.py                    # the pool's text PDFs, one core
    python benchmarks/profile_pipeline.py ../shared/corpus --top 40 --limit 30

For each file: the whole pipeline (``extract(path, ocr="never")``) under cProfile, and PDFium's walk of the same
pages — every character with its box and every page object, as the PDF reader asks for them — without profiling.
Prints pages/s of both (and the two in processor time, which a busy machine disturbs less) and the functions with
the most time of their own and in total. Not a timed test: run it on an idle machine and read the figures side by
side.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pdfium_walk(path: str) -> int:
    """PDFium alone, through its C API with no Python object per item: every character with its box and the text,
    and every page object (Form XObjects descended into) with its type and bounds; returns the pages."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    left, bottom, right, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    fl, fb, fr, ft = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    box = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
    bounds = (ctypes.byref(fl), ctypes.byref(fb), ctypes.byref(fr), ctypes.byref(ft))

    def objects(parent: object, count: object, get: object) -> None:
        for index in range(count(parent)):  # type: ignore[operator]
            obj = get(parent, index)  # type: ignore[operator]
            raw.FPDFPageObj_GetBounds(obj, *bounds)
            if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_FORM:
                objects(obj, raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject)

    pdf = pdfium.PdfDocument(path)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            text = page.get_textpage()
            for char in range(text.count_chars()):
                raw.FPDFText_GetCharBox(text.raw, char, *box)
            text.get_text_range()
            objects(page.raw, raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject)
            text.close()
            page.close()
        return len(pdf)
    finally:
        pdf.close()


def text_pdfs(folders: list[str], limit: int | None) -> list[str]:
    from extractor.model import InputFormat
    from extractor.readers.sniff import sniff_format

    found = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.pdf")):
            if sniff_format(path.read_bytes()[:4096]) is InputFormat.PDF:
                found.append(str(path))
    return found[:limit] if limit else found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", default=[str(ROOT.parent / "shared" / "pool")])
    parser.add_argument("--top", type=int, default=30, help="functions to list")
    parser.add_argument("--limit", type=int, default=None, help="at most this many files")
    parser.add_argument("--no-profile", action="store_true", help="time the pipeline without cProfile's overhead")
    args = parser.parse_args()

    from extractor.errors import ExtractorError
    from extractor.pipeline import ExtractSettings, extract

    files = text_pdfs(args.folders, args.limit)
    profiler = cProfile.Profile()
    pipeline_seconds = pdfium_seconds = pipeline_cpu = pdfium_cpu = 0.0
    pages = 0
    for path in files:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            walked = pdfium_walk(path)
        except Exception:  # noqa: BLE001 - a file PDFium cannot open is left out of both sides
            continue
        pdfium_seconds += time.perf_counter() - started
        pdfium_cpu += time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        try:
            if args.no_profile:
                extract(path, ExtractSettings(ocr="never"))
            else:
                profiler.runcall(extract, path, ExtractSettings(ocr="never"))
        except ExtractorError:
            pass  # a scan or not a document: it costs the pipeline its time all the same
        pipeline_seconds += time.perf_counter() - started
        pipeline_cpu += time.process_time() - cpu
        pages += walked
    print(f"{len(files)} text PDFs, {pages} pages, one core")
    print(f"pipeline: {pipeline_seconds:.1f} s, {pages / pipeline_seconds:.1f} pages/s{'' if args.no_profile else ' (under cProfile)'}")
    print(f"PDFium walk (chars with boxes, page objects): {pdfium_seconds:.1f} s, {pages / pdfium_seconds:.1f} pages/s")
    print(f"pipeline / PDFium: {pdfium_seconds / pipeline_seconds:.2f} of PDFium's pace")
    # the same in processor time, which another process on the machine disturbs less than the clock
    print(f"processor time: pipeline {pipeline_cpu:.1f} s, PDFium walk {pdfium_cpu:.1f} s: {pdfium_cpu / pipeline_cpu:.2f} of PDFium's pace")
    if not args.no_profile:
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
            print(f"\n== by {order}")
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
