"""Users and their API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..registry.models import Agency
from ..timeutil import UTCDateTime, utcnow
from .roles import ORGANISATIONS, ROLES


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role"),
        CheckConstraint(
            f"(role = 'reviewer' AND organisation IN ({', '.join(repr(o) for o in ORGANISATIONS)}))"
            " OR (role != 'reviewer' AND organisation IS NULL)",
            name="organisation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    organisation: Mapped[str | None] = mapped_column(String(8))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: A reviewer's own agency, if any: re-check sampling never gives them that agency's ballots.
    home_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")
    home_agency: Mapped[Agency | None] = relationship()


class ApiToken(db.Model):
    """A device or script credential. Only a SHA-256 of the secret is stored; the secret is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Web sessions expire; device and script tokens (None) last until revoked.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When a device last sent a sync batch with this token (the devices screen shows it).
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class EnrolmentCode(db.Model):
    """A short-lived, one-time code that signs a phone in as a user when it opens the link of a QR code
    shown on the admin's screen (no token typed by hand). Only a SHA-256 of the code is stored."""

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInCounter(db.Model):
    """A fixed-window counter of failed sign-ins (``server.auth.throttle``): one row per limit and key.

    Kept in the app's own database so every worker and every app server counts together, with no other
    service to run. Keys hold a digest of the username, never what was typed."""

    __tablename__ = "sign_in_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int]
    #: When the window ends, in seconds since the epoch (as the ``limits`` library counts).
    expires_at: Mapped[float] = mapped_column(index=True)
