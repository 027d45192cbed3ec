"""Appraisal points per round and stored score runs with their provenance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..registry.models import Agency, SurveyRound
from ..timeutil import UTCDateTime, utcnow

#: Points are kept exactly as entered (the appraisal council writes at most three decimals).
POINTS = Numeric(10, 4, asdecimal=False)


class AppraisalArea(db.Model):
    """A content area (lĩnh vực) of a round's appraisal criteria tree, with its maximum points.

    A penalty area has a maximum of 0 and negative points.
    """

    __tablename__ = "appraisal_areas"
    __table_args__ = (UniqueConstraint("round_id", "name", name="uq_appraisal_areas_round_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    max_points: Mapped[float] = mapped_column(POINTS)

    round: Mapped[SurveyRound] = relationship()


class AppraisalPoints(db.Model):
    """An agency's appraised points (điểm thẩm định) in a round, as fixed by the appraisal council.

    ``satisfaction_points`` is filled only for a round whose survey was scored outside parsurvey (a
    year before it was used); a round with ballots computes them in its score runs.
    """

    __tablename__ = "appraisal_points"
    __table_args__ = (UniqueConstraint("round_id", "agency_id", name="uq_appraisal_points_round_agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    points: Mapped[float] = mapped_column(POINTS)
    satisfaction_points: Mapped[float | None] = mapped_column(POINTS)
    source: Mapped[str] = mapped_column(String(300), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    round: Mapped[SurveyRound] = relationship()
    agency: Mapped[Agency] = relationship()
    imported_by: Mapped[User | None] = relationship()
    areas: Mapped[list[AppraisalAreaPoints]] = relationship(
        back_populates="appraisal", cascade="all, delete-orphan", order_by="AppraisalAreaPoints.id"
    )


class AppraisalAreaPoints(db.Model):
    """An agency's points in one content area (may be negative for a penalty area)."""

    __tablename__ = "appraisal_area_points"
    __table_args__ = (UniqueConstraint("appraisal_id", "area_id", name="uq_appraisal_area_points_appraisal_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisal_points.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("appraisal_areas.id", ondelete="CASCADE"))
    points: Mapped[float] = mapped_column(POINTS)

    appraisal: Mapped[AppraisalPoints] = relationship(back_populates="areas")
    area: Mapped[AppraisalArea] = relationship()


class ScoreRun(db.Model):
    """One scoring of a round, kept with everything needed to trace and reproduce it.

    ``input_hash`` is the sha256 of the inputs (ballot ids and content hashes, appraisal rows,
    participants, bands and parameters): two runs with the same hash scored the same data the same
    way. ``results`` holds every number unrounded; rounding happens only in exports and the report.
    """

    __tablename__ = "score_runs"
    __table_args__ = (CheckConstraint("ballots_included >= 0 AND ballots_excluded >= 0", name="counts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(32))
    method_version: Mapped[str] = mapped_column(String(32))
    parameters: Mapped[dict] = mapped_column(JSON)
    ballots_included: Mapped[int]
    ballots_excluded: Mapped[int]
    #: reason code -> number of ballots of the round that did not count
    excluded: Mapped[dict] = mapped_column(JSON)
    input_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: "api" or "cli"
    origin: Mapped[str] = mapped_column(String(8))
    results: Mapped[dict] = mapped_column(JSON, deferred=True)

    round: Mapped[SurveyRound] = relationship()
    created_by: Mapped[User | None] = relationship()


#: How a round treats agencies below the minimum sample: ranked with a mark, or listed as not ranked.
BELOW_MIN_SAMPLE_RULES = ("rank_marked", "not_ranked")
#: What rank and band are decided on: the index as displayed (2 decimals, half-up, as published) or unrounded.
BAND_BASES = ("displayed", "unrounded")


class RoundScoringSettings(db.Model):
    """A round's scoring rules that are the province's choice, used by every score run of the round.

    A round without a row uses the defaults (``rank_marked``, ``displayed``, 30 ballots).
    """

    __tablename__ = "round_scoring_settings"
    __table_args__ = (
        CheckConstraint(f"below_min_sample IN {BELOW_MIN_SAMPLE_RULES!r}", name="below_min_sample"),
        CheckConstraint(f"band_basis IN {BAND_BASES!r}", name="band_basis"),
        CheckConstraint("min_ballots >= 0", name="min_ballots"),
    )

    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), primary_key=True)
    below_min_sample: Mapped[str] = mapped_column(String(16), default="rank_marked")
    band_basis: Mapped[str] = mapped_column(String(16), default="displayed")
    min_ballots: Mapped[int] = mapped_column(default=30)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    round: Mapped[SurveyRound] = relationship()
    updated_by: Mapped[User | None] = relationship()
