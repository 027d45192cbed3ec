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
