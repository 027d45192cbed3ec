"""The ballot table: which ballots match a supervisor's filters, in which order.

One SELECT serves the table (a page of it), the exports (every row, streamed) and the counts, so the
screen, the CLI and the API always agree on what "filtered like the table" means. Who may see which
ballot (``access.visible_ballots``) is applied first.

Agencies and enumerators are found by what people type, not by exact codes: a code in any case
("snv"), the name with or without diacritics ("Sở Nội vụ", "so noi vu", "SỞ NỘI VỤ"), a part of it
("noi vu") or its initials ("SNV"). The registry and the user list are small, so the matching runs in
Python with the same folding on SQLite and PostgreSQL, and the query filters by the matching ids.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import Select, and_, exists, select

from ..auth.models import User
from ..errors import ApiError
from ..extensions import db
from ..forms.models import FormVersion
from ..recheck.models import RecheckAssignment, Verification
from ..registry.models import Agency
from .models import Ballot

#: Interview dates are the province's calendar days (Indochina Time, UTC+7, no daylight saving).
VIETNAM = timezone(timedelta(hours=7))

#: What ``sort`` accepts (``-`` before a key sorts descending); ties always fall back to the ballot's id.
SORT_KEYS = ("received_at", "completed_at", "started_at", "duration", "agency", "enumerator", "status")
#: Re-check filter values besides an outcome: never drawn for re-check, or drawn and awaiting a finding.
RECHECK_STATES = ("none", "pending")


def fold(text: str) -> str:
    """Lower case without diacritics or extra spaces: "Sở Nội vụ" → "so noi vu" (đ → d as well)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(bare.casefold().split())


def initials(text: str) -> str:
    return "".join(word[0] for word in fold(text).replace("-", " ").split())


def text_matches(query: str, code: str, name: str) -> bool:
    """Whether what someone typed names this code or name (see the module docstring)."""
    wanted = fold(query)
    if not wanted:
        return True
    compact = wanted.replace(" ", "")
    return wanted == fold(code) or wanted in fold(name) or compact == initials(name) or compact in fold(code)


def matching_agencies(query: str) -> list[int]:
    rows = db.session.execute(select(Agency.id, Agency.code, Agency.name))
    return [agency_id for agency_id, code, name in rows if text_matches(query, code, name)]


def matching_users(query: str) -> list[int]:
    rows = db.session.execute(select(User.id, User.username, User.full_name))
    return [user_id for user_id, username, full_name in rows if text_matches(query, username, full_name or "")]


@dataclass
class BallotFilters:
    """The table's filters; ``None`` (or empty) means "any"."""

    round_id: int | None = None
    agency: str | None = None
    enumerator: str | None = None
    statuses: list[str] = field(default_factory=list)
    recheck: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_seconds: float | None = None
    max_seconds: float | None = None
    form_version: str | None = None
    instance: str | None = None
    location: str | None = None
    sort: str | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), VIETNAM).astimezone(UTC)


def filtered(query: Select, filters: BallotFilters) -> Select:
    """Add the filters' conditions to a SELECT over ``Ballot``."""
    f = filters
    if f.round_id is not None:
        query = query.where(Ballot.round_id == f.round_id)
    if f.agency:
        query = query.where(Ballot.agency_id.in_(matching_agencies(f.agency)))
    if f.enumerator:
        query = query.where(Ballot.enumerator_id.in_(matching_users(f.enumerator)))
    if f.statuses:
        query = query.where(Ballot.status.in_(f.statuses))
    if f.recheck:
        assigned = select(RecheckAssignment.id).where(RecheckAssignment.ballot_id == Ballot.id)
        if f.recheck == "none":
            query = query.where(~exists(assigned))
        elif f.recheck == "pending":
            awaiting = assigned.where(
                ~exists(select(Verification.id).where(Verification.assignment_id == RecheckAssignment.id))
            )
            query = query.where(exists(awaiting))
        else:
            found = (
                select(Verification.id)
                .join(RecheckAssignment, Verification.assignment_id == RecheckAssignment.id)
                .where(and_(RecheckAssignment.ballot_id == Ballot.id, Verification.outcome == f.recheck))
            )
            query = query.where(exists(found))
    if f.date_from is not None:
        query = query.where(Ballot.completed_at >= _day_start(f.date_from))
    if f.date_to is not None:
        query = query.where(Ballot.completed_at < _day_start(f.date_to + timedelta(days=1)))
    if f.min_seconds is not None:
        query = query.where(Ballot.duration_seconds >= f.min_seconds)
    if f.max_seconds is not None:
        query = query.where(Ballot.duration_seconds <= f.max_seconds)
    if f.form_version:
        versions = select(FormVersion.id).where(FormVersion.version == f.form_version)
        query = query.where(Ballot.form_version_id.in_(versions))
    if f.location:
        query = query.where(_location_condition(f))
    if f.instance:
        query = query.where(Ballot.instance_id.startswith(f.instance.strip().lower(), autoescape=True))
    return query


#: The location filter: far from the agency's office, within the threshold, or no GPS fix at all.
LOCATIONS = ("far", "near", "none")


def _location_condition(filters: BallotFilters):
    from ..fieldwork.oversight import far_condition, has_fix
    from ..registry.models import SurveyRound

    survey_round = db.session.get(SurveyRound, filters.round_id) if filters.round_id is not None else None
    if filters.location == "none":
        return ~has_fix()
    if survey_round is None:
        raise ApiError("invalid_request", "The location filter needs a round.", {"location": ["Give a round too."]})
    far = far_condition(survey_round)
    return far if filters.location == "far" else and_(has_fix(), ~far)


def ordered(query: Select, sort: str | None, *, joined: bool = False) -> Select:
    """Order by one of ``SORT_KEYS`` (``-key``: descending), then by id, so pages never overlap.
    ``joined``: the query already joins the agency and the enumerator."""
    if not sort:
        return query.order_by(Ballot.id)
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "agency":
        query = query if joined else query.join(Agency, Agency.id == Ballot.agency_id)
        column = Agency.code
    elif key == "enumerator":
        query = query if joined else query.join(User, User.id == Ballot.enumerator_id)
        column = User.username
    else:
        column = {
            "received_at": Ballot.received_at,
            "completed_at": Ballot.completed_at,
            "started_at": Ballot.started_at,
            "duration": Ballot.duration_seconds,
            "status": Ballot.status,
        }[key]
    # Plain ASC/DESC (no NULLS LAST), so PostgreSQL reads the (round, column, id) indexes either way.
    if descending:
        return query.order_by(column.desc(), Ballot.id.desc())
    return query.order_by(column.asc(), Ballot.id)
