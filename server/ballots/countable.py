"""Which ballots count for scoring: the one query scoring reads, and the counts of what it leaves out.

A ballot counts when its status is ``valid``, ``selected`` (awaiting or unreachable re-check) or
``confirmed``, and its enumerator is not quarantined in the round (an open quarantine, or one a
supervisor confirmed). Scoring code never filters ballots itself, so this rule stays in one place.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from ..extensions import db
from ..recheck.models import Quarantine
from .models import Ballot

COUNTING_STATUSES = ("valid", "selected", "confirmed")


def _quarantined(round_id: int):
    return select(Quarantine.enumerator_id).where(
        Quarantine.round_id == round_id, (Quarantine.decision.is_(None)) | (Quarantine.decision == "exclude")
    )


def countable_ballots(round_id: int) -> Select:
    """SELECT of the ballots of a round that count (add columns or joins with ``.with_only_columns``)."""
    return select(Ballot).where(
        Ballot.round_id == round_id,
        Ballot.status.in_(COUNTING_STATUSES),
        Ballot.enumerator_id.not_in(_quarantined(round_id)),
    )


def excluded_counts(round_id: int) -> dict[str, int]:
    """Ballots of the round that do not count, by reason: ``invalid:<rule>``, ``failed_recheck``,
    ``not_cleaned`` and ``quarantined`` (ballots that would count but for their enumerator's quarantine)."""
    counts: dict[str, int] = {}
    rows = db.session.execute(
        select(Ballot.status, Ballot.status_reason, func.count())
        .where(Ballot.round_id == round_id, Ballot.status.not_in(COUNTING_STATUSES))
        .group_by(Ballot.status, Ballot.status_reason)
    )
    for status, reason, n in rows:
        if status == "invalid":
            key = "invalid:override" if not reason or reason.startswith("override:") else f"invalid:{reason}"
        else:
            key = {"failed": "failed_recheck", "received": "not_cleaned"}[status]
        counts[key] = counts.get(key, 0) + n
    quarantined = db.session.scalar(
        select(func.count())
        .select_from(Ballot)
        .where(
            Ballot.round_id == round_id,
            Ballot.status.in_(COUNTING_STATUSES),
            Ballot.enumerator_id.in_(_quarantined(round_id)),
        )
    )
    if quarantined:
        counts["quarantined"] = quarantined
    return counts


def count_countable(round_id: int) -> int:
    return db.session.scalar(countable_ballots(round_id).with_only_columns(func.count()).order_by(None))


def verdicts(instance_ids, enumerator_id: int | None = None) -> dict[str, dict]:
    """What the stored ballots among ``instance_ids`` (only the enumerator's own, when given) mean now:
    ``{instance_id: {"ballot_status", "status_reason", "countable"}}``, by the rule above. A ballot whose
    status would count but whose enumerator is quarantined is not countable, with reason ``quarantined``."""
    ids = list(instance_ids)
    if not ids:
        return {}
    query = select(
        Ballot.instance_id, Ballot.round_id, Ballot.enumerator_id, Ballot.status, Ballot.status_reason
    ).where(Ballot.instance_id.in_(ids))
    if enumerator_id is not None:
        query = query.where(Ballot.enumerator_id == enumerator_id)
    rows = db.session.execute(query).all()
    held: dict[int, set[int]] = {}
    for round_id in {row.round_id for row in rows if row.round_id is not None}:
        held[round_id] = set(db.session.scalars(_quarantined(round_id)))
    found = {}
    for row in rows:
        quarantined = row.enumerator_id in held.get(row.round_id, set())
        counts = row.status in COUNTING_STATUSES and not quarantined
        reason = row.status_reason
        if row.status in COUNTING_STATUSES and quarantined:
            reason = "quarantined"
        found[row.instance_id] = {"ballot_status": row.status, "status_reason": reason, "countable": counts}
    return found


def held_by_agency(round_id: int) -> dict[str, int]:
    """Per agency code: ballots that would count but are held because their enumerator is quarantined
    (tạm giữ). They are held, not invalid: releasing the quarantine makes them count again."""
    from ..registry.models import Agency

    rows = db.session.execute(
        select(Agency.code, func.count())
        .join(Ballot, Ballot.agency_id == Agency.id)
        .where(
            Ballot.round_id == round_id,
            Ballot.status.in_(COUNTING_STATUSES),
            Ballot.enumerator_id.in_(_quarantined(round_id)),
        )
        .group_by(Agency.code)
    )
    return {code: n for code, n in rows}
