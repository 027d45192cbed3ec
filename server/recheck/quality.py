"""Enumerator quality: the back-check statistics survey teams otherwise compute by hand, and quarantine.

Per enumerator (and per agency): ballots, re-checked ballots, decided re-checks (confirmed or failed),
failure rate among decided, per-question disagreement between original and re-asked answers, median
interview duration, and the share of straight-lined ballots.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from ..audit import Event, append
from ..auth.models import User
from ..ballots.models import Ballot
from ..errors import ApiError
from ..extensions import db
from ..registry.models import Agency, SurveyRound
from ..timeutil import utcnow
from .models import Quarantine, RecheckAssignment, Verification
from .settings import settings_of


def _answers_equal(original, reasked) -> bool:
    if isinstance(original, str) and isinstance(reasked, str):
        return original.strip().casefold() == reasked.strip().casefold()
    return original == reasked


def _tuples(result) -> list[tuple]:
    """Plain tuples: pandas probes every Row object for namedtuple fields, which is slow on large rounds."""
    return [tuple(row) for row in result]


def _frames(round_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ballots = pd.DataFrame.from_records(
        _tuples(
            db.session.execute(
                select(
                    Ballot.id,
                    Ballot.enumerator_id,
                    Ballot.agency_id,
                    Ballot.status,
                    Ballot.duration_seconds,
                    Ballot.straight_lined,
                ).where(Ballot.round_id == round_id)
            )
        ),
        columns=["ballot_id", "enumerator_id", "agency_id", "status", "duration", "straight_lined"],
    )
    checks = db.session.execute(
        select(RecheckAssignment.ballot_id, Verification.outcome, Verification.reasked, Ballot.answers)
        .join(Verification.assignment)
        .join(RecheckAssignment.ballot)
        .where(Ballot.round_id == round_id)
    ).all()
    comparisons = [
        {"ballot_id": ballot_id, "question": question, "differs": not _answers_equal(answers.get(question), value)}
        for ballot_id, _outcome, reasked, answers in checks
        for question, value in (reasked or {}).items()
    ]
    verified = pd.DataFrame([(b, o) for b, o, _, _ in checks], columns=["ballot_id", "outcome"])
    ballots["rechecked"] = ballots["ballot_id"].isin(verified["ballot_id"])
    ballots["decided"] = ballots["status"].isin(["confirmed", "failed"]) & ballots["rechecked"]
    ballots["failed"] = ballots["status"].eq("failed") & ballots["rechecked"]
    return ballots, pd.DataFrame(comparisons, columns=["ballot_id", "question", "differs"])


def _summarise(ballots: pd.DataFrame, comparisons: pd.DataFrame, by: str) -> pd.DataFrame:
    grouped = ballots.groupby(by)
    table = pd.DataFrame(
        {
            "ballots": grouped.size(),
            "rechecked": grouped["rechecked"].sum(),
            "decided": grouped["decided"].sum(),
            "failed": grouped["failed"].sum(),
            "median_duration_seconds": grouped["duration"].median(),
            "straight_lined_share": grouped["straight_lined"].mean(),
        }
    )
    table["failure_rate"] = table["failed"] / table["decided"].where(table["decided"] > 0)
    disagreement = {}
    if not comparisons.empty:
        merged = comparisons.merge(ballots[["ballot_id", by]], on="ballot_id")
        rates = merged.groupby([by, "question"])["differs"].agg(["mean", "size"])
        for (key, question), row in rates.iterrows():
            disagreement.setdefault(key, {})[question] = {"rate": float(row["mean"]), "compared": int(row["size"])}
    table["disagreement"] = [disagreement.get(key, {}) for key in table.index]
    return table


def quality(survey_round: SurveyRound) -> dict:
    """Per-enumerator and per-agency statistics of a round, with quarantine flags."""
    settings = settings_of(survey_round)
    ballots, comparisons = _frames(survey_round.id)
    if ballots.empty:
        return {"round": survey_round.code, "settings": settings, "enumerators": [], "agencies": []}
    names = dict(db.session.execute(select(User.id, User.username)).all())
    codes = dict(db.session.execute(select(Agency.id, Agency.code)).all())
    quarantined = {q.enumerator_id: q for q in _quarantines(survey_round.id)}
    enumerators = _summarise(ballots, comparisons, "enumerator_id")
    agencies = _summarise(ballots, comparisons, "agency_id")

    def rows(table, label, key_name):
        out = []
        for key, row in table.iterrows():
            entry = {key_name: label[key], **{k: _plain(v) for k, v in row.items()}}
            out.append(entry)
        return out

    enumerator_rows = rows(enumerators, names, "enumerator")
    for entry, enumerator_id in zip(enumerator_rows, enumerators.index, strict=True):
        entry["over_threshold"] = _over_threshold(entry, settings)
        q = quarantined.get(enumerator_id)
        entry["quarantine"] = None if q is None else {"id": q.id, "decision": q.decision}
    return {
        "round": survey_round.code,
        "settings": settings,
        "enumerators": enumerator_rows,
        "agencies": rows(agencies, codes, "agency"),
    }


def _plain(value):
    if isinstance(value, float) and value != value:  # NaN: no decided re-checks yet
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _over_threshold(entry: dict, settings: dict) -> bool:
    return (
        entry["decided"] >= settings["quarantine_min_decided"]
        and entry["failure_rate"] is not None
        and entry["failure_rate"] > settings["quarantine_failure_rate"]
    )


def _quarantines(round_id: int) -> list[Quarantine]:
    return list(db.session.scalars(select(Quarantine).where(Quarantine.round_id == round_id).order_by(Quarantine.id)))


def apply_quarantines(survey_round: SurveyRound, actor: User) -> list[Quarantine]:
    """Quarantine every enumerator over the threshold who is not quarantined in this round yet."""
    report = quality(survey_round)
    existing = {q.enumerator_id for q in _quarantines(survey_round.id)}
    ids = dict(db.session.execute(select(User.username, User.id)).all())
    created = []
    for entry in report["enumerators"]:
        enumerator_id = ids[entry["enumerator"]]
        if entry["over_threshold"] and enumerator_id not in existing:
            quarantine = Quarantine(
                round_id=survey_round.id,
                enumerator_id=enumerator_id,
                failure_rate=entry["failure_rate"],
                decided_rechecks=entry["decided"],
            )
            db.session.add(quarantine)
            created.append(quarantine)
    db.session.flush()
    append(
        [
            Event(
                actor.username,
                "enumerator",
                q.enumerator.username,
                "quarantined",
                {"round": survey_round.code, "failure_rate": q.failure_rate, "decided": q.decided_rechecks},
                "failure rate over the round's threshold",
            )
            for q in created
        ]
    )
    return created


def decide(quarantine_id: int, decision: str, reason: str, actor: User) -> Quarantine:
    """A supervisor releases the ballots (they count again) or confirms their exclusion, with a reason."""
    quarantine = db.session.get(Quarantine, quarantine_id)
    if quarantine is None:
        raise ApiError("not_found", f"No quarantine {quarantine_id}.")
    if decision not in ("release", "exclude"):
        raise ApiError("invalid_request", "Unknown decision.", {"decision": ["release or exclude"]})
    if not reason.strip():
        raise ApiError("invalid_request", "Say why.", {"reason": ["Required."]})
    if quarantine.decision is not None:
        raise ApiError("state_conflict", f"Quarantine {quarantine_id} was decided already ({quarantine.decision}).")
    quarantine.decision, quarantine.decision_reason = decision, reason.strip()
    quarantine.decided_at, quarantine.decided_by = utcnow(), actor
    db.session.flush()
    append(
        [
            Event(
                actor.username,
                "enumerator",
                quarantine.enumerator.username,
                f"quarantine_{decision}",
                {"quarantine": quarantine.id},
                reason.strip(),
            )
        ]
    )
    return quarantine
