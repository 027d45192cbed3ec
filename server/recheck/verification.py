"""Reviewers' findings, and the rule that turns them into a ballot's re-check status.

The rule, when one or both organisations have checked a ballot:

- any finding of ``interview_not_held``, ``not_eligible`` or ``answers_differ`` → the ballot **failed**
  (one organisation finding the interview did not happen is enough: a failed ballot must not count);
- otherwise any ``confirmed`` → **confirmed**;
- otherwise (only ``unreachable``) → it stays **selected**: nothing was learned, it still counts, and
  a supervisor may decide by override.

A ballot a supervisor has overridden keeps the override; later findings are recorded and logged but do
not change it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from survey_forms import content_hash

from ..audit import Event, append
from ..auth.models import User
from ..auth.roles import REVIEWER
from ..errors import ApiError
from ..extensions import db
from .models import OUTCOMES, RecheckAssignment, Verification
from .settings import settings_of
from .status import change

FAILING = ("interview_not_held", "not_eligible", "answers_differ")


def combined_status(outcomes: list[str]) -> str:
    if any(o in FAILING for o in outcomes):
        return "failed"
    if "confirmed" in outcomes:
        return "confirmed"
    return "selected"


def may_review(user: User, assignment: RecheckAssignment) -> bool:
    """A reviewer of the assignment's organisation who is its named reviewer."""
    return user.role == REVIEWER and user.organisation == assignment.organisation and assignment.reviewer_id == user.id


def get_assignment(assignment_id: int) -> RecheckAssignment:
    assignment = db.session.get(RecheckAssignment, assignment_id)
    if assignment is None:
        raise ApiError("not_found", f"No re-check assignment {assignment_id}.")
    return assignment


def record(
    reviewer: User,
    assignment_id: int,
    outcome: str,
    reasked: dict | None = None,
    notes: str = "",
    instance_id: str | None = None,
) -> tuple[Verification, str]:
    """Store a finding; returns it with ``accepted``, ``duplicate`` (same id and content) — a different
    content under a stored id is refused with ``payload_conflict`` and changes nothing."""
    assignment = get_assignment(assignment_id)
    if not may_review(reviewer, assignment):
        raise ApiError("not_assigned", "This re-check is assigned to another reviewer or organisation.")
    errors = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = [f"One of {', '.join(OUTCOMES)}."]
    reasked = reasked or {}
    key_questions = settings_of(assignment.ballot.round)["key_questions"] if assignment.ballot.round else []
    unknown = sorted(set(reasked) - set(key_questions))
    if unknown:
        errors["reasked"] = [f"Not a key question of this round: {', '.join(unknown)}."]
    if errors:
        raise ApiError("invalid_request", "The verification is not valid.", errors)
    instance_id = instance_id or str(uuid.uuid4())
    digest = content_hash({"assignment_id": assignment_id, "outcome": outcome, "reasked": reasked, "notes": notes})
    existing = db.session.scalar(select(Verification).where(Verification.instance_id == instance_id))
    if existing is not None:
        if existing.content_hash == digest:
            return existing, "duplicate"
        raise ApiError("payload_conflict", "This verification id is stored with other content.")
    verification = Verification(
        instance_id=instance_id,
        assignment=assignment,
        reviewer=reviewer,
        outcome=outcome,
        reasked=reasked,
        notes=notes,
        content_hash=digest,
    )
    db.session.add(verification)
    db.session.flush()
    ballot = assignment.ballot
    append(
        [
            Event(
                reviewer.username,
                "ballot",
                ballot.instance_id,
                "verified",
                {"organisation": assignment.organisation, "outcome": outcome, "verification": instance_id},
                notes[:1000],
            )
        ]
    )
    if not (ballot.status_reason or "").startswith("override:"):
        outcomes = list(
            db.session.scalars(
                select(Verification.outcome)
                .join(Verification.assignment)
                .where(RecheckAssignment.ballot_id == ballot.id)
            )
        )
        status = combined_status(outcomes)
        if status != ballot.status:
            change([ballot], status, f"re-check: {', '.join(sorted(set(outcomes)))}", reviewer.username, "recheck")
    return verification, "accepted"
