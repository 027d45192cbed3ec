"""Bounds at the API edge: numbers the database's columns can hold, checked before any query.

A path id of 2^31 or more cannot name a row (ids are PostgreSQL ``integer``): the ``int`` converter of every
URL refuses it, so the route does not match (404 ``not_found``) instead of the database failing on the
value. Fields use :data:`ID_RANGE` and :data:`SEED_RANGE` (both ``integer`` columns) the same way.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

from flask import Flask
from marshmallow import fields, validate
from werkzeug.routing import BaseConverter, IntegerConverter

#: The largest value of a PostgreSQL ``integer`` column.
INT_MAX = 2**31 - 1

ID_RANGE = validate.Range(min=1, max=INT_MAX)


class JsonBoolean(fields.Boolean):
    """A JSON body's boolean: ``true`` or ``false`` only, as the document says (marshmallow's own also takes
    ``1``, ``"yes"``, ``"on"``…). Query strings keep marshmallow's, their values being text."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


#: What a name is trimmed of: every character Python calls a space and every one ECMAScript's ``\s`` matches
#: (the document's patterns are ECMAScript's), so the ``pattern`` below means the same to both.
SPACES = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
NOT_ONLY_SPACES = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"


class Name(fields.String):
    """A name or title as the registry stores it: trimmed of :data:`SPACES` and in Unicode NFC before its
    validators run, so ``Length(1, n)`` counts what is stored. A name of spaces only is refused, and the
    document says so (``pattern``: some character that is no space; the trimmed text starts with one)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Regexp(NOT_ONLY_SPACES, error="Give a name, not only spaces."))

    def _deserialize(self, value, attr, data, **kwargs):
        return unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs).strip(SPACES))


#: A re-check seed is stored in ``recheck_samples.seed``, an ``integer`` (SQLite would keep a larger one,
#: PostgreSQL refuses it: the edge says the column's range on both).
SEED_RANGE = validate.Range(min=0, max=INT_MAX)
#: Strings as long as the columns that keep them or the rows they name (``varchar(n)``): longer is
#: ``422 invalid_request``, never the database's overflow error.
USERNAME_LENGTH = validate.Length(max=64)
CODE_LENGTH = validate.Length(max=32)  # agency, round and criterion codes
VERSION_LENGTH = validate.Length(max=32)
FORM_ID_LENGTH = validate.Length(max=64)
TITLE_LENGTH = validate.Length(max=300)
QUESTION_NAME_LENGTH = validate.Length(max=200)
#: A calendar day a filter or setting may name: one whose start in any time zone is a datetime
#: (0001-01-01 and 9999-12-31 overflow when shifted to UTC or a day on).
DAY_RANGE = validate.Range(min=date(1, 1, 2), max=date(9999, 12, 30))
#: The years a round (and a published year of history) may be of.
ROUND_YEARS = (2000, 2100)
ROUND_YEAR_RANGE = validate.Range(min=ROUND_YEARS[0], max=ROUND_YEARS[1])
#: A day the province's records carry (an agency merged, split or renamed on it): 1900 to 2100, so a
#: slip of the keyboard (year 0001 or 9999) is a clear 422, never a date nothing else can compare with.
RECORD_DAY_RANGE = validate.Range(min=date(1900, 1, 1), max=date(ROUND_YEARS[1], 12, 31))
#: A moment a deadline may name (an appraisal stage's end), compared in UTC: from 2000 to the end of 2101.
#: An offset that moves year 1 or 9999 past the calendar is refused here, before it is stored in UTC.
MOMENT_RANGE = validate.Range(
    min=datetime(ROUND_YEARS[0], 1, 1, tzinfo=UTC), max=datetime(ROUND_YEARS[1] + 1, 12, 31, 23, 59, 59, tzinfo=UTC)
)
#: A place in a short ordered list (an agency group's position), far inside the ``integer`` column; a new
#: group goes after the last, at most at the maximum (the list then orders ties by creation).
POSITION_RANGE = validate.Range(min=0, max=1_000_000)
#: A count stored in an ``integer`` column or compared with one (a quota, a number of decisions).
COUNT_RANGE = validate.Range(min=0, max=INT_MAX)
#: Points out of which an agency or the survey is scored (``numeric(8, 3)`` columns): above 0, so at least
#: 0.001 (a smaller one, 5e-324, rounds to 0 there).
MAX_POINTS_RANGE = validate.Range(min=0.001, max=99_999)
#: An entered appraisal value or a criterion's points (``numeric(10, 4)`` columns).
APPRAISAL_VALUE_RANGE = validate.Range(min=-999_999, max=999_999)
CRITERION_POINTS_RANGE = validate.Range(min=0, max=999_999)
#: A duration in seconds a quality setting compares interviews with: at most a day.
SECONDS_RANGE = validate.Range(min=0, max=86_400)
#: A distance on Earth in metres: at most half the equator.
METRES_RANGE = validate.Range(min=0, max=20_040_000)


class IdConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, at most :data:`INT_MAX` (documented as the path parameter's maximum)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


class OtherThanConverter(BaseConverter):
    """A path segment other than the fixed words of its sibling routes: ``/agencies/<other_than("import"):code>``
    does not match ``/agencies/import``, so that URL's ``Allow`` (an OPTIONS, a 405) names only the import's
    POST, as the OpenAPI document says; the words can be no agency's or criterion's code."""

    def __init__(self, map, *words: str):
        super().__init__(map)
        self.words = words
        self.regex = "(?!(?:" + "|".join(re.escape(word) for word in words) + ")$)[^/]+"


def _other_than_schema(converter: OtherThanConverter) -> dict:
    return {"type": "string", "not": {"enum": list(converter.words)}}


#: The fixed words beside ``/agencies/<code>`` and ``/rounds/<code>/criteria/<criterion>``.
AGENCY_WORDS = ("import",)
CRITERION_WORDS = ("copy", "changes")


def register_bounds(app: Flask, api) -> None:
    """Before the blueprints: every ``<int:…>`` of a URL is an :class:`IdConverter`; ``other_than`` is an
    :class:`OtherThanConverter`."""
    from flask_smorest.spec.plugins import integerconverter2paramschema

    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["other_than"] = OtherThanConverter
    api.register_converter(IdConverter, integerconverter2paramschema)
    api.register_converter(OtherThanConverter, _other_than_schema)
    api.ma_plugin.converter.add_attribute_function(_exclusive_bounds)


def optional_bodies(api) -> None:
    """After the blueprints: a JSON body whose schema requires no field may be left out (the server reads it as
    ``{}``: nothing changes, or the defaults), and the document says so (``requestBody.required: false``)."""
    schemas = api.spec.components.schemas
    for operations in api.spec._paths.values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body or set(body.get("content", {})) != {"application/json"}:
                continue
            schema = body["content"]["application/json"].get("schema", {})
            ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
            schema = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema
            if schema.get("type") == "object" and not schema.get("required"):
                body["required"] = False


def _exclusive_bounds(converter, field, **kwargs) -> dict:
    """A ``Range`` that leaves out its end (``min_inclusive=False``) says so in the document (OpenAPI 3.0's
    ``exclusiveMinimum: true``), which apispec leaves out: a survey's maximum points above 0, a confidence
    strictly between 0 and 1."""
    bounds = {}
    for validator in field.validators:
        if isinstance(validator, validate.Range):
            if validator.min is not None and not validator.min_inclusive:
                bounds["exclusiveMinimum"] = True
            if validator.max is not None and not validator.max_inclusive:
                bounds["exclusiveMaximum"] = True
    return bounds


def window_problems(year: int, window_start: date, window_end: date) -> dict[str, list[str]]:
    """Problems with a round's survey window: each day within a year of the round's year (a 2022 round may
    be surveyed from 2021 to 2023, never in year 1 or 9999), and the end not before the start. Copying a
    round moves its window with its year, so a window that passes here still passes in the copy."""
    first, last = date(year - 1, 1, 1), date(year + 1, 12, 31)
    problems = {
        name: [f"Must be a day from {first.isoformat()} to {last.isoformat()} (a year either side of {year})."]
        for name, day in (("window_start", window_start), ("window_end", window_end))
        if not first <= day <= last
    }
    if not problems and window_start > window_end:
        problems["window_end"] = ["The survey window ends before it starts."]
    return problems
