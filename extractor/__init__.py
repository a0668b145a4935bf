"""Turn Chinese government budget and final-accounts disclosures into exact, verifiable data.

    >>> import extractor
    >>> doc = extractor.extract("report.pdf")          # doctest: +SKIP
    >>> doc.document.department, doc.facts[0].value     # doctest: +SKIP
    >>> manifest = extractor.batch(["archive/"], "dataset")  # doctest: +SKIP
    >>> frames = extractor.load_dataset("dataset")          # doctest: +SKIP
    >>> tables = extractor.read_tables("report.pdf")        # doctest: +SKIP
"""

from __future__ import annotations

from extractor.batch import BatchSettings, batch  # the function shadows the module's name here
from extractor.errors import ExtractorError
from extractor.pipeline import ExtractSettings, extract
from extractor.records import Document
from extractor.version import __version__


def load_dataset(dataset_dir):  # type: ignore[no-untyped-def]
    """The tidy tables of a batch's dataset folder as pandas DataFrames (see :func:`extractor.export.dataset.load_dataset`)."""
    from extractor.export.dataset import load_dataset as load

    return load(dataset_dir)


def build_dataset(dataset_dir, duckdb: bool = False, aliases=None):  # type: ignore[no-untyped-def]
    """Build a batch folder's dataset again (:func:`batch` builds it at its end): after adding an alias file, or for a
    folder of ``documents/*.json`` and ``manifest.csv`` made otherwise; returns the row count of each table (see
    :func:`extractor.export.dataset.build_dataset`)."""
    from extractor.export.dataset import build_dataset as build

    return build(dataset_dir, duckdb=duckdb, aliases=aliases)


def read_tables(source, by: str = "path", **options):  # type: ignore[no-untyped-def]
    """Every table of one document as a pandas DataFrame (see :meth:`extractor.records.TableRecord.to_pandas`), amounts
    exact; ``options`` are those of :func:`extract` (``ocr="never"``, ``pages="3-9"``, …)."""
    return [table.to_pandas(by) for table in extract(source, **options).tables]


def csv_dtypes(table: str = "cells"):  # type: ignore[no-untyped-def]
    """The dtypes that read a dataset CSV (``data/<table>.csv``) or the long CSV of ``extract -o x.csv`` (``"long"``)
    as written: codes stay text (``2010301``, not ``2010301.0``); exact amounts stay text, for ``Decimal``."""
    from extractor.export.dataset import csv_dtypes as dtypes

    return dtypes(table)


__all__ = [
    "BatchSettings", "Document", "ExtractSettings", "ExtractorError", "batch", "build_dataset", "csv_dtypes", "extract", "load_dataset",
    "read_tables", "__version__",
]
