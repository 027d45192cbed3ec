"""Agencies (cơ quan, đơn vị), survey rounds (đợt khảo sát) and round participation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

#: The groups every installation starts with (the pre-2025 three-tier list); a province adds its own.
BUILT_IN_GROUPS = (
    ("department", "Sở, ban, ngành"),
    ("district", "UBND cấp huyện"),
    ("commune", "UBND cấp xã"),
)
ROUND_STATES = ("open", "closed")
LINEAGE_KINDS = ("merged_from", "split_from", "renamed_from")


class AgencyGroup(db.Model):
    """A group agencies are ranked in (nhóm xếp hạng), in the province's own list: since the 2025
    reorganisation e.g. sở, ban, ngành; UBND phường; UBND xã; đặc khu. ``position`` orders the report."""

    __tablename__ = "agency_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)


class Agency(db.Model):
    """A ranked agency of one of the province's groups: a department (sở, ban, ngành), a ward (phường),
    a commune (xã), a special zone (đặc khu), or before 2025 a district (UBND huyện)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    agency_group: Mapped[str] = mapped_column(String(16), ForeignKey("agency_groups.code", ondelete="RESTRICT"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    #: Handles administrative procedures (TTHC) and so is surveyed for satisfaction.
    handles_procedures: Mapped[bool] = mapped_column(default=True)
    #: Where its one-stop office (bộ phận một cửa) is, for the location check of interviews (WGS 84 degrees).
    office_latitude: Mapped[float | None]
    office_longitude: Mapped[float | None]

    parent: Mapped[Agency | None] = relationship(remote_side=[id])
    lineage: Mapped[list[AgencyLineage]] = relationship(
        foreign_keys="AgencyLineage.agency_id",
        cascade="all, delete-orphan",
        order_by="AgencyLineage.id",
        back_populates="agency",
    )


class AgencyLineage(db.Model):
    """Where an agency comes from: merged from (sáp nhập từ), split from (chia tách từ) or renamed from
    (đổi tên từ) a predecessor, on an effective date. Year-on-year change of a merged unit is computed
    from its predecessors (``scoring.lineage``)."""

    __tablename__ = "agency_lineage"
    __table_args__ = (
        UniqueConstraint("agency_id", "predecessor_id", name="uq_agency_lineage_agency_predecessor"),
        CheckConstraint(f"kind IN {LINEAGE_KINDS!r}", name="kind"),
        CheckConstraint("agency_id <> predecessor_id", name="not_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))
    effective_date: Mapped[date | None]

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id], back_populates="lineage")
    predecessor: Mapped[Agency] = relationship(foreign_keys=[predecessor_id])


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
