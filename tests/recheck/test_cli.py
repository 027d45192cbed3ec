"""The re-check work from the command line, as a supervisor and reviewers run it."""

from __future__ import annotations

from sqlalchemy import update

from server.audit import AuditEntry
from tests.audit_tamper import as_database_owner


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_sample_verify_quality_quarantine_and_audit_from_the_cli(app, db, people, ballots):
    dry = run(
        app,
        "recheck",
        "sample",
        "2022",
        "--seed",
        "3",
        "--rate",
        "0",
        "--min-per-enumerator",
        "3",
        "--dry-run",
        "--by",
        "supervisor",
    )
    assert dry.exit_code == 0 and "selected 6 ballot(s): 6 minimum; not stored (dry run)" in dry.output
    drawn = run(
        app,
        "recheck",
        "sample",
        "2022",
        "--seed",
        "3",
        "--rate",
        "0",
        "--min-per-enumerator",
        "3",
        "--by",
        "supervisor",
    )
    assert "selected 6 ballot(s)" in drawn.output and "sample 1" in drawn.output
    rows = [line.split("\t") for line in run(app, "recheck", "list", "2022").output.splitlines()[1:]]
    assert len(rows) == 6 and {r[7] for r in rows} == {"selected"}
    for assignment_id, _ballot, _agency, enumerator, _organisation, reviewer, _why, _status in rows:
        outcome = "interview_not_held" if enumerator == "enumerator2" else "confirmed"
        done = run(app, "recheck", "verify", assignment_id, outcome, "--by", reviewer, "--reasked", '{"overall": 5}')
        assert done.exit_code == 0, done.output
    assert "countable: 57" in run(app, "recheck", "countable", "2022").output
    quality = run(app, "recheck", "quality", "2022").output
    assert "enumerator2\t20\t3\t3\t3\t1.00" in quality and "QUARANTINE?" in quality
    held = run(app, "recheck", "quarantine", "2022", "enumerator2", "--by", "supervisor", "--reason", "Bịa", "--yes")
    assert "quarantine 1: 17 ballot(s) of enumerator2 held (Bịa)" in held.output, held.output
    counted = run(app, "recheck", "countable", "2022").output
    assert "held (enumerator quarantined): 17" in counted and "invalid" not in counted
    decided = run(app, "recheck", "decide", "1", "exclude", "--reason", "Phúc tra không đạt", "--by", "supervisor")
    assert "enumerator2: exclude" in decided.output
    intact = run(app, "audit", "verify")
    assert intact.exit_code == 0 and "audit log intact" in intact.output
    as_database_owner(db, update(AuditEntry).where(AuditEntry.position == 3).values(actor="someone else"))
    broken = run(app, "audit", "verify")
    assert broken.exit_code == 1 and "broken at entry 3" in broken.output


def test_a_reviewer_cannot_draw_samples_from_the_cli(app, db, people, ballots):
    refused = run(app, "recheck", "sample", "2022", "--seed", "1", "--by", "mttq1")
    assert refused.exit_code == 1 and "[forbidden]" in refused.output
