"""Agencies (cơ quan, đơn vị), survey rounds (đợt khảo sát) and round participation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

GROUPS = ("department", "district", "commune")
ROUND_STATES = ("open", "closed")


class Agency(db.Model):
    """A ranked agency: a department (sở, ban, ngành), a district (UBND huyện) or a commune (xã)."""

    __tablename__ = "agencies"
    __table_args__ = (CheckConstraint(f"agency_group IN {GROUPS!r}", name="agency_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    agency_group: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    #: Handles administrative procedures (TTHC) and so is surveyed for satisfaction.
    handles_procedures: Mapped[bool] = mapped_column(default=True)
    #: Where its one-stop office (bộ phận một cửa) is, for the location check of interviews (WGS 84 degrees).
    office_latitude: Mapped[float | None]
    office_longitude: Mapped[float | None]

    parent: Mapped[Agency | None] = relationship(remote_side=[id])


class SurveyRound(db.Model):
    """One year's survey and PAR index round, with the method and bands that apply to it."""

    __tablename__ = "survey_rounds"
    __table_args__ = (
        CheckConstraint(f"state IN {ROUND_STATES!r}", name="state"),
        CheckConstraint("window_start <= window_end", name="window"),
        CheckConstraint("survey_max_points > 0", name="survey_max_points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(300), default="")
    window_start: Mapped[date]
    window_end: Mapped[date]
    method_version: Mapped[str] = mapped_column(String(32))
    survey_max_points: Mapped[float] = mapped_column(Numeric(8, 3, asdecimal=False))
    #: [{"code": "excellent", "label": "Xuất sắc", "min": 95}, ..., {"code": "weak", "label": "Yếu", "min": null}]
    bands: Mapped[list] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(8), default="open")
    #: Cleaning, re-check and quarantine settings; see ``server.recheck.settings`` for the keys and defaults.
    quality_settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participants: Mapped[list[RoundAgency]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundAgency.id"
    )


class RoundAgency(db.Model):
    """An agency's part in a round: the maximum points that apply to it and its ballot quota."""

    __tablename__ = "round_agencies"
    __table_args__ = (
        UniqueConstraint("round_id", "agency_id", name="uq_round_agencies_round_agency"),
        CheckConstraint("max_points > 0", name="max_points"),
        CheckConstraint("ballot_quota >= 0", name="ballot_quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    surveyed: Mapped[bool] = mapped_column(default=True)
    max_points: Mapped[float] = mapped_column(Numeric(8, 3, asdecimal=False))
    ballot_quota: Mapped[int] = mapped_column(default=0)

    round: Mapped[SurveyRound] = relationship(back_populates="participants")
    agency: Mapped[Agency] = relationship()
