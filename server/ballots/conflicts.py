"""Use cases for conflicting resends: list them, and resolve each one with a reason."""

from __future__ import annotations

from sqlalchemy import select

from survey_forms import validate_answers

from ..audit import Event, append
from ..auth.models import User
from ..errors import ApiError
from ..extensions import db
from ..registry.service import get_round
from ..timeutil import utcnow
from .intake import parsed_form
from .models import Ballot, BallotConflict

RESOLUTIONS = ("keep_stored", "take_new")


def list_conflicts(open_only: bool = True, round_code: str | None = None) -> list[BallotConflict]:
    """Conflicts, open ones only by default; of one round's ballots when ``round_code`` is given."""
    query = select(BallotConflict).order_by(BallotConflict.id)
    if open_only:
        query = query.where(BallotConflict.resolution.is_(None))
    if round_code is not None:
        query = query.join(BallotConflict.ballot).where(Ballot.round_id == get_round(round_code).id)
    return list(db.session.scalars(query))


def resolve(conflict_id: int, resolution: str, reason: str, supervisor: User) -> BallotConflict:
    """Keep the stored ballot, or replace its content by the conflicting resend (which must be valid).

    Either way the other content is kept on the conflict row, so nothing is lost.
    """
    conflict = db.session.get(BallotConflict, conflict_id)
    if conflict is None:
        raise ApiError("not_found", f"No conflict {conflict_id}.")
    if conflict.resolution is not None:
        raise ApiError("state_conflict", f"Conflict {conflict_id} was resolved already ({conflict.resolution}).")
    if resolution not in RESOLUTIONS:
        raise ApiError("invalid_request", "Unknown resolution.", {"resolution": [f"One of {', '.join(RESOLUTIONS)}."]})
    if not reason.strip():
        raise ApiError("invalid_request", "Say why.", {"reason": ["A reason is required."]})
    ballot = conflict.ballot
    if resolution == "take_new":
        envelope = conflict.envelope
        if (envelope["form_id"], envelope["form_version"]) != (
            ballot.form_version.form_id,
            ballot.form_version.version,
        ):
            raise ApiError("state_conflict", "The resend is for another form version; it cannot replace the ballot.")
        if envelope["agency"] != ballot.agency.code:
            raise ApiError("state_conflict", "The resend is for another agency; it cannot replace the ballot.")
        form = parsed_form(ballot.form_version.content_hash, ballot.form_version.canonical)
        errors = [e.to_dict() for e in validate_answers(form, envelope["answers"])]
        if errors:
            raise ApiError("invalid_answers", "The resend's answers do not satisfy the form.", errors)
        conflict.replaced = {
            "answers": ballot.answers,
            "paradata": ballot.paradata,
            "content_hash": ballot.content_hash,
        }
        ballot.answers = envelope["answers"]
        ballot.paradata = envelope["paradata"]
        ballot.content_hash = envelope["content_hash"]
    append(
        [
            Event(
                supervisor.username,
                "ballot",
                ballot.instance_id,
                "conflict_resolved",
                {"conflict": conflict.id, "resolution": resolution},
                reason.strip(),
            )
        ]
    )
    conflict.resolution = resolution
    conflict.reason = reason.strip()
    conflict.resolved_at = utcnow()
    conflict.resolved_by = supervisor
    db.session.flush()
    return conflict
