"""The append-only, tamper-evident audit log: who changed what, when and why.

Each entry's hash covers its content and the previous entry's hash, so changing, removing or
reordering any stored entry breaks the chain from that point; ``verify_chain`` finds the first break.
Appends are serialised on the single ``audit_chain_head`` row (row lock on PostgreSQL, the write lock
on SQLite), so concurrent requests extend one chain. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Integer, String, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from .bulk import insert_rows
from .extensions import db
from .timeutil import UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(db.Model):
    """One row: the last entry's sequence number and hash."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


@dataclass(frozen=True)
class Event:
    actor: str
    subject_type: str
    subject_id: str
    action: str
    details: dict
    reason: str = ""


def _entry_hash(seq: int, at: str, event: Event, prev_hash: str) -> str:
    content = {
        "seq": seq,
        "at": at,
        "actor": event.actor,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "action": event.action,
        "details": event.details,
        "reason": event.reason,
        "prev_hash": prev_hash,
    }
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


def append(events: list[Event]) -> None:
    """Append events to the chain, in order."""
    if not events:
        return
    dialect = db.session.get_bind().dialect.name
    insert_head = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(AuditChainHead)
    # The first append ever creates the head row; concurrent first appends must not collide on it.
    db.session.execute(insert_head.values(id=1, last_seq=0, last_hash=GENESIS).on_conflict_do_nothing())
    seq, prev_hash = db.session.execute(
        select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1).with_for_update()
    ).one()
    rows = []
    now = utcnow()
    for event in events:
        seq += 1
        entry_hash = _entry_hash(seq, _timestamp(now), event, prev_hash)
        rows.append(
            {
                "seq": seq,
                "at": now,
                "actor": event.actor,
                "subject_type": event.subject_type,
                "subject_id": event.subject_id,
                "action": event.action,
                "details": event.details,
                "reason": event.reason,
                "prev_hash": prev_hash,
                "hash": entry_hash,
            }
        )
        prev_hash = entry_hash
    insert_rows(AuditEntry.__table__, rows)
    db.session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(last_seq=seq, last_hash=prev_hash))


def entries_for(subject_type: str, subject_id: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
            .order_by(AuditEntry.seq)
        )
    )


@dataclass
class ChainReport:
    entries: int
    ok: bool
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first entry whose content or link does not match."""
    head = db.session.get(AuditChainHead, 1)
    prev_hash, expected_seq, count = GENESIS, 1, 0
    last = 0
    while True:
        rows = list(
            db.session.scalars(select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch))
        )
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return ChainReport(count, False, expected_seq, "an entry is missing")
            event = Event(entry.actor, entry.subject_type, entry.subject_id, entry.action, entry.details, entry.reason)
            if entry.prev_hash != prev_hash:
                return ChainReport(count, False, entry.seq, "the link to the previous entry is broken")
            if _entry_hash(entry.seq, _timestamp(entry.at), event, prev_hash) != entry.hash:
                return ChainReport(count, False, entry.seq, "the entry's content does not match its hash")
            prev_hash, expected_seq, count, last = entry.hash, expected_seq + 1, count + 1, entry.seq
        db.session.expunge_all()
    if head is not None and (head.last_seq != count or head.last_hash != prev_hash):
        return ChainReport(count, False, count + 1, "entries after the last one found were removed")
    return ChainReport(count, True)
