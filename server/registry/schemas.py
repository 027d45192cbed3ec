"""Marshmallow schemas for agencies and survey rounds."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from ..bounds import (
    AGENCY_WORDS,
    CODE_LENGTH,
    COUNT_RANGE,
    MAX_POINTS_RANGE,
    POSITION_RANGE,
    RECORD_DAY_RANGE,
    ROUND_YEAR_RANGE,
    TITLE_LENGTH,
    JsonBoolean,
    Name,
    window_problems,
)
from .models import LINEAGE_KINDS

CODE = validate.Regexp(r"^[A-Za-z0-9_.-]{1,32}$", error="Use 1 to 32 letters, digits, '.', '_' or '-'.")


class AgencySchema(Schema):
    code = fields.String(
        required=True,
        validate=[CODE_LENGTH, CODE, validate.NoneOf(AGENCY_WORDS, error="'import' names the agency import.")],
    )
    name = Name(required=True, validate=validate.Length(1, 300))
    group = fields.String(
        required=True,
        attribute="agency_group",
        validate=validate.Length(1, 16),
        metadata={"description": "Code of one of the province's groups (GET /agency-groups)"},
    )
    parent_code = fields.Function(lambda a: a.parent.code if a.parent else None, deserialize=str, allow_none=True)
    handles_procedures = JsonBoolean(
        load_default=True,
        metadata={"description": "Handles administrative procedures (TTHC), so is surveyed."},
    )
    office_latitude = fields.Float(
        dump_only=True,
        allow_none=True,
        metadata={"description": "One-stop office, WGS 84 degrees (PATCH, console, CLI, import)"},
    )
    office_longitude = fields.Float(dump_only=True, allow_none=True)
    lineage = fields.Method("_lineage", dump_only=True, metadata={"description": "Predecessors (PUT .../lineage)"})

    def _lineage(self, agency):
        return [LineageSchema().dump(entry) for entry in agency.lineage]


class LineageSchema(Schema):
    """One predecessor of an agency: merged from, split from or renamed from, on an effective date."""

    predecessor = fields.Function(lambda e: e.predecessor.code, deserialize=str, required=True)
    predecessor_name = fields.Function(lambda e: e.predecessor.name, dump_only=True)
    kind = fields.String(required=True, validate=validate.OneOf(LINEAGE_KINDS))
    effective_date = fields.Date(load_default=None, allow_none=True, validate=RECORD_DAY_RANGE)


class LineagePutSchema(Schema):
    predecessors = fields.List(fields.Nested(LineageSchema), required=True)


class AgencyGroupSchema(Schema):
    code = fields.String(
        required=True,
        validate=[
            validate.Length(1, 16),
            validate.Regexp(r"^[a-z0-9_]{1,16}$", error="Use 1 to 16 lower-case letters, digits or '_'."),
        ],
    )
    name = Name(required=True, validate=validate.Length(1, 200))
    position = fields.Integer(strict=True, load_default=None, allow_none=True, validate=POSITION_RANGE)
    agencies = fields.Method("_count", dump_only=True)

    def _count(self, group):
        from .groups import agency_count

        return agency_count(group.code)


class AgencyGroupPatchSchema(Schema):
    name = Name(validate=validate.Length(1, 200))
    position = fields.Integer(strict=True, validate=POSITION_RANGE)


class AgencyPatchSchema(Schema):
    name = Name(validate=validate.Length(1, 300))
    group = fields.String(validate=validate.Length(1, 16))
    parent_code = fields.String(allow_none=True, validate=CODE_LENGTH)
    handles_procedures = JsonBoolean()
    office_latitude = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    office_longitude = fields.Float(allow_none=True, validate=validate.Range(-180, 180))


class AgencyQuerySchema(Schema):
    group = fields.String(validate=validate.Length(1, 16))


class BandSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 32))
    label = fields.String(required=True, validate=validate.Length(1, 100))
    min = fields.Float(allow_none=True, required=True)


class ParticipantSchema(Schema):
    agency_code = fields.Function(lambda p: p.agency.code, deserialize=str, required=True)
    agency_name = fields.Function(lambda p: p.agency.name, dump_only=True)
    group = fields.Function(lambda p: p.agency.agency_group, dump_only=True)
    surveyed = fields.Boolean(load_default=None, allow_none=True)
    max_points = fields.Float(load_default=100.0, validate=MAX_POINTS_RANGE)
    ballot_quota = fields.Integer(strict=True, load_default=0, validate=COUNT_RANGE)


class ParticipantPatchSchema(Schema):
    surveyed = fields.Boolean(load_default=None, allow_none=True)
    max_points = fields.Float(load_default=100.0, validate=MAX_POINTS_RANGE)
    ballot_quota = fields.Integer(strict=True, load_default=0, validate=COUNT_RANGE)


class RoundSchema(Schema):
    code = fields.String(required=True, validate=[CODE_LENGTH, CODE])
    year = fields.Integer(strict=True, required=True, validate=ROUND_YEAR_RANGE)
    title = fields.String(load_default="", validate=TITLE_LENGTH)
    window_start = fields.Date(required=True)
    window_end = fields.Date(required=True)
    method_version = fields.String(required=True, validate=validate.Length(1, 32))
    survey_max_points = fields.Float(load_default=10.0, validate=MAX_POINTS_RANGE)
    bands = fields.List(fields.Nested(BandSchema), load_default=None)
    state = fields.String(dump_only=True)
    participants = fields.List(fields.Nested(ParticipantSchema), load_default=list)

    @validates_schema
    def _window(self, data, **kwargs):
        problems = window_problems(data["year"], data["window_start"], data["window_end"])
        if problems:
            raise ValidationError(problems)


class RoundCreateSchema(RoundSchema):
    """A new round, given in full or copied from an earlier one (``copy_from``): then the window (moved by
    the years between them), method version, survey maximum, bands, quality settings and each agency's
    maximum points and quota come from that round unless given here."""

    copy_from = fields.String(
        validate=CODE_LENGTH,
        load_default=None,
        allow_none=True,
        metadata={"description": "Code of the round to copy (last year's)"},
    )
    window_start = fields.Date(load_default=None)
    window_end = fields.Date(load_default=None)
    method_version = fields.String(load_default=None, validate=validate.Length(1, 32))
    survey_max_points = fields.Float(load_default=None, validate=MAX_POINTS_RANGE)

    @validates_schema
    def _window(self, data, **kwargs):
        if data.get("copy_from"):
            if data.get("participants"):
                raise ValidationError("A copied round takes its agencies from the round it copies.", "participants")
            start, end = data.get("window_start"), data.get("window_end")
            problems = window_problems(data["year"], start, end) if start and end else {}
            if problems:
                raise ValidationError(problems)
            return
        missing = {
            name: ["Missing data for required field."]
            for name in ("window_start", "window_end", "method_version")
            if data.get(name) is None
        }
        if missing:
            raise ValidationError(missing)
        problems = window_problems(data["year"], data["window_start"], data["window_end"])
        if problems:
            raise ValidationError(problems)


class RoundPatchSchema(Schema):
    title = fields.String(validate=validate.Length(max=300))
    window_start = fields.Date()
    window_end = fields.Date()
    method_version = fields.String(validate=validate.Length(1, 32))
    survey_max_points = fields.Float(validate=MAX_POINTS_RANGE)
    bands = fields.List(fields.Nested(BandSchema))
