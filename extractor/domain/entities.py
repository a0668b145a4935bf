"""One department across years and spellings: ``entity_key`` = official region code | the department's name in one
normal form, with an alias file for the names no rule can join (机构改革 renames, 简称)."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from extractor.domain.labels import normalise_text
from extractor.domain.regions import region_code
from extractor.errors import InputNotFoundError, SettingsError

_PARTY = re.compile(r"^(?:中国共产党|中共)")
_SCOPE_SUFFIX = re.compile(r"（(?:本级|汇总|部门本级|部门汇总|单位本级|单位汇总|机关本级|本部|合并)）$")
# the short forms every name may take (人大常委会 for 人民代表大会常务委员会, 交通委 for 交通委员会), longest first
_SHORT_FORMS = (("人民代表大会", "人大"), ("政治协商会议", "政协"), ("常务委员会", "常委会"), ("人民政府", "政府"), ("委员会", "委"))


def normalise_department(name: str | None) -> str:
    """One department's name however a year prints it: ``中国共产党江苏省委员会办公厅``, ``中共江苏省委办公厅`` and
    ``江苏省委办公厅（本级）`` all give ``江苏省委办公厅``.

    Whitespace and quotes go, brackets become full-width, a trailing （本级）/（汇总） and a leading 中共 or 中国共产党
    are dropped; after the party prefix, the first 委员会 is shortened to 委 as the short form prints it.
    """
    text = normalise_text(name)
    previous = None
    while previous != text:
        previous = text
        text = _SCOPE_SUFFIX.sub("", text)
        if _PARTY.match(text):
            text = _PARTY.sub("", text).replace("委员会", "委", 1)
    return text


@cache
def package_aliases() -> dict[str, str]:
    """The aliases shipped in ``data/entity_aliases.csv``."""
    text = resources.files("extractor.domain").joinpath("data/entity_aliases.csv").read_text(encoding="utf-8")
    return _parse_aliases(text, "entity_aliases.csv")


def load_aliases(path: str | Path | None = None) -> dict[str, str]:
    """The package's aliases, extended (and overridden) by a user's file of the same columns (alias, name, note)."""
    aliases = dict(package_aliases())
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except FileNotFoundError as e:
            raise InputNotFoundError("alias file not found", path=str(path)) from e
        aliases.update(_parse_aliases(text, str(path)))
    return aliases


def _parse_aliases(text: str, where: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines)
    if not reader.fieldnames or not {"alias", "name"} <= set(reader.fieldnames):
        raise SettingsError(f"{where}: an alias file has the columns alias,name,note")
    return {_short(normalise_department(row["alias"])): _short(normalise_department(row["name"])) for row in reader if row["alias"]}


def _short(name: str) -> str:
    for long, short in _SHORT_FORMS:
        name = name.replace(long, short)
    return name


def entity_name(department: str | None, aliases: Mapping[str, str] | None = None) -> str:
    """The department's name in one form for every spelling: party prefix and scope dropped, the standard short forms
    taken (人民政府 -> 政府, 委员会 -> 委), then the alias file's name for it (followed, for a chain of renames)."""
    name = _short(normalise_department(department))
    table = package_aliases() if aliases is None else aliases
    seen = {name}
    while name in table and table[name] not in seen:
        name = table[name]
        seen.add(name)
    return name


def entity_key(department: str | None, region: str | None, year: int | None = None, aliases: Mapping[str, str] | None = None) -> str | None:
    """``310107|上海市普陀区财政局``: the official code of the region (its name when it has none) and the entity name;
    None without a department."""
    if not department:
        return None
    return f"{region_code(region, year) or region or ''}|{entity_name(department, aliases)}"
