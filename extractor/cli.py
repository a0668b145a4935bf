"""The ``extract`` command: a thin shell over :func:`extractor.extract`."""

from __future__ import annotations

import difflib
import io
import json
import logging
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from extractor import __version__
from extractor.batch import BatchSettings, summary
from extractor.batch import batch as run_batch
from extractor.checks import RULES, check_documents
from extractor.checks.report import format_report, mismatches
from extractor.errors import ExtractorError, InputNotFoundError, SettingsError
from extractor.export.atomic import write_atomic
from extractor.export.csv_export import document_to_csv
from extractor.export.dataset import dataset_findings, require_duckdb
from extractor.export.json_export import document_to_json
from extractor.export.tabular import document_to_parquet, document_to_xlsx
from extractor.guard import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT, guarded_extract
from extractor.layout.strategies import DEFAULT_STRATEGY, STRATEGIES
from extractor.names import shown_name
from extractor.pipeline import OCR_MODES, ExtractSettings
from extractor.progress import LOGGER, PageProgress, on_terminal
from extractor.records import Document, plain_record

FORMATS = ("json", "csv", "xlsx", "parquet")
_SUFFIXES = {".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}
_BINARY = ("xlsx", "parquet")
EXIT_CODES = """\b
Exit codes:
  0  done            1  check --strict found a mismatch
  2  bad option      3  input not found          4  empty input
  5  unsupported format (a zip given to run, JSON, unknown bytes)
  6  corrupt or truncated input                   7  encrypted PDF, no or wrong --password
  8  no text on any page (a scan with OCR off)    9  output cannot be written
  10 batch workers cannot start (a script without `if __name__ == "__main__":`)
  11 over the time limit (--timeout)              12 over the memory ceiling (--max-memory)
  13 not the document: a redirect or empty web page, plain text or a text copy of a PDF named .pdf"""
OVERVIEW = """extract: exact data from Chinese budget and final-accounts disclosures (部门预算 / 部门决算)

  extract FILE -o out.json        one disclosure (PDF, web page, Excel, Word, scan) to JSON, CSV, .xlsx or .parquet
  extract check FILE [FILE…]      where it contradicts itself:       extract check 附件1.pdf 附件2.pdf --strict
  extract batch INPUT… -o DIR     folders, globs and zips to a dataset: extract batch archive/ -o dataset --jobs 2
  extract panel DIR               the dataset's figures by entity and year: extract panel dataset --table-kind three_public
  extract show FILE --page N -o page.png   what was read, drawn over the page
  extract report FILE -o report.html       every table beside its pages, cells linked to their boxes

extract COMMAND --help for a command's options; extract --help for the exit codes.
"""


class DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand's name, is a file for ``run``.

    A subcommand name wins; a file named like a subcommand is given as ``./report``.
    """

    default_command = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            self._refuse_a_mistyped_command(ctx, args[0])
            args = [self.default_command, *args]
        elif not args:
            click.echo(OVERVIEW, nl=False)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def _refuse_a_mistyped_command(self, ctx: click.Context, word: str) -> None:
        """``extract chek FILE``: a first word that is no file, names no path and is close to a command's name is that
        command mistyped, not a missing file."""
        if os.path.exists(word) or os.sep in word or "." in word:
            return
        close = difflib.get_close_matches(word, [name for name in self.commands if name != self.default_command], n=1, cutoff=0.6)
        if close:
            raise click.UsageError(f"{word!r} is not a command; did you mean {close[0]!r}? (a file named so: ./{word})", ctx)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="extract")
def main() -> None:
    """Extract data from Chinese budget / final-accounts disclosures (部门预算 / 部门决算).

    \b
    Example:
      extract report.pdf -o out.json
    """


OCR_OPTION = click.option(
    "--ocr", type=click.Choice(OCR_MODES), default="auto", show_default=True,
    help="Which PDF pages are read by OCR from their image: those without a usable text layer (auto), all, or none.",
)


PAGES_OPTION = click.option("--pages", default=None, help="Only these pages, e.g. 1,3-5 [default: every page].")
QUIET_OPTION = click.option("--quiet", is_flag=True, help="No summary line on stderr.")


class _Finite(click.FloatRange):
    """A float option that must be a finite number: ``nan`` passes every comparison a range makes, and ``inf``
    turns a limit off."""

    name = "finite number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


SECONDS = _Finite(min=0, min_open=True)


def _limit_options(function):  # type: ignore[no-untyped-def]
    """--timeout and --max-memory: the guards every input runs inside, as a batch's workers do."""
    function = click.option("--max-memory", "max_memory", type=click.IntRange(min=64), default=DEFAULT_MAX_MEMORY, show_default=True,
                            help="MB of memory the extraction may use (its address space may reach twice this).")(function)
    return click.option("--timeout", type=SECONDS, default=DEFAULT_TIMEOUT, show_default=True,
                        help="Seconds the extraction may take.")(function)


def _infer_format(output: str, fmt: str | None) -> str:
    """The output format: --format, else the output's suffix; standard output is JSON."""
    if not fmt:
        if output == "-":
            fmt = "json"
        else:
            fmt = _SUFFIXES.get(Path(output).suffix.lower())
            if fmt is None:
                raise SettingsError(f"cannot tell which format to write to {output}: name it .json, .csv, .xlsx or .parquet, or give --format")
    if fmt in _BINARY and output == "-":
        raise SettingsError(f"{fmt} is written to a file, not to standard output: give -o out.{fmt}")
    return fmt


def _rendered(doc: Document, fmt: str, excel: bool) -> bytes:
    if fmt == "csv":
        return document_to_csv(doc, excel=excel).encode("utf-8")
    if fmt == "xlsx":
        return document_to_xlsx(doc)
    if fmt == "parquet":
        return document_to_parquet(doc)
    return document_to_json(doc).encode("utf-8")


def _summary(doc: Document) -> str:
    """``9 tables (8 verified), 16 figures, 10 line items, 0 mismatches, 2 warnings``."""
    mismatched = sum(1 for c in doc.checks if c.status == "mismatch")
    verified = sum(1 for t in doc.tables if t.verified)
    return (f"{len(doc.tables)} tables ({verified} verified), {len(doc.facts)} figures, {len(doc.line_items)} line items, "
            f"{mismatched} mismatches, {len(doc.warnings)} warnings")


@main.command("run")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or - for standard output.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format [default: from the output's suffix (.json .csv .xlsx .parquet); json on standard output].")
@click.option("--password", default=None, help="Password of an encrypted PDF.")
@click.option("--max-pages", type=int, default=None, help="Read only the first N pages.")
@PAGES_OPTION
@click.option(
    "--tables", type=click.Choice([*STRATEGIES, "none"]), default=DEFAULT_STRATEGY, show_default=True,
    help="How tables are found: ruled grids only (lattice), also tables missing their rules (hybrid), or none.",
)
@OCR_OPTION
@click.option("--excel", is_flag=True, help="Start the CSV with a BOM so that Excel reads it as UTF-8.")
@QUIET_OPTION
@_limit_options
@click.option("--debug", is_flag=True, help="Log progress and show tracebacks.")
def run(
    file: Path, output: str, fmt: str | None, password: str | None, max_pages: int | None, pages: str | None, tables: str, ocr: str,
    excel: bool, quiet: bool, timeout: float, max_memory: int, debug: bool,
) -> None:
    """Extract one disclosure FILE (PDF, web page, Excel or Word file, scan or picture) to JSON, CSV, a workbook
    with a sheet per table (.xlsx), or Parquet. A line on stderr says what was found.

    \b
    Example:
      extract report.pdf -o out.json
      extract report.pdf -o figures.csv --excel
      extract report.pdf -o tables.xlsx --pages 9-20
      extract report.pdf --tables lattice -o out.json
    """
    with _reported(debug):
        fmt = _infer_format(output, fmt)  # a name it cannot write fails before the work
        settings = ExtractSettings(password=password, max_pages=max_pages, tables=tables, ocr=ocr, pages=pages)
        doc = guarded_extract(file, settings, timeout, max_memory, debug)
        _emit(output, _rendered(doc, fmt, excel), (file,))
    if not quiet:
        click.echo(f"{'wrote ' + shown_name(output) if output != '-' else 'read ' + shown_name(file)}: {_summary(doc)}", err=True)


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Exit with status 1 when a check finds a mismatch.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="Report format.")
@click.option("-o", "--output", default="-", show_default=True, help="Report file, or - for standard output.")
@click.option("--password", default=None, help="Password of an encrypted PDF.")
@PAGES_OPTION
@OCR_OPTION
@_limit_options
@click.option("--debug", is_flag=True, help="Log progress and show tracebacks.")
def check(
    files: tuple[Path, ...], strict: bool, fmt: str, output: str, password: str | None, pages: str | None, ocr: str,
    timeout: float, max_memory: int, debug: bool,
) -> None:
    """Check where a disclosure contradicts itself: sums, totals, narrative against tables.

    Several FILES are checked as one disclosure (a narrative and its tables published apart).

    \b
    Example:
      extract check report.pdf
      extract check 附件1_情况说明.pdf 附件2_报表.pdf --strict
    """
    with _reported(debug):
        settings = ExtractSettings(password=password, ocr=ocr, pages=pages)
        documents = [guarded_extract(file, settings, timeout, max_memory, debug) for file in files]
        findings, counts = check_documents(documents)
        title = "checks: " + " + ".join(d.source.file for d in documents)
        if fmt == "json":
            text = json.dumps({"files": [d.source.file for d in documents], "checks": [plain_record(f) for f in findings],
                               "check_counts": counts}, ensure_ascii=False, indent=2) + "\n"
        else:
            text = format_report(findings, counts, title, {rule.id: rule.sides for rule in RULES})
        _emit(output, text.encode("utf-8"), files)
    if strict and mismatches(findings):
        sys.exit(1)


@main.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Dataset folder.")
@click.option("--jobs", type=int, default=None, help="Worker processes [default: the number of cores].")
@click.option("--timeout", type=SECONDS, default=DEFAULT_TIMEOUT, show_default=True, help="Seconds one file may take.")
@click.option("--max-memory", "max_memory", type=int, default=DEFAULT_MAX_MEMORY, show_default=True,
              help="MB a worker may grow to before it is replaced.")
@click.option("--password", default=None, help="Password for encrypted PDFs.")
@click.option("--tables", type=click.Choice([*STRATEGIES, "none"]), default=DEFAULT_STRATEGY, show_default=True, help="How tables are found.")
@PAGES_OPTION
@OCR_OPTION
@click.option("--duckdb", is_flag=True, help="Also write data/dataset.duckdb with views over the tables.")
@click.option("--scheduler", default=None, help="A Dask scheduler address (tcp://HOST:PORT): run the files on that cluster.")
@click.option("--aliases", default=None, help="A CSV (alias,name,note) of department names that are one entity (renames, short names).")
@click.option("--quiet", is_flag=True, help="No progress line.")
@click.option("--debug", is_flag=True, help="Log progress and show tracebacks.")
def batch_command(inputs: tuple[str, ...], out_dir: Path, jobs: int | None, timeout: float, max_memory: int, password: str | None,
                  tables: str, pages: str | None, ocr: str, duckdb: bool, scheduler: str | None, aliases: str | None, quiet: bool,
                  debug: bool) -> None:
    """Extract many files (folders, globs, zip archives) into a dataset folder; resumable.

    Writes OUT/documents/*.json, OUT/manifest.csv (one row per input) and the tidy dataset in OUT/data/
    (Parquet and CSV). Re-running skips what is done; one bad file never stops the batch.

    \b
    Example:
      extract batch archive/ -o dataset --jobs 2
      extract batch 'crawl/**/*.pdf' crawl.zip -o dataset --duckdb
    """
    started = time.perf_counter()
    with _reported(debug):
        try:
            if duckdb:
                require_duckdb()  # fail at the start, not after hours of extraction
            out_dir.mkdir(parents=True, exist_ok=True)
            settings = BatchSettings(jobs=jobs or (os.cpu_count() or 1), timeout=timeout, max_memory_mb=max_memory, password=password,
                                     tables=tables, ocr=ocr, pages=pages, duckdb=duckdb, scheduler=scheduler, progress=not quiet,
                                     aliases=aliases)
            rows = run_batch(inputs, out_dir, settings)
            if not rows:
                raise InputNotFoundError("no input files found", path=" ".join(inputs))
        except OSError as e:
            click.echo(f"error: {shown_name(out_dir)}: {e.strerror or e}", err=True)
            sys.exit(9)
    found = dataset_findings(out_dir) if (out_dir / "data" / "checks.parquet").exists() else None
    click.echo(summary(rows, time.perf_counter() - started, shown_name(out_dir / "manifest.csv"), found), err=True)


@main.command("show")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--page", "page", type=int, required=True, help="1-based page number.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PNG file to write.")
@click.option("--scale", type=_Finite(min=0, max=8, min_open=True), default=1.5, show_default=True, help="Pixels per point (1.5 is 108 dpi).")
@click.option("--password", default=None, help="Password of an encrypted PDF.")
@OCR_OPTION
@_limit_options
@click.option("--quiet", is_flag=True, help="Say nothing on success.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def show_command(file: Path, page: int, output: Path, scale: float, password: str | None, ocr: str, timeout: float, max_memory: int,
                 quiet: bool, debug: bool) -> None:
    """Draw what was found on one page over its image (any input format: a web page, workbook or Word file is
    drawn as its virtual page), with a legend: tables by kind, cells, headings, failed checks in red.

    \b
    Example:
      extract show report.pdf --page 9 -o page9.png
    """
    from extractor.export.overlay import cjk_font_file, marks, show

    with _reported(debug):
        doc = guarded_extract(file, ExtractSettings(password=password, ocr=ocr), timeout, max_memory, debug)
        buffer = io.BytesIO()
        show(file, doc, page, scale, password).save(buffer, format="PNG")
        write_atomic(output, buffer.getvalue(), (file,))
        if not quiet:
            drawn = Counter(m.what for m in marks(doc) if m.page == page)
            tables = sum(1 for t in doc.tables if any(p.page == page for p in t.placements))
            click.echo(f"wrote {shown_name(output)}: page {page} of {doc.source.pages}, {tables} tables, {drawn['cell']} cells, "
                       f"{drawn['section']} headings, {drawn['failed']} figures of failed checks drawn", err=True)
            if doc.source.format != "pdf" and cjk_font_file() is None:
                click.echo("note: no font with Chinese characters is installed (fonts-noto-cjk, for one): the page's Chinese "
                           "is drawn as grey boxes, its figures as text", err=True)


@main.command("report")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="HTML file to write.")
@click.option("--password", default=None, help="Password of an encrypted PDF.")
@PAGES_OPTION
@OCR_OPTION
@_limit_options
@click.option("--quiet", is_flag=True, help="Say nothing on success.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def report_command(file: Path, output: Path, password: str | None, pages: str | None, ocr: str, timeout: float, max_memory: int,
                   quiet: bool, debug: bool) -> None:
    """Write one self-contained HTML review report: tables beside their pages, cells linked to their boxes, checks.

    \b
    Example:
      extract report report.pdf -o report.html
    """
    from extractor.export.report import report_html

    with _reported(debug):
        doc = guarded_extract(file, ExtractSettings(password=password, ocr=ocr, pages=pages), timeout, max_memory, debug)
        write_atomic(output, report_html(file, doc, password).encode("utf-8"), (file,))
        if not quiet:
            first = min((p.page for t in doc.tables for p in t.placements), default=None)
            opens = f"; it opens on page {first}, the first table's" if first else ""
            click.echo(f"wrote {shown_name(output)}: {_summary(doc)}{opens}", err=True)


@main.command("panel")
@click.argument("dataset", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A .csv or .parquet file to write [default: CSV on standard output].")
@click.option("--entity", default=None, help="Only the entities whose key or department name contains this text.")
@click.option("--table-kind", "table_kind", default=None, help="Only this table kind (three_public, gpb_expenditure, …).")
@click.option("--measure", default=None, help="Only this measure (budget, final, prior_budget, change, …).")
@click.option("--component", default=None, help="Only this component (total, three_public, personnel, gpb, …).")
@click.option("--code", "code_key", default=None, help="Only this code_key (201, 20103, 2010301, …).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def panel_command(dataset: Path, output: Path | None, entity: str | None, table_kind: str | None, measure: str | None,
                  component: str | None, code_key: str | None, debug: bool) -> None:
    """The multi-year panel of a batch's dataset: one row per entity, fiscal year, report kind, table kind, code,
    measure and component, with its exact value in 元 and the document and page it was printed on.

    \b
    Example:
      extract panel dataset --entity 江苏省委办公厅 --table-kind three_public --component three_public
      extract panel dataset -o panel.parquet
    """
    from extractor.export.dataset import frame_to_csv, frame_to_parquet, panel

    with _reported(debug):
        frame = panel(dataset, entity=entity, table_kind=table_kind, measure=measure, component=component, code_key=code_key)
        if output is not None and output.suffix.lower() == ".parquet":
            write_atomic(output, frame_to_parquet(frame))
        elif output is not None:
            if output.suffix.lower() != ".csv":
                raise SettingsError(f"cannot tell the format of {output.name}: name a .csv or .parquet file")
            write_atomic(output, frame_to_csv(frame).encode("utf-8"))
        else:
            click.echo(frame_to_csv(frame), nl=False)
        click.echo(f"panel: {len(frame)} rows, {frame.entity_key.nunique()} entities, {frame.fiscal_year.nunique()} fiscal years", err=True)


@contextmanager
def _reported(debug: bool) -> Iterator[None]:
    """Logging for the command, and an expected failure as one line on stderr with its exit code (the traceback
    only with --debug)."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    line = None
    if on_terminal() and not debug:  # OCR takes seconds a page: one line says where it is
        line = PageProgress(sys.stderr)
        progress = logging.getLogger(LOGGER)
        progress.setLevel(logging.INFO)
        progress.propagate = False
        progress.addHandler(line)
    try:
        yield
    except ExtractorError as e:
        if debug:
            raise
        if line:
            line.finish()  # the error on a line of its own
        click.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)
    finally:
        if line:
            line.finish()
            logging.getLogger(LOGGER).removeHandler(line)


def _emit(output: str, content: bytes, inputs: tuple[Path, ...] = ()) -> None:
    """Bytes to standard output (``-``) or, atomically, to a regular file that is none of the inputs."""
    if output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        write_atomic(output, content, inputs)


if __name__ == "__main__":  # pragma: no cover - python -m extractor.cli
    main()
