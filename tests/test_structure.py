"""The package's shape: imports go one way (no module imports one that imports it back, by any path, at module level
or inside a function), and a document carries nothing beyond its declared fields."""

from __future__ import annotations

import ast
import dataclasses
import pickle
from pathlib import Path

import pytest

import extractor
from extractor.errors import SettingsError
from extractor.pipeline import ExtractSettings, extract
from extractor.records import Document, document_from_dict
from tests.conftest import CORPUS

PACKAGE = Path(extractor.__file__).parent
CQ = CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The package's modules one import statement loads: ``from a.b import c`` is ``a.b.c`` where that is a module,
    else ``a.b``; parent packages a dotted name passes through are not counted (every module would import them)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    base = node.module or ""
    if node.level:  # relative: from the module's own package, up level - 1
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
    found = {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules}
    if len(found) < len(node.names) and base in modules:
        found.add(base)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports anywhere in its text (module level, in functions, under
    TYPE_CHECKING)."""
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        imports = (node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)))
        graph[module] = {t for node in imports for t in _targets(node, module, path.name == "__init__.py", modules)} - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle for each import that closes one (a depth-first search's back edges), each from its first module."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                found.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def test_the_import_graph_has_no_cycles() -> None:
    graph = import_graph()
    assert "extractor.pipeline" in graph and "extractor.records" in graph["extractor.pipeline"]  # the parse sees imports
    found = cycles(graph)
    assert not found, "imports that come back round:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_the_cycle_finder_names_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_stages_import_downward() -> None:
    graph = import_graph()
    assert not {t for t in graph["extractor.records"] if t.startswith("extractor.export")}  # records are below every stage
    assert "extractor.batch" not in graph["extractor.cluster"] and "extractor.cluster" not in graph["extractor.task"]


def _instance_attributes(record: object) -> set[str]:
    attributes = set(getattr(record, "__dict__", {}))
    for kind in type(record).__mro__:
        attributes.update(name for name in getattr(kind, "__slots__", ()) if hasattr(record, name))
    return attributes


@pytest.mark.parametrize("source", [CQ, "bytes"])
def test_a_document_holds_only_its_declared_fields_and_shows_itself_from_its_origin(source: object) -> None:
    doc = extract(CQ if source != "bytes" else CQ.read_bytes(), ExtractSettings(ocr="never", pages="15"))
    declared = {f.name for f in dataclasses.fields(Document)}
    assert _instance_attributes(doc) == declared
    assert doc.origin is not None
    assert doc.show(15, scale=0.5).width == round(841.85 * 0.5)
    assert "origin" not in doc.to_dict() and "origin" not in repr(doc)
    again = document_from_dict(doc.to_dict())
    assert again.origin is None and again == doc  # the origin is not part of what a document says
    with pytest.raises(SettingsError, match="read back from its JSON"):
        again.show(15)
    carried = pickle.loads(pickle.dumps(doc))  # as a guarded extraction's child sends it
    assert _instance_attributes(carried) == declared and carried.origin == doc.origin


def test_a_guarded_extraction_keeps_its_origin(tmp_path: Path) -> None:
    from extractor.guard import guarded_extract

    doc = guarded_extract(CQ, ExtractSettings(ocr="never", pages="15"), timeout=300)
    assert _instance_attributes(doc) == {f.name for f in dataclasses.fields(Document)}
    assert doc.show(15, scale=0.5).width == round(841.85 * 0.5)
