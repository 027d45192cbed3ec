"""Schemas for the sync endpoint's OpenAPI description, conflicts and their resolution.

The batch itself is checked by ``sync.protocol`` (shared with devices), not by marshmallow, so the
device and the server can never disagree on what a well-formed envelope is.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList

from sync.protocol import MAX_ITEMS_PER_BATCH, STATUSES

from ..bounds import CODE_LENGTH, DAY_RANGE
from ..recheck.models import OUTCOMES
from .browse import LOCATIONS, RECHECK_STATES, SORT_KEYS
from .conflicts import RESOLUTIONS
from .models import BALLOT_STATUSES


class VerdictSchema(Schema):
    """What a stored ballot means now for its enumerator (after cleaning, re-check and quarantine)."""

    ballot_status = fields.String(metadata={"description": "received, valid, invalid, selected, confirmed, failed"})
    status_reason = fields.String(
        allow_none=True, metadata={"description": "e.g. interview_too_short, result_date_outside_window, quarantined"}
    )
    countable = fields.Boolean(metadata={"description": "Whether the ballot counts for scoring now"})


class ItemResultSchema(VerdictSchema):
    """One ballot's verdict; ``code``, ``message`` and ``errors`` only when it was not taken."""

    instance_id = fields.String(allow_none=True, required=True)
    status = fields.String(validate=validate.OneOf(STATUSES), required=True)
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
                "additionalProperties": False,
                "properties": {
                    "protocol": {"type": "integer", "enum": [1]},
                    "device_id": {"type": "string", "minLength": 1, "maxLength": 100},
                    "items": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_ITEMS_PER_BATCH,
                        "items": {"type": "object", "description": "An envelope (see sync.protocol)"},
                    },
                },
            }
        }
    },
}


class ConflictFileSchema(Schema):
    """A file sent with a conflicting resend, kept with its conflict (its bytes are not listed)."""

    question = fields.String()
    file_name = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


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
    attachments = fields.List(fields.Nested(ConflictFileSchema), metadata={"description": "Files sent with it"})


class ConflictQuerySchema(Schema):
    state = fields.String(load_default="open", validate=validate.OneOf(["open", "all"]))
    round = fields.String(validate=CODE_LENGTH, metadata={"description": "Only conflicts of this round's ballots"})


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
    agency_name = fields.String()
    rechecks = fields.List(
        fields.Dict(),
        metadata={
            "description": "Re-checks of the ballot: organisation, reviewer, outcome (null while awaited), "
            "and in a single ballot's answer also the re-asked answers, notes and time"
        },
    )
    answers = fields.Dict()
    attachments = fields.List(
        fields.Dict(),
        metadata={
            "description": "One ballot's answer only: its files (question, file_name, content_type, size, sha256)"
        },
    )
    attachments_missing = fields.List(
        fields.String(), metadata={"description": "File names its media answers name that are not received yet"}
    )


class AttachmentResultSchema(Schema):
    instance_id = fields.String()
    file_name = fields.String()
    status = fields.String(metadata={"description": "accepted (stored now) or duplicate (stored before)"})
    size = fields.Integer()
    sha256 = fields.String()


class BallotListItemSchema(BallotSchema):
    """A ballot in the table's page: its files are listed in the single ballot's answer only."""

    class Meta:
        exclude = ("attachments", "attachments_missing")


class BallotPageSchema(Schema):
    total = fields.Integer(metadata={"description": "Ballots matching the filters, on every page (as in X-Pagination)"})
    ballots = fields.List(fields.Nested(BallotListItemSchema))


SORTS = [*SORT_KEYS, *(f"-{key}" for key in SORT_KEYS)]


class BallotQuerySchema(Schema):
    """The ballot table's filters (see ``browse``); ``page`` and ``page_size`` are the paging convention's."""

    round = fields.String(validate=CODE_LENGTH, metadata={"description": "Round code"})
    agency = fields.String(
        validate=validate.Length(max=300),
        metadata={"description": "Agency code or name, any case, with or without diacritics, or its initials"},
    )
    enumerator = fields.String(
        validate=validate.Length(max=200), metadata={"description": "Username or full name, as for agency"}
    )
    status = DelimitedList(
        fields.String(validate=validate.OneOf(BALLOT_STATUSES)),
        metadata={"description": "One or more, comma-separated"},
    )
    recheck = fields.String(
        validate=validate.OneOf([*RECHECK_STATES, *OUTCOMES]),
        metadata={"description": "none: never drawn; pending: awaiting a finding; or a finding's outcome"},
    )
    date_from = fields.Date(
        validate=DAY_RANGE, metadata={"description": "Interviews completed on or after this day (UTC+7)"}
    )
    date_to = fields.Date(
        validate=DAY_RANGE, metadata={"description": "Interviews completed on or before this day (UTC+7)"}
    )
    min_seconds = fields.Float(validate=validate.Range(min=0), metadata={"description": "Shortest interview"})
    max_seconds = fields.Float(validate=validate.Range(min=0), metadata={"description": "Longest interview"})
    form_version = fields.String(validate=validate.Length(max=64))
    instance = fields.String(
        validate=validate.Length(min=4, max=36), metadata={"description": "Start of the instance id"}
    )
    location = fields.String(
        validate=validate.OneOf(LOCATIONS),
        metadata={
            "description": "far: GPS fix farther from the agency's office than the round's threshold; "
            "near: within it; none: no GPS fix"
        },
    )
    sort = fields.String(
        validate=validate.OneOf(SORTS), metadata={"description": "Column to sort by; a leading - sorts descending"}
    )


class ExportQuerySchema(BallotQuerySchema):
    """The table's filters (the round is in the path) and the language of labels."""

    lang = fields.String(load_default="vi", validate=validate.OneOf(["vi", "en"]), metadata={"description": "Labels"})
    repeat = fields.String(
        validate=validate.Length(max=64),
        metadata={
            "description": "CSV, Stata and SPSS: the related table of this repeat group alone (one row per "
            "instance, keyed by instance_id and repeat_index); XLSX has a sheet per repeat group"
        },
    )


class PaperProblemSchema(Schema):
    path = fields.String()
    code = fields.String()
    message = fields.String()


class PaperRefusedRowSchema(Schema):
    line = fields.Integer(metadata={"description": "Line of the CSV, or row of the sheet"})
    problems = fields.List(fields.Nested(PaperProblemSchema))


class PaperImportSchema(Schema):
    """What a paper-ballot import did."""

    file = fields.String()
    form_id = fields.String()
    version = fields.String()
    accepted = fields.Integer(metadata={"description": "Ballots stored now"})
    duplicates = fields.Integer(metadata={"description": "Rows already stored with the same content (skipped)"})
    blank_scored = fields.Integer(metadata={"description": "Blank scored items stored as not answered"})
    refused_rows = fields.Integer()
    refused = fields.List(fields.Nested(PaperRefusedRowSchema))
    refused_file = fields.Dict(
        allow_none=True,
        metadata={"description": "The refused rows as a CSV to correct and import again: filename, mimetype, text"},
    )


class PaperTemplateQuerySchema(Schema):
    form_id = fields.String(validate=validate.Length(max=64))
    version = fields.String(validate=validate.Length(max=64))
