"""The append-only, tamper-evident audit log: who changed what, when and why.

Entries are recorded in the transaction that makes the change (so a change and its entry exist
together or not at all) and then *sealed* into a hash chain: each sealed entry's hash covers its
content, its position and the previous entry's hash, so changing, removing or reordering a sealed
entry breaks the chain from that point; ``verify_chain`` finds the first break.

Sealing takes the single ``audit_chain_head`` row's lock, just before a transaction that recorded
entries commits (``transaction.commit``), without waiting, and at most every ``SEAL_INTERVAL``
seconds per worker: a transaction that finds the lock taken, or comes soon after its worker's last
seal, commits its entries unsealed and leaves them to the next sealer, which links every committed
entry it finds. So concurrent requests never queue on the chain (on PostgreSQL; SQLite has one
writer anyway), and ``parsurvey audit verify`` seals whatever is still pending before it checks.
Nothing here commits.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, bindparam, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from .bulk import insert_rows
from .extensions import db
from .timeutil import UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    # Sealers look for the few unsealed entries among many: a partial index keeps that a lookup, not a scan.
    __table_args__ = (
        Index(
            "ix_audit_log_unsealed",
            "id",
            postgresql_where=text("position IS NULL"),
            sqlite_where=text("position IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    #: Place in the hash chain, and the hashes; empty until the entry is sealed.
    position: Mapped[int | None] = mapped_column(Integer, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(db.Model):
    """One row: the position and hash of the last sealed entry."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_position: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


@dataclass(frozen=True)
class Event:
    actor: str
    subject_type: str
    subject_id: str
    action: str
    details: dict
    reason: str = ""


def _entry_hash(entry_id: int, position: int, at: datetime, event: Event, prev_hash: str) -> str:
    content = {
        "id": entry_id,
        "position": position,
        "at": at.isoformat(timespec="microseconds"),
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


def _event_of(entry: AuditEntry) -> Event:
    return Event(entry.actor, entry.subject_type, entry.subject_id, entry.action, entry.details, entry.reason)


def append(events: list[Event]) -> None:
    """Record events in this transaction; they join the hash chain when sealed (see ``seal``)."""
    if not events:
        return
    now = utcnow()
    insert_rows(
        AuditEntry.__table__,
        [
            {
                "at": now,
                "actor": e.actor,
                "subject_type": e.subject_type,
                "subject_id": e.subject_id,
                "action": e.action,
                "details": e.details,
                "reason": e.reason,
            }
            for e in events
        ],
    )
    db.session.info[UNSEALED] = True  # sealed just before this transaction commits (transaction.commit)


UNSEALED = "parsurvey.audit_unsealed"
_last_seal = [float("-inf")]


def seal_due(interval: float, now: float | None = None) -> bool:
    """True when this worker has not sealed in the last ``interval`` seconds (and notes the time).

    Under load one seal per worker per interval links everything committed meanwhile; sealing on every
    request would cost each one four more statements for the same chain.
    """
    now = time.monotonic() if now is None else now
    if interval > 0 and now - _last_seal[0] < interval:
        return False
    _last_seal[0] = now
    return True


def seal(wait: bool = True) -> int:
    """Link every committed, unsealed entry into the chain, in the order they were recorded.

    Sealers take the chain head's row lock; with ``wait=False`` a sealer that finds it taken returns
    at once, because the holder seals whatever is committed. Returns how many entries were sealed.
    """
    head_query = select(AuditChainHead.last_position, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
    head = db.session.execute(head_query.with_for_update(skip_locked=not wait)).first()
    if head is None:
        if db.session.scalar(select(func.count()).select_from(AuditChainHead)):
            return 0  # another sealer holds the head: it seals what is committed
        # The very first seal creates the head row; concurrent first seals must not collide on it.
        dialect = db.session.get_bind().dialect.name
        insert_head = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(AuditChainHead)
        db.session.execute(insert_head.values(id=1, last_position=0, last_hash=GENESIS).on_conflict_do_nothing())
        head = db.session.execute(head_query.with_for_update(skip_locked=not wait)).first()
        if head is None:
            return 0
    position, prev_hash = head
    table = AuditEntry.__table__
    pending = (
        db.session.connection()
        .execute(
            select(
                table.c.id,
                table.c.at,
                table.c.actor,
                table.c.subject_type,
                table.c.subject_id,
                table.c.action,
                table.c.details,
                table.c.reason,
            )
            .where(table.c.position.is_(None))
            .order_by(table.c.id)
        )
        .all()
    )
    if not pending:
        return 0
    links = []
    for entry_id, at, actor, subject_type, subject_id, action, details, reason in pending:
        position += 1
        event = Event(actor, subject_type, subject_id, action, details, reason)
        entry_hash = _entry_hash(entry_id, position, at, event, prev_hash)
        links.append({"entry_id": entry_id, "position": position, "prev_hash": prev_hash, "hash": entry_hash})
        prev_hash = entry_hash
    _write_links(links)
    db.session.execute(
        update(AuditChainHead).where(AuditChainHead.id == 1).values(last_position=position, last_hash=prev_hash)
    )
    return len(links)


def _write_links(links: list[dict]) -> None:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and len(links) > 200:
        # Tens of thousands of links (a re-check sample): COPY them, then one UPDATE … FROM.
        with connection.connection.driver_connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE audit_links (entry_id integer, position integer, prev_hash varchar(64), "
                "hash varchar(64)) ON COMMIT DROP"
            )
            with cursor.copy("COPY audit_links FROM STDIN") as copy:
                for link in links:
                    copy.write_row((link["entry_id"], link["position"], link["prev_hash"], link["hash"]))
            cursor.execute(
                "UPDATE audit_log SET position = l.position, prev_hash = l.prev_hash, hash = l.hash "
                "FROM audit_links l WHERE audit_log.id = l.entry_id"
            )
            cursor.execute("DROP TABLE audit_links")
        return
    table = AuditEntry.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("entry_id"))
        .values(position=bindparam("position"), prev_hash=bindparam("prev_hash"), hash=bindparam("hash"))
    )
    connection.execute(statement, links)


def entries_for(subject_type: str, subject_id: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
            .order_by(AuditEntry.id)
        )
    )


@dataclass
class ChainReport:
    entries: int
    ok: bool
    first_bad_position: int | None = None
    problem: str = ""
    unsealed: int = 0


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every sealed entry's hash in chain order; report the first break, if any."""
    head = db.session.execute(
        select(AuditChainHead.last_position, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
    ).first()
    unsealed = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.position.is_(None)))
    prev_hash, expected, count, last = GENESIS, 1, 0, 0
    while True:
        rows = list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.position > last).order_by(AuditEntry.position).limit(batch)
            )
        )
        if not rows:
            break
        for entry in rows:
            if entry.position != expected:
                return ChainReport(count, False, expected, "an entry is missing", unsealed)
            if entry.prev_hash != prev_hash:
                return ChainReport(count, False, entry.position, "the link to the previous entry is broken", unsealed)
            if _entry_hash(entry.id, entry.position, entry.at, _event_of(entry), prev_hash) != entry.hash:
                return ChainReport(
                    count, False, entry.position, "the entry's content does not match its hash", unsealed
                )
            prev_hash, expected, count, last = entry.hash, expected + 1, count + 1, entry.position
        db.session.expunge_all()
    head_position, head_hash = head if head is not None else (0, GENESIS)
    if head_position != count or head_hash != prev_hash:
        return ChainReport(count, False, count + 1, "entries after the last one found were removed", unsealed)
    return ChainReport(count, True, unsealed=unsealed)
