"""The classification catalogue: 支出功能分类 (类/款/项) and both 支出经济分类, 部门预算 (301…399) and 政府预算 (501…599).

``data/classifications.csv`` holds one row per code with its official name, its parent and how well documents attest
it; ``data/classification_names.csv`` every name documents print for a code (so that 行政事业单位离退休, the 2019
name of 20805, is not taken for a misreading). Both are built by ``tools/build_classifications.py`` from the tool's
output on the corpus and the pool and from the reference lists; ``docs/classifications.md`` says how. The renames
and renumberings of ``data/code_changes.csv`` make a name or a code depend on the document's year.
"""

from __future__ import annotations

import csv
import enum
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from extractor.domain.labels import normalise_label


class Scheme(str, enum.Enum):
    FUNCTION = "function"  # 支出功能分类: 2xx / 2xxxx / 2xxxxxx
    ECONOMIC_DEPT = "economic_dept"  # 部门预算支出经济分类: 3xx / 3xxxx (3xxxxxx: a region's own 项)
    ECONOMIC_GOV = "economic_gov"  # 政府预算支出经济分类: 5xx / 5xxxx


_SCHEME_BY_DIGIT = {"2": Scheme.FUNCTION, "3": Scheme.ECONOMIC_DEPT, "5": Scheme.ECONOMIC_GOV}
# a table's classification as its record names it (TableRecord.classification, the dataset), and the scheme of its codes
CLASSIFICATION_OF = {Scheme.FUNCTION: "function", Scheme.ECONOMIC_DEPT: "economic", Scheme.ECONOMIC_GOV: "economic_gov"}
SCHEME_OF = {name: scheme for scheme, name in CLASSIFICATION_OF.items()}
LEVELS = {3: "类", 5: "款", 7: "项"}
# full-width ASCII (！ … ～, the ideographic space) to half-width; labels.normalise_label then makes brackets full-width
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_CLASS_SUFFIX = re.compile(r"(?:（[类款项]）)+$")
_UNTIL = re.compile(r"until the (\d{4}) edition( at least)?")


@dataclass(frozen=True)
class Entry:
    """One code of the catalogue, a row of ``data/classifications.csv``."""

    scheme: Scheme
    code: str
    level: str  # 类 / 款 / 项
    name: str  # the official name
    parent: str | None
    observed: bool  # printed by a document with this code; False: from the reference lists or the structure rules
    first_year: int | None  # fiscal years of the documents that print it
    last_year: int | None
    documents: int
    cited: tuple[str, ...]
    basis: str  # printed / reference (yes|partial|no) / code_changes.csv / rule: parent of … / rule: 99 under …


@dataclass(frozen=True)
class _Change:
    """A row of ``data/code_changes.csv`` with its year: ``code`` (named ``name``) was in use until the edition of
    ``until``, then went on as ``code_key`` (named ``name_std``). ``open_ended``: in use until then at least, the
    year the change came is not known."""

    code: str
    name: str
    code_key: str
    name_std: str
    until: int | None
    open_ended: bool


def scheme_of(code: str | None) -> Scheme | None:
    """The classification a code belongs to, by its digits: ``2010301`` -> function, ``30201`` -> economic_dept,
    ``50201`` -> economic_gov; None for anything else (a department code ``154001``, ``71102``)."""
    if not code or not code.isdigit() or len(code) not in LEVELS:
        return None
    return _SCHEME_BY_DIGIT.get(code[0])


def parent_of(code: str | None) -> str | None:
    """The code one level up, by prefix: ``2010301`` -> ``20103`` -> ``201`` -> None."""
    if not code or not code.isdigit():
        return None
    return {7: code[:5], 5: code[:3]}.get(len(code))


def name_key(name: str | None) -> str:
    """Key for comparing a printed classification name with the catalogue's: :func:`labels.normalise_label`
    (spacing, brackets, quotes, leading ``其中：``, ``1、``, ``（一）``) after full-width punctuation, digits and letters are
    made half-width, without a trailing ``（类）`` and with ``其它`` read as ``其他``.

    Unlike :func:`labels.name_key` a trailing 支出 is kept: ``一般公共服务`` for 201 is accepted because documents print
    it (``classification_names.csv``), not because any name may lose its last two characters.
    """
    key = normalise_label((name or "").translate(_HALF_WIDTH))
    return _CLASS_SUFFIX.sub("", key).replace("其它", "其他")


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("extractor.domain").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _year(text: str) -> int | None:
    return int(text) if text else None


@cache
def catalogue() -> dict[tuple[Scheme, str], Entry]:
    """Every code of ``data/classifications.csv``, by (scheme, code)."""
    entries = {}
    for row in _read("classifications.csv"):
        scheme = Scheme(row["scheme"])
        entries[scheme, row["code"]] = Entry(
            scheme=scheme,
            code=row["code"],
            level=row["level"],
            name=row["name"],
            parent=row["parent"] or None,
            observed=row["status"] == "observed",
            first_year=_year(row["first_year"]),
            last_year=_year(row["last_year"]),
            documents=int(row["documents"]),
            cited=tuple(c for c in row["cited"].split(";") if c),
            basis=row["basis"],
        )
    return entries


@cache
def _printed() -> dict[tuple[Scheme, str], dict[str, tuple[int | None, int | None]]]:
    """The name keys documents print for each code, with the first and last fiscal year they are printed in."""
    names: dict[tuple[Scheme, str], dict[str, tuple[int | None, int | None]]] = {}
    for row in _read("classification_names.csv"):
        names.setdefault((Scheme(row["scheme"]), row["code"]), {})[name_key(row["name"])] = (
            _year(row["first_year"]), _year(row["last_year"]))
    return names


@cache
def _changes() -> tuple[_Change, ...]:
    changes = []
    for row in _read("code_changes.csv"):
        until = _UNTIL.search(row["in_use"])
        changes.append(_Change(row["code"], row["name"], row["code_key"], row["name_std"],
                               int(until.group(1)) if until else None, bool(until and until.group(2))))
    return tuple(changes)


def printed_names(scheme: str, code: str) -> tuple[str, ...]:
    """The name keys documents print for a code (see ``data/classification_names.csv``), sorted."""
    return tuple(sorted(_printed().get((Scheme(scheme), code), {})))


def _printed_in(entry: Entry, year: int) -> bool:
    return entry.first_year is not None and entry.last_year is not None and entry.first_year <= year <= entry.last_year


def _code_in_use(entry: Entry, year: int) -> bool:
    """False for a renumbered code in a year the change table puts outside its life (20822 after the edition that
    still had it, 21372 before it), unless a document of that year prints it."""
    if _printed_in(entry, year):
        return True
    for change in _changes():
        if change.until is None or change.code == change.code_key:
            continue
        if change.code == entry.code and not change.open_ended and year > change.until:
            return False
        if change.code_key == entry.code and year <= change.until:
            return False
    return True


def lookup(scheme: str, code: str, year: int | None = None) -> Entry | None:
    """The catalogue's entry for a code of a classification, or None when the catalogue does not have it, or, given
    the document's fiscal year, when ``code_changes.csv`` says the code was not in use that year.

    A year before a code's ``first_year`` is not refused: documents of few years are read, and a code not printed
    in one of them may well have been in the list.
    """
    entry = catalogue().get((Scheme(scheme), code))
    if entry is None or year is None or entry.scheme is not Scheme.FUNCTION:
        return entry
    return entry if _code_in_use(entry, year) else None


def _old_names(code: str) -> dict[str, _Change]:
    """The names a code had before a rename (20805 行政事业单位离退休), by key, with their change."""
    return {name_key(c.name): c for c in _changes() if c.code == code and name_key(c.name) != name_key(c.name_std)}


def _renamed_ok(change: _Change, printed_years: tuple[int | None, int | None] | None, year: int | None) -> bool:
    if year is None or change.until is None or change.open_ended or year <= change.until:
        return True
    first, last = printed_years or (None, None)
    return first is not None and last is not None and first <= year <= last


def name_matches(scheme: str, code: str, printed: str | None, year: int | None = None) -> bool:
    """Whether ``printed`` is a name of ``code`` (in use in ``year`` when given): its official name, a name documents
    print for it, its name before a rename of ``code_changes.csv`` while that name was in use (or printed), or, for a
    99 only the structure rule gives, any name with 其他."""
    entry = lookup(scheme, code, year)
    key = name_key(printed)
    if entry is None or not key:
        return False
    if key == name_key(entry.name):
        return True
    printed_names = _printed().get((entry.scheme, code), {})
    renamed = _old_names(code)
    if key in renamed:
        return _renamed_ok(renamed[key], printed_names.get(key), year)
    if key in printed_names:
        return True
    if entry.basis.startswith("rule: 99") and "其他" in key:
        # a 99 no document prints, named by the rule (其他{款}支出): the lists vary the words (2080699 其他企业改革发展补助)
        return True
    return any(c.code_key == code and key == name_key(c.name_std) for c in _changes())


@cache
def _name_keys() -> frozenset[str]:
    """Every name key the catalogue knows, of any code and classification: official and printed names alike."""
    keys = {name_key(entry.name) for entry in catalogue().values()}
    for names in _printed().values():
        keys.update(names)
    return frozenset(keys)


def in_known_class(code: str) -> bool:
    """Whether a code has the digits of a classification code and its 类 is in the catalogue (``2070104``: 207 is;
    ``106`` and ``106001`` are not)."""
    scheme = scheme_of(code)
    return scheme is not None and (scheme, code[:3]) in catalogue()


def names_a_code(printed: str | None) -> bool:
    """Whether ``printed`` is a name the catalogue knows for some code of some classification (图书馆 is 2070104's)."""
    return name_key(printed) in _name_keys()


@cache
def _children() -> dict[tuple[Scheme, str | None], tuple[Entry, ...]]:
    """The catalogue's codes by (scheme, parent): the 类 of a classification under None."""
    children: dict[tuple[Scheme, str | None], list[Entry]] = {}
    for entry in catalogue().values():
        children.setdefault((entry.scheme, entry.parent), []).append(entry)
    return {key: tuple(sorted(found, key=lambda e: e.code)) for key, found in children.items()}


def code_named(scheme: str, parent: str | None, printed: str, year: int | None = None) -> str | None:
    """The one code under ``parent`` (a 类 for None) that ``printed`` names, by :func:`name_matches`; None when no
    code or more than one does. A name two codes carry (30104 and 30112 其他社会保障缴费, before and after the 2018
    renumbering) is the code documents of ``year`` print, or else the one printed latest."""
    entries = [e for e in _children().get((Scheme(scheme), parent), ()) if name_matches(scheme, e.code, printed, year)]
    exact = [e for e in entries if name_key(e.name) == name_key(printed)] or entries
    if len(exact) > 1 and year is not None:
        exact = [e for e in exact if _printed_in(e, year)] or sorted(exact, key=lambda e: e.last_year or 0)[-1:]
    return exact[0].code if len(exact) == 1 else None
