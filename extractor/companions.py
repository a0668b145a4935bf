"""Companion files of one disclosure: a narrative (情况说明) and its tables (报表) published apart.

Files of the same entity (department and region, however each file spells the name: 中国共产党江苏省委员会办公厅 and
江苏省委办公厅 are one), fiscal year, report kind and report scope are one disclosure; they are checked together, so
the narrative's figures meet the tables printed in the other file. A department's 部门 report and one unit's 单位
report, or its 本级 and 汇总 reports, are different reports of different figures: they stay apart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from extractor.checks import check_documents
from extractor.domain.entities import entity_key
from extractor.export.atomic import write_atomic
from extractor.records import Document, DocumentInfo, document_from_dict, plain_record, record_from_dict

logger = logging.getLogger(__name__)
_SUFFIX = re.compile(r"[（(](?:本级|汇总|部门|单位)[)）]$")


def disclosure_key(doc: Document, aliases: Mapping[str, str] | None = None) -> str | None:
    """Entity, year, kind and scope: what companion files share (None without a department or year)."""
    return _key(doc.document, aliases)


def _key(info: DocumentInfo, aliases: Mapping[str, str] | None) -> str | None:
    if not info.department or not info.fiscal_year or info.document_type != "disclosure":
        return None
    department = _SUFFIX.sub("", re.sub(r"\s+", "", info.department))
    year = info.fiscal_year
    return f"{entity_key(department, info.region, year, aliases)}|{year}|{info.report_kind or ''}|{info.report_scope or ''}"


def group_documents(items: Sequence[tuple[str, Path]], out: Path, aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """Group saved results (doc_id, JSON path) into disclosures; write each group's joint checks to
    ``out/groups/<group>.json``; return doc_id -> group for the documents in a group of two or more."""
    # the key from the JSON's identity record alone; a whole Document is built only for a file that has companions
    by_key: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for doc_id, path in items:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            key = _key(record_from_dict(DocumentInfo, data["document"]), aliases)
        except (OSError, ValueError, TypeError, KeyError) as e:
            logger.warning("cannot read %s for grouping: %s", path, e)
            continue
        if key is not None:
            by_key.setdefault(key, []).append((doc_id, data))
    groups: dict[str, str] = {}
    for key, found in by_key.items():
        if len({doc_id for doc_id, _ in found}) < 2:
            continue
        try:
            members = [(doc_id, document_from_dict(data)) for doc_id, data in found]
        except (ValueError, TypeError, KeyError) as e:
            logger.warning("cannot read the files of %s for grouping: %s", key, e)
            continue
        group = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        (out / "groups").mkdir(parents=True, exist_ok=True)
        findings, counts = check_documents([doc for _, doc in members])
        report = {
            "group": group, "key": key, "documents": [doc_id for doc_id, _ in members],
            "checks": [plain_record(f) for f in findings], "check_counts": counts,
        }
        write_atomic(out / "groups" / f"{group}.json", json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8"))
        groups.update({doc_id: group for doc_id, _ in members})
    return groups
