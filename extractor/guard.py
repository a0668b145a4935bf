"""One extraction inside the guards a batch's workers have: a time limit and a memory ceiling.

The extraction runs in a forked child process with its address space capped (twice the ceiling, as for a
batch's workers); past the time limit the child is killed, with any LibreOffice it started. A child that dies
(out of memory in a library that aborts instead of raising) is a clear error too, never a hang or a traceback.
Where processes cannot be forked the extraction runs here, unguarded.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
from pathlib import Path
from typing import Any

from extractor.batch import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT, die_with_parent, limit_memory
from extractor.errors import ExtractorError, MemoryLimitError, TimeLimitError, is_out_of_memory
from extractor.names import shown_name
from extractor.pipeline import ExtractSettings, extract
from extractor.records import Document

__all__ = ["DEFAULT_MAX_MEMORY", "DEFAULT_TIMEOUT", "guarded_extract"]


class _Failed(ExtractorError):
    """An error of the child's, carried back with its message and exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def guarded_extract(path: str | Path, settings: ExtractSettings, timeout: float = DEFAULT_TIMEOUT,
                    max_memory: int = DEFAULT_MAX_MEMORY, debug: bool = False) -> Document:
    """:func:`extractor.extract` of ``path`` within ``timeout`` seconds and ``max_memory`` MB (``debug``: here,
    unguarded, so that a traceback shows where it happened)."""
    if debug:
        return extract(path, settings)
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork here (Windows): unguarded
        return extract(path, settings)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, str(path), settings, max_memory, os.getpid()), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise TimeLimitError(f"took longer than {timeout:g} s (raise it with --timeout)", path=str(path))
        try:
            kind, value = receiver.recv()
        except (EOFError, OSError):
            child.join(timeout=5)
            raise MemoryLimitError.stopped(child.exitcode, max_memory, str(path)) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        if child.pid is not None:
            from extractor.readers.legacy import clear_after

            clear_after(child.pid)
        receiver.close()
    if kind == "error":
        message, exit_code = value
        raise _Failed(message, exit_code)
    document: Document = value  # its origin the path, as the child extracted from it
    return document


def _child(sender: multiprocessing.connection.Connection, path: str, settings: ExtractSettings, max_memory: int, parent: int) -> None:
    die_with_parent(parent)  # a command killed (kill -9, SIGTERM) takes its extraction with it
    limit_memory(max_memory)
    out_of_memory = ("error", (str(MemoryLimitError.needed(max_memory, path)), MemoryLimitError.exit_code))
    result: tuple[str, Any]
    try:
        result = ("document", extract(path, settings))
    except ExtractorError as e:
        result = ("error", (str(e), e.exit_code))
    except Exception as e:  # noqa: BLE001 - a fault of ours: said in one line, the traceback with --debug
        result = out_of_memory if is_out_of_memory(e) else _internal(path, e)
    try:
        sender.send(result)
    except MemoryError:
        sender.send(out_of_memory)
    finally:
        sender.close()
    os._exit(0)  # nothing of the parent's (atexit handlers, buffers) runs twice


def _internal(path: str, error: Exception) -> tuple[str, Any]:
    return "error", (f"{shown_name(path)}: internal error ({type(error).__name__}: {error}); run with --debug for the traceback", 70)
