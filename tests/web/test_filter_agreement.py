"""The browser's expr.js and the server's evaluator agree on choice filters (bare names are the choice's
columns), for seeded random cases, in headless Chromium. (Repeats' node-set functions are compared under node
in tests/xpath/test_conformance.py, and end to end in tests/web/test_repeats_and_filters.py, where the server
checks what the browser computed.)"""

from __future__ import annotations

import random

from survey_forms.expressions import parse
from tests.xpath.random_expressions import encode

COLUMNS = ("name", "state", "district", "population")
VALUES = ("hn", "hcm", "ly_nhan", "khác", "", "0", "12", "2500", "bưu_điện")
REFERENCES = ("state", "district", "minimum")


def operand(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.45:
        return rng.choice(COLUMNS)
    if kind < 0.8:
        return "${" + rng.choice(REFERENCES) + "}"
    return f"'{rng.choice(VALUES)}'"


def condition(rng: random.Random, depth: int) -> str:
    if depth and rng.random() < 0.4:
        return f"({condition(rng, depth - 1)}) {rng.choice(('and', 'or'))} {condition(rng, depth - 1)}"
    if rng.random() < 0.2:
        function = rng.choice(("starts-with", "contains", "selected"))
        return f"{function}({operand(rng)}, {operand(rng)})"
    return f"{operand(rng)} {rng.choice(('=', '!=', '<', '>', '>='))} {operand(rng)}"


def filter_cases(seed: int, count: int) -> list[dict]:
    rng = random.Random(seed)
    return [
        {
            "expr": condition(rng, 2),
            "values": {name: rng.choice(VALUES) for name in REFERENCES if rng.random() < 0.85},
            "choice": {column: rng.choice(VALUES) for column in COLUMNS if rng.random() < 0.9},
        }
        for _ in range(count)
    ]


def test_browser_and_server_should_agree_on_random_choice_filters(live_server, db, browser):
    cases = filter_cases(seed=13, count=800)
    page = browser.new_page()
    page.goto(live_server.url + "/app/static/icon.svg")
    in_browser = page.evaluate(
        """async (cases) => {
             const {evaluate} = await import('/app/static/expr.js');
             return cases.map(({expr, values, choice}) => {
               const v = evaluate(expr, values, null, '2022-09-01', {choiceColumns: true, choice});
               return typeof v === 'number' && !Number.isFinite(v) ? {number: String(v)} : v;
             });
           }""",
        cases,
    )
    on_server = [
        encode(parse(c["expr"], choice_columns=True).evaluate(c["values"], today="2022-09-01", choice=c["choice"]))
        for c in cases
    ]
    differ = [
        f"{c['expr']!r} with {c['values']} on {c['choice']}: server {s!r}, browser {b!r}"
        for c, s, b in zip(cases, on_server, in_browser, strict=True)
        if s != b
    ]
    assert len(in_browser) == 800 and {True, False} <= set(on_server)
    assert not differ, f"{len(differ)} of {len(cases)} differ:\n" + "\n".join(differ[:30])
