"""The supervisor's view of fieldwork: per enumerator and per agency, day by day, and where interviews were.

- per enumerator: quota, received, countable, not countable by reason (the keys of
  ``ballots.countable.excluded_counts``), re-check failures, median interview duration, straight-lined
  share and ballots per day;
- per agency: quota, received and countable, and received per day with the running total, for a chart of
  received against quota over the days of the round;
- the location check: ballots carry GPS fixes in their paradata (``location_start`` / ``location_end``:
  ``{"latitude", "longitude", "accuracy" (metres), "captured_at"}``); an agency may record its one-stop
  office's coordinates; a fix farther from the office than the round's ``location_threshold_m`` (quality
  settings, 1,000 m by default) flags the interview. Distances are equirectangular (exact to well under 1 %
  at a province's scale), so the database can filter on them with arithmetic alone.

Days are calendar days in Vietnam (UTC+7), counted by the database.
"""

from __future__ import annotations

import math
from collections import defaultdict

from sqlalchemy import and_, false, func, or_, select

from ..auth.models import User
from ..ballots.countable import COUNTING_STATUSES, _quarantined
from ..ballots.models import Ballot
from ..extensions import db
from ..recheck.quality import quality
from ..recheck.settings import settings_of
from ..registry.models import Agency, SurveyRound
from .service import progress

METRES_PER_DEGREE = 111_320.0
#: Most flagged interviews a location report lists (the table filter finds every one).
LISTED = 2000


def local_day(column):
    """The Vietnam calendar day of a stored UTC time, as 'YYYY-MM-DD' text, computed by the database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Ho_Chi_Minh", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column, "+7 hours")


def _reason_key(status: str, reason: str | None) -> str:
    if status == "invalid":
        return "invalid:override" if not reason or reason.startswith("override:") else f"invalid:{reason}"
    return {"failed": "failed_recheck", "received": "not_cleaned"}[status]


def fieldwork_report(survey_round: SurveyRound) -> dict:
    """Per enumerator and per agency figures of a round, with ballots per day."""
    base = progress(survey_round)
    held = set(db.session.scalars(_quarantined(survey_round.id)))
    codes = dict(db.session.execute(select(Agency.id, Agency.code)).all())
    names = dict(db.session.execute(select(User.id, User.username)).all())
    held_names = {names[i] for i in held}
    per_enumerator: dict[str, dict] = defaultdict(lambda: {"countable": 0, "not_countable": defaultdict(int)})
    per_agency: dict[str, dict] = defaultdict(lambda: {"countable": 0})
    rows = db.session.execute(
        select(Ballot.enumerator_id, Ballot.agency_id, Ballot.status, Ballot.status_reason, func.count())
        .where(Ballot.round_id == survey_round.id)
        .group_by(Ballot.enumerator_id, Ballot.agency_id, Ballot.status, Ballot.status_reason)
    )
    for enumerator_id, agency_id, status, reason, n in rows:
        who, where = names[enumerator_id], codes[agency_id]
        if status in COUNTING_STATUSES and enumerator_id not in held:
            per_enumerator[who]["countable"] += n
            per_agency[where]["countable"] += n
        else:
            key = "quarantined" if status in COUNTING_STATUSES else _reason_key(status, reason)
            per_enumerator[who]["not_countable"][key] += n
    day = local_day(func.coalesce(Ballot.completed_at, Ballot.received_at))
    by_day = db.session.execute(
        select(Ballot.enumerator_id, Ballot.agency_id, day, func.count())
        .where(Ballot.round_id == survey_round.id)
        .group_by(Ballot.enumerator_id, Ballot.agency_id, day)
    )
    enumerator_days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    agency_days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    all_days: set[str] = set()
    for enumerator_id, agency_id, when, n in by_day:
        enumerator_days[names[enumerator_id]][when] += n
        agency_days[codes[agency_id]][when] += n
        all_days.add(when)
    days = sorted(all_days)
    quality_of = {e["enumerator"]: e for e in quality(survey_round)["enumerators"]}

    enumerators = []
    for entry in base["enumerators"]:
        who = entry["username"]
        figures = per_enumerator[who]
        q = quality_of.get(who, {})
        enumerators.append(
            {
                "username": who,
                "full_name": entry["full_name"],
                "quota": entry["quota"],
                "received": entry["received"],
                "countable": figures["countable"],
                "not_countable": dict(sorted(figures["not_countable"].items())),
                "recheck_failures": int(q.get("failed") or 0),
                "median_duration_seconds": q.get("median_duration_seconds"),
                "straight_lined_share": q.get("straight_lined_share"),
                "held": who in held_names,
                "per_day": [{"day": d, "ballots": n} for d, n in sorted(enumerator_days[who].items())],
            }
        )
    agencies = []
    for entry in base["agencies"]:
        code = entry["agency_code"]
        running, series = 0, []
        for d in days:
            running += agency_days[code].get(d, 0)
            series.append({"day": d, "received": agency_days[code].get(d, 0), "cumulative": running})
        agencies.append({**entry, "countable": per_agency[code]["countable"], "per_day": series})
    return {"round": survey_round.code, "days": days, "enumerators": enumerators, "agencies": agencies}


# --- location check -----------------------------------------------------------------------------------


def _fix(name: str, key: str):
    return Ballot.paradata[name][key].as_float()


def far_condition(survey_round: SurveyRound):
    """SQL condition: the interview's first GPS fix (start, else end) is farther from its agency's office
    than the round's threshold. Agencies without office coordinates never flag."""
    threshold = float(settings_of(survey_round)["location_threshold_m"])
    latitude = func.coalesce(_fix("location_start", "latitude"), _fix("location_end", "latitude"))
    longitude = func.coalesce(_fix("location_start", "longitude"), _fix("location_end", "longitude"))
    offices = db.session.execute(
        select(Agency.id, Agency.office_latitude, Agency.office_longitude).where(
            Agency.office_latitude.is_not(None), Agency.office_longitude.is_not(None)
        )
    ).all()
    conditions = []
    for agency_id, lat0, lon0 in offices:
        north = (latitude - lat0) * METRES_PER_DEGREE
        east = (longitude - lon0) * (METRES_PER_DEGREE * math.cos(math.radians(lat0)))
        conditions.append(and_(Ballot.agency_id == agency_id, north * north + east * east > threshold * threshold))
    return or_(*conditions) if conditions else false()


def has_fix():
    return or_(_fix("location_start", "latitude").is_not(None), _fix("location_end", "latitude").is_not(None))


def distance_m(lat: float, lon: float, lat0: float, lon0: float) -> float:
    north = (lat - lat0) * METRES_PER_DEGREE
    east = (lon - lon0) * METRES_PER_DEGREE * math.cos(math.radians(lat0))
    return math.hypot(north, east)


def location_report(survey_round: SurveyRound) -> dict:
    """Per agency: its office, interviews with a fix, and those too far; the far interviews themselves."""
    threshold = float(settings_of(survey_round)["location_threshold_m"])
    agencies = {
        a.id: a
        for a in db.session.scalars(
            select(Agency)
            .join(Ballot, Ballot.agency_id == Agency.id)
            .where(Ballot.round_id == survey_round.id)
            .distinct()
        )
    }
    in_round = Ballot.round_id == survey_round.id
    with_fix = dict(
        db.session.execute(
            select(Ballot.agency_id, func.count()).where(in_round, has_fix()).group_by(Ballot.agency_id)
        ).all()
    )
    far = dict(
        db.session.execute(
            select(Ballot.agency_id, func.count())
            .where(in_round, far_condition(survey_round))
            .group_by(Ballot.agency_id)
        ).all()
    )
    latitude = func.coalesce(_fix("location_start", "latitude"), _fix("location_end", "latitude"))
    longitude = func.coalesce(_fix("location_start", "longitude"), _fix("location_end", "longitude"))
    accuracy = func.coalesce(_fix("location_start", "accuracy"), _fix("location_end", "accuracy"))
    listed = db.session.execute(
        select(Ballot.instance_id, Ballot.agency_id, User.username, latitude, longitude, accuracy)
        .join(User, User.id == Ballot.enumerator_id)
        .where(in_round, far_condition(survey_round))
        .order_by(Ballot.id)
        .limit(LISTED)
    ).all()
    flagged = []
    for instance_id, agency_id, enumerator, lat, lon, acc in listed:
        office = agencies[agency_id]
        flagged.append(
            {
                "instance_id": instance_id,
                "agency_code": office.code,
                "enumerator": enumerator,
                "latitude": lat,
                "longitude": lon,
                "accuracy": acc,
                "distance_m": distance_m(lat, lon, office.office_latitude, office.office_longitude),
            }
        )
    return {
        "round": survey_round.code,
        "threshold_m": threshold,
        "agencies": [
            {
                "agency_code": a.code,
                "agency_name": a.name,
                "office_latitude": a.office_latitude,
                "office_longitude": a.office_longitude,
                "with_location": with_fix.get(a.id, 0),
                "far": far.get(a.id, 0),
            }
            for a in sorted(agencies.values(), key=lambda a: a.code)
        ],
        "far_ballots": flagged,
        "far_total": sum(far.values()),
    }
