"""Who may read which ballot, and which answers they see.

- supervisors and admins: every ballot, every answer;
- an enumerator: their own ballots, without the respondent's contact details;
- a reviewer: only ballots whose re-check is assigned to them by name, with the contact details they
  need to re-contact the respondent while the re-check is open (the ballot is ``selected``); once it is
  decided (confirmed, failed, or set by a supervisor) the contacts are hidden from them again.
Nobody changes answers through these reads; reviewers record findings separately.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..auth.roles import ENUMERATOR, MANAGERS, REVIEWER
from ..errors import ApiError
from ..extensions import db
from ..forms.models import FormVersion
from ..paging import count_of
from ..recheck.models import RecheckAssignment
from ..recheck.settings import DEFAULTS, settings_of
from .browse import BallotFilters, filtered, ordered
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


#: The status of a ballot whose re-check is still open: its reviewers need the respondent's contacts.
RECHECK_OPEN = "selected"


def sees_contacts(user: User, ballot: Ballot) -> bool:
    if user.role in MANAGERS:
        return True
    return user.role == REVIEWER and ballot.status == RECHECK_OPEN and _assigned_reviewer(user, ballot)


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


def visible_ballots(user: User) -> Select:
    """SELECT of the ballots this user may read (the table, its counts and the exports start here)."""
    query = select(Ballot)
    if user.role == ENUMERATOR:
        query = query.where(Ballot.enumerator_id == user.id)
    elif user.role == REVIEWER:
        query = query.where(
            Ballot.id.in_(select(RecheckAssignment.ballot_id).where(RecheckAssignment.reviewer_id == user.id))
        )
    return query


def list_ballots(
    user: User, filters: BallotFilters, *, page: int = 1, page_size: int = 100
) -> tuple[int, list[Ballot]]:
    """One page of the ballot table and the number of ballots matching the filters (all pages).

    The database sorts and skips over ballot ids alone, then reads the page's rows by id: sorting whole
    rows (answers included) for a deep page of a 200,000-ballot round would spill to disk."""
    query = filtered(visible_ballots(user), filters).with_only_columns(Ballot.id)
    total = count_of(query)
    skip = (page - 1) * page_size
    if skip >= total:  # past the last page: nothing to read (and no offset too large for the database)
        return total, []
    ids = list(db.session.scalars(ordered(query, filters.sort).limit(page_size).offset(skip)))
    loads = (
        selectinload(Ballot.agency),
        selectinload(Ballot.enumerator),
        selectinload(Ballot.round),
        selectinload(Ballot.form_version).load_only(FormVersion.form_id, FormVersion.version),
    )
    rows = {b.id: b for b in db.session.scalars(select(Ballot).where(Ballot.id.in_(ids)).options(*loads))}
    return total, [rows[i] for i in ids]
