"""The shape of the scoring package: a leaf with a documented public API and registered error codes."""

import ast
import re
import sys
from pathlib import Path

import scoring
from scoring import ERROR_CODES, WARNING_CODES

PACKAGE = Path(scoring.__file__).parent
ALLOWED_THIRD_PARTY = {"numpy", "pandas", "scipy"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_scoring_imports_only_the_standard_library_numpy_pandas_and_scipy():
    allowed = set(sys.stdlib_module_names) | ALLOWED_THIRD_PARTY | {"scoring", "__future__"}
    for path in sorted(PACKAGE.glob("*.py")):
        foreign = imported_modules(path) - allowed
        assert not foreign, f"{path.name} imports {sorted(foreign)}"


def test_the_package_docstring_says_what_it_is_for_and_what_it_may_import():
    doc = scoring.__doc__
    assert "What it is for" in doc and "What it may import" in doc


def test_every_public_name_exists_and_every_public_callable_has_a_docstring():
    for name in scoring.__all__:
        obj = getattr(scoring, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name


def test_every_error_code_used_in_the_source_is_registered():
    pattern = re.compile(r"""(?:ScoringError|_fail)\(\s*["']([a-z_]+)["']""")
    used = set()
    for path in PACKAGE.glob("*.py"):
        used.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert used, "the pattern found no error codes"
    assert used <= set(ERROR_CODES), sorted(used - set(ERROR_CODES))


def test_every_warning_code_used_in_the_source_is_registered():
    pattern = re.compile(r"""ScoringWarning\(\s*["']([a-z_]+)["']""")
    used = set()
    for path in PACKAGE.glob("*.py"):
        used.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert used == set(WARNING_CODES)


def test_an_unregistered_error_code_cannot_be_raised():
    try:
        scoring.ScoringError("made_up", "x")
    except ValueError as exc:
        assert "unregistered" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an unregistered code was accepted")


def test_docstring_examples_hold():
    import doctest
    import importlib

    for path in sorted(PACKAGE.glob("*.py")):
        module = importlib.import_module(f"scoring.{path.stem}" if path.stem != "__init__" else "scoring")
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, path.name
