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


def group_documents(items: Sequence[tuple[str, Path]], out: Path, aliases: Mapping[str, str] | None = None,
                    links: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """Group saved results (doc_id, JSON path) into disclosures: files of one disclosure key, and a web page with the
    files it attaches that the batch read beside it (``links``: page doc_id, attached doc_id); write each group's
    joint checks to ``out/groups/<group>.json``; return doc_id -> group for the documents in a group of two or more."""
    paths = dict(items)
    keys: dict[str, str] = {}
    for doc_id, path in items:  # the key from the JSON's identity record alone
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            key = _key(record_from_dict(DocumentInfo, data["document"]), aliases)
        except (OSError, ValueError, TypeError, KeyError) as e:
            logger.warning("cannot read %s for grouping: %s", path, e)
            continue
        if key is not None:
            keys[doc_id] = key
    joined = _Joined()
    first: dict[str, str] = {}
    for doc_id, key in keys.items():
        joined.join(first.setdefault(key, doc_id), doc_id)
    for page, attached in links:
        if page in paths and attached in paths:
            joined.join(page, attached)
    groups: dict[str, str] = {}
    for members in joined.sets():
        label = " + ".join(sorted({keys[m] for m in members if m in keys})) or "attached files"
        if not all(m in keys for m in members):
            label += f" (a page and its attached files: {', '.join(members)})"
        try:
            documents = [document_from_dict(json.loads(paths[m].read_text(encoding="utf-8"))) for m in members]
        except (OSError, ValueError, TypeError, KeyError) as e:
            logger.warning("cannot read the files of %s for grouping: %s", label, e)
            continue
        group = hashlib.sha256(label.encode("utf-8")).hexdigest()[:12]
        (out / "groups").mkdir(parents=True, exist_ok=True)
        findings, counts = check_documents(documents)
        report = {"group": group, "key": label, "documents": members, "checks": [plain_record(f) for f in findings], "check_counts": counts}
        write_atomic(out / "groups" / f"{group}.json", json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8"))
        groups.update({doc_id: group for doc_id in members})
    return groups


class _Joined:
    """Documents joined into sets (a union-find), each set in the order its members were first joined."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def _root(self, item: str) -> str:
        self._parent.setdefault(item, item)
        while self._parent[item] != item:
            self._parent[item] = self._parent[self._parent[item]]
            item = self._parent[item]
        return item

    def join(self, a: str, b: str) -> None:
        root_a, root_b = self._root(a), self._root(b)
        if root_a != root_b:
            self._parent[root_b] = root_a

    def sets(self) -> list[list[str]]:
        found: dict[str, list[str]] = {}
        for item in self._parent:
            found.setdefault(self._root(item), []).append(item)
        return [members for members in found.values() if len(members) > 1]
