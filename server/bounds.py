"""Bounds at the API edge: numbers the database's columns can hold, checked before any query.

A path id of 2^31 or more cannot name a row (ids are PostgreSQL ``integer``): the ``int`` converter of every
URL refuses it, so the route does not match (404 ``not_found``) instead of the database failing on the
value. Fields use :data:`ID_RANGE` (integer columns) and :data:`SEED_RANGE` (``bigint``) the same way.
"""

from __future__ import annotations

from flask import Flask
from marshmallow import validate
from werkzeug.routing import IntegerConverter

#: The largest value of a PostgreSQL ``integer`` and ``bigint`` column.
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

ID_RANGE = validate.Range(min=1, max=INT_MAX)
SEED_RANGE = validate.Range(min=0, max=BIGINT_MAX)


class IdConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, at most :data:`INT_MAX` (documented as the path parameter's maximum)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def register_bounds(app: Flask, api) -> None:
    """Before the blueprints: every ``<int:…>`` of a URL is an :class:`IdConverter`."""
    from flask_smorest.spec.plugins import integerconverter2paramschema

    app.url_map.converters["int"] = IdConverter
    api.register_converter(IdConverter, integerconverter2paramschema)
