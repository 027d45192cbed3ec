"""Quarantine with care: one enumerator at a time, after seeing what it would do.

``impact`` answers "what if?": how many of the enumerator's ballots would stop counting, and which
agencies would then fall below the minimum sample (or lose every countable ballot). ``quarantine_one``
then holds that enumerator's ballots, with a reason, until a supervisor releases or excludes them
(``quality.decide``). Held ballots are "held" (tạm giữ), never "invalid": their status does not change.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..audit import Event, append
from ..auth.models import User
from ..auth.service import get_user
from ..ballots.countable import countable_ballots
from ..ballots.models import Ballot
from ..errors import ApiError
from ..extensions import db
from ..registry.models import Agency, RoundAgency, SurveyRound
from .models import Quarantine
from .quality import quality


def _holding(round_id: int, enumerator_id: int) -> Quarantine | None:
    return db.session.scalar(
        select(Quarantine).where(
            Quarantine.round_id == round_id,
            Quarantine.enumerator_id == enumerator_id,
            Quarantine.decision.is_(None) | (Quarantine.decision == "exclude"),
        )
    )


def impact(survey_round: SurveyRound, username: str, minimum: int) -> dict:
    """What quarantining ``username`` in the round would change, agency by agency, before anything is stored."""
    enumerator = get_user(username)
    per_agency = (
        countable_ballots(survey_round.id)
        .with_only_columns(Ballot.agency_id, func.count(), func.count().filter(Ballot.enumerator_id == enumerator.id))
        .group_by(Ballot.agency_id)
    )
    counts = {agency_id: (now, held) for agency_id, now, held in db.session.execute(per_agency)}
    rows = db.session.execute(
        select(Agency.id, Agency.code, Agency.name)
        .join(RoundAgency, RoundAgency.agency_id == Agency.id)
        .where(RoundAgency.round_id == survey_round.id, RoundAgency.surveyed.is_(True))
        .order_by(Agency.code)
    )
    agencies = []
    for agency_id, code, name in rows:
        now, held = counts.get(agency_id, (0, 0))
        if not held:
            continue
        after = now - held
        agencies.append(
            {
                "agency_code": code,
                "agency_name": name,
                "countable_now": now,
                "held": held,
                "countable_after": after,
                "falls_below_minimum": now >= minimum > after,
                "below_minimum_after": after < minimum,
                "loses_every_ballot": after == 0,
            }
        )
    entry = next((e for e in quality(survey_round)["enumerators"] if e["enumerator"] == username), None)
    return {
        "enumerator": username,
        "already_held": _holding(survey_round.id, enumerator.id) is not None,
        "ballots_held": sum(a["held"] for a in agencies),
        "minimum_sample": minimum,
        "failure_rate": entry["failure_rate"] if entry else None,
        "decided_rechecks": entry["decided"] if entry else 0,
        "over_threshold": bool(entry and entry["over_threshold"]),
        "agencies": agencies,
        "agencies_falling_below": [a["agency_code"] for a in agencies if a["falls_below_minimum"]],
    }


def quarantine_one(survey_round: SurveyRound, username: str, reason: str, actor: User) -> Quarantine:
    """Hold one enumerator's ballots in the round, with the supervisor's reason."""
    enumerator = get_user(username)
    if enumerator.role != "enumerator":
        raise ApiError("invalid_request", f"{username} is not an enumerator.", {"enumerator": ["Not an enumerator."]})
    if not reason.strip():
        raise ApiError("invalid_request", "Say why.", {"reason": ["Required."]})
    if _holding(survey_round.id, enumerator.id) is not None:
        raise ApiError("state_conflict", f"The ballots of {username} are held in round {survey_round.code} already.")
    entry = next((e for e in quality(survey_round)["enumerators"] if e["enumerator"] == username), None)
    quarantine = Quarantine(
        round_id=survey_round.id,
        enumerator_id=enumerator.id,
        failure_rate=(entry or {}).get("failure_rate") or 0.0,
        decided_rechecks=(entry or {}).get("decided") or 0,
    )
    db.session.add(quarantine)
    db.session.flush()
    append(
        [
            Event(
                actor.username,
                "enumerator",
                username,
                "quarantined",
                {
                    "round": survey_round.code,
                    "failure_rate": quarantine.failure_rate,
                    "decided": quarantine.decided_rechecks,
                },
                reason.strip(),
            )
        ]
    )
    return quarantine
