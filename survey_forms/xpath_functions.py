"""The functions an expression may call: XPath 1.0's core library plus ODK's extensions.

Each function takes the evaluation context and its unevaluated arguments (so ``if()`` only
evaluates the branch it returns) and gives back an expression value. They follow JavaRosa and
openrosa-xpath-evaluator (see ``tests/survey_forms/data/xpath_conformance.json`` for the cases
checked against the latter) and never raise, whatever the answers: a math domain error is NaN, an
impossible date is ``""``.

Repeat groups give the only node-sets: ``count(${x})`` and ``sum(${x})`` read every instance's
``${x}`` (``count(${repeat})`` the number of instances), ``indexed-repeat(${x}, ${repeat}, n)`` the
n-th instance's, ``position(..)`` the number of the instance being evaluated, through the answers'
``nodes``/``indexed``/``position`` methods (a plain mapping is one instance). ``pulldata()`` reads a
CSV attached to the form in ODK; parsurvey attaches none, so it gives ``""`` (the importer warns).

Not provided: ``instance()``, the random ones (``random()``, ``uuid()``, ``randomize()``) and the
geographic ones (``area()``, ``distance()``).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from typing import Any

from .xpath_values import (
    VIETNAM_TIME,
    Value,
    date_text,
    days_since_epoch,
    format_date_time,
    from_answer,
    parse_date_time,
    to_boolean,
    to_number,
    to_string,
)

#: Longest answer ``regex()`` looks into (longer ones do not match).
MAX_REGEX_INPUT_LENGTH = 1000

Function = Callable[[Any, list[Any]], Value]


def _text(ctx: Any, node: Any) -> str:
    return to_string(node.evaluate(ctx))


def _num(ctx: Any, node: Any) -> float:
    return to_number(node.evaluate(ctx))


def _math(fn: Callable[..., float]) -> Function:
    """A numeric function whose domain errors give NaN and overflow infinity, as in JavaScript."""

    def call(ctx: Any, args: list[Any]) -> Value:
        numbers = [_num(ctx, a) for a in args]
        try:
            return float(fn(*numbers))
        except OverflowError:
            return math.inf
        except (ValueError, ZeroDivisionError):
            return math.nan

    return call


def js_round(x: float) -> float:
    """ODK's ``round()``: to the nearest integer, halves away from zero (``round(-2.5) = -3``)."""
    if math.isnan(x) or math.isinf(x):
        return x
    magnitude = abs(x)
    whole = math.floor(magnitude)
    if magnitude - whole >= 0.5:
        whole += 1
    return math.copysign(float(whole), x)


def _integer(x: float) -> float:
    """Truncate toward zero (``int()``), leaving NaN and infinities as they are."""
    if math.isnan(x) or math.isinf(x):
        return x
    return float(math.trunc(x))


def _fn_round(ctx: Any, args: list[Any]) -> Value:
    number = _num(ctx, args[0])
    if len(args) == 1:
        return js_round(number)
    digits = _integer(_num(ctx, args[1]))
    scale = js_pow(10.0, abs(digits))  # infinite for many digits, then NaN below, as in JavaScript
    if math.isnan(scale) or math.isinf(scale):
        return math.nan
    if digits > 0:
        return js_round(number * scale) / scale
    return scale * js_round(number / scale)


def _log(x: float) -> float:
    if math.isnan(x) or x < 0:
        return math.nan
    return -math.inf if x == 0 else math.log(x)


def _log10(x: float) -> float:
    if math.isnan(x) or x < 0:
        return math.nan
    return -math.inf if x == 0 else math.log10(x)


def _sqrt(x: float) -> float:
    return math.nan if math.isnan(x) or x < 0 else math.sqrt(x)


def js_pow(base: float, exponent: float) -> float:
    """JavaScript's ``**`` (which Enketo uses for ``pow()``), never raising."""
    if math.isnan(exponent) or (abs(base) == 1 and math.isinf(exponent)):
        return math.nan
    if exponent == 0:
        return 1.0
    try:
        return math.pow(base, exponent)
    except OverflowError:
        odd = exponent.is_integer() and exponent % 2 == 1
        return -math.inf if base < 0 and odd else math.inf
    except (ValueError, ZeroDivisionError):
        if base == 0:
            odd = exponent.is_integer() and exponent % 2 == 1
            return math.copysign(math.inf, base) if odd else math.inf
        return math.nan


def _extreme(pick: Callable[..., float]) -> Function:
    def call(ctx: Any, args: list[Any]) -> Value:
        numbers = [_num(ctx, a) for a in args]
        if any(math.isnan(n) for n in numbers):
            return math.nan
        return pick(numbers)

    return call


# --------------------------------------------------------------------------- text


def _js_slice_index(position: float, length: int) -> int:
    if math.isnan(position):
        return 0
    if position < 0:
        return max(length + int(max(position, -length - 1)), 0)
    return min(int(min(position, length)), length)


def _fn_substr(ctx: Any, args: list[Any]) -> Value:
    """ODK's ``substr(s, start[, end])``: 0-based, end excluded, negative counts from the end."""
    text = _text(ctx, args[0])
    start = _js_slice_index(_num(ctx, args[1]), len(text))
    end = _js_slice_index(_num(ctx, args[2]), len(text)) if len(args) > 2 else len(text)
    return text[start:end]


def _fn_substring(ctx: Any, args: list[Any]) -> Value:
    """XPath's ``substring(s, start[, length])``: 1-based positions, rounded, as the spec says."""
    text = _text(ctx, args[0])
    first = js_round_half_up(_num(ctx, args[1]))
    last = math.inf
    if len(args) > 2:
        last = first + js_round_half_up(_num(ctx, args[2]))
    return "".join(c for p, c in enumerate(text, start=1) if p >= first and p < last)


def js_round_half_up(x: float) -> float:
    """XPath ``round()`` of the core library: halves go toward positive infinity."""
    if math.isnan(x) or math.isinf(x):
        return x
    return float(math.floor(x + 0.5))


def _fn_substring_before(ctx: Any, args: list[Any]) -> Value:
    text, part = _text(ctx, args[0]), _text(ctx, args[1])
    index = text.find(part)
    return text[:index] if index > 0 else ""


def _fn_substring_after(ctx: Any, args: list[Any]) -> Value:
    text, part = _text(ctx, args[0]), _text(ctx, args[1])
    index = text.find(part)
    return text[index + len(part) :] if index >= 0 else ""


def _fn_translate(ctx: Any, args: list[Any]) -> Value:
    text, source, target = (_text(ctx, a) for a in args)
    table: dict[str, str] = {}
    for i, char in enumerate(source):
        table.setdefault(char, target[i] if i < len(target) else "")
    return "".join(table.get(c, c) for c in text)


_SPACES = re.compile(r"[ \t\r\n]+")


def _fn_normalize_space(ctx: Any, args: list[Any]) -> Value:
    return _SPACES.sub(" ", _text(ctx, args[0])).strip(" ")


def _fn_boolean_from_string(ctx: Any, args: list[Any]) -> Value:
    value = args[0].evaluate(ctx)
    if isinstance(value, float) and value > 0 and value.is_integer():
        return True
    return to_string(value) in ("1", "true")


def _fn_coalesce(ctx: Any, args: list[Any]) -> Value:
    return _text(ctx, args[0]) or _text(ctx, args[1])


def _fn_if(ctx: Any, args: list[Any]) -> Value:
    return args[1].evaluate(ctx) if to_boolean(args[0].evaluate(ctx)) else args[2].evaluate(ctx)


def _fn_once(ctx: Any, args: list[Any]) -> Value:
    """``once(x)``: the question's own value if it has one, else ``x`` (evaluated either way)."""
    fresh = _text(ctx, args[0])
    return to_string(ctx.current_value()) or fresh


# --------------------------------------------------------------------------- selects


def _choices(text: str) -> list[str]:
    return [part for part in text.split(" ") if part]


def _fn_selected(ctx: Any, args: list[Any]) -> Value:
    return _text(ctx, args[1]).strip(" \t\r\n") in _text(ctx, args[0]).split(" ")


def _fn_selected_at(ctx: Any, args: list[Any]) -> Value:
    parts = _text(ctx, args[0]).split(" ")
    index = _integer(_num(ctx, args[1]))
    if math.isnan(index) or index < 0 or index >= len(parts):
        return ""
    return parts[int(index)]


def _fn_choice_name(ctx: Any, args: list[Any]) -> Value:
    """``jr:choice-name(value, '${question}')``: the label of a choice, ``""`` if unknown."""
    value = _text(ctx, args[0]).strip(" \t\r\n")
    reference = _text(ctx, args[1]).strip(" \t\r\n")
    name = reference[2:-1] if reference.startswith("${") and reference.endswith("}") else reference.rsplit("/", 1)[-1]
    labels = ctx.choices.get(name) if ctx.choices else None
    if not labels:
        return ""
    return str(labels.get(value, ""))


# --------------------------------------------------------------------------- dates


def _fn_decimal_date_time(ctx: Any, args: list[Any]) -> Value:
    value = args[0].evaluate(ctx)
    if isinstance(value, float):
        return value
    moment = parse_date_time(to_string(value))
    return days_since_epoch(moment) if moment else math.nan


def _as_moment(value: Value) -> _dt.datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        # Whole milliseconds, truncated, as a JavaScript Date holds them.
        if not math.isfinite(value):
            return None
        try:
            return _dt.datetime(1970, 1, 1) + _dt.timedelta(milliseconds=math.trunc(value * 86_400_000))
        except OverflowError:
            return None
    text = value.strip(" \t\r\n")
    if re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", text):
        days = float(text)
        return _as_moment(float(math.trunc(days))) if math.isfinite(days) else None
    return parse_date_time(text)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _fn_format_date(ctx: Any, args: list[Any]) -> Value:
    """``format-date(date, '%d/%m/%Y')`` with ODK's codes (``%Y %y %m %n %b %d %e %a %H %h %M %S %3``)."""
    moment = _as_moment(args[0].evaluate(ctx))
    pattern = _text(ctx, args[1])
    if moment is None:
        return ""
    codes = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year:04d}"[2:],
        "m": f"{moment.month:02d}",
        "n": str(moment.month),
        "b": _MONTHS[moment.month - 1],
        "d": f"{moment.day:02d}",
        "e": str(moment.day),
        "a": _WEEKDAYS[moment.weekday()],
        "H": f"{moment.hour:02d}",
        "h": str(moment.hour),
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}",
        "%": "%",
    }
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "%" and i + 1 < len(pattern):
            out.append(codes.get(pattern[i + 1], ""))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _fn_today(ctx: Any, args: list[Any]) -> Value:
    return ctx.today_text()


def _fn_now(ctx: Any, args: list[Any]) -> Value:
    return format_date_time(ctx.now_moment())


def now_in_vietnam() -> _dt.datetime:
    """The wall-clock time in Vietnam, naive."""
    return _dt.datetime.now(VIETNAM_TIME).replace(tzinfo=None)


# --------------------------------------------------------------------------- node-sets (repeats)


def _nodes(ctx: Any, node: Any) -> list[Any]:
    """The answers a reference names: every instance's inside repeats, else the one answer."""
    name = getattr(node, "name", None)
    if name is None:
        return [node.evaluate(ctx)]
    reader = getattr(ctx.values, "nodes", None)
    if reader is not None:
        return list(reader(name))
    return [ctx.values.get(name)]


def _texts(ctx: Any, node: Any) -> list[str]:
    """An argument of ``concat()``/``join()`` as ODK reads it: a reference is a node-set whose every node
    counts (``join(', ', ${child_name})`` lists every instance's answer), anything else one text."""
    if not getattr(node, "node_set", False):
        return [_text(ctx, node)]
    return [to_string(from_answer(v)) for v in _nodes(ctx, node)]


def _fn_count(ctx: Any, args: list[Any]) -> Value:
    return float(len(_nodes(ctx, args[0])))


def _fn_sum(ctx: Any, args: list[Any]) -> Value:
    return float(sum(to_number(from_answer(v)) for v in _nodes(ctx, args[0])))


def _fn_indexed_repeat(ctx: Any, args: list[Any]) -> Value:
    name = getattr(args[0], "name", None)
    reader = getattr(ctx.values, "indexed", None)
    if name is None or reader is None:
        return from_answer(None) if name is not None else args[0].evaluate(ctx)
    steps = []
    for i in range(1, len(args) - 1, 2):
        repeat = getattr(args[i], "name", None)
        index = to_number(args[i + 1].evaluate(ctx))
        if repeat is None or math.isnan(index):
            return ""
        steps.append((repeat, int(index)))
    return from_answer(reader(name, steps))


def _fn_position(ctx: Any, args: list[Any]) -> Value:
    reader = getattr(ctx.values, "position", None)
    return float(reader()) if reader is not None else 1.0


# --------------------------------------------------------------------------- the table

#: name -> (fewest arguments, most arguments or None for any number, function)
FUNCTIONS: dict[str, tuple[int, int | None, Function]] = {
    # boolean
    "true": (0, 0, lambda ctx, args: True),
    "false": (0, 0, lambda ctx, args: False),
    "not": (1, 1, lambda ctx, args: not to_boolean(args[0].evaluate(ctx))),
    "boolean": (1, 1, lambda ctx, args: to_boolean(args[0].evaluate(ctx))),
    "boolean-from-string": (1, 1, _fn_boolean_from_string),
    "if": (3, 3, _fn_if),
    "regex": (2, 2, None),  # type: ignore[dict-item]  # compiled at parse time, see expressions.py
    # numbers
    "number": (1, 1, lambda ctx, args: _num(ctx, args[0])),
    "int": (1, 1, lambda ctx, args: _integer(_num(ctx, args[0]))),
    "round": (1, 2, _fn_round),
    "floor": (1, 1, _math(lambda x: x if math.isinf(x) or math.isnan(x) else math.floor(x))),
    "ceiling": (1, 1, _math(lambda x: x if math.isinf(x) or math.isnan(x) else math.ceil(x))),
    "abs": (1, 1, _math(abs)),
    "pow": (2, 2, _math(js_pow)),
    "sqrt": (1, 1, _math(_sqrt)),
    "exp": (1, 1, _math(math.exp)),
    "exp10": (1, 1, _math(lambda x: js_pow(10.0, x))),
    "log": (1, 1, _math(_log)),
    "log10": (1, 1, _math(_log10)),
    "pi": (0, 0, lambda ctx, args: math.pi),
    "sin": (1, 1, _math(math.sin)),
    "cos": (1, 1, _math(math.cos)),
    "tan": (1, 1, _math(math.tan)),
    "asin": (1, 1, _math(math.asin)),
    "acos": (1, 1, _math(math.acos)),
    "atan": (1, 1, _math(math.atan)),
    "atan2": (2, 2, _math(math.atan2)),
    "min": (1, None, _extreme(min)),
    "max": (1, None, _extreme(max)),
    # text
    "string": (1, 1, lambda ctx, args: _text(ctx, args[0])),
    "string-length": (1, 1, lambda ctx, args: float(len(_text(ctx, args[0])))),
    "concat": (1, None, lambda ctx, args: "".join(t for a in args for t in _texts(ctx, a))),
    "join": (2, None, lambda ctx, args: _text(ctx, args[0]).join(t for a in args[1:] for t in _texts(ctx, a))),
    "contains": (2, 2, lambda ctx, args: _text(ctx, args[1]) in _text(ctx, args[0])),
    "starts-with": (2, 2, lambda ctx, args: _text(ctx, args[0]).startswith(_text(ctx, args[1]))),
    "ends-with": (2, 2, lambda ctx, args: _text(ctx, args[0]).endswith(_text(ctx, args[1]))),
    "substr": (2, 3, _fn_substr),
    "substring": (2, 3, _fn_substring),
    "substring-before": (2, 2, _fn_substring_before),
    "substring-after": (2, 2, _fn_substring_after),
    "translate": (3, 3, _fn_translate),
    "normalize-space": (1, 1, _fn_normalize_space),
    "coalesce": (2, 2, _fn_coalesce),
    "once": (1, 1, _fn_once),
    # selects
    "selected": (2, 2, _fn_selected),
    "selected-at": (2, 2, _fn_selected_at),
    "count-selected": (1, 1, lambda ctx, args: float(len(_choices(_text(ctx, args[0]))))),
    "jr:choice-name": (2, 2, _fn_choice_name),
    # dates
    "today": (0, 0, _fn_today),
    "now": (0, 0, _fn_now),
    "date": (1, 1, lambda ctx, args: date_text(args[0].evaluate(ctx))),
    "date-time": (1, 1, lambda ctx, args: date_text(args[0].evaluate(ctx))),
    "decimal-date-time": (1, 1, _fn_decimal_date_time),
    "format-date": (2, 2, _fn_format_date),
    "format-date-time": (2, 2, _fn_format_date),
    # repeats
    "count": (1, 1, _fn_count),
    "sum": (1, 1, _fn_sum),
    "indexed-repeat": (3, 7, _fn_indexed_repeat),
    "position": (1, 1, _fn_position),
    # external data: no CSV is attached in parsurvey
    "pulldata": (4, 4, lambda ctx, args: ""),
}
