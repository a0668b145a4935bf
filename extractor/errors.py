"""The exceptions the library raises; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

import errno

from extractor.names import shown_name


class ExtractorError(Exception):
    """Base class of every error the extractor raises on bad input or bad settings."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{shown_name(self.path)}: {self.message}" if self.path else self.message


class InputNotFoundError(ExtractorError):
    """The input path does not exist or is not a file."""

    exit_code = 3


class EmptyInputError(ExtractorError):
    """The input has no bytes at all."""

    exit_code = 4


class UnsupportedFormatError(ExtractorError):
    """The input's bytes are of a format no reader handles (yet)."""

    exit_code = 5


class CorruptInputError(ExtractorError):
    """The input claims a known format but cannot be parsed."""

    exit_code = 6


class PasswordRequiredError(ExtractorError):
    """The PDF is encrypted with a user password that was not given or is wrong."""

    exit_code = 7


class NoTextLayerError(ExtractorError):
    """No page of the input has a usable text layer (a scan) and OCR is not available."""

    exit_code = 8


class OutputError(ExtractorError):
    """The output cannot be written."""

    exit_code = 9


class SettingsError(ExtractorError):
    """An option has a value outside its allowed set."""

    exit_code = 2


class WorkerStartError(ExtractorError):
    """A batch's worker processes cannot start (most often: a script that calls ``batch`` without a
    ``if __name__ == "__main__":`` guard, which every spawned worker runs again)."""

    exit_code = 10


class TimeLimitError(ExtractorError):
    """The input took longer than the time limit (``--timeout``)."""

    exit_code = 11


class MemoryLimitError(ExtractorError):
    """The input needed more memory than the ceiling (``--max-memory``)."""

    exit_code = 12

    @classmethod
    def needed(cls, max_memory: int | None, path: str | None = None) -> MemoryLimitError:
        """The extraction failed for want of memory, said the same by a single-file command and a batch's row."""
        ceiling = f"{max_memory} MB" if max_memory else "its worker has"
        return cls(f"needs more memory than {ceiling} (raise it with --max-memory)", path=path)

    @classmethod
    def stopped(cls, exit_code: int | None, max_memory: int | None, path: str | None = None) -> MemoryLimitError:
        """The process reading the file died: a native library that aborts when an allocation fails, or the kernel's
        out-of-memory killer, are what stops one with no error of its own."""
        ceiling = f"{max_memory} MB" if max_memory else "its worker has"
        return cls(f"the extraction stopped (exit code {exit_code}): most likely it needed more memory than {ceiling} "
                   "(raise it with --max-memory)", path=path)


# what a native library says when an allocation fails: ONNX Runtime (OCR) raises its RuntimeException with these
# (a C++ allocation, its arena, a thread it cannot start: ENOMEM)
_ALLOCATION_FAILED = ("std::bad_alloc", "Failed to allocate memory", "Cannot allocate memory")


def is_out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` says the process ran out of memory (under ``--max-memory`` the address space is capped, so
    this is how an input over the ceiling fails): Python's MemoryError, ENOMEM, or a native library's failed allocation."""
    if isinstance(error, MemoryError) or (isinstance(error, OSError) and error.errno == errno.ENOMEM):
        return True
    return any(text in str(error) for text in _ALLOCATION_FAILED)


class NotTheDocumentError(ExtractorError):
    """The input is a stand-in for the document, not the document: a redirect page, a page with no text, a
    plain-text file or a text copy of a PDF under a .pdf name."""

    exit_code = 13


def _zip_errors() -> tuple[type[BaseException], ...]:
    import zipfile
    import zlib

    return (zipfile.BadZipFile, zlib.error, NotImplementedError, ValueError, EOFError, OSError, RuntimeError, UnicodeDecodeError, KeyError)


# what the standard library's zipfile raises on a damaged archive: a bad directory or header, a name that is not
# UTF-8 though flagged so, data that does not inflate, an unsupported version or method, a seek before the start
ZIP_ERRORS = _zip_errors()
