"""Progress for people: one line on a terminal, rewritten in place (page N of M, file N of M, rate, ETA).

The readers report slow steps (OCR, a page at a time) to the logger ``extractor.progress`` as ``(page, pages)``;
:class:`PageProgress` turns them into the line for a single file, and a batch's workers send them to the parent,
whose line then moves while a scan is read. Nothing is written when standard error is not a terminal.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TextIO

LOGGER = "extractor.progress"


def report_page(page: int, pages: int) -> None:
    """Say that page ``page`` of ``pages`` is being read by a slow step (OCR)."""
    logging.getLogger(LOGGER).info("OCR page %d of %d", page, pages, extra={"page": page, "pages": pages})


def eta(done: float, total: float, elapsed: float) -> str:
    """``m:ss`` left at the rate so far, or ``?`` before there is a rate."""
    if done <= 0 or elapsed <= 0:
        return "?"
    left = int((total - done) * elapsed / done)
    return f"{left // 60}:{left % 60:02d}"


class PageProgress(logging.Handler):
    """The single-file line: ``OCR page 3 of 8  0.9 pages/s  ETA 0:05``, rewritten in place."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.INFO)
        self.stream = stream
        self.started = time.monotonic()
        self.shown = False

    def emit(self, record: logging.LogRecord) -> None:
        page, pages = getattr(record, "page", None), getattr(record, "pages", None)
        if not isinstance(page, int) or not isinstance(pages, int):
            return
        elapsed = time.monotonic() - self.started
        rate = (page - 1) / elapsed if elapsed > 0 else 0.0
        self.stream.write(f"\rOCR page {page} of {pages}  {rate:.1f} pages/s  ETA {eta(page - 1, pages, elapsed)}   ")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        """End the line, once, if one was shown."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False


class Forward(logging.Handler):
    """In a batch worker: each page step goes to ``send`` as ``(page, pages)``, for the parent's line."""

    def __init__(self, send: Callable[[int, int], None]) -> None:
        super().__init__(logging.INFO)
        self.send = send

    def emit(self, record: logging.LogRecord) -> None:
        page, pages = getattr(record, "page", None), getattr(record, "pages", None)
        if isinstance(page, int) and isinstance(pages, int):
            try:
                self.send(page, pages)
            except OSError:  # the parent has gone: nothing to tell
                pass


def on_terminal(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())
