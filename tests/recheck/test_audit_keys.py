"""The audit log against the database's own users: keyed entries, foreign rows, append-only on
PostgreSQL, and checkpoints kept off-site that catch a log cut short or rewritten with the key."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from server.audit import (
    AuditChainHead,
    AuditEntry,
    Event,
    _entry_hash,
    append,
    check_checkpoint,
    checkpoint,
    seal,
    verify_chain,
)
from server.transaction import unit_of_work
from tests.audit_tamper import as_database_owner


def record(n: int, start: int = 0) -> None:
    with unit_of_work():
        append([Event("supervisor", "ballot", f"b{i}", "selected", {"n": i}, "mẫu") for i in range(start, start + n)])


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_entries_are_keyed_so_rewriting_one_and_its_successors_without_the_key_is_found(app, db):
    record(20)
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.position)))
    assert all(e.mac and len(e.nonce) == 32 for e in entries)
    # A database user rewrites entry 12 and recomputes every later hash with plain SHA-256 (no key).
    prev = entries[10].hash
    changes = []
    for entry in entries[11:]:
        event = Event(entry.actor, entry.subject_type, entry.subject_id, entry.action, entry.details, "sửa lén")
        new_hash = _entry_hash(entry.id, entry.position, entry.at, event, prev)  # unkeyed
        changes.append(
            update(AuditEntry).where(AuditEntry.id == entry.id).values(reason="sửa lén", prev_hash=prev, hash=new_hash)
        )
        prev = new_hash
    changes.append(update(AuditChainHead).values(last_hash=prev))
    as_database_owner(db, *changes)
    report = verify_chain()
    assert report.ok is False and report.first_bad_position == 12


def test_an_entry_inserted_outside_parsurvey_is_reported_and_never_sealed(app, db):
    record(3)
    forged = {"at": datetime.now(UTC), "actor": "kẻ lạ", "subject_type": "ballot", "subject_id": "x",
              "action": "override", "details": {}, "reason": "", "nonce": "0" * 32, "mac": "f" * 64}  # fmt: skip
    db.session.execute(insert(AuditEntry), [forged, {**forged, "nonce": None, "mac": None}])
    db.session.commit()
    with unit_of_work():
        assert seal(wait=True) == 0
    record(2, start=3)  # the app goes on: its own entries are sealed, the forged ones stay out
    report = verify_chain()
    assert (report.entries, report.unsealed, report.foreign, report.ok) == (5, 2, 2, False)
    assert "outside parsurvey" in report.problem
    result = run(app, "audit", "verify")
    assert result.exit_code == 1 and "2 entries were written into the log outside parsurvey" in result.output


def test_a_checkpoint_kept_off_site_catches_a_log_cut_short_or_rewritten_with_the_key(app, db, tmp_path):
    record(10)
    point_file = tmp_path / "checkpoint.json"
    written = run(app, "audit", "checkpoint", str(point_file))
    assert written.exit_code == 0 and "entry 10" in written.output
    point = json.loads(point_file.read_text())
    assert point["position"] == 10 and len(point["mac"]) == 64
    record(5, start=10)
    assert run(app, "audit", "verify", "--checkpoint", str(point_file)).exit_code == 0, "a longer log still holds it"

    # Someone with the key and the database cuts the last 7 entries and moves the head: the chain is consistent.
    kept = db.session.scalar(select(AuditEntry).where(AuditEntry.position == 8))
    as_database_owner(
        db,
        delete(AuditEntry).where(AuditEntry.position > 8),
        update(AuditChainHead).values(last_position=8, last_hash=kept.hash),
    )
    assert verify_chain().ok is True, "without the checkpoint nothing shows"
    cut = run(app, "audit", "verify", "--checkpoint", str(point_file))
    assert cut.exit_code == 1 and "cut short" in cut.output
    assert check_checkpoint({**point, "position": 8}) is not None, "a checkpoint edited by hand is refused"


def test_a_checkpoint_of_another_installation_is_refused(app, db):
    record(2)
    point = checkpoint()
    assert check_checkpoint(point) is None
    assert "MAC" in check_checkpoint({**point, "mac": "0" * 64})


def test_postgresql_refuses_to_change_or_remove_audit_entries(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's; SQLite files have no other users to guard against")
    record(3)
    for statement in (
        update(AuditEntry).where(AuditEntry.position == 2).values(reason="x"),
        delete(AuditEntry).where(AuditEntry.position == 3),
        text("TRUNCATE audit_log"),
        update(AuditEntry).where(AuditEntry.position == 1).values(position=None),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()
    assert verify_chain().ok is True and verify_chain().entries == 3
