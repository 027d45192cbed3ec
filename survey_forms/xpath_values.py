"""Values of the expression language and ODK's rules for converting and comparing them.

An expression value is a ``bool``, a ``float`` or a ``str`` (XPath 1.0's boolean, number and
string). Dates have no type of their own: as in ODK's XML instance they are ISO strings
(``2022-09-01``, ``2022-09-01T08:30:00.000+07:00``), and a string that starts like a date turns
into the number of days since 1970-01-01 wherever a number is needed, which is how JavaRosa
(ODK Collect) and openrosa-xpath-evaluator (Enketo) make ``today() - ${dob}`` work.

Where the two ODK clients disagree this module follows JavaRosa's wording of XPath 1.0:

* a number written as text is digits with an optional sign and decimal point
  (``'1e3'``, ``'+5'``, ``'0x10'`` and ``'Infinity'`` are NaN; Enketo's JavaScript accepts them);
* a date counts calendar days, and a date-time the days and fraction of a day on the wall clock
  in Vietnam (Enketo counts from the browser's midnight, which differs outside UTC);
* an impossible date (``2022-02-30``) is NaN (Enketo rolls it over to March).

Nothing here raises on any input: bad text becomes NaN or ``""``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

#: Timezone used for ``today()``/``now()`` and date-times: ballots are collected in Vietnam.
VIETNAM_TIME = _dt.timezone(_dt.timedelta(hours=7), "ICT")

Value = bool | float | str

_EPOCH = _dt.date(1970, 1, 1).toordinal()
# ASCII digits and XPath's whitespace only, so that expr.js (JavaScript) reads text the same way.
_NUMBER_TEXT = re.compile(r"[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")
#: What ODK treats as a date for arithmetic and comparison (anything starting like one).
_DATE_PREFIX = re.compile(r"[ \t\r\n]*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_DATE = re.compile(r"[ \t\r\n]*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ \t\r\n]*")
_DATE_TIME = re.compile(
    r"[ \t\r\n]*([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?[ \t\r\n]*"
)


# --------------------------------------------------------------------------- dates


def parse_date_time(text: str) -> _dt.datetime | None:
    """A date or date-time string as a naive datetime on Vietnam's wall clock, or None."""
    match = _DATE.fullmatch(text)
    if match:
        try:
            return _dt.datetime(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    match = _DATE_TIME.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = _dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")[:6]),
        )
    except ValueError:
        return None
    if zone:
        if zone == "Z":
            offset = _dt.timedelta(0)
        else:
            digits = zone[1:].replace(":", "")
            if int(digits[:2]) > 23 or int(digits[2:]) > 59:
                return None
            offset = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if zone[0] == "-":
                offset = -offset
        try:
            moment = moment.replace(tzinfo=_dt.timezone(offset)).astimezone(VIETNAM_TIME).replace(tzinfo=None)
        except OverflowError:
            return None
    return moment


def days_since_epoch(moment: _dt.datetime) -> float:
    """Days (and fraction of a day) since 1970-01-01 on the same wall clock, to the millisecond.

    Computed as whole milliseconds divided once, exactly as expr.js does with JavaScript dates.
    """
    milliseconds = ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1000 + moment.microsecond // 1000
    return ((moment.toordinal() - _EPOCH) * 86_400_000 + milliseconds) / 86_400_000


def date_from_days(days: float) -> _dt.date | None:
    """The date ``days`` (truncated) after 1970-01-01, or None when out of range or not a number."""
    if math.isnan(days) or math.isinf(days):
        return None
    try:
        return _dt.date.fromordinal(_EPOCH + int(days))
    except (ValueError, OverflowError):
        return None


def format_date_time(moment: _dt.datetime) -> str:
    """ODK's text for a date-time on Vietnam's clock: ``2022-09-01T08:30:00.000+07:00``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+07:00"


def date_text(value: Value) -> str:
    """``date()``: the value as an ISO date, ``""`` when it is blank or not a date.

    Numbers (and numeric text) are days since 1970-01-01; date-times keep only their date, as in
    JavaRosa.
    """
    if isinstance(value, bool):
        return ""
    if isinstance(value, str):
        if value.strip(" \t\r\n") == "":
            return ""
        if not _NUMBER_TEXT.fullmatch(value):
            moment = parse_date_time(value)
            return moment.date().isoformat() if moment else ""
        value = float(value)
    day = date_from_days(value)
    return day.isoformat() if day else ""


# --------------------------------------------------------------------------- conversions


def to_number(value: Value) -> float:
    """XPath ``number()``: booleans are 1/0, numeric strings parse, dates count days, else NaN."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if _NUMBER_TEXT.fullmatch(value):
        return float(value)
    if _DATE_PREFIX.match(value):
        moment = parse_date_time(value)
        return days_since_epoch(moment) if moment else math.nan
    return math.nan


def to_string(value: Value) -> str:
    """XPath ``string()``: integral numbers print without a decimal point."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    return value


def to_boolean(value: Value) -> bool:
    """XPath ``boolean()``: non-zero numbers and non-empty strings are true."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def from_answer(value: Any) -> Value:
    """Convert a submitted answer into an expression value.

    Unanswered (``None``) is ``""``; numbers become floats (too large ones become infinite rather
    than raising); a select_multiple list becomes its space-separated values, as in ODK. Anything
    that is not answer-shaped is treated as unanswered so evaluation never fails on bad input.
    """
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return value
    if isinstance(value, list | tuple):
        return " ".join(to_string(from_answer(v)) for v in value if isinstance(v, str | int | float))
    return ""


# --------------------------------------------------------------------------- operators


def _dates_as_days(value: Value) -> Value:
    if isinstance(value, str) and _DATE_PREFIX.match(value):
        return to_number(value)
    return value


def equals(left: Value, right: Value) -> bool:
    """XPath ``=``: booleans compare as booleans, else numbers if either side is one, else text.

    A date on either side counts as its number of days first (so ``'2022-9-1' = '2022-09-01'``).
    """
    left, right = _dates_as_days(left), _dates_as_days(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return to_number(left) == to_number(right)
    return left == right


def relate(op: str, left: Value, right: Value) -> bool:
    """XPath ``<``, ``<=``, ``>``, ``>=``: always between numbers, so text that is neither a number
    nor a date (and an unanswered ``""``) is NaN and every comparison with it is false."""
    a, b = to_number(left), to_number(right)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def arithmetic(op: str, left: Value, right: Value) -> float:
    """XPath ``+ - * div mod`` on IEEE doubles (``div`` by zero is infinite, ``mod`` truncates)."""
    a, b = to_number(left), to_number(right)
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "div":
            if b == 0:
                if a == 0 or math.isnan(a):
                    return math.nan
                return math.copysign(math.inf, a) * math.copysign(1.0, b)
            return a / b
        # mod: XPath truncates toward zero like C fmod.
        if b == 0 or math.isinf(a) or math.isnan(b):
            return math.nan
        return math.fmod(a, b)
    except OverflowError:
        return math.nan
