"""Every machine-readable error code that parsurvey's API can answer with, in one list.

Devices decide what to do with a failed request from its code alone (retry later, fix and resend,
or give up), never from the message text. The server imports this list to build its error envelope
``{"code", "message", "errors"}``; the device imports it to decide. Adding a code means adding it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What a client should do after receiving an error."""

    RETRY = "retry"  # transient: the same request may succeed later
    FIX = "fix"  # the request is wrong: change it before sending again
    STOP = "stop"  # the request can never succeed (e.g. the form is closed)
    AUTHENTICATE = "authenticate"  # credentials are missing, wrong or revoked


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    action: Action
    description: str


_CODES = [
    # Request shape
    ErrorCode("malformed_json", 400, Action.FIX, "The body is not valid JSON."),
    ErrorCode("bad_request", 400, Action.FIX, "The request cannot be understood."),
    ErrorCode("unsupported_media_type", 415, Action.FIX, "The Content-Type is not accepted here."),
    ErrorCode("payload_too_large", 413, Action.FIX, "The body is larger than the configured limit."),
    ErrorCode("invalid_request", 422, Action.FIX, "Fields are missing, unknown or of the wrong type."),
    # Identity and access
    ErrorCode("unauthenticated", 401, Action.AUTHENTICATE, "No valid bearer token or session."),
    ErrorCode("invalid_credentials", 401, Action.AUTHENTICATE, "Wrong username or password."),
    # Only to the right password: a wrong one still gets invalid_credentials, so nothing is revealed.
    ErrorCode(
        "too_many_attempts",
        429,
        Action.RETRY,
        "Too many failed sign-ins from this address or for this username; try again after Retry-After seconds.",
    ),
    ErrorCode("account_locked", 403, Action.STOP, "The account is deactivated; an administrator can reactivate it."),
    ErrorCode("forbidden", 403, Action.STOP, "The user's role may not do this."),
    ErrorCode("csrf_failed", 403, Action.FIX, "A write signed by the session cookie lacks its X-CSRF-Token header."),
    # Resources
    ErrorCode("not_found", 404, Action.STOP, "No such resource."),
    ErrorCode("method_not_allowed", 405, Action.FIX, "The HTTP method is not allowed on this URL."),
    ErrorCode("already_exists", 409, Action.STOP, "A resource with this identity already exists."),
    ErrorCode("state_conflict", 409, Action.STOP, "The resource is not in a state that allows this."),
    # Forms
    ErrorCode("unknown_form_version", 404, Action.STOP, "No published form with this id and version."),
    ErrorCode("form_version_conflict", 409, Action.STOP, "This form version exists with other content."),
    ErrorCode("form_closed", 409, Action.STOP, "The form version no longer accepts answers."),
    ErrorCode("invalid_form", 422, Action.FIX, "The form definition fails validation."),
    ErrorCode("unsupported_construct", 422, Action.FIX, "The XLSForm uses a construct parsurvey lacks."),
    ErrorCode("invalid_answers", 422, Action.FIX, "The answers do not satisfy the form."),
    ErrorCode(
        "form_without_round",
        422,
        Action.FIX,
        "A form version that belongs to no round cannot be filled; publish it into a round or mark it for testing.",
    ),
    # Sync (per item, and whole batches)
    ErrorCode("unsupported_protocol", 400, Action.FIX, "The batch speaks a protocol version this server lacks."),
    ErrorCode("batch_too_large", 413, Action.FIX, "Too many envelopes in one batch; split it."),
    ErrorCode("invalid_envelope", 422, Action.STOP, "The envelope is malformed or its content hash is wrong."),
    ErrorCode("payload_conflict", 409, Action.STOP, "This instance id is stored with other content; kept aside."),
    ErrorCode("attachment_too_large", 413, Action.STOP, "A file is larger than the per-file limit."),
    ErrorCode(
        "attachments_too_large", 413, Action.STOP, "The ballot's files together are larger than the per-ballot limit."
    ),
    ErrorCode("unknown_attachment", 422, Action.STOP, "No media answer of the ballot names this file."),
    ErrorCode("unknown_agency", 422, Action.STOP, "The ballot names an agency the registry lacks."),
    ErrorCode("not_assigned", 403, Action.STOP, "The enumerator is not assigned to this agency in the round."),
    ErrorCode("wrong_enumerator", 403, Action.STOP, "The ballot names another enumerator than the token's."),
    ErrorCode("wrong_reviewer", 403, Action.STOP, "The finding names another reviewer than the token's."),
    ErrorCode("invalid_enrolment", 401, Action.AUTHENTICATE, "The enrolment code is unknown, used or expired."),
    ErrorCode("invalid_import", 422, Action.FIX, "The file cannot be imported; see each row. Nothing was stored."),
    # Results
    ErrorCode("invalid_appraisal", 422, Action.FIX, "The appraisal points file fails validation; see each line."),
    ErrorCode("nothing_to_score", 409, Action.FIX, "The round has neither countable ballots nor appraisal points."),
    ErrorCode("scoring_failed", 409, Action.FIX, "The round's data cannot be scored as it stands; see the errors."),
    # Appraisal
    ErrorCode(
        "invalid_criteria", 422, Action.FIX, "The criteria set fails validation; see each row. Nothing was stored."
    ),
    ErrorCode("invalid_evidence", 422, Action.FIX, "Evidence must be a PDF file (digitally signed)."),
    ErrorCode("deadline_passed", 409, Action.STOP, "The deadline of this appraisal stage has passed."),
    # Server
    ErrorCode("service_unavailable", 503, Action.RETRY, "The database is busy or unreachable."),
    ErrorCode("internal_error", 500, Action.RETRY, "An unexpected server error; it has been logged."),
]

ERROR_CODES: dict[str, ErrorCode] = {c.code: c for c in _CODES}


def lookup(code: str) -> ErrorCode:
    """Return the registered code, failing loudly on a typo so no unlisted code reaches a device."""
    try:
        return ERROR_CODES[code]
    except KeyError:
        raise KeyError(f"{code!r} is not a registered parsurvey error code (see sync/codes.py)") from None
