"""Stored questionnaire versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..registry.models import SurveyRound
from ..timeutil import UTCDateTime, utcnow

FORM_STATES = ("draft", "published", "closed")


class FormVersion(db.Model):
    """One ``(form_id, version)``. Once published its content never changes: ``content_hash`` is its
    identity and its HTTP ETag, and ``canonical`` holds the exact bytes devices download and hash."""

    __tablename__ = "form_versions"
    __table_args__ = (
        UniqueConstraint("form_id", "version", name="uq_form_versions_form_version"),
        CheckConstraint(f"state IN {FORM_STATES!r}", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    title: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    content_hash: Mapped[str] = mapped_column(String(64))
    canonical: Mapped[str] = mapped_column(Text)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("survey_rounds.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[SurveyRound | None] = relationship()

    @property
    def accepts_answers(self) -> bool:
        """Published and not closed, and its round (if any) still open; older versions keep accepting."""
        return self.state == "published" and (self.round is None or self.round.state == "open")

    def accepts_ballot_completed_at(self, completed_at: datetime | None) -> bool:
        """A device's ballot is taken while the version accepts answers, and also after it was closed when
        the interview was completed before the close (the round still open): fieldwork done offline before
        a mid-season close is not lost. A ballot completed after the close is refused (``form_closed``)."""
        if self.accepts_answers:
            return True
        return (
            self.state == "closed"
            and (self.round is None or self.round.state == "open")
            and completed_at is not None
            and self.closed_at is not None
            and completed_at <= self.closed_at
        )
