"""File names as the tool writes them: in messages, the manifest, the journal, the summary and a document's
``source.file``.

A name on disk need not be text: Linux allows any bytes but ``/`` and NUL, so a crawl may hold a name that is not
UTF-8 (Python gives it as lone surrogates, which no UTF-8 file can hold) or one with control characters (a
terminal's escape sequences, a line break that would split a line of the journal). Such a name is written with
those bytes and characters escaped as Python writes them (``bad\\xff.pdf``, ``bell\\x07.pdf``); the file itself is
still read by its real name.
"""

from __future__ import annotations

import os
import unicodedata

# control characters; the line and paragraph separators str.splitlines breaks at; format characters, invisible ones
# that disguise a name (a right-to-left override, a zero-width space)
_ESCAPED = ("Cc", "Zl", "Zp", "Cf")


def shown_name(name: str | os.PathLike[str]) -> str:
    """``name`` with each byte that is not UTF-8 and each control, line-separator or invisible format character
    escaped; a name with none, or one already shown, is returned as it is."""
    text = os.fspath(name)
    try:
        decoded = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no byte stands for
        decoded = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if decoded.isprintable():
        return decoded
    return "".join(_escape(c) if unicodedata.category(c) in _ESCAPED else c for c in decoded)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
