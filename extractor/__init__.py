"""Turn Chinese government budget and final-accounts disclosures into exact, verifiable data.

    >>> import extractor
    >>> doc = extractor.extract("report.pdf")          # doctest: +SKIP
    >>> doc.document.department, doc.facts[0].value     # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from extractor.errors import ExtractorError  # noqa: E402
from extractor.pipeline import ExtractSettings, extract  # noqa: E402
from extractor.records import Document  # noqa: E402

__all__ = ["Document", "ExtractSettings", "ExtractorError", "extract", "__version__"]
