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
