"""The package contract: public API, the leaf import rule, no eval."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import survey_forms

PACKAGE = Path(survey_forms.__file__).resolve().parent
CONTRACT = [
    "Form",
    "Question",
    "Group",
    "Choice",
    "FormDefinitionError",
    "AnswerError",
    "validate_answers",
    "canonical_json",
    "content_hash",
    "builtin_satisfaction_form",
    "form_from_xlsform",
    "ANSWER_ERROR_CODES",
    "LIKERT_LEVELS",
    "NOT_APPLICABLE",
]


def module_trees():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_should_export_the_public_api():
    for name in CONTRACT:
        assert hasattr(survey_forms, name), name
        assert name in survey_forms.__all__, name


def test_should_list_the_answer_error_codes_in_a_stable_order():
    assert survey_forms.ANSWER_ERROR_CODES == (
        "unknown_question",
        "missing_required",
        "wrong_type",
        "out_of_range",
        "unknown_choice",
        "constraint_failed",
        "not_relevant",
        "not_answerable",
        "invalid_character",
    )


def test_should_import_only_the_standard_library_pyxform_and_defusedxml():
    allowed = set(sys.stdlib_module_names) | {"pyxform", "defusedxml", "__future__"}
    offenders = {}
    for path, tree in module_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [(node.module or "").split(".")[0]]
            else:
                continue
            bad = [name for name in names if name not in allowed]
            if bad:
                offenders.setdefault(path.name, []).extend(bad)
    assert offenders == {}


def test_should_never_call_eval_exec_or_compile():
    calls = [
        (path.name, node.lineno)
        for path, tree in module_trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"eval", "exec", "compile"}
    ]
    assert calls == []


def test_should_say_what_the_package_is_for_and_what_it_may_import():
    doc = survey_forms.__doc__ or ""
    assert "questionnaire" in doc.lower()
    assert "imports only the python standard library, ``pyxform`` and ``defusedxml``" in " ".join(doc.lower().split())


def test_should_not_import_pyxform_until_an_xlsform_is_converted():
    code = "import sys, survey_forms; survey_forms.builtin_satisfaction_form(); print('pyxform' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=PACKAGE.parent)  # fmt: skip
    assert result.stdout.strip() == "False"


def test_should_ship_the_builtin_questionnaire_as_package_data():
    assert (PACKAGE / "builtin" / "satisfaction.json").is_file()
