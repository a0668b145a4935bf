"""Where a document's pages came from, kept on the document (``Document.origin``) so that ``doc.show(page)`` can
draw one: the file's path, or its bytes when it was given as bytes or a stream. Never written to the JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from extractor.export import overlay
from extractor.records import Document


@dataclass(frozen=True)
class FileOrigin:
    """A document's file, to draw its pages from."""

    file: Path | bytes = field(repr=False)

    def show(self, doc: Document, page: int, scale: float, password: str | None) -> Image.Image:
        """Page ``page`` of the file with ``doc``'s findings drawn over it and a legend (see :func:`overlay.show`)."""
        return overlay.show(self.file, doc, page, scale, password)
