"""Legacy Office files (.xls, .doc: OLE compound documents), converted by LibreOffice in headless mode to .xlsx or
.docx and read by those readers. Without LibreOffice the error names the missing tool."""

from __future__ import annotations

import functools
import glob
import os
import shutil
import signal
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
_FOLDER = "extractor-office-"  # + the reading process's pid: the batch clears what a killed worker left
# the profile LibreOffice runs with: no macros, never update or fetch a linked file or picture
_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
</oor:items>
"""


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


@functools.cache
def _no_network() -> list[str]:
    """A prefix that runs a command with no network at all (a new network namespace with only a loopback that is
    down), where this system allows it; the profile's settings stop link fetching everywhere else too."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    for flags in ("-rn", "-n"):
        try:
            if subprocess.run([unshare, flags, "true"], capture_output=True, timeout=10).returncode == 0:
                return [unshare, flags]
        except (OSError, subprocess.SubprocessError):
            continue
    return []


def read_legacy(data: bytes) -> tuple[Page, ...]:
    kind = kind_of(data)
    command = office()
    if command is None:
        package = "libreoffice-calc-nogui" if kind == "xls" else "libreoffice-writer-nogui"
        raise UnsupportedFormatError(f"legacy .{kind} needs LibreOffice to be read: install it (Debian: apt-get install {package})")
    target = "xlsx" if kind == "xls" else "docx"
    folder = Path(tempfile.mkdtemp(prefix=f"{_FOLDER}{os.getpid()}-"))
    try:
        converted_bytes = _convert(command, data, kind, target, folder)
    finally:
        _clear(folder)
    return excel.read_xlsx(converted_bytes) if target == "xlsx" else word.read_docx(converted_bytes)


def _convert(command: str, data: bytes, kind: str, target: str, folder: Path) -> bytes:
    """LibreOffice in its own process group, with no network, no macros and no link updates, within a time limit
    after which the whole group is killed."""
    source = folder / f"input.{kind}"
    source.write_bytes(data)
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_SETTINGS, encoding="utf-8")
    arguments = [*_no_network(), command, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--nolockcheck",
                 "--convert-to", target, "--outdir", str(folder), str(source)]
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               env={**os.environ, "HOME": str(folder), "TMPDIR": str(folder)})  # its own temporary files too
    (folder / "group").write_text(str(process.pid), encoding="ascii")  # for the batch, should this process be killed
    try:
        _, stderr = process.communicate(timeout=_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        raise CorruptInputError(f"LibreOffice did not convert the .{kind} file within {_TIMEOUT} s") from e
    finally:
        _kill_group(process.pid)
    if process.returncode != 0:
        raise CorruptInputError(f"LibreOffice could not convert the .{kind} file ({stderr.decode(errors='replace').strip()[:200]})")
    converted = folder / f"input.{target}"
    if not converted.exists():
        raise CorruptInputError(f"LibreOffice could not convert the .{kind} file")
    return converted.read_bytes()


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # already gone


def _clear(folder: Path) -> None:
    group = folder / "group"
    if group.exists():
        try:
            _kill_group(int(group.read_text(encoding="ascii")))
        except ValueError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


def clear_after(pid: int) -> None:
    """What a killed reader process (a batch worker over its time) left: its LibreOffice and its folder."""
    for folder in glob.glob(os.path.join(tempfile.gettempdir(), f"{_FOLDER}{pid}-*")):
        _clear(Path(folder))
