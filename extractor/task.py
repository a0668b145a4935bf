"""One file of a batch as a task: its input (a file, or a member of a zip archive read within size limits) and
:func:`process`, which extracts it and writes its JSON. The batch's own workers and the workers of a Dask cluster
(:mod:`extractor.cluster`) both run it.
"""

from __future__ import annotations

import io
import logging
import os
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.errors import ZIP_ERRORS, ExtractorError, MemoryLimitError, is_out_of_memory
from extractor.export.atomic import write_atomic
from extractor.export.json_export import document_to_json
from extractor.names import shown_name
from extractor.pipeline import ExtractSettings, extract

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """One input: a file, or a member of a zip archive (``archive.zip!member.pdf``)."""

    path: str
    archive: str | None = None
    member: str | None = None
    index: int | None = None  # the member's place in the archive (two members may share a name)

    def read(self) -> bytes:
        if self.archive is None:
            return Path(self.path).read_bytes()
        with zipfile.ZipFile(self.archive) as archive:
            return b"".join(member_chunks(archive, member_info(archive, self)))


def member_info(archive: zipfile.ZipFile, source: Source) -> zipfile.ZipInfo:
    """The source's member: by its place in the archive (two members may share a name), else by its name."""
    return archive.infolist()[source.index] if source.index is not None else archive.getinfo(source.member or "")


MAX_MEMBER_BYTES = 512 * 1024 * 1024  # a zip member larger than this, declared or found while reading, is refused
MAX_MEMBER_RATIO = 200  # and so is one that unpacks to more than this many times its packed size (a zip bomb)
CHUNK = 1024 * 1024


class MemberError(ExtractorError):
    """A zip member that cannot be read: encrypted, packed by an unsupported method, corrupt, or too large."""

    exit_code = 5


def _check_member(info: zipfile.ZipInfo) -> None:
    if info.flag_bits & 0x1:
        raise MemberError("the member is encrypted")
    if info.file_size > MAX_MEMBER_BYTES:
        raise MemberError(f"the member unpacks to {info.file_size} bytes, over the {MAX_MEMBER_BYTES} byte limit")
    if info.compress_size and info.file_size > 64 * 1024 and info.file_size / info.compress_size > MAX_MEMBER_RATIO:
        raise MemberError(f"the member unpacks to {info.file_size / info.compress_size:.0f} times its packed size (a zip bomb?)")


def member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes a chunk at a time, within the size limit whatever its header declares."""
    _check_member(info)
    seen = 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(CHUNK):
                seen += len(chunk)
                if seen > MAX_MEMBER_BYTES:
                    raise MemberError(f"the member unpacks to more than {MAX_MEMBER_BYTES} bytes")
                yield chunk
    except ZIP_ERRORS as e:  # encrypted, Deflate64, data that does not inflate, …
        raise MemberError(f"the member cannot be unpacked ({type(e).__name__}: {e})") from None


def process(task: dict[str, Any]) -> dict[str, Any]:
    """Extract one file and write its JSON; return the manifest fields. Never raises for a bad file."""
    started = time.perf_counter()
    result: dict[str, Any] = {"path": task["path"]}
    try:
        data = Source(task["path"], task.get("archive"), task.get("member"), task.get("index")).read() if task.get("data") is None else task["data"]
        settings = ExtractSettings(password=task.get("password"), tables=task.get("tables", "hybrid"), ocr=task.get("ocr", "auto"),
                                   pages=task.get("pages"))
        stream = io.BytesIO(data)
        stream.name = task["path"]  # the file's name in errors and in the output's source block
        doc = extract(stream, settings)
        write_atomic(Path(task["out"]), document_to_json(doc).encode("utf-8"))
        mismatches = sum(1 for c in doc.checks if c.status == "mismatch")
        result.update(
            status="warning" if doc.warnings else "ok", pages=doc.source.pages, tables=len(doc.tables), facts=len(doc.facts),
            mismatches=mismatches, error="; ".join(sorted({w.code for w in doc.warnings})),
        )
    except ExtractorError as e:
        result.update(status="failed", error=str(e), exit_code=e.exit_code)
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the batch; the manifest keeps the reason
        result.update(_failure(task, e))
    result["seconds"] = round(time.perf_counter() - started, 3)
    result["peak_mb"] = round(memory_mb(os.getpid(), "VmHWM:"), 1)
    result["rss_mb"] = round(memory_mb(os.getpid(), "VmRSS:"), 1)  # for benchmarks; not a manifest column
    return result


def _failure(task: dict[str, Any], error: Exception) -> dict[str, Any]:
    """The row of a file that failed with no error of ours: out of memory (under the worker's ceiling, a MemoryError
    or a library's failed allocation, ENOMEM included), said as the single-file command says it (exit 12); a file
    that cannot be read (exit 3); or a fault of ours (exit 70), its traceback in the log."""
    if is_out_of_memory(error):
        failure = MemoryLimitError.needed(task.get("max_memory"), task["path"])
        return {"status": "failed", "error": str(failure), "exit_code": failure.exit_code}
    if isinstance(error, OSError):
        return {"status": "failed", "error": f"cannot read: {error.strerror or error}", "exit_code": 3}
    logger.exception("unexpected error on %s", shown_name(task["path"]))
    return {"status": "failed", "error": f"internal error: {type(error).__name__}: {error}", "exit_code": 70}


def memory_mb(pid: int | None, field_name: str) -> float:
    """A memory figure of a process in MB (VmRSS: resident now, VmHWM: peak resident); 0 where /proc is not there."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
