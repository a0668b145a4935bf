"""Batch extraction: many files in, one dataset folder out, resumable, never stopped by one bad file.

    extract batch archive/ more/*.pdf crawl.zip -o DATASET --jobs 2

``DATASET/documents/<doc_id>.json`` holds one extraction per distinct file (doc_id: the first 16 hex digits of
its sha256); ``journal.jsonl`` records each finished file as it finishes, so a killed batch resumes where it
stopped; ``manifest.csv`` accounts for every input at the end; ``data/`` holds the tidy dataset.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from extractor.cluster import run_on_cluster
from extractor.companions import group_documents
from extractor.domain.entities import load_aliases
from extractor.errors import ZIP_ERRORS, MemoryLimitError, OutputError, SettingsError, WorkerStartError
from extractor.export.atomic import spreadsheet_safe, write_atomic
from extractor.export.dataset import DatasetFindings, build_dataset, require_duckdb
from extractor.interpret.document import attached_files
from extractor.names import shown_name
from extractor.pipeline import parse_pages
from extractor.progress import LOGGER, Forward, eta, on_terminal
from extractor.task import CHUNK, MemberError, Source, member_chunks, member_info, memory_mb, process
from extractor.version import __version__

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 600.0  # seconds one file may take, in a batch or alone
DEFAULT_MAX_MEMORY = 2048  # MB one extraction may use (its address space may reach twice this)
_DONE = ("ok", "warning")
_READY = "ready"
_PAGE = "page"  # a worker's message: (_PAGE, page, pages) while OCR reads a file
_POLL = 0.2


@dataclass(frozen=True)
class BatchSettings:
    """Options of one batch run, checked on creation."""

    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    timeout: float = DEFAULT_TIMEOUT  # seconds one file may take before its worker is stopped
    max_memory_mb: int = DEFAULT_MAX_MEMORY  # a worker above this after a file is replaced by a fresh one
    password: str | None = None
    tables: str = "hybrid"
    ocr: str = "auto"
    pages: str | None = None  # only these pages of every file: "1,3-5"
    duckdb: bool = False
    scheduler: str | None = None  # a Dask scheduler address: run the files as tasks of a cluster
    progress: bool = True
    aliases: str | None = None  # a CSV (alias,name,note) of department names that are one entity, beside the package's

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise SettingsError(f"jobs must be at least 1, not {self.jobs}")
        if not 0 < self.timeout < float("inf"):  # nan fails both comparisons
            raise SettingsError(f"timeout must be a positive number of seconds, not {self.timeout}")
        if self.max_memory_mb < 64:
            raise SettingsError(f"max_memory_mb must be at least 64, not {self.max_memory_mb}")
        if self.pages is not None:
            parse_pages(self.pages)  # a malformed selection fails before the batch starts
        if self.aliases is not None:
            load_aliases(self.aliases)  # a missing or malformed alias file fails before the batch starts

    def options_hash(self) -> str:
        """What makes a result reusable: the tool's version and the extraction options (not the password)."""
        recorded = {"version": __version__, "tables": self.tables, "ocr": self.ocr, "encrypted": bool(self.password)}
        if self.pages is not None:
            recorded["pages"] = self.pages
        return hashlib.sha256(json.dumps(recorded, sort_keys=True).encode()).hexdigest()[:12]


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker wrote it: names without the UTF-8 flag are often GBK (Chinese Windows),
    which zipfile reads as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", "replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


@dataclass
class ManifestRow:
    """What happened to one input."""

    path: str
    sha256: str = ""
    size_bytes: int = 0
    status: str = ""  # ok | warning | failed | duplicate
    error: str = ""
    exit_code: int = 0
    seconds: float = 0.0
    pages: int = 0
    tables: int = 0
    facts: int = 0
    mismatches: int = 0
    doc_id: str = ""
    duplicate_of: str = ""
    group: str = ""
    peak_mb: float = 0.0  # the worker's peak resident memory after this file
    tool_version: str = __version__
    options_hash: str = ""
    reused: bool = False  # done by an earlier run into this folder (same file, same options): not read again


MANIFEST_COLUMNS = tuple(f.name for f in fields(ManifestRow))


# --- finding the inputs -----------------------------------------------------------------------------------------

def discover(inputs: Iterable[str | os.PathLike[str]], exclude: str | os.PathLike[str] | None = None) -> list[Source]:
    """Files, folders (recursively), glob patterns and zip archives, in a stable order, each once; nothing inside
    ``exclude``, a batch's own output folder (``extract batch crawl -o crawl/dataset`` run twice must not read its
    lock, journal, manifest, dataset and documents as inputs)."""
    found: list[Source] = []
    seen: set[str] = set()
    excluded = _inside(exclude)
    for item in inputs:
        text = os.fspath(item)
        paths = sorted(glob.glob(text, recursive=True)) if any(ch in text for ch in "*?[") else [text]
        for path in paths:
            for source in _expand(Path(path), excluded):
                if source.path not in seen:
                    seen.add(source.path)
                    found.append(source)
    return found


def _inside(folder: str | os.PathLike[str] | None) -> Callable[[Path], bool]:
    """Whether a path is ``folder`` or lies in it, where it really is (through a symlink or ``..`` as well)."""
    if folder is None:
        return lambda path: False
    root = os.path.realpath(folder)

    def inside(path: Path) -> bool:
        try:
            return os.path.commonpath([root, os.path.realpath(path)]) == root
        except ValueError:  # on another drive
            return False

    return inside


def _expand(path: Path, excluded: Callable[[Path], bool]) -> Iterable[Source]:
    if excluded(path):
        logger.debug("%s is in the output folder: not an input", shown_name(path))
    elif path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            yield from _expand(child, excluded)
    elif path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        try:
            members = list(_members(path))
        except ZIP_ERRORS:  # a damaged directory: the archive is one input, which fails with its reason
            members = [Source(str(path))]
        yield from members
    else:
        yield Source(str(path))


def _members(path: Path) -> Iterator[Source]:
    with zipfile.ZipFile(path) as archive:
        named: dict[str, int] = {}
        for index, info in enumerate(archive.infolist()):
            if info.is_dir():
                continue
            name = member_name(info)
            named[name] = named.get(name, 0) + 1
            suffix = f"#{named[name]}" if named[name] > 1 else ""  # each of two members of one name is an input
            yield Source(f"{path}!{name}{suffix}", str(path), info.filename, index)


# --- one file, in a worker ----------------------------------------------------------------------------------------

def _worker(connection: multiprocessing.connection.Connection, memory_mb: int = 0, parent: int = 0) -> None:
    if parent:
        die_with_parent(parent)
    if memory_mb:
        limit_memory(memory_mb)

    progress = logging.getLogger(LOGGER)  # each OCR page goes to the parent, whose progress line then moves
    progress.setLevel(logging.INFO)
    progress.propagate = False
    progress.addHandler(Forward(lambda page, pages: connection.send((_PAGE, page, pages))))
    connection.send(_READY)
    while True:
        task = connection.recv()
        if task is None:
            return
        connection.send(process(task))


def limit_memory(memory_mb: int) -> None:
    """A hard ceiling on this process's address space, so one runaway file fails (MemoryError) instead of taking the
    machine: twice the soft ceiling at which a worker is replaced between files (a batch's worker, or the child
    that reads one file for a single-file command)."""
    try:
        import resource

        limit = memory_mb * 2 * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform, or already lower
        logger.debug("no address-space limit for workers here")


_PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent dies


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` dies, however it dies (``kill -9`` included), so that no
    extraction goes on under PID 1 without a time limit (Linux; elsewhere nothing). A parent already gone by now
    (the kernel's signal would never come) ends this process at once."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here
        logger.debug("children cannot die with their parent here")
        return
    if os.getppid() != parent:
        os._exit(1)


# --- the pool -----------------------------------------------------------------------------------------------------

@dataclass
class _Slot:
    process: multiprocessing.process.BaseProcess
    connection: multiprocessing.connection.Connection
    task: dict[str, Any] | None = None
    started: float = 0.0
    ready: bool = False


class _Pool:
    """Worker processes with a time limit per file and a memory ceiling per worker.

    A worker over its time is killed and replaced (the file is recorded as failed); a worker whose memory grew
    past the ceiling is replaced after its file; a worker that dies takes only its file with it.
    """

    def __init__(self, jobs: int, settings: BatchSettings) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.settings = settings
        self.started = False  # a worker has come up at least once
        self.failed_starts = 0
        self.slots = [self._start() for _ in range(jobs)]

    def _start(self) -> _Slot:
        parent, child = self.context.Pipe()
        worker = self.context.Process(target=_worker, args=(child, self.settings.max_memory_mb, os.getpid()), daemon=True)
        worker.start()
        child.close()
        return _Slot(worker, parent)

    def _replace(self, index: int, kill: bool) -> None:
        _stop(self.slots[index], kill)
        self.slots[index] = self._start()

    def run(self, tasks: list[dict[str, Any]], done: Callable[[dict[str, Any]], None],
            page: Callable[[str, int, int], None] | None = None) -> None:
        self.on_page = page
        pending = list(reversed(tasks))
        while pending or any(s.task for s in self.slots):
            for slot in self.slots:
                if slot.ready and slot.task is None and pending:
                    slot.task, slot.started = pending.pop(), time.monotonic()
                    slot.connection.send(slot.task)
            waiting = [s.connection for s in self.slots if s.task is not None or not s.ready]
            for connection in multiprocessing.connection.wait(waiting, timeout=_POLL):
                index = next(i for i, s in enumerate(self.slots) if s.connection is connection)
                if self.slots[index].ready:
                    self._collect(index, done)
                else:
                    self._greet(index)
            self._enforce_time(done)

    def _greet(self, index: int) -> None:
        slot = self.slots[index]
        try:
            slot.ready = slot.connection.recv() == _READY
            self.started = True
        except (EOFError, OSError):
            slot.connection.close()
            self.failed_starts += 1
            if not self.started and self.failed_starts >= 2 * len(self.slots):
                raise WorkerStartError(
                    "batch workers cannot start: a worker imports the calling script again, so in a script call "
                    'extractor.batch(...) under `if __name__ == "__main__":`'
                ) from None
            logger.warning("a worker failed to start (exit code %s); starting another", slot.process.exitcode)
            self.slots[index] = self._start()

    def _collect(self, index: int, done: Callable[[dict[str, Any]], None]) -> None:
        slot = self.slots[index]
        task = slot.task or {}
        try:
            result = slot.connection.recv()
            if isinstance(result, tuple) and result and result[0] == _PAGE:  # a page of the file, not its end
                if self.on_page is not None:
                    self.on_page(task.get("path", ""), result[1], result[2])
                return
        except (EOFError, OSError):  # the worker died: as the single-file command says of its child (exit 12)
            slot.process.join(timeout=5)
            failure = MemoryLimitError.stopped(slot.process.exitcode, self.settings.max_memory_mb, task.get("path"))
            result = {"path": task.get("path"), "status": "failed", "exit_code": failure.exit_code, "error": str(failure)}
            slot.task = None
            done(result)
            self._replace(index, kill=True)
            return
        slot.task = None
        done(result)
        if memory_mb(slot.process.pid, "VmRSS:") > self.settings.max_memory_mb:
            logger.info("worker %s above %d MB: replaced", slot.process.pid, self.settings.max_memory_mb)
            self._replace(index, kill=False)

    def _enforce_time(self, done: Callable[[dict[str, Any]], None]) -> None:
        now = time.monotonic()
        for index, slot in enumerate(self.slots):
            if slot.task is not None and now - slot.started > self.settings.timeout:
                done({"path": slot.task["path"], "status": "failed", "exit_code": 71, "seconds": round(now - slot.started, 3),
                      "error": f"timed out after {self.settings.timeout:g} s"})
                slot.task = None
                self._replace(index, kill=True)

    def close(self) -> None:
        for slot in self.slots:
            _stop(slot, kill=False)


def _stop(slot: _Slot, kill: bool) -> None:
    """End a worker: killed at once, or asked to finish and killed only if it does not within 5 s."""
    if not kill:
        try:
            slot.connection.send(None)
        except OSError:
            pass
        slot.process.join(timeout=5)
    if kill or slot.process.is_alive():
        slot.process.kill()
        slot.process.join(timeout=5)
        if slot.process.pid is not None:
            from extractor.readers.legacy import clear_after

            clear_after(slot.process.pid)  # a LibreOffice it had started, and its folder
    slot.connection.close()


# --- the run ------------------------------------------------------------------------------------------------------

class _Journal:
    """Finished files, one JSON line each, appended and flushed as they finish: what a resumed run trusts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[str, ManifestRow] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    data = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a kill
                row = ManifestRow(**{k: v for k, v in data.items() if k in MANIFEST_COLUMNS})
                self.rows[row.path] = row
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the run, closed in close()

    def add(self, row: ManifestRow) -> None:
        self.rows[row.path] = row
        self.handle.write(json.dumps(asdict(_shown(row)), ensure_ascii=False) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        self.handle.close()


def _shown(row: ManifestRow) -> ManifestRow:
    """The row as it is written (journal, manifest): a name that is not UTF-8 or holds control characters escaped,
    in its path and in its message alike."""
    shown: dict[str, Any] = {f.name: shown_name(value) for f in fields(row) if isinstance(value := getattr(row, f.name), str)}
    return replace(row, **shown)


class _Progress:
    """The batch's line on a terminal: file N of M, files and pages a second, ETA, and the file being read (with its
    OCR page while a scan is read)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled and on_terminal()
        self.done = self.pages = 0
        self.started = time.monotonic()

    def update(self, row: ManifestRow) -> None:
        self.done += 1
        self.pages += row.pages
        self._write(f"{row.status:<8} {shown_name(os.path.basename(row.path))[:40]}")

    def page(self, path: str, page: int, pages: int) -> None:
        self._write(f"reading  {shown_name(os.path.basename(path))[:30]} (OCR page {page} of {pages})")

    def _write(self, tail: str) -> None:
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        sys.stderr.write(f"\r[file {self.done}/{self.total}] {self.done / elapsed:.2f} files/s {self.pages / elapsed:.1f} pages/s "
                         f"ETA {eta(self.done, self.total, elapsed)} {tail:<52}")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def batch(inputs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str], settings: BatchSettings | None = None) -> list[ManifestRow]:
    """Extract every input into ``out_dir``, build its dataset (``out_dir/data/``, see
    :func:`~extractor.export.dataset.build_dataset`; with ``settings.duckdb`` also ``data/dataset.duckdb``) and return
    the manifest, one row per input.

    Re-running over the same folder skips files already done with the same tool version and options; a file seen
    twice (the same bytes under two names) is extracted once and both names are recorded.
    """
    settings = settings or BatchSettings()
    if settings.duckdb:
        require_duckdb()  # before the extraction, not after it
    out = Path(out_dir)
    (out / "documents").mkdir(parents=True, exist_ok=True)
    with _folder_lock(out):
        manifest = _batch(inputs, out, settings)
        if manifest:
            build_dataset(out, duckdb=settings.duckdb, aliases=settings.aliases)
        return manifest


@contextmanager
def _folder_lock(out: Path) -> Iterator[None]:
    """One batch at a time on a folder: a second one is refused at once rather than run every file again or leave a
    manifest of only its own inputs."""
    handle = open(out / ".batch.lock", "a+b")  # noqa: SIM115 - held for the whole run
    try:
        try:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # not on this platform: no lock
            pass
        except OSError:
            raise OutputError("another batch is writing to this folder; wait for it to end or give another -o", path=str(out)) from None
        yield
    finally:
        handle.close()


def _batch(inputs: Sequence[str | os.PathLike[str]], out: Path, settings: BatchSettings) -> list[ManifestRow]:
    sources = discover(inputs, out)
    journal = _Journal(out / "journal.jsonl")
    try:
        rows, tasks = _plan(sources, out, journal, settings)
        progress = _Progress(len(tasks), settings.progress)

        def finished(result: dict[str, Any]) -> None:
            row = replace(rows[result["path"]], **{k: v for k, v in result.items() if k in MANIFEST_COLUMNS and v is not None})
            if row.status == "failed":
                row.doc_id = ""
            rows[row.path] = row
            journal.add(row)
            progress.update(row)

        _execute(tasks, settings, finished, progress.page)
        progress.finish()
    finally:
        journal.close()
    manifest = _settle_duplicates([rows[s.path] for s in sources if s.path in rows])
    manifest = _group_companions(manifest, out, settings.aliases)
    write_manifest(manifest, out / "manifest.csv")
    return manifest


def _plan(sources: list[Source], out: Path, journal: _Journal, settings: BatchSettings) -> tuple[dict[str, ManifestRow], list[dict[str, Any]]]:
    """A manifest row for every input and a task for each that is neither a duplicate nor done by an earlier run."""
    planner = _Planner(out, journal, settings)
    try:
        for source in sources:
            planner.add(source)
    finally:
        planner.archives.close()
    return planner.rows, planner.tasks


class _Archives:
    """Each zip opened once while planning, however many members it has."""

    def __init__(self) -> None:
        self.open: dict[str, zipfile.ZipFile] = {}

    def digest(self, source: Source) -> tuple[str, int]:
        """The sha256 and size of the input, read a chunk at a time (a member is never held whole here)."""
        digest, size = hashlib.sha256(), 0
        for chunk in self._chunks(source):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest(), size

    def _chunks(self, source: Source) -> Iterator[bytes]:
        if source.archive is None:
            with open(source.path, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    yield chunk
            return
        archive = self.open.get(source.archive)
        if archive is None:
            archive = self.open[source.archive] = zipfile.ZipFile(source.archive)
        yield from member_chunks(archive, member_info(archive, source))

    def close(self) -> None:
        for archive in self.open.values():
            archive.close()


class _Planner:
    def __init__(self, out: Path, journal: _Journal, settings: BatchSettings) -> None:
        self.out, self.journal, self.settings = out, journal, settings
        self.options = settings.options_hash()
        self.rows: dict[str, ManifestRow] = {}
        self.tasks: list[dict[str, Any]] = []
        self.first_of: dict[str, str] = {}
        self.archives = _Archives()

    def _failed(self, row: ManifestRow, error: str, code: int) -> None:
        self.rows[row.path] = replace(row, status="failed", error=error, exit_code=code)
        self.journal.add(self.rows[row.path])

    def add(self, source: Source) -> None:
        row = ManifestRow(path=source.path, options_hash=self.options)
        try:
            sha, size = self.archives.digest(source)
        except MemberError as e:  # encrypted, an unsupported method, a bomb: this member fails, the batch goes on
            return self._failed(row, str(e), e.exit_code)
        except ZIP_ERRORS as e:
            return self._failed(row, f"cannot read: {e}", 3)
        row = replace(row, sha256=sha, size_bytes=size, doc_id=sha[:16])
        if sha in self.first_of:
            self.rows[source.path] = replace(row, status="duplicate", duplicate_of=self.first_of[sha])
            return None
        self.first_of[sha] = source.path
        earlier = next((r for r in self.journal.rows.values() if r.sha256 == sha and r.options_hash == self.options and r.status in _DONE), None)
        if earlier is not None and (self.out / "documents" / f"{row.doc_id}.json").exists():
            self.rows[source.path] = replace(earlier, path=source.path, reused=True)  # done by an earlier run: not redone
            return None
        self.rows[source.path] = row
        self.tasks.append({  # a zip member is read by its worker, one at a time: the batch's own process never holds it
            "path": source.path, "archive": source.archive, "member": source.member, "index": source.index,
            "out": str(self.out / "documents" / f"{row.doc_id}.json"),
            "password": self.settings.password, "tables": self.settings.tables, "ocr": self.settings.ocr, "pages": self.settings.pages,
            "max_memory": self.settings.max_memory_mb,
        })
        return None


def _execute(tasks: list[dict[str, Any]], settings: BatchSettings, finished: Callable[[dict[str, Any]], None],
             page: Callable[[str, int, int], None] | None = None) -> None:
    if not tasks:
        return
    if settings.scheduler:
        run_on_cluster(tasks, settings.scheduler, finished)
        return
    pool = _Pool(min(settings.jobs, len(tasks)), settings)
    try:
        pool.run(tasks, finished, page)
    finally:
        pool.close()


def _settle_duplicates(rows: list[ManifestRow]) -> list[ManifestRow]:
    """A duplicate shares the result of the file it duplicates."""
    by_path = {r.path: r for r in rows}
    settled = []
    for row in rows:
        if row.status == "duplicate" and row.duplicate_of in by_path:
            original = by_path[row.duplicate_of]
            row = replace(row, doc_id=original.doc_id if original.status in _DONE else "", pages=original.pages, tables=original.tables,
                          facts=original.facts, error=original.error if original.status == "failed" else "")
        settled.append(row)
    return settled


def _group_companions(rows: list[ManifestRow], out: Path, aliases: str | None = None) -> list[ManifestRow]:
    """Files of one disclosure (a 情况说明 and its 报表: same department, region, year and kind) get one group key,
    and are checked together into ``groups/<group>.json``."""
    done = [(r.doc_id, out / "documents" / f"{r.doc_id}.json") for r in rows if r.status in _DONE and r.doc_id]
    groups = group_documents(done, out, load_aliases(aliases), _attached(rows, out))
    return [replace(r, group=groups.get(r.doc_id, "")) if r.doc_id else r for r in rows]


def _attached(rows: list[ManifestRow], out: Path) -> list[tuple[str, str]]:
    """(page, attached file) for each web page whose attached files the batch read beside it: in its folder or its
    folder of the archive, under the name the page's link gives."""
    beside: dict[tuple[str, str], str] = {}
    pages = []
    for row in rows:
        if row.status in _DONE and row.doc_id:
            folder, name = _folder_and_name(row.path)
            beside.setdefault((folder, name), row.doc_id)
            if name.lower().endswith((".html", ".htm", ".shtml", ".jsp", ".asp", ".aspx", ".php")):
                pages.append((row.doc_id, folder))
    links = []
    for doc_id, folder in pages:
        try:
            data = json.loads((out / "documents" / f"{doc_id}.json").read_text(encoding="utf-8"))
            hrefs = [(a["href"], a["text"]) for a in data.get("attachments", [])]
        except (OSError, ValueError, TypeError, KeyError):
            continue
        links += [(doc_id, beside[(folder, name)]) for name in attached_files(hrefs) if (folder, name) in beside]
    return [(page, attached) for page, attached in links if page != attached]


def _folder_and_name(path: str) -> tuple[str, str]:
    """A manifest path's folder and file name (an archive member's folder is inside its archive: crawl.zip!dept)."""
    cut = max(path.rfind("/"), path.rfind("!"), path.rfind(os.sep))
    return path[:cut], path[cut + 1 :]


def _cell(value: object) -> object:
    """A manifest cell: text neutralised for spreadsheets, a flag as the dataset writes one (true / false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_safe(value) if isinstance(value, str) else value


def write_manifest(rows: Sequence[ManifestRow], path: Path) -> None:
    """The manifest as CSV, written atomically."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:  # a path or a message may start like a formula (=1+1 broken.pdf)
        writer.writerow({k: _cell(v) for k, v in asdict(_shown(row)).items()})
    write_atomic(path, buffer.getvalue().encode("utf-8"))


def summary(rows: Sequence[ManifestRow], seconds: float, manifest: str | None = None, dataset: DatasetFindings | None = None) -> str:
    """How many files ended how (and where the ``manifest`` is), then what a reader must look at: each failed file
    with its reason and each file whose document contradicts itself, with how many mismatches (at most ``_NAMED`` of
    each, the rest counted); with the ``dataset``'s findings, its invariants that fail and the entities without a
    region."""
    rows = [_shown(r) for r in rows]  # names escaped as in the manifest: no terminal escape reaches the screen
    counts = {status: sum(1 for r in rows if r.status == status) for status in ("ok", "warning", "failed", "duplicate")}
    pages = sum(r.pages for r in rows if r.status in _DONE)
    lines = [f"{len(rows)} files: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + f"; {pages} pages in {seconds:.1f} s"
             + (f"; manifest: {manifest}" if manifest else "")]
    failed = [r for r in rows if r.status == "failed"]
    if failed:
        reasons = [r.error if r.error.startswith(r.path) else f"{r.path}: {r.error}" for r in failed[:_NAMED]]
        lines.append(f"  failed ({len(failed)}): " + "; ".join(reasons) + _more(failed))
    reused = sum(1 for r in rows if r.reused and r.status in _DONE)
    if reused:
        lines.append(f"  not read again ({reused}): done by an earlier run into this folder with the same options "
                     "(manifest.csv: reused); another -o, or no journal.jsonl, reads them anew")
    contradicted = sorted((r for r in rows if r.mismatches and r.status in _DONE), key=lambda r: -r.mismatches)
    if contradicted:
        total = sum(r.mismatches for r in contradicted)
        lines.append(f"  with mismatches ({len(contradicted)} files, {total} mismatches; data/checks.csv lists them): "
                     + ", ".join(f"{r.path} ({r.mismatches})" for r in contradicted[:_NAMED]) + _more(contradicted))
    if dataset is not None:
        lines += _dataset_lines(dataset)
    return "\n".join(lines)


def _dataset_lines(found: DatasetFindings) -> list[str]:
    lines = []
    if found.invariants:
        lines.append(f"  dataset invariants: {found.invariants} checked, {found.invariant_mismatches} failed"
                     + (" (data/checks.csv, rules dataset.*)" if found.invariant_mismatches else ""))
    if found.unverified:
        count = sum(n for _, n, _ in found.unverified)
        named = [f"{shown_name(file)} ({n}: {rules})" for file, n, rules in found.unverified[:_NAMED]]
        more = f" and {len(found.unverified) - _NAMED} more" if len(found.unverified) > _NAMED else ""
        lines.append(f"  unverified tables ({count} in {len(found.unverified)} files, with the rules they fail; data/tables.csv"
                     " lists them, verified = false): " + ", ".join(named) + more)
    if found.without_region:
        named = [shown_name(name) for name in found.without_region]
        more = f" and {len(named) - _NAMED} more (data/documents.csv)" if len(named) > _NAMED else ""
        lines.append(f"  entities without a region ({len(named)}; neither their pages nor their paths name one): "
                     + ", ".join(named[:_NAMED]) + more)
    return lines


_NAMED = 5  # files a summary names per outcome


def _more(rows: Sequence[ManifestRow]) -> str:
    return f" and {len(rows) - _NAMED} more (manifest.csv)" if len(rows) > _NAMED else ""
