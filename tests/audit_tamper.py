"""Changing the audit log as someone with the database's own powers would (for tests of tamper detection)."""

from __future__ import annotations

from sqlalchemy import text


def as_database_owner(db, *statements) -> None:
    """Run statements past the append-only trigger (PostgreSQL: as the superuser, who may skip triggers)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    for statement in statements:
        db.session.execute(statement)
    db.session.commit()
