"""What OpenRosa needs beyond the core tables: Digest credentials of app passwords, and edit aliases."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DigestCredential(db.Model):
    """HA1 = MD5(username:realm:password) of an app password (an ``ApiToken`` secret, 256 random bits), so
    Digest clients can prove they hold it. MD5 of such a secret cannot be reversed or guessed."""

    __tablename__ = "openrosa_digest_credentials"

    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True)
    ha1: Mapped[str] = mapped_column(String(32))


class InstanceAlias(db.Model):
    """An ODK edit's instanceID and the ballot it edits (its chain of deprecatedIDs leads there)."""

    __tablename__ = "openrosa_instance_aliases"

    instance_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ballot_instance_id: Mapped[str] = mapped_column(String(36))
