"""Request and response schemas of the appraisal API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..auth.roles import COUNCIL_ORGANISATIONS
from ..bounds import (
    APPRAISAL_VALUE_RANGE,
    CODE_LENGTH,
    CRITERION_POINTS_RANGE,
    MOMENT_RANGE,
    USERNAME_LENGTH,
    Name,
)
from .criteria import GROUPS
from .rules import RULE_TYPES

TEXT = validate.Length(max=20000)


class CriterionSchema(Schema):
    code = fields.String()
    parent = fields.Function(
        lambda c: c.parent.code if c.parent else None,
        allow_none=True,
        metadata={"type": "string", "description": "The parent's code; null for a content area"},
    )
    title = fields.String()
    max_points = fields.Float()
    rule = fields.Dict(allow_none=True)
    groups = fields.List(fields.String(), allow_none=True)
    council_org = fields.String(allow_none=True)
    change = fields.String(metadata={"description": "new, changed or unchanged against the compared round"})
    previous = fields.Dict(allow_none=True, metadata={"description": "the compared round's values that changed"})


class CriterionPatchSchema(Schema):
    title = Name(validate=validate.Length(min=1, max=1000))
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


# --- What the reading screens and the recording endpoints answer (the OpenAPI document describes these) ---


class CriterionRefSchema(Schema):
    code = fields.String()
    title = fields.String()


class CriterionChangeSchema(Schema):
    code = fields.String()
    before = fields.Dict(metadata={"description": "The compared round's values of the fields that changed"})
    after = fields.Dict(metadata={"description": "This round's values of the same fields"})


class CriteriaChangesSchema(Schema):
    compared_with = fields.String(allow_none=True, metadata={"description": "The compared round's code, if any"})
    new = fields.List(fields.String(), metadata={"description": "Codes the compared round does not have"})
    changed = fields.List(fields.Nested(CriterionChangeSchema))
    removed = fields.List(fields.Nested(CriterionRefSchema), metadata={"description": "Only in the compared round"})


class MemberResultSchema(Schema):
    username = fields.String()
    agency = fields.String(allow_none=True, metadata={"description": "An agency officer's agency code"})
    council_org = fields.String(allow_none=True, metadata={"description": "An appraiser's organisation"})


class SelfAssessedSchema(Schema):
    criterion = fields.String()
    value = fields.Float(allow_none=True)
    points = fields.Float(metadata={"description": "What the leaf's rule makes of the value"})
    explanation = fields.String()


class AppraisedSchema(Schema):
    criterion = fields.String()
    value = fields.Float(allow_none=True)
    points = fields.Float()
    comment = fields.String()


class AnsweredSchema(Schema):
    criterion = fields.String()
    answer = fields.String()
    answered_at = fields.DateTime()


class SubmittedSchema(Schema):
    agency = fields.String()
    submitted_at = fields.DateTime()


class OwnEntrySchema(Schema):
    """The agency's self-assessment of one leaf."""

    value = fields.Float(allow_none=True)
    points = fields.Float()
    explanation = fields.String()
    evidence = fields.List(fields.Nested(EvidenceSchema))
    evidence_signed = fields.Boolean(metadata={"description": "Every evidence file's signature is valid"})


class ReviewEntrySchema(Schema):
    """The council's appraisal of one leaf and the agency's answer to it."""

    value = fields.Float(allow_none=True)
    points = fields.Float()
    comment = fields.String()
    appraiser = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)


class LeafSchema(Schema):
    code = fields.String()
    title = fields.String()
    area = fields.String(metadata={"description": "The content area's code"})
    max_points = fields.Float()
    rule = fields.Dict(allow_none=True)
    council_org = fields.String(allow_none=True)
    self = fields.Nested(OwnEntrySchema, allow_none=True, metadata={"description": "Absent: not self-assessed yet"})
    appraisal = fields.Nested(ReviewEntrySchema, allow_none=True, metadata={"description": "Absent: not appraised"})


class AgencyInRoundSchema(Schema):
    code = fields.String()
    name = fields.String()
    group = fields.String()


class AgencyViewSchema(Schema):
    """An agency's whole self-assessment: every leaf that applies to it, its evidence and its appraisal."""

    round = fields.String()
    agency = fields.Nested(AgencyInRoundSchema)
    submitted_at = fields.DateTime(allow_none=True)
    calendar = fields.Nested(CalendarSchema)
    areas = fields.List(fields.Nested(AreaRefSchema), metadata={"description": "Maxima for the agency's group"})
    criteria = fields.List(fields.Nested(LeafSchema))


class AreaAgencySchema(Schema):
    code = fields.String()
    name = fields.String()
    criteria = fields.List(fields.Nested(LeafSchema))


class AreaViewSchema(Schema):
    """An appraiser's desk: the area's leaves of their organisation across every submitted agency."""

    round = fields.String()
    area = fields.Nested(AreaRefSchema)
    council_org = fields.String(allow_none=True, metadata={"description": "The appraiser's; null for the secretariat"})
    agencies = fields.List(fields.Nested(AreaAgencySchema))


class AreaPointsSchema(Schema):
    code = fields.String()
    title = fields.String()
    max_points = fields.Float()
    self = fields.Float()
    appraised = fields.Float()
    difference = fields.Float(metadata={"description": "appraised - self"})


class AgencyPointsSchema(Schema):
    agency = fields.String()
    name = fields.String()
    areas = fields.List(fields.Nested(AreaPointsSchema))
    self = fields.Float()
    appraised = fields.Float()
    leaves_appraised = fields.Integer()


class LockedSchema(Schema):
    round = fields.String()
    locked_at = fields.DateTime()
    agencies = fields.List(fields.Nested(AgencyPointsSchema), metadata={"description": "The submitted agencies"})


class ProgressAgencySchema(Schema):
    code = fields.String()
    name = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    self = fields.Float(allow_none=True)
    appraised = fields.Float(allow_none=True)


class OrganisationProgressSchema(Schema):
    council_org = fields.String()
    name = fields.String()
    due = fields.Integer(metadata={"description": "Leaves of submitted agencies the organisation appraises"})
    appraised = fields.Integer()


class AppraiserProgressSchema(Schema):
    username = fields.String(allow_none=True)
    appraised = fields.Integer()


class PointsDifferenceSchema(Schema):
    agency = fields.String()
    area = fields.String()
    self = fields.Float()
    appraised = fields.Float()
    difference = fields.Float()


class AppraisalProgressSchema(Schema):
    round = fields.String()
    calendar = fields.Nested(CalendarSchema)
    agencies = fields.List(fields.Nested(ProgressAgencySchema))
    submitted = fields.Integer()
    participants = fields.Integer()
    organisations = fields.List(fields.Nested(OrganisationProgressSchema))
    appraisers = fields.List(fields.Nested(AppraiserProgressSchema))
    differences = fields.List(
        fields.Nested(PointsDifferenceSchema), metadata={"description": "Areas where they differ"}
    )
