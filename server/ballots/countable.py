"""Which ballots count for scoring: the one query scoring reads, and the counts of what it leaves out.

Today every stored ballot of a round counts: the server refuses invalid ballots at intake. The
re-check work (ballot status, failed re-checks, quarantine) narrows this query; scoring code never
filters ballots itself, so that rule stays in one place.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from ..extensions import db
from .models import Ballot


def countable_ballots(round_id: int) -> Select:
    """SELECT of the ballots of a round that count (add columns or joins with ``.with_only_columns``)."""
    return select(Ballot).where(Ballot.round_id == round_id)


def excluded_counts(round_id: int) -> dict[str, int]:
    """Ballots of the round that do not count, by reason (reason code -> count)."""
    del round_id  # no exclusion reason exists before re-checks
    return {}


def count_countable(round_id: int) -> int:
    return db.session.scalar(countable_ballots(round_id).with_only_columns(db.func.count()).order_by(None))
