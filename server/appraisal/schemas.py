"""Request and response schemas of the appraisal API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..auth.roles import COUNCIL_ORGANISATIONS
from ..bounds import APPRAISAL_VALUE_RANGE, CODE_LENGTH, CRITERION_POINTS_RANGE, MOMENT_RANGE, USERNAME_LENGTH
from .criteria import GROUPS
from .rules import RULE_TYPES

TEXT = validate.Length(max=20000)


class CriterionSchema(Schema):
    code = fields.String()
    parent = fields.Function(lambda c: c.parent.code if c.parent else None)
    title = fields.String()
    max_points = fields.Float()
    rule = fields.Dict(allow_none=True)
    groups = fields.List(fields.String(), allow_none=True)
    council_org = fields.String(allow_none=True)
    change = fields.String(metadata={"description": "new, changed or unchanged against the compared round"})
    previous = fields.Dict(allow_none=True, metadata={"description": "the compared round's values that changed"})


class CriterionPatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=1000))
    max_points = fields.Float(validate=CRITERION_POINTS_RANGE)
    rule = fields.Dict(allow_none=True, metadata={"description": f"type: {', '.join(RULE_TYPES)}"})
    groups = fields.List(fields.String(validate=validate.OneOf(GROUPS)), allow_none=True)
    council_org = fields.String(allow_none=True, validate=validate.OneOf(list(COUNCIL_ORGANISATIONS)))


class CopyCriteriaSchema(Schema):
    from_round = fields.String(
        required=True, validate=CODE_LENGTH, metadata={"description": "the round whose set is copied"}
    )


class CalendarSchema(Schema):
    round = fields.String(dump_only=True)
    self_assessment_until = fields.AwareDateTime(allow_none=True, validate=MOMENT_RANGE)
    appraisal_until = fields.AwareDateTime(allow_none=True, validate=MOMENT_RANGE)
    answer_until = fields.AwareDateTime(allow_none=True, validate=MOMENT_RANGE)
    locked_at = fields.DateTime(dump_only=True, allow_none=True)
    locked_by = fields.String(dump_only=True, allow_none=True)


class MemberSchema(Schema):
    username = fields.String(required=True, validate=USERNAME_LENGTH)
    agency = fields.String(
        load_default=None, validate=CODE_LENGTH, metadata={"description": "an agency officer's agency code"}
    )
    council_org = fields.String(
        load_default=None, validate=validate.Length(max=16), metadata={"description": "an appraiser's organisation"}
    )


class MemberEntrySchema(Schema):
    """One council member: an agency officer with their agency, or an appraiser with their organisation."""

    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    active = fields.Boolean()
    agency = fields.Dict(allow_none=True, metadata={"description": "{code, name} of an agency officer's agency"})
    council_org = fields.String(allow_none=True)
    council_org_name = fields.String(allow_none=True)


class SelfAssessmentSchema(Schema):
    value = fields.Float(
        required=True,
        allow_nan=False,
        validate=APPRAISAL_VALUE_RANGE,
        metadata={"description": "the chosen level, the reported figure or the number of penalty cases"},
    )
    explanation = fields.String(load_default="", validate=TEXT)


class AppraiseSchema(Schema):
    value = fields.Float(required=True, allow_nan=False, validate=APPRAISAL_VALUE_RANGE)
    comment = fields.String(load_default="", validate=TEXT)


class AnswerSchema(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class EvidenceSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    signature_status = fields.String(metadata={"description": "valid, untrusted, invalid, unsigned, unverifiable"})
    signer = fields.String()
    issuer = fields.String()
    certificate_serial = fields.String()
    signed_at = fields.DateTime(allow_none=True)
    detail = fields.String()


class AgencyRefSchema(Schema):
    code = fields.String()
    name = fields.String()


class AreaRefSchema(Schema):
    code = fields.String()
    title = fields.String()
    max_points = fields.Float()


class AppraisalRoundSchema(Schema):
    code = fields.String()
    title = fields.String()
    areas = fields.List(fields.Nested(AreaRefSchema))


class WhoAmISchema(Schema):
    """The caller's place in the appraisal and the rounds that have a criteria set, newest first."""

    username = fields.String()
    role = fields.String()
    agency = fields.Nested(AgencyRefSchema, allow_none=True, metadata={"description": "An agency officer's agency"})
    council_org = fields.String(allow_none=True, metadata={"description": "An appraiser's council organisation"})
    council_org_name = fields.String(allow_none=True)
    rounds = fields.List(fields.Nested(AppraisalRoundSchema))
