"""Who may read which ballot, and which answers they see.

- supervisors and admins: every ballot, every answer;
- an enumerator: their own ballots, without the respondent's contact details;
- a reviewer: only ballots whose re-check is assigned to them by name, with the contact details they
  need to re-contact the respondent.
Nobody changes answers through these reads; reviewers record findings separately.
"""

from __future__ import annotations

from sqlalchemy import select

from ..auth.models import User
from ..auth.roles import ENUMERATOR, MANAGERS, REVIEWER
from ..errors import ApiError
from ..extensions import db
from ..recheck.models import RecheckAssignment
from ..recheck.settings import DEFAULTS, settings_of
from .models import Ballot

REDACTED = "[ẩn]"  # "hidden": a contact detail this user may not see


def _assigned_reviewer(user: User, ballot: Ballot) -> bool:
    return (
        db.session.scalar(
            select(RecheckAssignment.id)
            .where(RecheckAssignment.ballot_id == ballot.id, RecheckAssignment.reviewer_id == user.id)
            .limit(1)
        )
        is not None
    )


def sees_contacts(user: User, ballot: Ballot) -> bool:
    return user.role in MANAGERS or (user.role == REVIEWER and _assigned_reviewer(user, ballot))


def readable(user: User, ballot: Ballot) -> bool:
    if user.role in MANAGERS:
        return True
    if user.role == ENUMERATOR:
        return ballot.enumerator_id == user.id
    return user.role == REVIEWER and _assigned_reviewer(user, ballot)


def get_ballot(instance_id: str, user: User) -> Ballot:
    ballot = db.session.scalar(select(Ballot).where(Ballot.instance_id == instance_id))
    if ballot is None:
        raise ApiError("not_found", f"No ballot {instance_id}.")
    if not readable(user, ballot):
        raise ApiError("forbidden", "This ballot is not yours to read.")
    return ballot


def visible_answers(user: User, ballot: Ballot) -> dict:
    if sees_contacts(user, ballot):
        return dict(ballot.answers)
    contacts = settings_of(ballot.round)["contact_questions"] if ballot.round else DEFAULTS["contact_questions"]
    return {k: (REDACTED if k in contacts and v not in (None, "") else v) for k, v in ballot.answers.items()}


def list_ballots(
    user: User,
    *,
    round_id: int | None = None,
    agency_id: int | None = None,
    enumerator_id: int | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[Ballot]]:
    query = select(Ballot)
    if user.role == ENUMERATOR:
        query = query.where(Ballot.enumerator_id == user.id)
    elif user.role == REVIEWER:
        query = query.where(
            Ballot.id.in_(select(RecheckAssignment.ballot_id).where(RecheckAssignment.reviewer_id == user.id))
        )
    for column, value in (
        (Ballot.round_id, round_id),
        (Ballot.agency_id, agency_id),
        (Ballot.enumerator_id, enumerator_id),
        (Ballot.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    total = db.session.scalar(query.with_only_columns(db.func.count()).order_by(None))
    page = list(db.session.scalars(query.order_by(Ballot.id).limit(limit).offset(offset)))
    return total, page
