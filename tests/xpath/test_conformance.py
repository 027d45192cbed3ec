"""The expression conformance table (conformance.json): parsurvey's two evaluators and Enketo's agree.

Three evaluators run every case: survey_forms/expressions.py and server/web/static/expr.js must give
the ``expected`` value; openrosa-xpath-evaluator (Enketo's own evaluator, pinned in package.json and
installed with ``npm ci`` from package-lock.json) must give it too, or the ``enketo`` value of a case
whose ``why`` says where parsurvey deliberately follows JavaRosa or XPath 1.0 instead. So the table is
checked against ODK's web client, not only against itself. Node and npm are needed for the last two;
without them the tests are skipped locally and fail in CI (``CI=true``).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from survey_forms import Form
from survey_forms.answers import answer_scope
from survey_forms.expressions import FUNCTION_NAMES, parse

HERE = Path(__file__).parent
TABLE = json.loads((HERE / "conformance.json").read_text(encoding="utf-8"))
CASES = TABLE["cases"]


def encode(value):
    """A Python expression value as the table writes it."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"number": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    return value


def same(expected, got) -> bool:
    if isinstance(expected, dict) and "error" in expected:
        return isinstance(got, dict) and "error" in got
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        # The last bit of sin() or log() may differ between C's libm and V8.
        return math.isclose(expected, got, rel_tol=1e-12, abs_tol=1e-300)
    return type(expected) is type(got) and expected == got


def mismatches(results, key=lambda case: case["expected"], skip=lambda case: False):
    assert len(results) == len(CASES)
    return [
        f"{case['expr']!r} with {case.get('values', {})}: expected {key(case)!r}, got {got!r}"
        for case, got in zip(CASES, results, strict=True)
        if not skip(case) and not same(key(case), got)
    ]


def report(name: str, failures: list[str], checked: int) -> None:
    print(f"\n{name}: {checked - len(failures)} of {checked} conformance cases agree")
    assert not failures, f"{len(failures)} of {checked} cases differ:\n" + "\n".join(failures[:40])


def unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"the conformance checks must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node() -> str:
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed (it runs expr.js and Enketo's evaluator)")
    return node


@pytest.fixture(scope="module")
def enketo_installed(node) -> None:
    """``npm ci`` from package-lock.json, again whenever the lock file is newer than the install."""
    npm = shutil.which("npm")
    if npm is None:
        unavailable("npm is not installed (it installs openrosa-xpath-evaluator from tests/xpath/package-lock.json)")
    installed = HERE / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= (HERE / "package-lock.json").stat().st_mtime:
        return
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        unavailable(f"npm ci failed in {HERE}: {done.stderr.strip()[-500:]}")


def run_node(node: str, evaluator: str) -> list:
    done = subprocess.run(
        [node, str(HERE / "run_cases.cjs"), evaluator],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TZ": "UTC"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_table_should_hold_several_hundred_cases_calling_every_function():
    assert len(CASES) >= 500
    called = {
        name
        for name in FUNCTION_NAMES
        if any(re.search(rf"(?<![\w:-]){re.escape(name)}\(", case["expr"]) for case in CASES)
    }
    assert called == set(FUNCTION_NAMES)
    for case in CASES:
        assert ("enketo" in case) == ("why" in case), f"a difference from Enketo needs its reason: {case}"


def scope_of(case):
    """The answers a case reads: a plain dict, or for a case in a repeat the form engine's own scope (a form
    of calculate questions, which keep any text or number, around one repeat group)."""
    values = case.get("values", {})
    repeat = case.get("repeat")
    if repeat is None:
        return values
    inside = sorted({name for instance in repeat["instances"] for name in instance})
    question = lambda name: {"type": "calculate", "name": name, "calculation": "''"}  # noqa: E731
    form = Form.from_dict(
        {
            "form_id": "case",
            "version": "1",
            "title": {"vi": "case"},
            "children": [
                *[question(name) for name in values],
                {"type": "group", "name": repeat["name"], "repeat": True, "children": [question(n) for n in inside]},
            ],
        }
    )
    answers = {**values, repeat["name"]: repeat["instances"]}
    at = repeat.get("at")
    return answer_scope(form, answers, today=TABLE["today"], instance=(at,) if at else ())


def test_the_python_evaluator_should_give_every_expected_value():
    results = [
        encode(
            parse(case["expr"], choice_columns="choice" in case).evaluate(
                scope_of(case),
                case.get("current"),
                today=TABLE["today"],
                now=TABLE["now"],
                choices=case.get("choices"),
                choice=case.get("choice"),
            )
        )
        for case in CASES
    ]
    report("survey_forms/expressions.py", mismatches(results), len(CASES))


def test_the_browser_evaluator_should_give_every_expected_value(node):
    report("server/web/static/expr.js", mismatches(run_node(node, "exprjs")), len(CASES))


def test_enketo_should_compute_every_expected_value_except_the_documented_differences(node, enketo_installed):
    results = run_node(node, "enketo")
    checked = [case for case in CASES if "enketo_skip" not in case]
    failures = mismatches(
        results,
        key=lambda case: case.get("enketo", case["expected"]),
        skip=lambda case: "enketo_skip" in case,
    )
    report("openrosa-xpath-evaluator 3.1.0", failures, len(checked))
