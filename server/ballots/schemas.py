"""Schemas for the sync endpoint's OpenAPI description, conflicts and their resolution.

The batch itself is checked by ``sync.protocol`` (shared with devices), not by marshmallow, so the
device and the server can never disagree on what a well-formed envelope is.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from sync.protocol import STATUSES

from .conflicts import RESOLUTIONS


class VerdictSchema(Schema):
    """What a stored ballot means now for its enumerator (after cleaning, re-check and quarantine)."""

    ballot_status = fields.String(metadata={"description": "received, valid, invalid, selected, confirmed, failed"})
    status_reason = fields.String(
        allow_none=True, metadata={"description": "e.g. interview_too_short, result_date_outside_window, quarantined"}
    )
    countable = fields.Boolean(metadata={"description": "Whether the ballot counts for scoring now"})


class ItemResultSchema(VerdictSchema):
    instance_id = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES))
    code = fields.String()
    message = fields.String()
    errors = fields.Raw()


class StatusQuerySchema(Schema):
    instance_ids = fields.List(
        fields.String(validate=validate.Length(max=36)), required=True, validate=validate.Length(1, 500)
    )


class BallotVerdictSchema(VerdictSchema):
    instance_id = fields.String()


class StatusAnswerSchema(Schema):
    ballots = fields.List(fields.Nested(BallotVerdictSchema))


class BatchResultSchema(Schema):
    protocol = fields.Integer()
    results = fields.List(fields.Nested(ItemResultSchema))


BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["protocol", "device_id", "items"],
                "properties": {
                    "protocol": {"type": "integer", "enum": [1]},
                    "device_id": {"type": "string"},
                    "items": {
                        "type": "array",
                        "items": {"type": "object", "description": "An envelope (see sync.protocol)"},
                    },
                },
            }
        }
    },
}


class ConflictSchema(Schema):
    id = fields.Integer()
    instance_id = fields.String()
    agency_code = fields.Function(lambda c: c.ballot.agency.code)
    enumerator = fields.Function(lambda c: c.ballot.enumerator.username)
    stored = fields.Function(lambda c: {"answers": c.ballot.answers, "content_hash": c.ballot.content_hash})
    envelope = fields.Raw()
    device_id = fields.String()
    received_at = fields.DateTime()
    resolution = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.Function(lambda c: c.resolved_by.username if c.resolved_by else None)


class ConflictQuerySchema(Schema):
    state = fields.String(load_default="open", validate=validate.OneOf(["open", "all"]))
    round = fields.String(metadata={"description": "Only conflicts of this round's ballots"})


class ResolveSchema(Schema):
    resolution = fields.String(required=True, validate=validate.OneOf(RESOLUTIONS))
    reason = fields.String(required=True, validate=validate.Length(1, 1000))


class BallotSchema(Schema):
    """A ballot as a reader may see it (built by ``views.ballot_view``: contacts already redacted)."""

    instance_id = fields.String()
    round = fields.String(allow_none=True)
    form_id = fields.String()
    form_version = fields.String()
    agency_code = fields.String()
    enumerator = fields.String()
    device_id = fields.String()
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime()
    duration_seconds = fields.Float(allow_none=True)
    answers = fields.Dict()


class BallotPageSchema(Schema):
    total = fields.Integer()
    ballots = fields.List(fields.Nested(BallotSchema))
