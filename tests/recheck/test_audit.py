"""The audit log's hash chain on its own: many entries at once, sealing, and tamper detection."""

from __future__ import annotations

from sqlalchemy import update

from server.audit import AuditEntry, Event, append, seal, verify_chain
from server.transaction import unit_of_work
from tests.audit_tamper import as_database_owner


def test_a_large_append_should_be_sealed_in_order_and_verify(app, db):
    # 500 entries take the bulk path on PostgreSQL (COPY + UPDATE … FROM) and executemany on SQLite.
    with unit_of_work():
        append([Event("supervisor", "ballot", f"b{i}", "selected", {"n": i}, "mẫu phúc tra") for i in range(500)])
    report = verify_chain()
    assert (report.entries, report.ok, report.unsealed) == (500, True, 0)
    positions = [e.position for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert positions == list(range(1, 501))


def test_entries_recorded_while_the_head_was_busy_are_sealed_by_the_next_sealer(app, db):
    with unit_of_work():
        append([Event("a", "ballot", "x", "received", {})])
    # Simulate a commit that found the head locked: an entry recorded but never sealed.
    with unit_of_work():
        append([Event("b", "ballot", "y", "received", {})])
        db.session.info.clear()
    assert verify_chain().unsealed == 1
    with unit_of_work():
        assert seal(wait=True) == 1
    assert (verify_chain().entries, verify_chain().ok, verify_chain().unsealed) == (2, True, 0)


def test_an_altered_detail_deep_in_the_chain_should_be_found(app, db):
    with unit_of_work():
        append([Event("s", "ballot", f"b{i}", "selected", {"n": i}) for i in range(300)])
    as_database_owner(db, update(AuditEntry).where(AuditEntry.position == 250).values(details={"n": 0}))
    report = verify_chain()
    assert report.ok is False and report.first_bad_position == 250 and report.entries == 249


def test_a_worker_should_seal_at_most_once_per_interval(monkeypatch):
    import time

    from server import audit
    from server.audit import seal_due

    monkeypatch.setattr(audit, "_last_seal", [float("-inf")])  # this worker's clock, restored afterwards
    start = time.monotonic() + 10_000  # later than any seal the suite made before
    assert seal_due(0.25, now=start) is True
    assert seal_due(0.25, now=start + 0.1) is False  # within the interval: leave it to the next sealer
    assert seal_due(0.25, now=start + 0.3) is True
    assert seal_due(0, now=start + 0.3) is True  # 0: every write seals
