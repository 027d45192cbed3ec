"""Re-check samples, the ballots selected in them, reviewers' verifications, and quarantines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..ballots.models import Ballot
from ..extensions import db
from ..registry.models import SurveyRound
from ..timeutil import UTCDateTime, utcnow

OUTCOMES = ("confirmed", "unreachable", "not_eligible", "interview_not_held", "answers_differ")
SELECTION_REASONS = ("random", "minimum", "shortest", "straight_lined", "repeated_phone")


class RecheckSample(db.Model):
    """One draw of a round's re-check sample, reproducible from its seed and parameters."""

    __tablename__ = "recheck_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    seed: Mapped[int]
    parameters: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    round: Mapped[SurveyRound] = relationship()
    created_by: Mapped[User] = relationship()


class RecheckAssignment(db.Model):
    """A selected ballot given to a reviewer organisation (MTTQ or CCB), and optionally one reviewer."""

    __tablename__ = "recheck_assignments"
    __table_args__ = (
        UniqueConstraint("ballot_id", "organisation", name="uq_recheck_assignments_ballot_organisation"),
        CheckConstraint(f"reason IN {SELECTION_REASONS!r}", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("recheck_samples.id", ondelete="CASCADE"), index=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[str] = mapped_column(String(8))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(16))

    sample: Mapped[RecheckSample] = relationship()
    ballot: Mapped[Ballot] = relationship()
    reviewer: Mapped[User | None] = relationship()


class Verification(db.Model):
    """A reviewer's finding on one assignment. Its own instance id makes resending it safe."""

    __tablename__ = "verifications"
    __table_args__ = (CheckConstraint(f"outcome IN {OUTCOMES!r}", name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), unique=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("recheck_assignments.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    outcome: Mapped[str] = mapped_column(String(20))
    reasked: Mapped[dict] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(String(2000), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[RecheckAssignment] = relationship()
    reviewer: Mapped[User] = relationship()


class Quarantine(db.Model):
    """An enumerator's ballots of a round held out of scoring until a supervisor decides."""

    __tablename__ = "quarantines"
    __table_args__ = (CheckConstraint("decision IS NULL OR decision IN ('release', 'exclude')", name="decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    failure_rate: Mapped[float]
    decided_rechecks: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(8))
    decision_reason: Mapped[str | None] = mapped_column(String(1000))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    enumerator: Mapped[User] = relationship(foreign_keys=[enumerator_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def excludes(self) -> bool:
        """Open quarantines and those a supervisor confirmed keep the ballots out of scoring."""
        return self.decision in (None, "exclude")
