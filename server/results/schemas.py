"""Schemas for appraisal points and score runs."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate

from scoring import METHODS

from ..bounds import COUNT_RANGE
from .models import BAND_BASES, BELOW_MIN_SAMPLE_RULES
from .runs import SOURCES

EXPORT_FORMATS = ("json", "csv", "xlsx")


class AppraisalAgencySchema(Schema):
    agency_code = fields.String()
    agency_name = fields.String()
    appraisal_points = fields.Float()
    satisfaction_points = fields.Float(allow_none=True)
    areas = fields.Dict(keys=fields.String(), values=fields.Float())
    source = fields.String()
    imported_at = fields.DateTime()


class AppraisalAreaSchema(Schema):
    name = fields.String()
    max_points = fields.Float()


class AppraisalSchema(Schema):
    round = fields.String()
    areas = fields.List(fields.Nested(AppraisalAreaSchema))
    agencies = fields.List(fields.Nested(AppraisalAgencySchema))


class ScoreRunRequestSchema(Schema):
    """Parameters of a run; the survey maximum and method version come from the round."""

    method = fields.String(validate=validate.OneOf(METHODS), metadata={"description": "satisfied_share (default)"})
    min_ballots = fields.Integer(
        strict=True, validate=validate.Range(min=0), metadata={"description": "flag below this (30)"}
    )
    confidence = fields.Float(validate=validate.Range(min=0, max=1, min_inclusive=False, max_inclusive=False))
    bootstrap_resamples = fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000))
    bootstrap_groups = fields.Integer(strict=True, validate=validate.Range(min=2), allow_none=True)
    seed = fields.Integer(strict=True, validate=validate.Range(min=0))
    satisfaction_source = fields.String(
        validate=validate.OneOf(SOURCES),
        metadata={"description": "ballots, imported (a year scored outside parsurvey) or auto (default)"},
    )


class ScoreRunSchema(Schema):
    id = fields.Integer()
    round = fields.Function(lambda r: r.round.code)
    method = fields.String()
    method_version = fields.String()
    parameters = fields.Dict()
    ballots_included = fields.Integer()
    ballots_excluded = fields.Integer()
    excluded = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "by reason"})
    input_hash = fields.String(metadata={"description": "sha256 of the ballots, appraisal rows and parameters"})
    created_at = fields.DateTime()
    created_by = fields.Function(lambda r: r.created_by.username if r.created_by else None)
    origin = fields.String()
    exports = fields.Function(
        lambda r: {f: url_for("results.export_run", run_id=r.id, fmt=f) for f in EXPORT_FORMATS},
        metadata={"description": "download URLs"},
    )


class ScoreRunResultsSchema(ScoreRunSchema):
    results = fields.Dict(metadata={"description": "every number of the run, unrounded"})


class ScoringSettingsSchema(Schema):
    """A round's scoring settings (``server.results.settings``); PUT takes any of them."""

    below_min_sample = fields.String(
        validate=validate.OneOf(BELOW_MIN_SAMPLE_RULES),
        metadata={"description": "rank_marked (default): ranked with a mark; not_ranked: listed as not ranked"},
    )
    band_basis = fields.String(
        validate=validate.OneOf(BAND_BASES),
        metadata={"description": "displayed (default, as published): the 2-decimal index; unrounded"},
    )
    min_ballots = fields.Integer(strict=True, validate=COUNT_RANGE, metadata={"description": "minimum sample (30)"})


class BandCountSchema(Schema):
    code = fields.String()
    label = fields.String()
    count = fields.Integer()


class RankedRowSchema(Schema):
    rank = fields.Integer(allow_none=True, metadata={"description": "null: not ranked (not scored)"})
    code = fields.String(metadata={"description": "Agency code"})
    name = fields.String()
    appraisal_points = fields.Float(allow_none=True)
    satisfaction_points = fields.Float(allow_none=True, metadata={"description": "null: not surveyed"})
    points = fields.Float(allow_none=True)
    max_points = fields.Float(allow_none=True)
    index = fields.Float(allow_none=True)
    band = fields.String(allow_none=True)
    index_change = fields.Float(allow_none=True, metadata={"description": "Since last year; null: no earlier year"})
    rank_change = fields.Integer(allow_none=True)
    below_min_sample = fields.Boolean()
    factors_without_answers = fields.List(fields.String())
    note = fields.String(allow_none=True)


class RankedGroupSchema(Schema):
    group = fields.String()
    label = fields.String()
    mean = fields.Float(allow_none=True)
    highest = fields.Float(allow_none=True)
    lowest = fields.Float(allow_none=True)
    spread = fields.Float(allow_none=True)
    bands = fields.List(fields.Nested(BandCountSchema))
    rows = fields.List(fields.Nested(RankedRowSchema))


class RankingSchema(Schema):
    """A run's ranked table per group, numbers rounded for display."""

    run = fields.Integer()
    round = fields.String()
    groups = fields.List(fields.Nested(RankedGroupSchema))
