"""Write files atomically: a temporary file in the same folder, then a rename."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from extractor.errors import OutputError


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: str | os.PathLike[str], data: bytes, inputs: tuple[str | os.PathLike[str], ...] = ()) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one.

    Only a regular file is written: an existing device, FIFO, socket or folder at ``path`` is refused (renaming over
    it would replace it), and so is any of ``inputs`` (writing over the file being read).
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError("output folder does not exist", path=str(directory))
    if os.path.lexists(target) and not target.is_file():
        raise OutputError("the output is not a regular file (a device, FIFO, socket or folder): not replaced", path=str(target))
    for source in inputs:
        if os.path.exists(source) and target.exists() and os.path.samefile(source, target):
            raise OutputError("the output is the input file: give another name", path=str(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise OutputError(f"cannot write output ({e.strerror})", path=str(target)) from e
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; an output is as readable as any new file
        os.replace(tmp, target)
    except OSError as e:
        raise OutputError(f"cannot write output ({e.strerror})", path=str(target)) from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")


def spreadsheet_safe(text: str) -> str:
    """A text cell that a spreadsheet cannot take for a formula (OWASP's advice on CSV injection): one that starts
    with = + - @, a tab or a carriage return gets a leading apostrophe, unless it is a plain number (-12.50). A text
    that already starts with apostrophes before such a character gets one more, so :func:`from_spreadsheet` gives
    back every text exactly."""
    if _QUOTED.match(text) or (text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text)):
        return "'" + text
    return text


def from_spreadsheet(text: str) -> str:
    """The text :func:`spreadsheet_safe` was given: for files the tool reads back (the manifest's paths)."""
    return text[1:] if _QUOTED.match(text) else text


_QUOTED = re.compile(r"'+[=+\-@\t\r]")
