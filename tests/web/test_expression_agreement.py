"""The browser's expr.js and the server's evaluator give the same value for random ODK expressions.

tests/web/test_enumerator_app.py compares chosen skip-logic expressions; this draws 1500 seeded random
ones over every function (tests/xpath/random_expressions.py) with random answers, in headless Chromium.
"""

from __future__ import annotations

from survey_forms.expressions import parse
from tests.xpath.random_expressions import CHOICES, NOW, TODAY, encode, random_cases, same_up_to_libm


def test_browser_and_server_should_agree_on_random_expressions_over_every_function(live_server, db, browser):
    cases = random_cases(seed=2022, count=1500)
    page = browser.new_page()
    page.goto(live_server.url + "/app/static/icon.svg")
    in_browser = page.evaluate(
        """async ({cases, today, now, choices}) => {
             const {evaluate} = await import('/app/static/expr.js');
             return cases.map(({expr, values, current}) => {
               const v = evaluate(expr, values, current, today, {now, choices});
               return typeof v === 'number' && !Number.isFinite(v) ? {number: String(v)} : v;
             });
           }""",
        {"cases": cases, "today": TODAY, "now": NOW, "choices": CHOICES},
    )
    on_server = [
        encode(parse(c["expr"]).evaluate(c["values"], c["current"], today=TODAY, now=NOW, choices=CHOICES))
        for c in cases
    ]
    differ = [
        f"{c['expr']!r} with {c['values']} and . = {c['current']!r}: server {s!r}, browser {b!r}"
        for c, s, b in zip(cases, on_server, in_browser, strict=True)
        if not same_up_to_libm(c["expr"], s, b)
    ]
    assert len(in_browser) == 1500
    assert not differ, f"{len(differ)} of {len(cases)} differ:\n" + "\n".join(differ[:30])
