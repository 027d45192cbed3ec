"""Seeded random expressions over every function, with random answers, to compare the two evaluators.

The conformance table pins chosen cases; these find the ones nobody thought of. The same seed gives the
same cases, so a failure can be replayed with :func:`random_cases`.
"""

from __future__ import annotations

import math
import random

from survey_forms.expressions import FUNCTION_NAMES, FUNCTIONS

TODAY = "2022-09-01"
NOW = "2022-09-01T12:34:56.789+07:00"
NAMES = ("a", "b", "c", "d", "e")
STRINGS = (
    "",
    "abc",
    "Huế",
    "Thừa Thiên Huế",
    "2022-01-10",
    "2022-1-5",
    "2022-02-30",
    "2022-09-01T08:30:00Z",
    "2022-09-01T08:30:00.5+07:00",
    "12",
    " 5 ",
    "-3.25",
    ".5",
    "1e3",
    "a b c",
    "b",
    "true",
    "1",
    "0",
    "NaN",
    "x  y",
    "0912345678",
)
ANSWERS = (None, 0, 1, -7, 2.5, 19000, 10**30, -0.001, ["a", "b"], ["b"], [], *STRINGS)
PATTERNS = ("^[0-9]+$", "a", "^$", "[A-Z]", "\\d{2}", "b|c", "^0[35789][0-9]{8}$", "ế", "^\\s*$", "c$")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%y", "%e %b %Y %a", "%H:%M:%S.%3", "%n/%e %h", "100%%")
CHOICES = {"a": {"abc": "Chữ cái", "b": "Bê"}, "b": {"12": "Mười hai"}}


def _literal(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return rng.choice(("0", "1", "2", "3", "10", "0.5", "2.5", "19000", "365.25", "1.005", "7"))
    if kind < 0.75:
        return f"'{rng.choice(STRINGS)}'"
    if kind < 0.95:
        return "${" + rng.choice(NAMES) + "}"
    return "."


def _expression(rng: random.Random, depth: int) -> str:
    if depth <= 0 or rng.random() < 0.25:
        return _literal(rng)
    if rng.random() < 0.35:
        op = rng.choice(("or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"))
        left, right = _expression(rng, depth - 1), _expression(rng, depth - 1)
        return f"({left} {op} {right})" if rng.random() < 0.5 else f"{left} {op} {right}"
    name = rng.choice(sorted(FUNCTION_NAMES))
    fewest, most, _function = FUNCTIONS[name]
    count = rng.randint(fewest, most if most is not None else fewest + 3)
    args = [_expression(rng, depth - 1) for _ in range(count)]
    if name == "regex":
        args[1] = f"'{rng.choice(PATTERNS)}'"
    elif name in ("format-date", "format-date-time"):
        args[1] = f"'{rng.choice(DATE_FORMATS)}'"
    elif name == "jr:choice-name" and rng.random() < 0.7:
        args[1] = "'${" + rng.choice(NAMES) + "}'"
    elif name == "position":
        args[0] = ".."
    for i in {"count": (0,), "sum": (0,), "indexed-repeat": (0, 1, 3, 5)}.get(name, ()):
        if i < len(args):  # node-set arguments: references
            args[i] = "${" + rng.choice(NAMES) + "}"
    return f"{name}({', '.join(args)})"


def random_cases(seed: int, count: int) -> list[dict]:
    """``count`` cases ``{"expr", "values", "current"}`` drawn from ``seed``."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        values = {name: rng.choice(ANSWERS) for name in NAMES if rng.random() < 0.8}
        cases.append({"expr": _expression(rng, 3), "values": values, "current": rng.choice(ANSWERS)})
    return cases


def encode(value):
    """An expression value as JSON can carry it (non-finite numbers spelled out)."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"number": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    return value


#: Functions whose last bit may differ between C's libm (Python) and V8 (the browser): once such a
#: result is printed or compared, the two sides may legitimately disagree.
INEXACT = ("sin(", "cos(", "tan(", "asin(", "acos(", "atan(", "atan2(", "exp(", "exp10(", "log(", "log10(", "pow(")


def same_up_to_libm(expr: str, expected, got) -> bool:
    """:func:`same`, except that an expression using an :data:`INEXACT` function need only give the
    same type of value (its printed digits or a comparison at the last bit may differ)."""
    if any(name in expr for name in INEXACT) and not same(expected, got):
        return type(expected) is type(got) or {type(expected), type(got)} <= {int, float, dict}
    return same(expected, got)


def same(expected, got) -> bool:
    """Equal values of the same type; numbers may differ in the last bits (libm against V8)."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return math.isclose(expected, got, rel_tol=1e-12, abs_tol=1e-300)
    return type(expected) is type(got) and expected == got
