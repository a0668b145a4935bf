"""Classification codes: 支出功能分类 类 (3 digits) / 款 (5) / 项 (7).

The reference list ships with the package (``data/function_codes.csv``). Rows not seen in real
disclosures are hints only: a code printed in a document always wins over a looked-up one.
"""

from __future__ import annotations

import csv
import enum
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from extractor.domain.labels import name_key


class CodeLevel(enum.Enum):
    CLASS = "类"
    SEGMENT = "款"
    ITEM = "项"


_LEVEL_BY_LENGTH = {3: CodeLevel.CLASS, 5: CodeLevel.SEGMENT, 7: CodeLevel.ITEM}


@dataclass(frozen=True)
class FunctionCode:
    code: str
    level: CodeLevel
    name: str
    parent: str | None
    verified: bool


def code_level(code: str) -> CodeLevel | None:
    """类/款/项 from the number of digits of a function code."""
    return _LEVEL_BY_LENGTH.get(len(code)) if code.isdigit() else None


def parent_code(code: str) -> str | None:
    """``2010301`` -> ``20103`` -> ``201`` -> None."""
    return {7: code[:5], 5: code[:3]}.get(len(code))


@lru_cache(maxsize=1)
def function_codes() -> dict[str, FunctionCode]:
    """The reference list of function codes, by code."""
    text = resources.files("extractor.domain").joinpath("data/function_codes.csv").read_text(encoding="utf-8")
    codes = {}
    for row in csv.DictReader(text.splitlines()):
        level = code_level(row["code"])
        if level is None:
            continue
        codes[row["code"]] = FunctionCode(
            code=row["code"],
            level=level,
            name=row["name"],
            parent=row["parent_code"] or None,
            verified=row["verified"] == "yes",
        )
    return codes


@lru_cache(maxsize=1)
def _children() -> dict[str | None, dict[str, str]]:
    children: dict[str | None, dict[str, str]] = {}
    for fc in function_codes().values():
        children.setdefault(fc.parent, {})[name_key(fc.name)] = fc.code
    return children


def lookup_function_code(names: list[str]) -> str | None:
    """Find the code of a 类 > 款 > 项 name path, e.g. ``["一般公共服务", "政府办公厅（室）及相关机构事务", "行政运行"]``.

    Returns None unless every name is found under its parent: a partial match would put an item
    under its 款's code.
    """
    code: str | None = None
    for name in names:
        code = _children().get(code, {}).get(name_key(name))
        if code is None:
            return None
    return code


@lru_cache(maxsize=1)
def _listed_names() -> tuple[dict[str, str], dict[str, list[str]]]:
    """Every listed code (功能分类 and 经济分类) with its name key, and the codes of each name key."""
    names = {code: name_key(fc.name) for code, fc in function_codes().items()}
    text = resources.files("extractor.domain").joinpath("data/economic_codes.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        if row["code"].isdigit():
            names.setdefault(row["code"], name_key(row["name"]))
    by_name: dict[str, list[str]] = {}
    for code, key in names.items():
        by_name.setdefault(key, []).append(code)
    return names, by_name


def repaired_code(code: str, label: str) -> str | None:
    """For a code read by OCR next to ``label``: the listed code with that name, when there is exactly one near the
    code as read and that is not itself listed under that name. Near is as long and differing in at most two
    digits (30204 read as 30200), or starting with the code as read (30211 whose 款 digits ``11``, thin strokes in a
    column of their own, were lost: read as 302). A label the list does not have leaves the code as read."""
    names, by_name = _listed_names()
    key = name_key(label)
    if not code.isdigit() or not key or names.get(code) == key:
        return None
    near = [
        c for c in by_name.get(key, [])
        if (len(c) == len(code) and sum(a != b for a, b in zip(c, code, strict=True)) <= 2) or (len(c) > len(code) and c.startswith(code))
    ]
    return near[0] if len(near) == 1 else None


@dataclass(frozen=True)
class CodeChange:
    """A 功能分类 code renumbered or renamed between editions of the 政府收支分类科目: ``code_key`` is the code its
    series goes on under, ``name_std`` the name it has there."""

    code: str
    name: str
    code_key: str
    name_std: str
    source: str


@lru_cache(maxsize=1)
def code_changes() -> dict[str, CodeChange]:
    """The renumbered and renamed codes of ``data/code_changes.csv``, by the code as printed."""
    text = resources.files("extractor.domain").joinpath("data/code_changes.csv").read_text(encoding="utf-8")
    return {row["code"]: CodeChange(row["code"], row["name"], row["code_key"], row["name_std"], row["source"])
            for row in csv.DictReader(text.splitlines())}


def code_key(code: str | None, name: str | None = None) -> str | None:
    """The code a printed code's series goes on under across years: ``20822`` (大中型水库移民后期扶持基金支出, 2019)
    -> ``21372`` (its code from the 2020s). A code renumbered whose printed name is not the one the change
    table names keeps its own code (the same digits may name something else in another edition)."""
    if not code:
        return code
    change = code_changes().get(code)
    if change is None or change.code_key == code:
        return code
    if name is not None and name_key(name) not in (name_key(change.name), name_key(change.name_std)):
        return code
    return change.code_key
