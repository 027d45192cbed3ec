"""Tables of the appraisal: criteria, deadlines, members, self-assessments, evidence files, appraisals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..registry.models import Agency, SurveyRound
from ..results.models import POINTS
from ..timeutil import UTCDateTime, utcnow


class Criterion(db.Model):
    """A node of a round's criteria set (Bộ tiêu chí): a content area (lĩnh vực, no parent), a criterion
    (tiêu chí) or a sub-criterion (tiêu chí thành phần). Leaves carry a scoring ``rule``.

    ``rule`` of a leaf, one of
    ``{"type": "levels", "levels": [0, 0.5, 1]}`` (choose one of fixed points),
    ``{"type": "proportional", "figure": "...", "full_at": 100}`` (max × figure / full_at, capped),
    ``{"type": "penalty", "per_unit": 0.5, "floor": -2}`` (−per_unit × count, never below floor; max 0).
    ``groups``: agency groups the node applies to (None: all), inherited by its descendants;
    ``council_org``: who appraises it (inherited too). ``change`` says how it differs from the set of
    the round it was compared with (``new``, ``changed``, ``unchanged``); ``previous`` holds the old values.
    """

    __tablename__ = "appraisal_criteria"
    __table_args__ = (UniqueConstraint("round_id", "code", name="uq_appraisal_criteria_round_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("appraisal_criteria.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(1000))
    max_points: Mapped[float] = mapped_column(POINTS)
    rule: Mapped[dict | None] = mapped_column(JSON)
    groups: Mapped[list | None] = mapped_column(JSON)
    council_org: Mapped[str | None] = mapped_column(String(16))
    change: Mapped[str] = mapped_column(String(16), default="new")
    previous: Mapped[dict | None] = mapped_column(JSON)

    round: Mapped[SurveyRound] = relationship()
    parent: Mapped[Criterion | None] = relationship(remote_side=[id])


class AppraisalCalendar(db.Model):
    """A round's appraisal settings: deadlines per stage, the round compared with, and the lock."""

    __tablename__ = "appraisal_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), unique=True)
    self_assessment_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appraisal_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    compared_with_round_id: Mapped[int | None] = mapped_column(ForeignKey("survey_rounds.id", ondelete="SET NULL"))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    round: Mapped[SurveyRound] = relationship(foreign_keys=[round_id])
    compared_with: Mapped[SurveyRound | None] = relationship(foreign_keys=[compared_with_round_id])
    locked_by: Mapped[User | None] = relationship()


class AppraisalMember(db.Model):
    """Whom an agency officer speaks for (``agency``) or which council organisation an appraiser sits for."""

    __tablename__ = "appraisal_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    council_org: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship()
    agency: Mapped[Agency | None] = relationship()


class AgencySubmission(db.Model):
    """An agency's self-assessment handed in to the council (after which the agency no longer edits it)."""

    __tablename__ = "appraisal_submissions"
    __table_args__ = (UniqueConstraint("round_id", "agency_id", name="uq_appraisal_submissions_round_agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class SelfAssessment(db.Model):
    """An agency's self-assessed points (điểm tự đánh giá) on one leaf, with its explanation (giải trình).

    ``value`` is what was entered (the chosen level, the reported figure or the penalty count);
    ``points`` is what the leaf's rule makes of it.
    """

    __tablename__ = "appraisal_self_assessments"
    __table_args__ = (
        UniqueConstraint("agency_id", "criterion_id", name="uq_appraisal_self_assessments_agency_criterion"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("appraisal_criteria.id", ondelete="CASCADE"), index=True)
    value: Mapped[float | None] = mapped_column(POINTS)
    points: Mapped[float] = mapped_column(POINTS)
    explanation: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    criterion: Mapped[Criterion] = relationship()
    agency: Mapped[Agency] = relationship()
    evidence: Mapped[list[EvidenceFile]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="EvidenceFile.id"
    )


class EvidenceFile(db.Model):
    """A PDF of evidence (tài liệu kiểm chứng), stored by its SHA-256, with what its signature check found.

    ``signature_status``: ``valid`` (intact, and its certificate chains to a trusted root), ``untrusted``
    (intact, but the chain does not reach a trusted root), ``invalid`` (the signed bytes were changed or
    the signature is broken), ``unsigned`` (no signature) or ``unverifiable`` (the check itself failed).
    Only ``valid`` counts as signed evidence; the others are shown as they are.
    """

    __tablename__ = "appraisal_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("appraisal_self_assessments.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    signature_status: Mapped[str] = mapped_column(String(16))
    signer: Mapped[str] = mapped_column(String(500), default="")
    issuer: Mapped[str] = mapped_column(String(500), default="")
    certificate_serial: Mapped[str] = mapped_column(String(100), default="")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(String(1000), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    assessment: Mapped[SelfAssessment] = relationship(back_populates="evidence")


class CouncilAppraisal(db.Model):
    """The council's appraised points (điểm thẩm định) on one leaf of one agency, the appraiser's comment,
    and the agency's one answer (giải trình bổ sung)."""

    __tablename__ = "appraisal_reviews"
    __table_args__ = (UniqueConstraint("agency_id", "criterion_id", name="uq_appraisal_reviews_agency_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("appraisal_criteria.id", ondelete="CASCADE"), index=True)
    value: Mapped[float | None] = mapped_column(POINTS)
    points: Mapped[float] = mapped_column(POINTS)
    comment: Mapped[str] = mapped_column(Text, default="")
    appraiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    appraised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    criterion: Mapped[Criterion] = relationship()
    agency: Mapped[Agency] = relationship()
    appraiser: Mapped[User | None] = relationship(foreign_keys=[appraiser_id])
