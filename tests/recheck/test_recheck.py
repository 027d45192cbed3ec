"""Re-check: cleaning, sampling, findings from MTTQ and CCB, status, audit log, quality and quarantine."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update

from server.audit import AuditEntry
from server.auth.models import User
from sync.protocol import make_verification
from tests.audit_tamper import as_database_owner
from tests.recheck.conftest import send, sign_in
from tests.sample_ballots import answers, batch, envelope

PARADATA = {"started_at": "2022-10-02T09:00:00+07:00", "completed_at": "2022-10-02T09:05:00+07:00"}


def draw(client, people, **params):
    body = {"seed": 7, "rate": 0.1, "min_per_enumerator": 2, **params}
    response = client.post("/api/v1/rounds/2022/recheck-samples", json=body, headers=people["supervisor"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def countable(client, people):
    return client.get("/api/v1/rounds/2022/countable", headers=people["supervisor"]).get_json()


def rechecks(client, headers):
    return client.get("/api/v1/rounds/2022/rechecks", headers=headers).get_json()


def reviewer_of(assignment) -> str:
    return {"MTTQ": "mttq1", "CCB": "ccb1"}[assignment["organisation"]]


def find(client, people, assignment, outcome, reasked=None, instance_id=None):
    return client.post(
        f"/api/v1/rechecks/{assignment['id']}/verifications",
        json={
            "outcome": outcome,
            "reasked": reasked or {},
            "notes": "Gọi lại người dân",
            **({"instance_id": instance_id} if instance_id else {}),
        },
        headers=people[reviewer_of(assignment)],
    )


def test_cleaning_should_mark_out_of_window_and_too_short_interviews_invalid_and_exclude_them(client, people):
    late = envelope("SNV", answers={**answers("SNV"), "result_date": "2022-12-15"})
    quick = envelope("SNV")
    quick["paradata"]["completed_at"] = "2022-09-20T08:01:00+07:00"  # one minute after it started
    from sync.protocol import envelope_hash

    quick["content_hash"] = envelope_hash(quick)
    good = envelope("SNV")
    assert [r["status"] for r in send(client, people["enumerator1"], [late, quick, good])] == ["accepted"] * 3
    # An invalid ballot is acknowledged (it was received and is kept) but does not count.
    assert countable(client, people) == {
        "round": "2022",
        "countable": 1,
        "excluded": {"invalid:result_date_outside_window": 1, "invalid:interview_too_short": 1},
    }
    stored = client.get(f"/api/v1/ballots/{quick['instance_id']}", headers=people["supervisor"]).get_json()
    assert (stored["status"], stored["status_reason"]) == ("invalid", "interview_too_short")


def test_a_sample_drawn_twice_with_the_same_seed_should_be_identical(client, people, ballots):
    first = draw(client, people, dry_run=True)
    again = draw(client, people, dry_run=True)
    other = draw(client, people, dry_run=True, seed=8)
    assert first["ballots"] == again["ballots"] and first["sample_id"] is None
    assert first["ballots"] != other["ballots"]
    stored = draw(client, people)
    assert stored["ballots"] == first["ballots"] and stored["sample_id"] is not None


def test_the_sample_should_honour_the_rate_and_the_minimum_per_enumerator(client, people, ballots):
    result = draw(client, people, rate=0.1, min_per_enumerator=3)
    chosen = set(result["ballots"])
    per_enumerator = {name: len(chosen & set(ids)) for name, ids in ballots.items()}
    assert min(per_enumerator.values()) >= 3
    # 60 ballots at 10 % is 6 in expectation; the minimum of 3 each lifts it to at least 6.
    assert 6 <= result["selected"] <= 12
    listed = rechecks(client, people["supervisor"])
    assert {a["ballot"] for a in listed} == chosen
    assert {a["organisation"] for a in listed} <= {"MTTQ", "CCB"}
    assert all(a["ballot_status"] == "selected" for a in listed)


def test_targeted_additions_should_add_straight_lined_and_repeated_phone_ballots(client, people, ballots):
    flat = envelope(
        "STC",
        answers={
            **answers("STC"),
            **{f"c{f}_{c}": 4 for f, n in ((1, 4), (2, 4), (3, 6), (4, 4)) for c in range(1, n + 1)},
        },
    )
    twin_a = envelope("SNV", answers={**answers("SNV"), "respondent_phone": "0987654321"})
    twin_b = envelope("SXD", answers={**answers("SXD"), "respondent_phone": "0987654321"})
    send(client, people["enumerator1"], [flat, twin_a, twin_b])
    result = draw(client, people, rate=0.0, min_per_enumerator=0, straight_lined=True, repeated_contacts=True)
    assert result["by_reason"] == {"repeated_phone": 2, "straight_lined": 1}
    assert set(result["ballots"]) == {flat["instance_id"], twin_a["instance_id"], twin_b["instance_id"]}


def test_a_failed_recheck_should_remove_the_ballot_from_the_countable_set_with_the_reason_logged(
    client, people, ballots
):
    draw(client, people)
    before = countable(client, people)["countable"]
    assignment = rechecks(client, people["supervisor"])[0]
    response = find(client, people, assignment, "interview_not_held")
    assert response.status_code == 201 and response.get_json()["ballot_status"] == "failed"
    after = countable(client, people)
    assert after["countable"] == before - 1 and after["excluded"] == {"failed_recheck": 1}
    trail = client.get(f"/api/v1/ballots/{assignment['ballot']}/audit", headers=people["supervisor"]).get_json()
    assert [e["action"] for e in trail] == ["received", "selected", "verified", "recheck"]
    assert trail[-1]["details"] == {"from": "selected", "to": "failed"}
    assert trail[-1]["reason"] == "re-check: interview_not_held"
    assert trail[2]["actor"] == reviewer_of(assignment)


def test_two_organisations_combine_by_the_documented_rule(client, people, ballots):
    draw(client, people, both_organisations=True)
    by_ballot = {}
    for a in rechecks(client, people["supervisor"]):
        by_ballot.setdefault(a["ballot"], {})[a["organisation"]] = a
    (one, two, three) = list(by_ballot.values())[:3]
    # confirmed + unreachable -> confirmed
    find(client, people, one["MTTQ"], "confirmed")
    assert find(client, people, one["CCB"], "unreachable").get_json()["ballot_status"] == "confirmed"
    # confirmed + answers_differ -> failed: one organisation's failure is enough
    find(client, people, two["MTTQ"], "confirmed")
    assert find(client, people, two["CCB"], "answers_differ").get_json()["ballot_status"] == "failed"
    # unreachable only -> still selected (it counts; nothing was learned)
    assert find(client, people, three["MTTQ"], "unreachable").get_json()["ballot_status"] == "selected"


def test_a_verification_synced_twice_should_be_stored_once(client, people, ballots):
    draw(client, people)
    assignment = next(a for a in rechecks(client, people["supervisor"]) if a["organisation"] == "MTTQ")
    finding = make_verification(
        assignment_id=assignment["id"], outcome="confirmed", reviewer="mttq1", reasked={"overall": 4}, paradata=PARADATA
    )
    first = client.post("/api/v1/sync/batches", json=batch(finding), headers=people["mttq1"]).get_json()
    again = client.post("/api/v1/sync/batches", json=batch(finding), headers=people["mttq1"]).get_json()
    assert first["results"][0]["status"] == "accepted" and again["results"][0]["status"] == "duplicate"
    trail = client.get(f"/api/v1/ballots/{assignment['ballot']}/audit", headers=people["supervisor"]).get_json()
    assert [e["action"] for e in trail].count("verified") == 1
    changed = dict(finding, outcome="not_eligible")
    from sync.protocol import envelope_hash

    changed["content_hash"] = envelope_hash(changed)
    conflict = client.post("/api/v1/sync/batches", json=batch(changed), headers=people["mttq1"]).get_json()
    assert conflict["results"][0]["status"] == "conflict"
    ballot = client.get(f"/api/v1/ballots/{assignment['ballot']}", headers=people["supervisor"]).get_json()
    assert ballot["status"] == "confirmed"


def test_a_reviewer_may_only_record_findings_on_their_own_assignments(client, people, ballots):
    draw(client, people)
    assignment = next(a for a in rechecks(client, people["supervisor"]) if a["organisation"] == "MTTQ")
    wrong = client.post(
        f"/api/v1/rechecks/{assignment['id']}/verifications", json={"outcome": "confirmed"}, headers=people["ccb1"]
    )
    assert wrong.status_code == 403 and wrong.get_json()["code"] == "not_assigned"
    enumerator = client.post(
        f"/api/v1/rechecks/{assignment['id']}/verifications",
        json={"outcome": "confirmed"},
        headers=people["enumerator1"],
    )
    assert enumerator.status_code == 403


def test_a_reviewer_reading_an_unassigned_ballot_should_get_403(client, people, ballots):
    draw(client, people)
    mine = {a["ballot"] for a in rechecks(client, people["mttq1"])}
    assert mine and all(a["organisation"] == "MTTQ" for a in rechecks(client, people["mttq1"]))
    unassigned = next(i for i in ballots["enumerator1"] if i not in mine)
    assert client.get(f"/api/v1/ballots/{unassigned}", headers=people["mttq1"]).status_code == 403
    assigned = client.get(f"/api/v1/ballots/{next(iter(mine))}", headers=people["mttq1"])
    full = client.get(f"/api/v1/ballots/{next(iter(mine))}", headers=people["supervisor"])
    assert assigned.status_code == 200
    phone = assigned.get_json()["answers"]["respondent_phone"]  # the contact details needed to re-contact
    assert phone == full.get_json()["answers"]["respondent_phone"] and phone.startswith("09")


def test_a_reviewers_access_to_contact_details_should_end_when_the_recheck_is_decided(client, people, ballots):
    draw(client, people)
    assignment = next(a for a in rechecks(client, people["supervisor"]) if a["organisation"] == "MTTQ")
    path = f"/api/v1/ballots/{assignment['ballot']}"
    phone = client.get(path, headers=people["supervisor"]).get_json()["answers"]["respondent_phone"]
    assert client.get(path, headers=people["mttq1"]).get_json()["answers"]["respondent_phone"] == phone
    # unreachable decides nothing: the reviewer still needs to call
    assert find(client, people, assignment, "unreachable").get_json()["ballot_status"] == "selected"
    assert client.get(path, headers=people["mttq1"]).get_json()["answers"]["respondent_phone"] == phone
    assert find(client, people, assignment, "confirmed").get_json()["ballot_status"] == "confirmed"
    decided = client.get(path, headers=people["mttq1"])
    assert decided.status_code == 200 and decided.get_json()["answers"]["respondent_phone"] == "[ẩn]"
    assert client.get(path, headers=people["supervisor"]).get_json()["answers"]["respondent_phone"] == phone


def test_enumerators_see_only_their_own_ballots_without_contact_details(client, people, ballots):
    own = client.get("/api/v1/ballots?round=2022", headers=people["enumerator1"]).get_json()
    assert own["total"] == 40 and {b["enumerator"] for b in own["ballots"]} == {"enumerator1"}
    assert {b["answers"]["respondent_phone"] for b in own["ballots"]} == {"[ẩn]"}
    other = ballots["enumerator2"][0]
    assert client.get(f"/api/v1/ballots/{other}", headers=people["enumerator1"]).status_code == 403
    full = client.get(f"/api/v1/ballots/{other}", headers=people["supervisor"]).get_json()
    assert full["answers"]["respondent_phone"].startswith("09") and len(full["answers"]["respondent_phone"]) == 10


def test_reviewers_cannot_change_answers(client, people, ballots):
    draw(client, people)
    assignment = next(a for a in rechecks(client, people["mttq1"]))
    url = f"/api/v1/ballots/{assignment['ballot']}"
    assert client.patch(url, json={"answers": {"c1_1": 1}}, headers=people["mttq1"]).status_code == 405
    assert client.put(url, json={"answers": {"c1_1": 1}}, headers=people["mttq1"]).status_code == 405
    assert (
        client.post(f"{url}/status", json={"status": "invalid", "reason": "x"}, headers=people["mttq1"]).status_code
        == 403
    )


def test_a_supervisor_override_needs_a_reason_and_is_logged(client, people, ballots):
    target = ballots["enumerator1"][0]
    no_reason = client.post(
        f"/api/v1/ballots/{target}/status", json={"status": "invalid", "reason": ""}, headers=people["supervisor"]
    )
    assert no_reason.status_code == 422
    done = client.post(
        f"/api/v1/ballots/{target}/status",
        json={"status": "invalid", "reason": "Người trả lời là cán bộ của cơ quan"},
        headers=people["supervisor"],
    )
    assert done.status_code == 200 and done.get_json()["status"] == "invalid"
    assert countable(client, people)["excluded"] == {"invalid:override": 1}
    trail = client.get(f"/api/v1/ballots/{target}/audit", headers=people["supervisor"]).get_json()
    assert trail[-1]["action"] == "override" and trail[-1]["reason"] == "Người trả lời là cán bộ của cơ quan"


def test_a_tampered_audit_entry_should_be_detected(client, db, people, ballots):
    clean = client.get("/api/v1/audit/verify", headers=people["admin"]).get_json()
    assert clean == {"entries": 60, "ok": True, "first_bad_position": None, "problem": "", "unsealed": 0, "foreign": 0}
    as_database_owner(db, update(AuditEntry).where(AuditEntry.position == 17).values(reason="sửa lén"))
    broken = client.get("/api/v1/audit/verify", headers=people["admin"]).get_json()
    assert broken["ok"] is False and broken["first_bad_position"] == 17
    assert "content" in broken["problem"]


def test_a_removed_last_audit_entry_should_be_detected(client, db, people, ballots):
    last = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.position.desc()).limit(1))
    as_database_owner(db, delete(AuditEntry).where(AuditEntry.id == last))
    report = client.get("/api/v1/audit/verify", headers=people["admin"]).get_json()
    assert report["ok"] is False and "removed" in report["problem"]


def test_quarantine_and_release_should_change_the_countable_set(client, people, ballots):
    client.patch(
        "/api/v1/rounds/2022/quality-settings",
        headers=people["supervisor"],
        json={"quarantine_failure_rate": 0.5, "quarantine_min_decided": 2},
    )
    draw(client, people, rate=0.0, min_per_enumerator=3)
    for assignment in rechecks(client, people["supervisor"]):
        failing = assignment["enumerator"] == "enumerator2"
        find(client, people, assignment, "interview_not_held" if failing else "confirmed")
    report = client.get("/api/v1/rounds/2022/quality", headers=people["supervisor"]).get_json()
    stats = {e["enumerator"]: e for e in report["enumerators"]}
    assert stats["enumerator2"]["failure_rate"] == 1.0 and stats["enumerator2"]["over_threshold"] is True
    assert stats["enumerator1"]["failure_rate"] == 0.0 and stats["enumerator1"]["over_threshold"] is False
    before = countable(client, people)
    assert before == {"round": "2022", "countable": 57, "excluded": {"failed_recheck": 3}}
    url = "/api/v1/rounds/2022/quarantines"
    everyone = client.post(url, json={"reason": "Vượt ngưỡng"}, headers=people["supervisor"])
    assert everyone.status_code == 422 and everyone.get_json()["code"] == "invalid_request", "one at a time"
    reason = {"enumerator": "enumerator2", "reason": "Vượt ngưỡng phúc tra"}
    made = client.post(url, json=reason, headers=people["supervisor"]).get_json()
    assert [q["enumerator"] for q in made] == ["enumerator2"]
    quarantined = countable(client, people)
    assert quarantined["countable"] == 40 and quarantined["excluded"] == {"failed_recheck": 3, "quarantined": 17}
    released = client.post(
        f"/api/v1/quarantines/{made[0]['id']}/decision",
        headers=people["supervisor"],
        json={"decision": "release", "reason": "Đã xác minh lại với Bưu điện"},
    )
    assert released.status_code == 200
    assert countable(client, people) == before


def test_quality_should_report_disagreement_per_question_between_original_and_reasked(client, people, ballots):
    draw(client, people, rate=0.0, min_per_enumerator=2)
    assignments = [a for a in rechecks(client, people["supervisor"]) if a["enumerator"] == "enumerator1"]
    originals = [
        client.get(f"/api/v1/ballots/{a['ballot']}", headers=people["supervisor"]).get_json()["answers"]
        for a in assignments
    ]
    # First re-ask matches; second differs on overall only.
    find(client, people, assignments[0], "confirmed", {"overall": originals[0]["overall"]})
    differing = 1 if originals[1]["overall"] != 1 else 2
    find(
        client, people, assignments[1], "answers_differ", {"overall": differing, "procedure": originals[1]["procedure"]}
    )
    report = client.get("/api/v1/rounds/2022/quality", headers=people["supervisor"]).get_json()
    e1 = next(e for e in report["enumerators"] if e["enumerator"] == "enumerator1")
    assert e1["disagreement"] == {"overall": {"rate": 0.5, "compared": 2}, "procedure": {"rate": 0.0, "compared": 1}}
    assert (e1["ballots"], e1["rechecked"], e1["decided"], e1["failed"]) == (40, 2, 2, 1)
    assert e1["median_duration_seconds"] == 750.0  # every sample ballot lasts 12 min 30 s
    assert e1["straight_lined_share"] == 0.0


def test_reviewers_never_get_their_own_agencys_ballots(client, db, people, ballots):
    created = client.post(
        "/api/v1/users",
        headers=people["admin"],
        json={
            "username": "mttq_snv",
            "role": "reviewer",
            "organisation": "MTTQ",
            "home_agency": "SNV",
            "password": "demo-password",
        },
    )
    assert created.status_code == 201 and created.get_json()["home_agency"] == "SNV"
    not_reviewer = client.post(
        "/api/v1/users", headers=people["admin"], json={"username": "e9", "role": "enumerator", "home_agency": "SNV"}
    )
    assert not_reviewer.status_code == 422 and "home_agency" in not_reviewer.get_json()["errors"]
    db.session.execute(update(User).where(User.username == "mttq1").values(active=False))
    db.session.commit()  # leave mttq_snv as the only active MTTQ reviewer
    draw(client, people, rate=1.0, min_per_enumerator=0, both_organisations=True)
    mine = rechecks(client, sign_in(client, "mttq_snv"))
    assert mine and "SNV" not in {a["agency_code"] for a in mine}
    unassigned = [
        a for a in rechecks(client, people["supervisor"]) if a["organisation"] == "MTTQ" and a["reviewer"] is None
    ]
    assert unassigned and {a["agency_code"] for a in unassigned} == {"SNV"}
    refused = client.put(
        f"/api/v1/rechecks/{unassigned[0]['id']}/reviewer", json={"username": "mttq_snv"}, headers=people["supervisor"]
    )
    assert refused.status_code == 409


def test_an_unknown_ballot_should_be_404_in_the_error_envelope(client, people, ballots):
    response = client.get(f"/api/v1/ballots/{uuid.uuid4()}", headers=people["supervisor"])
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"
