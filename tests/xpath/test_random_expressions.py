"""Thousands of seeded random expressions give the same value in Python and in expr.js (under node).

The browser test tests/web/test_expression_agreement.py does the same in headless Chromium.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from survey_forms.expressions import parse
from tests.xpath.random_expressions import CHOICES, NOW, TODAY, encode, random_cases, same_up_to_libm
from tests.xpath.test_conformance import node  # noqa: F401  (fixture)

HERE = Path(__file__).parent


def python_results(cases, choices=CHOICES):
    return [
        encode(parse(c["expr"]).evaluate(c["values"], c["current"], today=TODAY, now=NOW, choices=choices))
        for c in cases
    ]


def test_python_and_expr_js_should_agree_on_random_expressions_over_every_function(node, tmp_path):  # noqa: F811
    cases = random_cases(seed=13, count=4000)
    file = tmp_path / "cases.json"
    file.write_text(json.dumps({"today": TODAY, "now": NOW, "choices": CHOICES, "cases": cases}), encoding="utf-8")
    done = subprocess.run(
        [node, str(HERE / "run_cases.cjs"), "exprjs", str(file)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TZ": "UTC"},
    )
    assert done.returncode == 0, done.stderr
    browser = json.loads(done.stdout)
    differ = [
        f"{c['expr']!r} with {c['values']} and . = {c['current']!r}: Python {p!r}, expr.js {b!r}"
        for c, p, b in zip(cases, python_results(cases), browser, strict=True)
        if not same_up_to_libm(c["expr"], p, b)
    ]
    print(f"\nexpr.js under node: {len(cases) - len(differ)} of {len(cases)} random expressions agree with Python")
    assert not differ, f"{len(differ)} differ:\n" + "\n".join(differ[:30])
