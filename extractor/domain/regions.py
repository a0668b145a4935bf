"""Official region codes (行政区划代码, GB/T 2260) for the regions documents name.

The table ``data/region_codes.csv`` is the 民政部 list of provinces, prefectures and counties as the 国家地名信息库
gave it on 2026-09-11, with the codes retired since 2015 (``until``: the year of the change), for documents printed
before a change; see ``data/PROVENANCE.md``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province / prefecture / county
    parent: str
    until: int | None  # the year the code was retired; None: in use


@cache
def _regions() -> tuple[dict[str, Region], dict[str, list[Region]]]:
    text = resources.files("extractor.domain").joinpath("data/region_codes.csv").read_text(encoding="utf-8")
    by_code: dict[str, Region] = {}
    by_name: dict[str, list[Region]] = {}
    for row in csv.DictReader(text.splitlines()):
        region = Region(row["code"], row["name"], row["level"], row["parent"], int(row["until"]) if row["until"] else None)
        by_code[region.code] = region
        by_name.setdefault(region.name, []).append(region)
    return by_code, by_name


def _within(region: Region, ancestor: str) -> bool:
    by_code, _ = _regions()
    seen = region
    while seen.parent:
        if seen.parent == ancestor:
            return True
        parent = by_code.get(seen.parent)
        if parent is None:
            return False
        seen = parent
    return False


def _pick(candidates: list[Region], year: int | None) -> Region | None:
    """One region of several alike: those in use in the document's year first (a code retired in 2025 still names a
    2024 document's region)."""
    live = [r for r in candidates if r.until is None or (year is not None and year < r.until)]
    chosen = live or candidates
    return chosen[0] if len(chosen) == 1 else None


def starts_with_region(text: str) -> bool:
    """Whether ``text`` begins with the full name of a region of the list (``西安市科学技术局``, ``上海市普陀区…``)."""
    _, by_name = _regions()
    return any(text[:k] in by_name for k in range(2, min(len(text), 12) + 1))


def region_code(region: str | None, year: int | None = None) -> str | None:
    """The 6-digit code of a region as the tool names it (``北京市``, ``上海市普陀区``, ``广州市``, ``江苏省``,
    ``广东省广州市天河区``), or None when the name is unknown or names several places (``普陀区`` alone)."""
    if not region:
        return None
    found = _resolve(region, None, year)
    return found.code if found else None


def _resolve(name: str, ancestor: str | None, year: int | None) -> Region | None:
    _, by_name = _regions()
    whole = [r for r in by_name.get(name, []) if ancestor is None or _within(r, ancestor)]
    if whole:
        return _pick(whole, year)
    for cut in range(2, len(name) - 1):
        heads = [r for r in by_name.get(name[:cut], []) if r.level != "county" and (ancestor is None or _within(r, ancestor))]
        head = _pick(heads, year) if heads else None
        if head is not None:
            tail = _resolve(name[cut:], head.code, year)
            if tail is not None:
                return tail
    return None


_PLACE_SUFFIX = re.compile(r"(?:省|市|自治区|特别行政区|壮族自治区|回族自治区|维吾尔自治区)$")
_PATH_PART = re.compile(r"[\\/_\-\s.·]+")


@cache
def _short_names() -> dict[str, list[Region]]:
    """Provinces and prefectures by their name and by their short name (福州 for 福州市, 广东 for 广东省)."""
    by_code, _ = _regions()
    names: dict[str, list[Region]] = {}
    for region in by_code.values():
        if region.level == "county":
            continue
        names.setdefault(region.name, []).append(region)
        short = _PLACE_SUFFIX.sub("", region.name)
        if len(short) >= 2 and short != region.name:
            names.setdefault(short, []).append(region)
    return names


def region_in_path(path: str, year: int | None = None) -> str | None:
    """The province or prefecture an archive's path names, for a document whose own pages name none: a folder or a
    file name that is a place's name or short name (``福州_d168c059d633.pdf``, ``crawl/深圳/…``) or starts with its
    full name (``广州市财政局/…``; not 中山大学, which only starts with a short name); the innermost part naming one
    wins. None when no part names exactly one place."""
    names = _short_names()
    for part in reversed([p for p in _PATH_PART.split(path) if p]):
        for cut in range(min(len(part), 12), 1, -1):
            candidates = [r for r in names.get(part[:cut], []) if cut == len(part) or r.name == part[:cut]]
            found = _pick(candidates, year) if candidates else None
            if found is not None:
                return found.name
    return None
