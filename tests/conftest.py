"""Shared fixtures: the corpus and ground truth live in ../shared beside the project."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
TRUTH = SHARED / "eval" / "truth" / "dev"
SEED = SHARED / "seeds" / "000_a578cfda0311d507.txt"
DATA = Path(__file__).parent / "data"


def shared_files() -> list[str]:
    """Every file of the pool (``pool/…``) and of the corpus (its path under it), as the data lists key them."""
    return sorted(
        [f"pool/{p.name}" for p in (SHARED / "pool").iterdir() if p.suffix not in (".md", ".tsv")]
        + [str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in (".md", ".tsv")]
    )


def read_text_only(path: str):  # type: ignore[no-untyped-def]
    """A file of ``shared_files()`` read with OCR off; the test is skipped for one that cannot be (a scan, not a
    document at all)."""
    from extractor.errors import ExtractorError
    from extractor.pipeline import ExtractSettings, extract

    try:
        return extract(str(SHARED / path if path.startswith("pool/") else CORPUS / path), ExtractSettings(ocr="never"))
    except ExtractorError as error:
        pytest.skip(f"nothing read: {error}")


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def schema_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "schemas" / "extract.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@cache
def extracted(path: str):  # type: ignore[no-untyped-def]
    """Extract once per test session: several tests look at the same document."""
    import extractor

    return extractor.extract(path)


@pytest.fixture(scope="session", autouse=True)
def _shared_present() -> None:
    assert CORPUS.is_dir(), f"the corpus is expected at {CORPUS}"
