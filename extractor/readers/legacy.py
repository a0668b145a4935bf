"""Legacy Office files (.xls, .doc: OLE compound documents), converted by LibreOffice in headless mode to .xlsx or
.docx and read by those readers. Without LibreOffice the error names the missing tool."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from extractor.errors import CorruptInputError, UnsupportedFormatError
from extractor.model import Page
from extractor.readers import excel, word

NAME = "libreoffice"
_TIMEOUT = 180
_WORKBOOK = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_WORD = "WordDocument".encode("utf-16-le")


def office() -> str | None:
    """The LibreOffice command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def kind_of(data: bytes) -> str:
    """``xls`` or ``doc`` from the streams an OLE file names."""
    if _WORD in data:
        return "doc"
    if any(name in data for name in _WORKBOOK):
        return "xls"
    raise UnsupportedFormatError("unsupported format: an OLE file that is neither .xls nor .doc")


def read_legacy(data: bytes) -> tuple[Page, ...]:
    kind = kind_of(data)
    command = office()
    if command is None:
        package = "libreoffice-calc-nogui" if kind == "xls" else "libreoffice-writer-nogui"
        raise UnsupportedFormatError(f"legacy .{kind} needs LibreOffice to be read: install it (Debian: apt-get install {package})")
    target = "xlsx" if kind == "xls" else "docx"
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"input.{kind}"
        source.write_bytes(data)
        profile = Path(folder) / "profile"
        try:
            arguments = [command, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                         "--convert-to", target, "--outdir", folder, str(source)]
            subprocess.run(arguments, check=True, capture_output=True, timeout=_TIMEOUT, env={**os.environ, "HOME": folder})
        except subprocess.TimeoutExpired as e:
            raise CorruptInputError(f"LibreOffice did not convert the .{kind} file within {_TIMEOUT} s") from e
        except subprocess.CalledProcessError as e:
            raise CorruptInputError(f"LibreOffice could not convert the .{kind} file ({e.stderr.decode(errors='replace').strip()[:200]})") from e
        converted = Path(folder) / f"input.{target}"
        if not converted.exists():
            raise CorruptInputError(f"LibreOffice could not convert the .{kind} file")
        converted_bytes = converted.read_bytes()
    return excel.read_xlsx(converted_bytes) if target == "xlsx" else word.read_docx(converted_bytes)
