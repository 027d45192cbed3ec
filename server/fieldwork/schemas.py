"""Schemas for assignments and round progress."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class AssignmentSchema(Schema):
    username = fields.Function(lambda a: a.enumerator.username, dump_only=True)
    agency_code = fields.Function(lambda a: a.agency.code, dump_only=True)
    quota = fields.Integer(load_default=0, validate=validate.Range(min=0))


class AgencyProgressSchema(Schema):
    agency_code = fields.String()
    agency_name = fields.String()
    group = fields.String()
    quota = fields.Integer()
    received = fields.Integer()


class EnumeratorAgencySchema(Schema):
    agency_code = fields.String()
    quota = fields.Integer()
    received = fields.Integer()


class EnumeratorProgressSchema(Schema):
    username = fields.String()
    full_name = fields.String()
    quota = fields.Integer()
    received = fields.Integer()
    agencies = fields.List(fields.Nested(EnumeratorAgencySchema))


class ProgressSchema(Schema):
    round = fields.String()
    quota = fields.Integer()
    received = fields.Integer()
    agencies = fields.List(fields.Nested(AgencyProgressSchema))
    enumerators = fields.List(fields.Nested(EnumeratorProgressSchema))


class OwnAgencyProgressSchema(Schema):
    agency_code = fields.String()
    agency_name = fields.String()
    quota = fields.Integer()
    received = fields.Integer()
    countable = fields.Integer(metadata={"description": "Received ballots that count for scoring now"})
    not_countable = fields.Integer(metadata={"description": "Received ballots that do not (invalid, failed, held)"})


class RoundRulesSchema(Schema):
    """What a device checks at capture, with the same reason codes the server's cleaning gives."""

    window_start = fields.String(metadata={"description": "First result date inside the survey window"})
    window_end = fields.String(metadata={"description": "Last result date inside the survey window"})
    min_interview_seconds = fields.Float()
    collect_location = fields.Boolean()


class OwnProgressSchema(Schema):
    round = fields.String()
    quota = fields.Integer()
    received = fields.Integer()
    countable = fields.Integer()
    not_countable = fields.Integer()
    agencies = fields.List(fields.Nested(OwnAgencyProgressSchema))
    rules = fields.Nested(RoundRulesSchema)


class CopyRequestSchema(Schema):
    from_round = fields.String(required=True, metadata={"description": "Code of the round to copy from"})


class CopyResultSchema(Schema):
    copied = fields.Integer()
    skipped = fields.Integer(metadata={"description": "Inactive enumerators or agencies not surveyed now"})


class AssignmentImportSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    rows = fields.Integer()
