"""Build the classification catalogue from the tool's output and the reference lists.

    python tools/build_classifications.py [--documents DIR] [--data DIR] [--measure]

Reads every ``*.json`` the tool wrote for the corpus and the pool (``--documents``: the
``documents/`` folder of a ``benchmarks/compare_outputs.py`` snapshot) and the reference lists ``function_codes.csv``, ``economic_codes.csv`` and
``code_changes.csv`` of ``--data`` (default ``extractor/domain/data``), and writes there:

- ``classifications.csv``: one row per (scheme, code) of 支出功能分类 (``function``), 部门预算支出经济分类
  (``economic_dept``) and 政府预算支出经济分类 (``economic_gov``), with its official name, parent, status, the years
  and number of the documents that print it, and up to three of them;
- ``classification_names.csv``: every name documents print for a code.

Which printed rows count (a document "prints" a code):
- the code's digits give its scheme (2…, 3…, 5…; 3, 5 or 7 digits) and its level (类/款/项); parent = the prefix;
- the table is verified (its sums add up), or unverified but of the scheme's own kind (a 功能分类 table for a 功能
  code, a 基本/项目支出 table for an economic code): an unverified table of another kind holds department codes,
  project rows and units read as codes (``342 元/㎡``);
- the label does not look misread: not empty, no digits or Latin letters (``日常公用经费C23090199…``), not a total
  (合计/总计/小计), not a unit (``/``) or a single character, not a department's name (``无锡市教育局`` beside its
  department code 305).
A printed name is kept as a variant of its code unless it is also misread-looking in one of two more ways, which the
code itself survives (the document does print the code): two classification names run together (``基本工资工资奖金
津补贴``: a 部门/政府 crosswalk table whose two name columns were read as one), or the official name of a sibling code
printed by one document only (a code column read one row off: ``30202 咨询费``).

Status: ``observed`` when at least one document prints the code; ``derived`` when only a reference row, a row of
``code_changes.csv`` or a structure rule gives it: the parent of an observed code (prefix), and for 功能分类 the 99
of a 类 or 款 (``其他{name}支出``; ``{name}`` itself when it starts with 其他), which the official lists give nearly
every 类 and 款 (economic 99s are irregular, 30999 其他基本建设支出, and come only from the reference list).
The official name is the reference name when the reference row is verified, else the name most documents print,
else the reference or rule name. Output is sorted, so re-running on the same input gives the same files.

``--measure`` prints, after building, how many coded rows of verified tables the catalogue refuses (code unknown,
name not matching), the codes only one document prints, the printed names furthest from a verified reference name
(as Markdown, for ``docs/classifications.md``) and renames the documents suggest for ``code_changes.csv``.
Runs with the project's environment: it uses the package's own name normaliser and otherwise only the standard library.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.domain import classifications  # noqa: E402
from extractor.domain.classifications import LEVELS, name_key, parent_of, scheme_of  # noqa: E402
from extractor.domain.labels import normalise_label  # noqa: E402

FUNCTION_KINDS = frozenset({"gpb_expenditure", "expenditure", "income", "fiscal_expenditure", "gov_fund_expenditure",
                            "soc_expenditure"})
ECONOMIC_KINDS = frozenset({"gpb_basic_expenditure", "gpb_project_expenditure"})
OWN_KINDS = {"function": FUNCTION_KINDS, "economic_dept": ECONOMIC_KINDS, "economic_gov": ECONOMIC_KINDS}
REFERENCE_SCHEMES = {"部门预算支出经济分类": "economic_dept", "政府预算支出经济分类": "economic_gov"}

_MISREAD = re.compile(r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ/／]|合计|总计|小计")
# a department's name: a place (…市, …省, …区) ending in an office's word, or (本级)
_DEPARTMENT = re.compile(r"^.{0,8}?[省市县区州盟旗].*(?:局|委员会|委|厅|办公室|中心|院|所|站|队|馆|学校|政府|公司)$|（本级）$")
# 类 whose 款 have no 99 in the official lists: 社会保险基金, 预备费, 转移性支出, the debt and special-bond 类
NO_RULE_99 = frozenset({"209", "227", "230", "231", "232", "233", "234"})
FIELDS = ["scheme", "code", "level", "name", "parent", "status", "first_year", "last_year", "documents", "cited", "basis"]
NAME_FIELDS = ["scheme", "code", "name", "documents", "cited", "first_year", "last_year"]


@dataclass(frozen=True)
class Printed:
    """One coded row of one document's table."""

    scheme: str
    code: str
    label: str  # as printed, ordinals dropped (normalise_label)
    document: str  # the source file's name
    year: int | None
    verified: bool  # the table's sums add up
    counts: bool  # evidence that the document prints the code (see the module docstring)


@dataclass
class Seen:
    """What the documents print for one (scheme, code)."""

    documents: dict[str, int | None] = field(default_factory=dict)  # file name -> fiscal year
    verified: set[str] = field(default_factory=set)
    names: dict[str, dict[str, int | None]] = field(default_factory=lambda: defaultdict(dict))  # key -> documents
    forms: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # key -> printed forms


def misread(label: str) -> bool:
    """A label no classification name looks like: empty, a single character, digits or Latin letters, a total, a
    unit, a department's name."""
    return len(label) < 2 or bool(_MISREAD.search(label)) or bool(_DEPARTMENT.search(label))


def read_documents(folder: Path) -> list[Printed]:
    """Every coded row of a classification scheme in the tool's output files, in file order."""
    rows = []
    for path in sorted(folder.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        name, year = doc["source"]["file"], doc["document"].get("fiscal_year")
        for table in doc.get("tables", []):
            verified = table.get("verified") is True
            for row in table.get("rows", []):
                # a row printing two classifications (部门 | 政府 经济分类) prints both codes with their names
                for code, label in ((row.get("code"), row.get("label")), (row.get("code2"), row.get("label2"))):
                    scheme = scheme_of(code)
                    if scheme is None or not code:
                        continue
                    label = normalise_label(label)
                    counts = (verified or table.get("kind") in OWN_KINDS[scheme]) and not misread(label)
                    rows.append(Printed(scheme.value, code, label, name, year, verified, counts))
    return rows


def read_reference(data: Path) -> dict[tuple[str, str], dict[str, str]]:
    """The reference rows by (scheme, code)."""
    reference = {}
    with open(data / "function_codes.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            reference["function", row["code"]] = row
    with open(data / "economic_codes.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            reference[REFERENCE_SCHEMES[row["scheme"]], row["code"]] = row
    return reference


def read_changes(data: Path) -> list[dict[str, str]]:
    with open(data / "code_changes.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def collect(rows: list[Printed]) -> dict[tuple[str, str], Seen]:
    seen: dict[tuple[str, str], Seen] = defaultdict(Seen)
    for row in rows:
        if not row.counts:
            continue
        entry = seen[row.scheme, row.code]
        entry.documents[row.document] = row.year
        if row.verified:
            entry.verified.add(row.document)
        key = name_key(row.label)
        entry.names[key][row.document] = row.year
        entry.forms[key][row.label] += 1
    return seen


def display(seen: Seen, key: str) -> str:
    """The printed form of a name key most rows print (ties: the shortest, then the first in code-point order)."""
    forms = seen.forms[key]
    return min(forms, key=lambda form: (-forms[form], len(form), form))


def cited(documents: set[str] | dict[str, int | None], verified: set[str]) -> str:
    """Up to three documents, those with a verified table first."""
    return ";".join(sorted(documents, key=lambda d: (d not in verified, d))[:3])


def years(documents: dict[str, int | None]) -> tuple[str, str]:
    known = [y for y in documents.values() if y is not None]
    return (str(min(known)), str(max(known))) if known else ("", "")


def rule_99_name(parent_name: str) -> str:
    """The 功能分类 name of the 99 under a 类 or 款: 其他 + its name + 支出 (a name starting with 其他 stays)."""
    if parent_name.startswith(("其他", "其它")):
        return parent_name
    base = parent_name[:-2] if parent_name.endswith("支出") else parent_name
    return f"其他{base}支出"


def rejected_names(seen: dict[tuple[str, str], Seen], official: dict[tuple[str, str], str],
                   reference_names: dict[tuple[str, str], str]) -> set[tuple[str, str, str]]:
    """(scheme, code, key) of printed names that are two names run together (two names of the reference or of what
    documents print, neither shorter than two characters, or two characters or more before the code's own reference
    name) or a sibling's name printed by one document."""
    all_keys = {name_key(name) for name in reference_names.values()} | {key for s in seen.values() for key in s.names}
    all_keys.discard("")
    siblings: dict[tuple[str, str | None], dict[str, str]] = defaultdict(dict)
    for (scheme, code), name in official.items():
        siblings[scheme, parent_of(code)][code] = name_key(name)
    rejected = set()
    for (scheme, code), entry in seen.items():
        own = name_key(official[scheme, code])
        reference_key = name_key(reference_names.get((scheme, code)))
        for key, documents in entry.names.items():
            run_together = any(key[:i] in all_keys and key[i:] in all_keys for i in range(2, len(key) - 1)) or (
                len(key) >= len(reference_key) + 2 and bool(reference_key) and key.endswith(reference_key)
                and key[:-len(reference_key)] != "其他")  # 310 其他资本性支出 is 2017's name of 310 资本性支出
            shifted = key != own and len(documents) == 1 and any(
                other != code and key == other_key for other, other_key in siblings[scheme, parent_of(code)].items())
            if run_together or shifted:
                rejected.add((scheme, code, key))
    return rejected


@dataclass
class Row:
    scheme: str
    code: str
    name: str
    basis: str
    seen: Seen | None = None


def official_name(key: tuple[str, str], seen: Seen | None, reference: dict[tuple[str, str], dict[str, str]]) -> str:
    ref = reference.get(key)
    if ref is not None and ref["verified"] == "yes":
        return ref["name"]
    if seen is not None and seen.names:
        # most documents; ties: the reference's name, then the most rows, then code-point order
        ref_key = name_key(ref["name"]) if ref else None
        best = min(seen.names, key=lambda k: (-len(seen.names[k]), k != ref_key, -sum(seen.forms[k].values()), k))
        return display(seen, best)
    return ref["name"] if ref else ""


def build(rows: list[Printed], reference: dict[tuple[str, str], dict[str, str]],
          changes: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The catalogue rows and the printed-name rows, sorted by scheme and code."""
    seen = collect(rows)
    table: dict[tuple[str, str], Row] = {}
    for key, entry in seen.items():
        table[key] = Row(*key, name="", basis="printed", seen=entry)
    for key, ref in reference.items():
        if key not in table and scheme_of(key[1]) is not None:
            table[key] = Row(*key, name=ref["name"], basis=f"reference ({ref['verified'] or 'no'})")
    for change in changes:
        for code, name in ((change["code"], change["name"]), (change["code_key"], change["name_std"])):
            if ("function", code) not in table:
                table["function", code] = Row("function", code, name=name, basis="code_changes.csv")
    for key, row in table.items():
        if row.seen is not None or not row.name:
            row.name = official_name(key, row.seen, reference)
    # the second pass (names of siblings) needs the first pass's names
    names_now = {key: row.name for key, row in table.items()}
    rejected = rejected_names({k: r.seen for k, r in table.items() if r.seen is not None}, names_now,
                              {key: ref["name"] for key, ref in reference.items()})
    for key, row in table.items():
        if row.seen is not None:
            for name_key_ in [k for k in row.seen.names if (*key, k) in rejected]:
                del row.seen.names[name_key_]
            row.name = official_name(key, row.seen, reference)
    add_structure(table)
    return catalogue_rows(table, reference), name_rows(table, rejected)


def add_structure(table: dict[tuple[str, str], Row]) -> None:
    """Parents by prefix, and the 功能分类 99 of every 类 and 款, where the table lacks them."""
    for (scheme, code) in sorted(table):
        parent = parent_of(code)
        while parent is not None and (scheme, parent) not in table:
            table[scheme, parent] = Row(scheme, parent, name="", basis=f"rule: parent of {code}")
            parent = parent_of(parent)
    for (scheme, code), row in sorted(table.items()):
        if scheme != "function" or len(code) == 7 or code[:3] in NO_RULE_99:
            continue
        child = code + "99"
        if (scheme, child) not in table and row.name:
            table[scheme, child] = Row(scheme, child, name=rule_99_name(row.name), basis=f"rule: 99 under {code}")


def catalogue_rows(table: dict[tuple[str, str], Row], reference: dict[tuple[str, str], dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for (scheme, code), row in sorted(table.items()):
        seen = row.seen
        first, last = years(seen.documents) if seen else ("", "")
        out.append({
            "scheme": scheme, "code": code, "level": LEVELS[len(code)], "name": row.name, "parent": parent_of(code) or "",
            "status": "observed" if seen else "derived", "first_year": first, "last_year": last,
            "documents": str(len(seen.documents)) if seen else "0",
            "cited": cited(seen.documents, seen.verified) if seen else "",
            "basis": row.basis if not seen or (scheme, code) not in reference
            else f"printed; reference ({reference[scheme, code]['verified'] or 'no'})",
        })
    return out


def name_rows(table: dict[tuple[str, str], Row], rejected: set[tuple[str, str, str]]) -> list[dict[str, str]]:
    out = []
    for (scheme, code), row in sorted(table.items()):
        if row.seen is None:
            continue
        for key, documents in sorted(row.seen.names.items()):
            if (scheme, code, key) in rejected or not key:
                continue
            first, last = years(documents)
            out.append({"scheme": scheme, "code": code, "name": display(row.seen, key), "documents": str(len(documents)),
                        "cited": cited(documents, row.seen.verified), "first_year": first, "last_year": last})
    return out


def write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def measure(rows: list[Printed], reference: dict[tuple[str, str], dict[str, str]], changes: list[dict[str, str]],
            catalogue: list[dict[str, str]]) -> None:
    """Print the measurement of the module docstring (read with the catalogue just written)."""
    classifications.catalogue.cache_clear()
    classifications._printed.cache_clear()
    checked = [r for r in rows if r.verified]
    unknown = [r for r in checked if classifications.lookup(r.scheme, r.code, r.year) is None]
    wrong = [r for r in checked if r not in unknown and not classifications.name_matches(r.scheme, r.code, r.label, r.year)]
    print(f"coded rows in verified tables: {len(checked)} ({len({r.document for r in checked})} documents)")
    print(f"(a) code not in the catalogue: {len(unknown)}; (b) name not matching: {len(wrong)}")
    print("    (b) of rows that count as evidence:", sum(r.counts for r in wrong), "; misread-looking labels:", sum(not r.counts for r in wrong))
    print("    (b) by document:", ", ".join(f"{d} {n}" for d, n in Counter(r.document for r in wrong).most_common()))
    by_status = Counter((row["scheme"], row["status"]) for row in catalogue)
    print("catalogue:", dict(sorted(by_status.items())))
    once = [row for row in catalogue if row["documents"] == "1"]
    print(f"codes printed by one document only: {len(once)}", dict(Counter(row["scheme"] for row in once)))
    disagreements(checked, reference)
    renames(rows, changes)


def disagreements(checked: list[Printed], reference: dict[tuple[str, str], dict[str, str]], top: int = 20) -> None:
    """The printed names furthest from a verified reference name, with the documents that print them."""
    found: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in checked:
        ref = reference.get((row.scheme, row.code))
        if row.counts and ref is not None and ref["verified"] == "yes" and name_key(row.label) != name_key(ref["name"]):
            found[row.scheme, row.code, row.label].add(row.document)
    furthest: dict[tuple[str, str], tuple[float, str, set[str]]] = {}
    for (scheme, code, label), documents in sorted(found.items()):
        ratio = difflib.SequenceMatcher(None, name_key(label), name_key(reference[scheme, code]["name"])).ratio()
        if (scheme, code) not in furthest or ratio < furthest[scheme, code][0]:
            furthest[scheme, code] = (ratio, label, documents)
    print(f"\n{len(found)} printed names of {len(furthest)} codes differ from a verified reference name; the furthest per code:")
    print("| scheme | code | reference name | printed | documents |\n|---|---|---|---|---|")
    for (scheme, code), (_, label, documents) in sorted(furthest.items(), key=lambda item: (item[1][0], item[0]))[:top]:
        print(f"| {scheme} | {code} | {reference[scheme, code]['name']} | {label} | {'; '.join(sorted(documents))} |")


def renames(rows: list[Printed], changes: list[dict[str, str]]) -> None:
    """Codes printed under two names in years that do not overlap: candidates for ``code_changes.csv``."""
    spans: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        if row.counts and row.year is not None:
            spans[row.scheme, row.code][name_key(row.label)][row.document] = row.year
    known = {(change["code"], name_key(change["name"])) for change in changes}
    print("\nrename candidates (two names in disjoint years, the older printed by two documents or more):")
    for (scheme, code), names in sorted(spans.items()):
        ranges = sorted((min(docs.values()), max(docs.values()), len(docs), k) for k, docs in names.items())
        for (a0, a1, an, old), (b0, b1, bn, new) in zip(ranges, ranges[1:], strict=False):
            if a1 < b0 and an >= 2 and (code, old) not in known:
                print(f"  {scheme} {code}: {old} ({a0}-{a1}, {an} documents) -> {new} ({b0}-{b1}, {bn} documents)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=ROOT / "extractor" / "domain" / "data")
    parser.add_argument("--measure", action="store_true")
    args = parser.parse_args(argv)
    rows = read_documents(args.documents)
    reference = read_reference(args.data)
    changes = read_changes(args.data)
    catalogue, names = build(rows, reference, changes)
    write(args.data / "classifications.csv", FIELDS, catalogue)
    write(args.data / "classification_names.csv", NAME_FIELDS, names)
    print(f"{len(catalogue)} codes, {len(names)} printed names, from {len({r.document for r in rows})} documents")
    if args.measure:
        measure(rows, reference, changes, catalogue)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
