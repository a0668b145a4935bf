"""Turn Chinese government budget and final-accounts disclosures into exact, verifiable data.

    >>> import extractor
    >>> doc = extractor.extract("report.pdf")          # doctest: +SKIP
    >>> doc.document.department, doc.facts[0].value     # doctest: +SKIP
    >>> manifest = extractor.batch(["archive/"], "dataset")  # doctest: +SKIP
    >>> frames = extractor.load_dataset("dataset")          # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from extractor.batch import BatchSettings, batch  # noqa: E402  (the function shadows the module's name here)
from extractor.errors import ExtractorError  # noqa: E402
from extractor.pipeline import ExtractSettings, extract  # noqa: E402
from extractor.records import Document  # noqa: E402


def load_dataset(dataset_dir):  # type: ignore[no-untyped-def]
    """The tidy tables of a batch's dataset folder as pandas DataFrames (see :func:`extractor.export.dataset.load_dataset`)."""
    from extractor.export.dataset import load_dataset as load

    return load(dataset_dir)


__all__ = ["BatchSettings", "Document", "ExtractSettings", "ExtractorError", "batch", "extract", "load_dataset", "__version__"]
