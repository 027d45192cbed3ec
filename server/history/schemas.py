"""What the history endpoints answer (the OpenAPI document describes these)."""

from __future__ import annotations

from marshmallow import Schema, fields


class PartialGroupSchema(Schema):
    group = fields.String()
    rows = fields.Integer(metadata={"description": "Agency rows entered for the group"})
    published = fields.Integer(allow_none=True, metadata={"description": "Units the published table counts"})
    reasons = fields.List(fields.String())


class YearListEntrySchema(Schema):
    year = fields.Integer()
    agencies = fields.Integer(metadata={"description": "Agency rows entered"})
    groups = fields.Integer(metadata={"description": "Group rows entered"})
    partial = fields.List(fields.Nested(PartialGroupSchema))


class PublishedAgencySchema(Schema):
    agency = fields.String()
    name = fields.String()
    group = fields.String()
    points = fields.Float(allow_none=True)
    index = fields.Float(allow_none=True)
    rank = fields.Integer(allow_none=True)
    band = fields.String(allow_none=True)


class PublishedGroupSchema(Schema):
    group = fields.String()
    mean = fields.Float(allow_none=True)
    highest = fields.Float(allow_none=True)
    lowest = fields.Float(allow_none=True)
    agencies = fields.Integer(allow_none=True)


class YearSchema(Schema):
    year = fields.Integer()
    agencies = fields.List(fields.Nested(PublishedAgencySchema))
    groups = fields.List(fields.Nested(PublishedGroupSchema))
    partial = fields.List(fields.Nested(PartialGroupSchema))
