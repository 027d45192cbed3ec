"""Schemas for re-check samples, assignments, verifications, quality, quarantines and ballot reads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..bounds import (
    COUNT_RANGE,
    ID_RANGE,
    METRES_RANGE,
    QUESTION_NAME_LENGTH,
    SECONDS_RANGE,
    SEED_RANGE,
    USERNAME_LENGTH,
    JsonBoolean,
)
from .models import OUTCOMES
from .settings import settings_of
from .status import OVERRIDABLE


class SampleRequestSchema(Schema):
    rate = fields.Float(load_default=0.10, validate=validate.Range(0, 1))
    min_per_enumerator = fields.Integer(strict=True, load_default=2, validate=validate.Range(min=0, max=1_000_000))
    seed = fields.Integer(
        strict=True,
        required=True,
        validate=SEED_RANGE,
        metadata={"description": "Recorded; the same seed redraws the same sample"},
    )
    shortest_share = fields.Float(load_default=0.0, validate=validate.Range(0, 1))
    straight_lined = JsonBoolean(load_default=False)
    repeated_contacts = JsonBoolean(load_default=False)
    both_organisations = JsonBoolean(load_default=False)
    dry_run = JsonBoolean(load_default=False, metadata={"description": "Draw without storing"})


class SampleResultSchema(Schema):
    sample_id = fields.Integer(allow_none=True)
    selected = fields.Integer()
    by_reason = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_agency = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "Agency code"})
    by_enumerator = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "Username"})
    by_organisation = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "MTTQ, CCB"})
    ballots = fields.List(fields.String(), metadata={"description": "Selected instance ids, in id order"})


class RecheckAssignmentSchema(Schema):
    id = fields.Integer()
    ballot = fields.Function(lambda a: a.ballot.instance_id)
    agency_code = fields.Function(lambda a: a.ballot.agency.code)
    agency_name = fields.String(attribute="ballot.agency.name")
    completed_at = fields.DateTime(attribute="ballot.completed_at", metadata={"description": "End of the interview"})
    enumerator = fields.Function(lambda a: a.ballot.enumerator.username)
    organisation = fields.String()
    reviewer = fields.Function(lambda a: a.reviewer.username if a.reviewer else None)
    reason = fields.String()
    ballot_status = fields.Function(lambda a: a.ballot.status)
    key_questions = fields.Function(
        lambda a: settings_of(a.ballot.round)["key_questions"] if a.ballot.round else [],
        metadata={"description": "Questions the reviewer re-asks (the round's quality settings)"},
    )
    contact_questions = fields.Function(
        lambda a: settings_of(a.ballot.round)["contact_questions"] if a.ballot.round else [],
        metadata={"description": "Questions that hold the respondent's contact details"},
    )


class ReviewerSchema(Schema):
    username = fields.String(required=True, validate=USERNAME_LENGTH)


class VerificationRequestSchema(Schema):
    instance_id = fields.UUID(load_default=None, metadata={"description": "Device-generated; resending is safe"})
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    reasked = fields.Dict(keys=fields.String(), load_default=dict)
    notes = fields.String(load_default="", validate=validate.Length(max=2000))


class VerificationSchema(Schema):
    instance_id = fields.String()
    assignment_id = fields.Integer()
    outcome = fields.String()
    reasked = fields.Dict()
    notes = fields.String()
    reviewer = fields.Function(lambda v: v.reviewer.username)
    recorded_at = fields.DateTime()
    ballot_status = fields.Function(lambda v: v.assignment.ballot.status)


class QuarantineSchema(Schema):
    id = fields.Integer()
    enumerator = fields.Function(lambda q: q.enumerator.username)
    failure_rate = fields.Float()
    decided_rechecks = fields.Integer()
    decision = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)


class QuarantineRequestSchema(Schema):
    enumerator = fields.String(
        required=True,
        validate=USERNAME_LENGTH,
        metadata={"description": "The one enumerator whose ballots are held (see the impact first)"},
    )
    reason = fields.String(load_default="", validate=validate.Length(max=1000), metadata={"description": "Why"})


class ImpactQuerySchema(Schema):
    enumerator = fields.String(required=True, validate=USERNAME_LENGTH)


class AgencyImpactSchema(Schema):
    agency_code = fields.String()
    agency_name = fields.String()
    countable_now = fields.Integer()
    held = fields.Integer(metadata={"description": "Ballots of this enumerator that would be held"})
    countable_after = fields.Integer()
    falls_below_minimum = fields.Boolean(metadata={"description": "At or over the minimum now, under it after"})
    below_minimum_after = fields.Boolean()
    loses_every_ballot = fields.Boolean()


class ImpactSchema(Schema):
    enumerator = fields.String()
    already_held = fields.Boolean()
    ballots_held = fields.Integer(metadata={"description": "Countable ballots that would stop counting"})
    minimum_sample = fields.Integer()
    failure_rate = fields.Float(allow_none=True)
    decided_rechecks = fields.Integer()
    over_threshold = fields.Boolean()
    agencies = fields.List(fields.Nested(AgencyImpactSchema))
    agencies_falling_below = fields.List(fields.String())


class DecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["release", "exclude"]))
    reason = fields.String(required=True, validate=validate.Length(1, 1000))


class OverrideSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(OVERRIDABLE))
    reason = fields.String(required=True, validate=validate.Length(1, 1000))


class AuditEntrySchema(Schema):
    id = fields.Integer()
    position = fields.Integer(allow_none=True, metadata={"description": "Place in the hash chain once sealed"})
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    details = fields.Dict()
    reason = fields.String()
    hash = fields.String()


class ChainReportSchema(Schema):
    entries = fields.Integer()
    ok = fields.Boolean()
    first_bad_position = fields.Integer(allow_none=True)
    problem = fields.String()
    unsealed = fields.Integer(metadata={"description": "Entries recorded but not yet sealed into the chain"})
    foreign = fields.Integer(
        metadata={"description": "Entries written into the log outside parsurvey (no valid MAC): never sealed"}
    )


class CountableSchema(Schema):
    round = fields.String()
    countable = fields.Integer()
    excluded = fields.Dict(keys=fields.String(), values=fields.Integer())


class QualitySettingsSchema(Schema):
    min_interview_seconds = fields.Float(validate=SECONDS_RANGE)
    key_questions = fields.List(fields.String(validate=QUESTION_NAME_LENGTH))
    contact_questions = fields.List(fields.String(validate=QUESTION_NAME_LENGTH))
    quarantine_failure_rate = fields.Float(validate=validate.Range(0, 1))
    quarantine_min_decided = fields.Integer(strict=True, validate=COUNT_RANGE)
    exclude_own_agency = JsonBoolean()
    collect_location = JsonBoolean()
    location_threshold_m = fields.Float(validate=METRES_RANGE)


class BulkReviewerSchema(Schema):
    assignments = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE), required=True, validate=validate.Length(min=1, max=5000)
    )
    username = fields.String(required=True, validate=USERNAME_LENGTH)


class QualitySettingsPageSchema(Schema):
    settings = fields.Nested(QualitySettingsSchema, metadata={"description": "In force: the round's over the defaults"})
    defaults = fields.Nested(QualitySettingsSchema)


class QuestionDisagreementSchema(Schema):
    rate = fields.Float(metadata={"description": "Share of re-asked answers that differ from the original"})
    compared = fields.Integer(metadata={"description": "Answers compared"})


class QuarantineFlagSchema(Schema):
    id = fields.Integer()
    decision = fields.String(allow_none=True)


class QualityRowSchema(Schema):
    ballots = fields.Integer()
    rechecked = fields.Integer()
    decided = fields.Integer()
    failed = fields.Integer()
    median_duration_seconds = fields.Float(allow_none=True)
    straight_lined_share = fields.Float(allow_none=True)
    failure_rate = fields.Float(allow_none=True, metadata={"description": "Failed among decided; null: none decided"})
    disagreement = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(QuestionDisagreementSchema),
        metadata={"description": "Per key question"},
    )


class EnumeratorQualitySchema(QualityRowSchema):
    enumerator = fields.String(metadata={"description": "Username"})
    over_threshold = fields.Boolean(metadata={"description": "Failure rate past quarantine_failure_rate"})
    quarantine = fields.Nested(QuarantineFlagSchema, allow_none=True)


class AgencyQualitySchema(QualityRowSchema):
    agency = fields.String(metadata={"description": "Agency code"})


class RoundQualitySchema(Schema):
    round = fields.String()
    settings = fields.Nested(QualitySettingsSchema)
    enumerators = fields.List(fields.Nested(EnumeratorQualitySchema))
    agencies = fields.List(fields.Nested(AgencyQualitySchema))
