"""Consistency checks: where a disclosure contradicts itself.

Each rule is a small named function over the extracted records (tables, facts, line items) or over the
narrative text; each finding carries the figures, pages and boxes it compared. See :mod:`.model`.
"""

from extractor.checks.model import CheckResult, Evidence, Severity, Status
from extractor.checks.run import RULES, check_documents, check_narrative, check_records

__all__ = ["RULES", "check_documents", "CheckResult", "Evidence", "Severity", "Status", "check_narrative", "check_records"]
