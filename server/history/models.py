"""Published results of an earlier year, per agency and per group, as the province published them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

#: Published figures carry two decimals; four keep anything a province wrote.
FIGURE = Numeric(10, 4, asdecimal=False)


class PublishedAgencyResult(db.Model):
    """One agency's line of an earlier year's published table: total points, index, rank and band.

    The agency is named by its code as it was that year (it may no longer be in the registry: a unit
    merged away in 2025); ``agency_name`` keeps the published name."""

    __tablename__ = "published_agency_results"
    __table_args__ = (UniqueConstraint("year", "agency_code", name="uq_published_agency_results_year_agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    agency_code: Mapped[str] = mapped_column(String(32))
    agency_name: Mapped[str] = mapped_column(String(300), default="")
    group_code: Mapped[str] = mapped_column(String(16))
    points: Mapped[float | None] = mapped_column(FIGURE)
    index: Mapped[float] = mapped_column(FIGURE)
    rank: Mapped[int | None]
    band: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    imported_by: Mapped[User | None] = relationship()


class PublishedGroupResult(db.Model):
    """A group's line of an earlier year's published summary: mean, highest and lowest index, and
    (when published) how many agencies were ranked -- which tells a partial agency table."""

    __tablename__ = "published_group_results"
    __table_args__ = (UniqueConstraint("year", "group_code", name="uq_published_group_results_year_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    group_code: Mapped[str] = mapped_column(String(16))
    mean: Mapped[float] = mapped_column(FIGURE)
    highest: Mapped[float | None] = mapped_column(FIGURE)
    lowest: Mapped[float | None] = mapped_column(FIGURE)
    agencies: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(300), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
