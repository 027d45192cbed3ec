"""Schemas for assignments and round progress."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..bounds import CODE_LENGTH


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
    from_round = fields.String(
        required=True, validate=CODE_LENGTH, metadata={"description": "Code of the round to copy from"}
    )


class CopyResultSchema(Schema):
    copied = fields.Integer()
    skipped = fields.Integer(metadata={"description": "Inactive enumerators or agencies not surveyed now"})


class AssignmentImportSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    rows = fields.Integer()


class EnumeratorDaySchema(Schema):
    day = fields.String(metadata={"description": "Calendar day in Vietnam (UTC+7), YYYY-MM-DD"})
    ballots = fields.Integer()


class FieldworkEnumeratorSchema(Schema):
    username = fields.String()
    full_name = fields.String(allow_none=True)
    quota = fields.Integer()
    received = fields.Integer()
    countable = fields.Integer(metadata={"description": "Ballots that count for scoring now"})
    not_countable = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": "Ballots that do not count, by reason: failed_recheck, not_cleaned, quarantined (held, "
            "not invalid: they count again once the quarantine is released), invalid:<cleaning rule>, "
            "invalid:override"
        },
    )
    recheck_failures = fields.Integer()
    median_duration_seconds = fields.Float(allow_none=True)
    straight_lined_share = fields.Float(allow_none=True)
    held = fields.Boolean(metadata={"description": "The enumerator's ballots are held by a quarantine"})
    per_day = fields.List(fields.Nested(EnumeratorDaySchema))


class AgencyDaySchema(Schema):
    day = fields.String(metadata={"description": "Calendar day in Vietnam (UTC+7), YYYY-MM-DD"})
    received = fields.Integer()
    cumulative = fields.Integer(metadata={"description": "Received up to and including this day"})


class FieldworkAgencySchema(AgencyProgressSchema):
    countable = fields.Integer()
    per_day = fields.List(fields.Nested(AgencyDaySchema), metadata={"description": "One entry per day of `days`"})


class FieldworkSchema(Schema):
    round = fields.String()
    days = fields.List(fields.String(), metadata={"description": "Every day with a ballot, in order"})
    enumerators = fields.List(fields.Nested(FieldworkEnumeratorSchema))
    agencies = fields.List(fields.Nested(FieldworkAgencySchema))


class LocationAgencySchema(Schema):
    agency_code = fields.String()
    agency_name = fields.String()
    office_latitude = fields.Float(allow_none=True, metadata={"description": "WGS 84; null: no location check"})
    office_longitude = fields.Float(allow_none=True)
    with_location = fields.Integer(metadata={"description": "Interviews with a GPS fix"})
    far = fields.Integer(metadata={"description": "Interviews farther from the office than the threshold"})


class FarBallotSchema(Schema):
    instance_id = fields.String()
    agency_code = fields.String()
    enumerator = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    accuracy = fields.Float(allow_none=True, metadata={"description": "Metres, as the device reported"})
    distance_m = fields.Float(metadata={"description": "From the agency's office, metres"})


class LocationsSchema(Schema):
    round = fields.String()
    threshold_m = fields.Float(metadata={"description": "The round's location_threshold_m quality setting"})
    agencies = fields.List(fields.Nested(LocationAgencySchema))
    far_ballots = fields.List(fields.Nested(FarBallotSchema), metadata={"description": "At most 2,000, in order"})
    far_total = fields.Integer(metadata={"description": "Every far interview (the table's location=far filter)"})
