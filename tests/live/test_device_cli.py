"""The device command line against a live server: an enumerator's day and a reviewer's finding."""

from __future__ import annotations

import csv
import json
import random

from click.testing import CliRunner

from sync.cli import device
from tests.live.test_live_sync import token_for
from tests.sample_ballots import answers


def run(home, *args):
    result = CliRunner().invoke(device, ["--home", str(home), *args])
    return result


def test_an_enumerator_captures_offline_and_syncs_from_the_command_line(live_server, db, tmp_path):
    home = tmp_path / "tablet"
    token = token_for(live_server.url, "enumerator1")
    assert "initialised for enumerator1" in run(home, "init", "--server", live_server.url, "--token", token).output
    assert "downloaded satisfaction 2022.2" in run(home, "forms", "pull").output
    rows = [answers("SNV", random.Random(i)) for i in range(3)]
    for i, row in enumerate(rows):
        row["instance_id"] = f"00000000-0000-4000-8000-00000000000{i}"
    columns = sorted({k for row in rows for k in row})
    with open(tmp_path / "paper.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    assert "captured 3 ballot(s)" in run(home, "capture", "--csv", str(tmp_path / "paper.csv")).output
    (tmp_path / "one.json").write_text(json.dumps(answers("PHULY"), ensure_ascii=False), encoding="utf-8")
    assert "captured 1 ballot(s)" in run(home, "capture", "--json", str(tmp_path / "one.json")).output
    synced = run(home, "sync")
    assert "3 accepted, 1 error" in synced.output
    status = run(home, "status").output
    assert "pending: 0  acknowledged: 3" in status and "rejected: 1" in status and "[not_assigned]" in status
    lines = status.splitlines()
    for i in range(3):  # every ballot with the server's verdict, as the phone shows it
        assert f"00000000-0000-4000-8000-00000000000{i}  SNV  countable" in lines
    assert any(line.endswith("PHULY  rejected  not_assigned") for line in lines)
    assert "verdicts refreshed: 3" in run(home, "status", "--refresh").output
    # Capturing the same CSV again (same instance ids) is a no-op on the device and on the server.
    run(home, "capture", "--csv", str(tmp_path / "paper.csv"))
    assert "nothing to send" in run(home, "sync").output


def test_a_reviewer_sends_a_finding_from_the_device(live_server, db, tmp_path, client):
    from sqlalchemy import select

    from server.recheck.models import RecheckAssignment

    enumerator = tmp_path / "enumerator"
    run(enumerator, "init", "--server", live_server.url, "--token", token_for(live_server.url, "enumerator1"))
    run(enumerator, "forms", "pull")
    (tmp_path / "a.json").write_text(json.dumps(answers("SNV"), ensure_ascii=False), encoding="utf-8")
    run(enumerator, "capture", "--json", str(tmp_path / "a.json"))
    assert "1 accepted" in run(enumerator, "sync").output
    supervisor = {"Authorization": f"Bearer {token_for(live_server.url, 'supervisor')}"}
    db.session.rollback()  # end this test's read snapshot so the in-process app sees the synced ballot
    drawn = client.post(
        "/api/v1/rounds/2022/recheck-samples",
        headers=supervisor,
        json={"seed": 1, "rate": 1.0, "min_per_enumerator": 0, "both_organisations": True},
    )
    assert drawn.status_code == 201 and drawn.get_json()["selected"] == 1
    db.session.rollback()
    assignment = db.session.scalar(select(RecheckAssignment).where(RecheckAssignment.organisation == "CCB"))
    reviewer = tmp_path / "ccb"
    run(reviewer, "init", "--server", live_server.url, "--token", token_for(live_server.url, "ccb1"))
    recorded = run(
        reviewer,
        "verify",
        "--assignment",
        str(assignment.id),
        "--outcome",
        "not_eligible",
        "--notes",
        "Người trả lời chưa đủ 18 tuổi",
    )
    assert "recorded finding" in recorded.output
    assert "1 accepted" in run(reviewer, "sync").output
    db.session.rollback()
    assert db.session.get(RecheckAssignment, assignment.id).ballot.status == "failed"
    assert "nothing to send" in run(reviewer, "sync").output
