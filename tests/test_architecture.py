"""The dependency rule of the packages, checked by parsing every import (see README, "Map")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"server", "survey_forms", "scoring", "sync"}

#: package -> top-level modules it must never import
FORBIDDEN = {
    "survey_forms": PROJECT - {"survey_forms"} | {"flask", "flask_sqlalchemy", "sqlalchemy", "pandas"},
    "scoring": PROJECT - {"scoring"} | {"flask", "flask_sqlalchemy", "sqlalchemy"},
    "sync": {"server", "scoring", "flask", "flask_sqlalchemy", "sqlalchemy", "pandas", "werkzeug"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_leaf_and_device_packages_should_not_import_against_the_dependency_rule(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    offenders = {path: mods for path, mods in offenders.items() if mods}
    assert offenders == {}


def test_nothing_outside_server_and_tests_should_import_server():
    offenders = [
        str(path.relative_to(ROOT))
        for package in PROJECT - {"server"}
        for path in (ROOT / package).rglob("*.py")
        if "server" in imported_modules(path)
    ]
    for path in (ROOT / "bench").rglob("*.py"):
        if "server" in imported_modules(path):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_package_should_say_what_it_is_for_and_what_it_may_import():
    for package in PROJECT:
        doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "import" in doc.lower(), f"{package}/__init__.py needs a docstring with its import rule"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the project's modules it imports, at the top or inside a function (both run)."""
    paths = {_module_name(path): path for package in PROJECT for path in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        here = name.split(".") if is_package else name.split(".")[:-1]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                # `from package import submodule` depends on the submodule, else on the module itself
                targets = [
                    f"{module}.{alias.name}" if f"{module}.{alias.name}" in paths else module for alias in node.names
                ]
            else:
                continue
            edges.update(target for target in targets if target in paths and target != name)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_import_graph_should_have_no_cycles():
    assert find_cycles(import_graph()) == []


def test_the_cycle_finder_should_find_a_known_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]
