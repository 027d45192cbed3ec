"""Use cases for enumerator assignments and round progress. They flush but never commit."""

from __future__ import annotations

from sqlalchemy import func, select

from ..auth.models import User
from ..auth.roles import ENUMERATOR
from ..auth.service import get_user
from ..errors import ApiError
from ..extensions import db
from ..registry.models import Agency, RoundAgency, SurveyRound
from ..registry.service import get_agency, require_open
from .models import Assignment


def set_assignment(survey_round: SurveyRound, username: str, agency_code: str, quota: int = 0) -> Assignment:
    """Assign an enumerator to an agency for a round (or change the quota)."""
    require_open(survey_round)
    user = get_user(username)
    if user.role != ENUMERATOR:
        raise ApiError("invalid_request", f"{username} is a {user.role}, not an enumerator.", {"username": ["Role."]})
    agency = get_agency(agency_code)
    participant = db.session.scalar(
        select(RoundAgency).where(RoundAgency.round_id == survey_round.id, RoundAgency.agency_id == agency.id)
    )
    if participant is None or not participant.surveyed:
        raise ApiError("state_conflict", f"{agency_code} is not surveyed in round {survey_round.code}.")
    if quota < 0:
        raise ApiError("invalid_request", "A quota cannot be negative.", {"quota": [">= 0"]})
    assignment = db.session.scalar(
        select(Assignment).where(
            Assignment.round_id == survey_round.id,
            Assignment.enumerator_id == user.id,
            Assignment.agency_id == agency.id,
        )
    )
    if assignment is None:
        assignment = Assignment(round=survey_round, enumerator=user, agency=agency)
        db.session.add(assignment)
    assignment.quota = quota
    db.session.flush()
    return assignment


ASSIGNMENT_HEADERS = {
    "username": "username",
    "enumerator": "username",
    "điều tra viên": "username",
    "agency": "agency",
    "agency_code": "agency",
    "cơ quan": "agency",
    "mã cơ quan": "agency",
    "quota": "quota",
    "chỉ tiêu": "quota",
}


def import_assignments(survey_round: SurveyRound, data: bytes, filename: str) -> dict:
    """Assignments from a CSV or XLSX file (username, agency, quota): every row checked against the
    users and the round's surveyed agencies; one problem and nothing is stored (``invalid_import``)."""
    from ..results.tables import number, read_table

    require_open(survey_round)
    header, rows = read_table(data, filename)
    columns = {ASSIGNMENT_HEADERS[h.casefold()]: h for h in header if h.casefold() in ASSIGNMENT_HEADERS}
    errors = [
        {"line": 1, "column": key, "code": "missing_column", "message": f"No {key!r} column."}
        for key in ("username", "agency")
        if key not in columns
    ]
    if errors:
        raise ApiError("invalid_import", "The file cannot be imported; nothing was stored.", errors)
    users = {u.username: u for u in db.session.scalars(select(User))}
    surveyed = {p.agency.code: p for p in survey_round.participants if p.surveyed}
    seen: dict[tuple[str, str], int] = {}
    wanted = []
    for row in rows:
        username = str(row.cells.get(columns["username"]) or "").strip()
        agency = str(row.cells.get(columns["agency"]) or "").strip()

        def problem(column: str, code: str, message: str, line=row.line) -> None:
            errors.append({"line": line, "column": columns.get(column, column), "code": code, "message": message})

        user = users.get(username)
        if user is None:
            problem("username", "not_found", f"No user named {username!r}.")
        elif user.role != ENUMERATOR or not user.active:
            problem("username", "invalid_value", f"{username!r} is not an active enumerator.")
        if agency not in surveyed:
            problem("agency", "not_surveyed", f"{agency!r} is not surveyed in round {survey_round.code}.")
        quota = 0
        if "quota" in columns:
            try:
                value = number(row.cells.get(columns["quota"]))
                if value is not None and (value < 0 or not float(value).is_integer()):
                    raise ValueError(value)
                quota = int(value or 0)
            except ValueError:
                problem("quota", "not_a_number", "A quota is a whole number, 0 or more.")
        if (username, agency) in seen:
            problem("agency", "duplicate_row", f"Also on line {seen[(username, agency)]}.")
        seen[(username, agency)] = row.line
        wanted.append((username, agency, quota))
    if not rows:
        errors.append({"line": 1, "column": None, "code": "empty_file", "message": "The file has no rows."})
    if errors:
        raise ApiError("invalid_import", "The file cannot be imported; nothing was stored.", errors)
    for username, agency, quota in wanted:
        set_assignment(survey_round, username, agency, quota)
    return {"created": 0, "updated": len(wanted), "rows": len(wanted)}


def copy_assignments(survey_round: SurveyRound, source: SurveyRound) -> dict:
    """Last round's assignments and quotas, for the enumerators still active and the agencies surveyed
    in this round; the others are skipped and counted."""
    require_open(survey_round)
    surveyed = {p.agency_id for p in survey_round.participants if p.surveyed}
    copied = skipped = 0
    for assignment in list_assignments(source):
        if assignment.agency_id in surveyed and assignment.enumerator.active:
            set_assignment(survey_round, assignment.enumerator.username, assignment.agency.code, assignment.quota)
            copied += 1
        else:
            skipped += 1
    return {"copied": copied, "skipped": skipped}


def remove_assignment(survey_round: SurveyRound, username: str, agency_code: str) -> None:
    require_open(survey_round)
    user, agency = get_user(username), get_agency(agency_code)
    assignment = db.session.scalar(
        select(Assignment).where(
            Assignment.round_id == survey_round.id,
            Assignment.enumerator_id == user.id,
            Assignment.agency_id == agency.id,
        )
    )
    if assignment is None:
        raise ApiError("not_found", f"{username} is not assigned to {agency_code}.")
    db.session.delete(assignment)
    db.session.flush()


def list_assignments(survey_round: SurveyRound, user: User | None = None) -> list[Assignment]:
    query = select(Assignment).where(Assignment.round_id == survey_round.id).order_by(Assignment.id)
    if user is not None:
        query = query.where(Assignment.enumerator_id == user.id)
    return list(db.session.scalars(query))


def progress(survey_round: SurveyRound) -> dict:
    """Ballots received per agency and per enumerator against quota.

    Ballots of an enumerator who was unassigned after sending still count and show, with quota 0.
    """
    from ..ballots.models import Ballot

    counts = (
        select(Ballot.agency_id, Ballot.enumerator_id, func.count())
        .where(Ballot.round_id == survey_round.id)
        .group_by(Ballot.agency_id, Ballot.enumerator_id)
    )
    received = {(agency_id, enumerator_id): n for agency_id, enumerator_id, n in db.session.execute(counts)}

    per_enumerator: dict[int, dict[int, dict]] = {}
    for assignment in list_assignments(survey_round):
        per_enumerator.setdefault(assignment.enumerator_id, {})[assignment.agency_id] = {
            "quota": assignment.quota,
            "received": 0,
        }
    for (agency_id, enumerator_id), n in received.items():
        per_enumerator.setdefault(enumerator_id, {}).setdefault(agency_id, {"quota": 0, "received": 0})["received"] = n
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(per_enumerator)))}
    codes = dict(db.session.execute(select(Agency.id, Agency.code)).all())

    agencies = []
    for participant in survey_round.participants:
        if participant.surveyed:
            got = sum(n for (agency_id, _), n in received.items() if agency_id == participant.agency_id)
            agencies.append(
                {
                    "agency_code": participant.agency.code,
                    "agency_name": participant.agency.name,
                    "group": participant.agency.agency_group,
                    "quota": participant.ballot_quota,
                    "received": got,
                }
            )
    enumerators = [
        {
            "username": users[enumerator_id].username,
            "full_name": users[enumerator_id].full_name,
            "quota": sum(a["quota"] for a in by_agency.values()),
            "received": sum(a["received"] for a in by_agency.values()),
            "agencies": [{"agency_code": codes[agency_id], **numbers} for agency_id, numbers in by_agency.items()],
        }
        for enumerator_id, by_agency in sorted(per_enumerator.items())
    ]
    return {
        "round": survey_round.code,
        "quota": sum(a["quota"] for a in agencies),
        "received": sum(received.values()),
        "agencies": agencies,
        "enumerators": enumerators,
    }


def enumerator_progress(survey_round: SurveyRound, user: User) -> dict:
    """One enumerator's own quota and ballots per agency (what their device shows): ``received``, of which
    ``countable`` count for scoring now (``server.ballots.countable``) and ``not_countable`` do not. With the
    round's rules a device can check at capture (``rules``: the result-date window, the shortest interview
    that counts, whether locations are collected)."""
    from ..ballots.countable import countable_ballots
    from ..ballots.models import Ballot
    from ..recheck.settings import settings_of

    whole = progress(survey_round)
    names = {a["agency_code"]: a["agency_name"] for a in whole["agencies"]}
    mine = next((e for e in whole["enumerators"] if e["username"] == user.username), None)
    own = (mine or {}).get("agencies", [])
    counting = dict(
        db.session.execute(
            countable_ballots(survey_round.id)
            .where(Ballot.enumerator_id == user.id)
            .with_only_columns(Agency.code, func.count())
            .select_from(Ballot)
            .join(Agency, Agency.id == Ballot.agency_id)
            .group_by(Agency.code)
        ).all()
    )
    agencies = [
        {
            **a,
            "agency_name": names.get(a["agency_code"], a["agency_code"]),
            "countable": counting.get(a["agency_code"], 0),
            "not_countable": a["received"] - counting.get(a["agency_code"], 0),
        }
        for a in own
    ]
    settings = settings_of(survey_round)
    return {
        "round": survey_round.code,
        "quota": sum(a["quota"] for a in agencies),
        "received": sum(a["received"] for a in agencies),
        "countable": sum(a["countable"] for a in agencies),
        "not_countable": sum(a["not_countable"] for a in agencies),
        "agencies": agencies,
        "rules": {
            "window_start": survey_round.window_start.isoformat(),
            "window_end": survey_round.window_end.isoformat(),
            "min_interview_seconds": settings["min_interview_seconds"],
            "collect_location": bool(settings["collect_location"]),
        },
    }
