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

The chain holds against the database's own users, not only against careless edits:

* every entry is **keyed**: its MAC at recording and its chain hash are HMAC-SHA256 with the audit key,
  which lives outside the database (``PARSURVEY_AUDIT_KEY`` or the file ``PARSURVEY_AUDIT_KEY_FILE``), so
  someone who can write to the database but does not hold the key cannot rewrite an entry and recompute
  the chain after it;
* an entry inserted outside parsurvey has no valid MAC: sealers leave it out of the chain and
  ``verify_chain`` reports it (``foreign``), it is never sealed silently;
* a **checkpoint** (``parsurvey audit checkpoint FILE``: the head's position and hash, with a MAC) kept
  off-site detects what a key holder could still do, truncating the tail or rewriting it whole
  (``parsurvey audit verify --checkpoint FILE``);
* on PostgreSQL a trigger refuses DELETE, TRUNCATE and every UPDATE but the sealer's (filling the chain
  columns of an unsealed entry); the app should run as a role that does not own the table, so it
  cannot drop the trigger (README, "Production").

Entries sealed before the key existed (``mac`` empty) keep their plain SHA-256 hashes; they can only
come before the first keyed entry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import JSON, Index, Integer, String, bindparam, exists, func, select, text, update
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
    #: HMAC of the entry's content and nonce with the audit key, made when recorded (empty: before keys).
    nonce: Mapped[str | None] = mapped_column(String(32), unique=True)
    mac: Mapped[str | None] = mapped_column(String(64))


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


def audit_key() -> bytes:
    return current_app.config["AUDIT_KEY"]


def _digest(content: dict, keyed: bool) -> str:
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    if keyed:
        return hmac.new(audit_key(), encoded, hashlib.sha256).hexdigest()
    return hashlib.sha256(encoded).hexdigest()


def _event_content(at: datetime, event: Event) -> dict:
    return {
        "at": at.isoformat(timespec="microseconds"),
        "actor": event.actor,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "action": event.action,
        "details": event.details,
        "reason": event.reason,
    }


def _entry_mac(nonce: str, at: datetime, event: Event) -> str:
    """What parsurvey signs when it records an entry: only who holds the key can make a valid one."""
    return _digest({"nonce": nonce, **_event_content(at, event)}, keyed=True)


def _entry_hash(
    entry_id: int, position: int, at: datetime, event: Event, prev_hash: str, mac: str | None = None
) -> str:
    content = {"id": entry_id, "position": position, **_event_content(at, event), "prev_hash": prev_hash}
    if mac is None:  # sealed before entries were keyed: the plain SHA-256 of the first chains
        return _digest(content, keyed=False)
    return _digest({**content, "mac": mac}, keyed=True)


def _event_of(entry: AuditEntry) -> Event:
    return Event(entry.actor, entry.subject_type, entry.subject_id, entry.action, entry.details, entry.reason)


def append(events: list[Event]) -> None:
    """Record events in this transaction; they join the hash chain when sealed (see ``seal``)."""
    if not events:
        return
    now = utcnow()
    rows = []
    for e in events:
        nonce = secrets.token_hex(16)
        # Stored as JSON: sign exactly what will be read back.
        e = Event(
            e.actor, e.subject_type, e.subject_id, e.action, json.loads(json.dumps(e.details, default=str)), e.reason
        )
        rows.append(
            {
                "at": now,
                "actor": e.actor,
                "subject_type": e.subject_type,
                "subject_id": e.subject_id,
                "action": e.action,
                "details": e.details,
                "reason": e.reason,
                "nonce": nonce,
                "mac": _entry_mac(nonce, now, e),
            }
        )
    insert_rows(AuditEntry.__table__, rows)
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
    links = []
    keyed = _keyed_chain()
    for entry_id, at, event, nonce, mac in _pending():
        if not _authentic(at, event, nonce, mac, keyed):
            continue  # written outside parsurvey: never sealed, reported by verify_chain
        keyed = keyed or mac is not None
        position += 1
        entry_hash = _entry_hash(entry_id, position, at, event, prev_hash, mac)
        links.append({"entry_id": entry_id, "position": position, "prev_hash": prev_hash, "hash": entry_hash})
        prev_hash = entry_hash
    if not links:
        return 0
    _write_links(links)
    db.session.execute(
        update(AuditChainHead).where(AuditChainHead.id == 1).values(last_position=position, last_hash=prev_hash)
    )
    return len(links)


def _pending() -> list[tuple]:
    """Committed entries not in the chain yet, in the order they were recorded."""
    table = AuditEntry.__table__
    rows = db.session.connection().execute(
        select(
            table.c.id,
            table.c.at,
            table.c.actor,
            table.c.subject_type,
            table.c.subject_id,
            table.c.action,
            table.c.details,
            table.c.reason,
            table.c.nonce,
            table.c.mac,
        )
        .where(table.c.position.is_(None))
        .order_by(table.c.id)
    )
    return [(row[0], row[1], Event(*row[2:8]), row[8], row[9]) for row in rows]


def _keyed_chain() -> bool:
    """Whether the chain already holds keyed entries (after which an unkeyed one is never genuine). Asked at
    every seal, so it stops at the first such entry instead of counting them all."""
    return bool(
        db.session.scalar(select(exists().where(AuditEntry.position.is_not(None), AuditEntry.mac.is_not(None))))
    )


def _authentic(at: datetime, event: Event, nonce: str | None, mac: str | None, keyed: bool) -> bool:
    if mac is None:
        return not keyed  # an entry from before keys, still waiting: only at the start of the chain
    return nonce is not None and hmac.compare_digest(mac, _entry_mac(nonce, at, event))


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
    #: Unsealed entries whose MAC is not parsurvey's: inserted into the table by someone else.
    foreign: int = 0


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every sealed entry's hash in chain order; report the first break, if any."""
    head = db.session.execute(
        select(AuditChainHead.last_position, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
    ).first()
    keyed_chain = _keyed_chain()
    pending = _pending()
    unsealed = len(pending)
    foreign = sum(not _authentic(at, event, nonce, mac, keyed_chain) for _, at, event, nonce, mac in pending)
    prev_hash, expected, count, last, keyed = GENESIS, 1, 0, 0, False
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
            if keyed and entry.mac is None:
                return ChainReport(count, False, entry.position, "an unkeyed entry follows keyed ones", unsealed)
            if _entry_hash(entry.id, entry.position, entry.at, _event_of(entry), prev_hash, entry.mac) != entry.hash:
                return ChainReport(
                    count, False, entry.position, "the entry's content does not match its hash", unsealed
                )
            keyed = keyed or entry.mac is not None
            prev_hash, expected, count, last = entry.hash, expected + 1, count + 1, entry.position
        db.session.expunge_all()
    head_position, head_hash = head if head is not None else (0, GENESIS)
    if head_position != count or head_hash != prev_hash:
        return ChainReport(count, False, count + 1, "entries after the last one found were removed", unsealed)
    if foreign:
        problem = f"{foreign} entries were written into the log outside parsurvey (not sealed)"
        return ChainReport(count, False, None, problem, unsealed, foreign)
    return ChainReport(count, True, unsealed=unsealed)


def checkpoint() -> dict:
    """The chain's head, signed, for an operator to keep off-site (``parsurvey audit checkpoint``)."""
    head = db.session.execute(select(AuditChainHead.last_position, AuditChainHead.last_hash)).first()
    position, last_hash = head if head is not None else (0, GENESIS)
    point = {"position": position, "hash": last_hash, "at": utcnow().isoformat(timespec="seconds")}
    return {**point, "mac": _digest(point, keyed=True)}


def check_checkpoint(point: dict) -> str | None:
    """What is wrong with the chain compared with a checkpoint taken earlier (None: it still holds)."""
    fields = {key: point.get(key) for key in ("position", "hash", "at")}
    if not isinstance(point.get("mac"), str) or not hmac.compare_digest(point["mac"], _digest(fields, keyed=True)):
        return "the checkpoint is not one of this installation's (its MAC does not match the audit key)"
    position = fields["position"]
    if position == 0:
        return None
    found = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.position == position))
    if found is None:
        return f"entry {position}, the head at the checkpoint, is gone: the log was cut short"
    if found != fields["hash"]:
        return f"entry {position} differs from the checkpoint: the log was rewritten up to there"
    return None
