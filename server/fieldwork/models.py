"""Enumerator assignments (phân công điều tra viên)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..registry.models import Agency, SurveyRound


class Assignment(db.Model):
    """An enumerator works in an agency during a round, with a ballot quota of their own."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("round_id", "enumerator_id", "agency_id", name="uq_assignments_round_enumerator_agency"),
        CheckConstraint("quota >= 0", name="quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    quota: Mapped[int] = mapped_column(default=0)

    round: Mapped[SurveyRound] = relationship()
    enumerator: Mapped[User] = relationship()
    agency: Mapped[Agency] = relationship()
