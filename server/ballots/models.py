"""Stored ballots (phiếu khảo sát) and the conflicting resends kept aside for supervisors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..forms.models import FormVersion
from ..registry.models import Agency, SurveyRound
from ..timeutil import UTCDateTime, utcnow

#: received → valid | invalid (cleaning) → selected (re-check sample) → confirmed | failed;
#: supervisors may override any status with a reason. Every change is in the audit log.
BALLOT_STATUSES = ("received", "valid", "invalid", "selected", "confirmed", "failed")


#: Filter columns the ballot table's indexes carry, so a filtered, sorted page never reads rows to skip them.
COVERED = ("status", "agency_id", "enumerator_id", "completed_at", "duration_seconds")


def _table_index(name: str, column: str) -> Index:
    """(round, column, id) and the filter columns: count, sort, filter and skip within the index alone."""
    return Index(name, "round_id", column, "id", *(c for c in COVERED if c != column))


class Ballot(db.Model):
    """One interview, exactly once: the database enforces one row per device-generated instance id."""

    __tablename__ = "ballots"
    __table_args__ = (
        CheckConstraint(f"status IN {BALLOT_STATUSES!r}", name="status"),
        # The ballot table's usual orders within a round: count, sort, filter and skip over the index alone.
        _table_index("ix_ballots_round_completed", "completed_at"),
        _table_index("ix_ballots_round_received", "received_at"),
        _table_index("ix_ballots_round_duration", "duration_seconds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), unique=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id", ondelete="RESTRICT"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("survey_rounds.id", ondelete="RESTRICT"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    device_id: Mapped[str] = mapped_column(String(100))
    answers: Mapped[dict] = mapped_column(JSON)
    paradata: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Derived at intake for re-check sampling and quality statistics, so they never re-read answers.
    duration_seconds: Mapped[float | None]
    straight_lined: Mapped[bool] = mapped_column(default=False)
    #: sha256 of the respondent's normalised contact answers: finds repeated respondents without showing them.
    contact_key: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(12), default="received", index=True)
    #: Why the status is what it is (a cleaning rule, a re-check outcome, an override).
    status_reason: Mapped[str | None] = mapped_column(String(200))

    form_version: Mapped[FormVersion] = relationship()
    round: Mapped[SurveyRound | None] = relationship()
    agency: Mapped[Agency] = relationship()
    enumerator: Mapped[User] = relationship()


class BallotConflict(db.Model):
    """A resend with an instance id already stored but other content. The stored ballot is untouched;
    a supervisor keeps it or takes the new content, with a reason."""

    __tablename__ = "ballot_conflicts"
    __table_args__ = (
        UniqueConstraint("instance_id", "content_hash", name="uq_ballot_conflicts_instance_content"),
        CheckConstraint("resolution IS NULL OR resolution IN ('keep_stored', 'take_new')", name="resolution"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    content_hash: Mapped[str] = mapped_column(String(64))
    envelope: Mapped[dict] = mapped_column(JSON)
    device_id: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolution: Mapped[str | None] = mapped_column(String(12))
    #: With take_new: the stored content that was replaced, so nothing is ever lost.
    replaced: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(1000))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    ballot: Mapped[Ballot] = relationship()
    resolved_by: Mapped[User | None] = relationship()
    #: The files sent with this content (without their bytes until asked for).
    attachments: Mapped[list[ConflictAttachment]] = relationship(
        order_by="ConflictAttachment.id", lazy="selectin", viewonly=True
    )


class BallotAttachment(db.Model):
    """A file answering a media question (image, audio, video, file) of a ballot: the answer is its name.

    The bytes are kept in the database, in the same transaction as everything else: an acknowledged file
    is committed like the ballot, backed up with it, and never an orphan on a disk. One row per (ballot,
    file name); the same name with other bytes is refused (``payload_conflict``), never overwritten.
    """

    __tablename__ = "ballot_attachments"
    __table_args__ = (UniqueConstraint("ballot_id", "file_name", name="uq_ballot_attachments_ballot_file"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConflictAttachment(db.Model):
    """A file sent with a conflicting resend, kept with its conflict by the rules of ``BallotAttachment``: the
    stored ballot's files never change, and what the device sent with the other content is not lost."""

    __tablename__ = "ballot_conflict_attachments"
    __table_args__ = (
        UniqueConstraint("conflict_id", "file_name", name="uq_ballot_conflict_attachments_conflict_file"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conflict_id: Mapped[int] = mapped_column(ForeignKey("ballot_conflicts.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
