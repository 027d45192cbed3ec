"""Use cases for the province registry. They flush but never commit (see ``server.transaction``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..bounds import window_problems
from ..caching import FORMS, forget_when_committed
from ..errors import ApiError
from ..extensions import db
from ..timeutil import utcnow
from .groups import require_group
from .models import Agency, RoundAgency, SurveyRound
from .names import nfc

#: The 2022 example bands of the domain guide: Xuất sắc ≥ 95, Tốt 85–<95, Khá 75–<85, Trung bình 70–<75, Yếu < 70.
DEFAULT_BANDS = [
    {"code": "excellent", "label": "Xuất sắc", "min": 95},
    {"code": "good", "label": "Tốt", "min": 85},
    {"code": "fair", "label": "Khá", "min": 75},
    {"code": "average", "label": "Trung bình", "min": 70},
    {"code": "weak", "label": "Yếu", "min": None},
]


def get_agency(code: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise ApiError("not_found", f"No agency with code {code!r}.")
    return agency


def list_agencies(group: str | None = None) -> list[Agency]:
    query = select(Agency).order_by(Agency.id)
    if group:
        query = query.where(Agency.agency_group == require_group(group))
    return list(db.session.scalars(query))


def create_agency(
    code: str, name: str, group: str, *, parent_code: str | None = None, handles_procedures: bool = True
) -> Agency:
    require_group(group)
    if db.session.scalar(select(Agency.id).where(Agency.code == code)) is not None:
        raise ApiError("already_exists", f"An agency with code {code!r} already exists.")
    parent = get_agency(parent_code) if parent_code else None
    agency = Agency(code=code, name=nfc(name), agency_group=group, parent=parent, handles_procedures=handles_procedures)
    db.session.add(agency)
    db.session.flush()
    return agency


def update_agency(code: str, changes: dict) -> Agency:
    agency = get_agency(code)
    if "name" in changes:
        agency.name = nfc(changes["name"])
    if "group" in changes:
        agency.agency_group = require_group(changes["group"])
        agency.agency_group = changes["group"]
    if "handles_procedures" in changes:
        agency.handles_procedures = changes["handles_procedures"]
    if "office_latitude" in changes or "office_longitude" in changes:  # its one-stop office (location check)
        set_office(
            agency,
            changes.get("office_latitude", agency.office_latitude),
            changes.get("office_longitude", agency.office_longitude),
        )
    if "parent_code" in changes:
        parent_code = changes["parent_code"]
        if parent_code == code:
            raise ApiError("invalid_request", "An agency cannot be its own parent.", {"parent_code": ["Self."]})
        agency.parent = get_agency(parent_code) if parent_code else None
    db.session.flush()
    return agency


def set_office(agency: Agency, latitude: float | None, longitude: float | None) -> Agency:
    """Where the agency's one-stop office (bộ phận một cửa) is, in WGS 84 degrees, for the location check;
    both or neither (None clears it)."""
    errors = {}
    if (latitude is None) != (longitude is None):
        missing = "office_longitude" if longitude is None else "office_latitude"
        errors[missing] = ["Give the latitude and the longitude together, or neither."]
    if latitude is not None and not -90 <= latitude <= 90:
        errors["office_latitude"] = ["Must be between -90 and 90."]
    if longitude is not None and not -180 <= longitude <= 180:
        errors["office_longitude"] = ["Must be between -180 and 180."]
    if errors:
        raise ApiError("invalid_request", "The office coordinates are not valid.", errors)
    agency.office_latitude, agency.office_longitude = latitude, longitude
    db.session.flush()
    return agency


def check_bands(bands: list[dict]) -> list[dict]:
    """Bands run from the highest threshold down; the last one has no minimum and catches the rest."""
    errors = {}
    if not bands:
        errors["bands"] = ["Give at least one band."]
    else:
        minimums = [b.get("min") for b in bands]
        if minimums[-1] is not None:
            errors["bands"] = ["The last band must have min null: it holds every index below the others."]
        elif any(m is None for m in minimums[:-1]):
            errors["bands"] = ["Only the last band may have no minimum."]
        elif any(a <= b for a, b in zip(minimums[:-2], minimums[1:-1], strict=False)):
            errors["bands"] = ["Band minimums must strictly decrease."]
        codes = [b["code"] for b in bands]
        if len(set(codes)) != len(codes):
            errors["bands"] = ["Band codes must be distinct."]
    if errors:
        raise ApiError("invalid_request", "The classification bands are not valid.", errors)
    return [{"code": b["code"], "label": nfc(b["label"]), "min": b.get("min")} for b in bands]


def find_round(code: str) -> SurveyRound | None:
    return db.session.scalar(select(SurveyRound).where(SurveyRound.code == code))


def get_round(code: str) -> SurveyRound:
    found = find_round(code)
    if found is None:
        raise ApiError("not_found", f"No survey round with code {code!r}.")
    return found


def list_rounds() -> list[SurveyRound]:
    return list(db.session.scalars(select(SurveyRound).order_by(SurveyRound.year, SurveyRound.id)))


def create_round(
    code: str,
    year: int,
    window_start: date,
    window_end: date,
    *,
    method_version: str,
    survey_max_points: float = 10.0,
    bands: list[dict] | None = None,
    title: str = "",
    participants: list[dict] = (),
) -> SurveyRound:
    _check_window(year, window_start, window_end)
    if find_round(code) is not None:
        raise ApiError("already_exists", f"A round with code {code!r} already exists.")
    survey_round = SurveyRound(
        code=code,
        year=year,
        title=nfc(title),
        window_start=window_start,
        window_end=window_end,
        method_version=method_version,
        survey_max_points=survey_max_points,
        bands=check_bands(bands if bands is not None else DEFAULT_BANDS),
    )
    db.session.add(survey_round)
    db.session.flush()
    for item in participants:
        set_participant(survey_round, **item)
    return survey_round


def copy_round(
    code: str,
    year: int,
    copy_from: str,
    *,
    title: str = "",
    window_start: date | None = None,
    window_end: date | None = None,
    method_version: str | None = None,
    survey_max_points: float | None = None,
    bands: list[dict] | None = None,
) -> SurveyRound:
    """A new round made from an earlier one: its window moved by the years between them (unless given),
    bands, survey maximum, method version, quality settings, and each agency's maximum points, surveyed
    flag and ballot quota. Agencies and assignments are not copied: the fieldwork screen copies those."""
    source = get_round(copy_from)
    shift = year - source.year
    survey_round = create_round(
        code,
        year,
        window_start or _shift_years(source.window_start, shift),
        window_end or _shift_years(source.window_end, shift),
        method_version=method_version or source.method_version,
        survey_max_points=survey_max_points if survey_max_points is not None else source.survey_max_points,
        bands=bands if bands is not None else source.bands,
        title=title or source.title,
    )
    survey_round.quality_settings = dict(source.quality_settings or {})
    for participant in source.participants:
        survey_round.participants.append(
            RoundAgency(
                agency=participant.agency,
                surveyed=participant.surveyed,
                max_points=participant.max_points,
                ballot_quota=participant.ballot_quota,
            )
        )
    db.session.flush()
    return survey_round


def _check_window(year: int, window_start: date, window_end: date) -> None:
    problems = window_problems(year, window_start, window_end)
    if problems:
        raise ApiError("invalid_request", "The survey window is not a period of the round's year.", problems)


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


ROUND_FIELDS = ("title", "window_start", "window_end", "method_version", "survey_max_points", "bands")


def update_round(survey_round: SurveyRound, changes: dict) -> SurveyRound:
    """Change an open round's title, window, method version, survey maximum or bands."""
    require_open(survey_round)
    start = changes.get("window_start", survey_round.window_start)
    end = changes.get("window_end", survey_round.window_end)
    _check_window(survey_round.year, start, end)
    if "bands" in changes:
        survey_round.bands = check_bands(changes["bands"])
    if "title" in changes:
        survey_round.title = nfc(changes["title"])
    if changes.get("survey_max_points") is not None:
        survey_round.survey_max_points = changes["survey_max_points"]
    if changes.get("method_version"):
        survey_round.method_version = changes["method_version"]
    survey_round.window_start, survey_round.window_end = start, end
    db.session.flush()
    return survey_round


def remove_participant(survey_round: SurveyRound, agency_code: str) -> None:
    """Take an agency out of an open round (refused once it has ballots or assignments in the round)."""
    require_open(survey_round)
    agency = get_agency(agency_code)
    participant = next((p for p in survey_round.participants if p.agency_id == agency.id), None)
    if participant is None:
        raise ApiError("not_found", f"{agency_code} does not take part in round {survey_round.code}.")
    from ..ballots.models import Ballot
    from ..fieldwork.models import Assignment

    used = db.session.scalar(
        select(Ballot.id).where(Ballot.round_id == survey_round.id, Ballot.agency_id == agency.id).limit(1)
    ) or db.session.scalar(
        select(Assignment.id).where(Assignment.round_id == survey_round.id, Assignment.agency_id == agency.id).limit(1)
    )
    if used is not None:
        raise ApiError("state_conflict", f"{agency_code} has ballots or assignments in round {survey_round.code}.")
    survey_round.participants.remove(participant)
    db.session.flush()


def set_participant(
    survey_round: SurveyRound,
    agency_code: str,
    *,
    max_points: float = 100.0,
    ballot_quota: int = 0,
    surveyed: bool | None = None,
) -> RoundAgency:
    """Add an agency to a round, or change its maximum points, quota or surveyed flag."""
    require_open(survey_round)
    agency = get_agency(agency_code)
    if max_points <= 0 or ballot_quota < 0:
        raise ApiError(
            "invalid_request",
            "Maximum points must be positive and quotas not negative.",
            {"max_points": ["> 0"], "ballot_quota": [">= 0"]},
        )
    surveyed = agency.handles_procedures if surveyed is None else surveyed
    participant = next((p for p in survey_round.participants if p.agency_id == agency.id), None)
    if participant is None:
        participant = RoundAgency(agency=agency)
        survey_round.participants.append(participant)
    participant.max_points = max_points
    participant.ballot_quota = ballot_quota if surveyed else 0
    participant.surveyed = surveyed
    db.session.flush()
    return participant


def require_open(survey_round: SurveyRound) -> None:
    if survey_round.state != "open":
        raise ApiError("state_conflict", f"Round {survey_round.code!r} is closed.")


def close_round(survey_round: SurveyRound) -> SurveyRound:
    """Close a round: its forms stop accepting answers (see ``server.forms.service``)."""
    require_open(survey_round)
    survey_round.state = "closed"
    survey_round.closed_at = utcnow()
    db.session.flush()
    forget_when_committed(FORMS)  # listings say whether each version accepts answers
    return survey_round
