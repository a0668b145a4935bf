"""The JSON output."""

from __future__ import annotations

import json

from extractor.records import Document


def document_to_json(doc: Document) -> str:
    """Serialise a document as UTF-8 JSON text (Chinese kept readable, amounts as strings)."""
    return json.dumps(doc.to_dict(), ensure_ascii=False, indent=1) + "\n"
