"""POST /api/v1/sync/batches: one answer per envelope, each ballot stored exactly once."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from server.ballots.models import Ballot, BallotConflict
from tests.sample_ballots import FORM, answers, batch, envelope


@pytest.fixture
def enumerator1(demo, client):
    response = client.post("/api/v1/auth/tokens", json={"username": "enumerator1", "password": "demo-password"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def send(client, headers, *envelopes, device_id="tablet-1"):
    response = client.post("/api/v1/sync/batches", json=batch(*envelopes, device_id=device_id), headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def stored_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot))


def test_should_accept_a_valid_ballot_and_store_it_with_its_provenance(client, db, enumerator1):
    sent = envelope("SNV")
    verdict = {"ballot_status": "valid", "status_reason": None, "countable": True}
    assert send(client, enumerator1, sent) == [{"instance_id": sent["instance_id"], "status": "accepted", **verdict}]
    ballot = db.session.scalar(select(Ballot))
    assert (ballot.instance_id, ballot.agency.code, ballot.enumerator.username) == (
        sent["instance_id"],
        "SNV",
        "enumerator1",
    )
    assert ballot.form_version.content_hash == FORM.content_hash and ballot.round.code == "2022"
    assert ballot.device_id == "tablet-1" and ballot.content_hash == sent["content_hash"]
    assert ballot.answers["procedure"] == "Cấp giấy chứng nhận quyền sử dụng đất"
    assert ballot.completed_at is not None and ballot.received_at is not None


def test_a_resend_after_a_lost_response_should_be_a_duplicate_and_store_nothing_more(client, db, enumerator1):
    sent = envelope("SNV")
    send(client, enumerator1, sent)
    verdict = {"ballot_status": "valid", "status_reason": None, "countable": True}
    assert send(client, enumerator1, sent) == [{"instance_id": sent["instance_id"], "status": "duplicate", **verdict}]
    assert stored_count(db) == 1


def test_the_same_id_with_changed_answers_should_be_a_conflict_and_leave_the_original(client, db, enumerator1):
    original = envelope("SNV")
    send(client, enumerator1, original)
    changed_answers = {**original["answers"], "c1_1": 1 if original["answers"]["c1_1"] != 1 else 2}
    changed = envelope("SNV", instance_id=original["instance_id"], answers=changed_answers)
    result = send(client, enumerator1, changed)[0]
    assert (result["status"], result["code"]) == ("conflict", "payload_conflict")
    ballot = db.session.scalar(select(Ballot))
    assert ballot.answers == original["answers"] and ballot.content_hash == original["content_hash"]
    kept = db.session.scalar(select(BallotConflict))
    assert kept.envelope["answers"] == changed_answers
    send(client, enumerator1, changed)  # resending the conflict keeps one copy aside
    assert db.session.scalar(select(func.count()).select_from(BallotConflict)) == 1


def test_a_mixed_batch_should_answer_each_item_and_store_only_the_good_ones(client, db, enumerator1):
    good = envelope("SNV")
    invalid = envelope("SNV", answers={**answers("SNV"), "c1_1": 9, "sex": "robot"})
    unknown = copy.deepcopy(envelope("SNV"))
    unknown["form_version"] = "1999.1"
    unknown = envelope_with(unknown)
    foreign = envelope("PHULY")  # a district: enumerator1 works in departments only
    tampered = envelope("SNV")
    tampered["answers"]["c2_1"] = 5 if tampered["answers"]["c2_1"] != 5 else 4
    results = send(client, enumerator1, good, invalid, unknown, foreign, tampered)
    assert [r["status"] for r in results] == ["accepted", "rejected", "error", "error", "rejected"]
    assert [r.get("code") for r in results] == [
        None,
        "invalid_answers",
        "unknown_form_version",
        "not_assigned",
        "invalid_envelope",
    ]
    assert {(e["path"], e["code"]) for e in results[1]["errors"]} == {
        ("factor_1/c1_1", "out_of_range"),
        ("respondent/sex", "unknown_choice"),
    }
    assert "content_hash" in results[4]["errors"]
    assert db.session.scalars(select(Ballot.instance_id)).all() == [good["instance_id"]]


def envelope_with(changed: dict) -> dict:
    from sync.protocol import envelope_hash

    changed["content_hash"] = envelope_hash(changed)
    return changed


def test_should_refuse_a_ballot_whose_agency_answer_differs_from_its_agency(client, db, enumerator1):
    sent = envelope("SNV", answers=answers("STC"))
    result = send(client, enumerator1, sent)[0]
    assert result["code"] == "invalid_answers"
    assert [e["code"] for e in result["errors"]] == ["agency_mismatch"]


def test_should_refuse_a_ballot_in_another_enumerators_name(client, db, enumerator1):
    result = send(client, enumerator1, envelope("SNV", enumerator="enumerator2"))[0]
    assert (result["status"], result["code"]) == ("error", "wrong_enumerator")
    assert stored_count(db) == 0


def test_the_same_id_twice_in_one_batch_should_be_stored_once(client, db, enumerator1):
    sent = envelope("SNV")
    results = send(client, enumerator1, sent, sent)
    assert [r["status"] for r in results] == ["accepted", "duplicate"]
    assert stored_count(db) == 1


def test_a_closed_form_should_refuse_ballots_completed_after_it_closed_but_still_acknowledge_resends(
    client, db, enumerator1, app
):
    stored = envelope("SNV")
    send(client, enumerator1, stored)
    assert app.test_cli_runner().invoke(args=["forms", "close", FORM.form_id, FORM.version]).exit_code == 0
    after_close = envelope("SNV", paradata={"started_at": None, "completed_at": "2099-01-01T08:00:00+07:00"})
    late = send(client, enumerator1, after_close, stored)
    assert [(r["status"], r.get("code")) for r in late] == [("error", "form_closed"), ("duplicate", None)]


def test_a_ballot_completed_before_its_version_closed_should_still_be_accepted(client, db, enumerator1, app):
    """Fieldwork done offline before a mid-season close is not lost: completed_at <= closed_at is taken."""
    assert app.test_cli_runner().invoke(args=["forms", "close", FORM.form_id, FORM.version]).exit_code == 0
    before_close = envelope("SNV")  # completed 2022-09-20, long before the close
    assert send(client, enumerator1, before_close)[0]["status"] == "accepted"
    assert stored_count(db) == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"protocol": 2, "device_id": "x", "items": [{}]}, 400, "unsupported_protocol"),
        ({"protocol": 1, "device_id": "x", "items": []}, 422, "invalid_request"),
        ({"protocol": 1, "items": [{}]}, 422, "invalid_request"),
        ([1, 2, 3], 422, "invalid_request"),
    ],
)
def test_should_refuse_an_unreadable_batch_whole(client, enumerator1, body, status, code):
    response = client.post("/api/v1/sync/batches", json=body, headers=enumerator1)
    assert response.status_code == status and response.get_json()["code"] == code


def test_should_refuse_a_batch_with_too_many_items(client, app, enumerator1):
    limit = app.config["SYNC_MAX_ITEMS"]
    response = client.post("/api/v1/sync/batches", json=batch(*[{}] * (limit + 1)), headers=enumerator1)
    assert response.status_code == 413 and response.get_json()["code"] == "batch_too_large"


def test_only_enumerators_may_send_ballots(client, db, demo, reviewer, supervisor):
    # A supervisor may only hand over an enumerator's ballot (tests/server/test_enumerator_truth.py), never
    # send one in their own name.
    response = client.post(
        "/api/v1/sync/batches", json=batch(envelope("SNV", enumerator="test_supervisor")), headers=supervisor
    )
    assert [(r["status"], r["code"]) for r in response.get_json()["results"]] == [("error", "wrong_enumerator")]
    # Reviewers sync re-check findings through the same endpoint, but a ballot from them is refused.
    response = client.post("/api/v1/sync/batches", json=batch(envelope("SNV")), headers=reviewer)
    assert [(r["status"], r["code"]) for r in response.get_json()["results"]] == [("error", "forbidden")]
    assert stored_count(db) == 0


def test_progress_should_count_ballots_per_agency_and_enumerator_against_quota(client, db, enumerator1, supervisor):
    send(client, enumerator1, envelope("SNV"), envelope("SNV"), envelope("STC"))
    progress = client.get("/api/v1/rounds/2022/progress", headers=supervisor).get_json()
    agencies = {a["agency_code"]: (a["received"], a["quota"]) for a in progress["agencies"]}
    assert agencies["SNV"] == (2, 62) and agencies["STC"] == (1, 62) and agencies["PHULY"] == (0, 190)
    assert "TTRA" not in agencies  # not surveyed
    people = {e["username"]: e for e in progress["enumerators"]}
    assert people["enumerator1"]["received"] == 3 and people["enumerator1"]["quota"] == 16 * 62
    assert people["enumerator2"]["received"] == 0
    assert progress["received"] == 3 and progress["quota"] == 16 * 62 + 6 * 190


def test_a_supervisor_should_resolve_a_conflict_by_taking_the_new_content(client, db, enumerator1, supervisor):
    original = envelope("SNV")
    send(client, enumerator1, original)
    changed = envelope("SNV", instance_id=original["instance_id"], answers={**original["answers"], "comment": "Sửa"})
    send(client, enumerator1, changed)
    conflicts = client.get("/api/v1/conflicts", headers=supervisor).get_json()
    assert len(conflicts) == 1 and conflicts[0]["stored"]["content_hash"] == original["content_hash"]
    no_reason = client.post(
        f"/api/v1/conflicts/{conflicts[0]['id']}/resolve", json={"resolution": "take_new"}, headers=supervisor
    )
    assert no_reason.status_code == 422
    resolved = client.post(
        f"/api/v1/conflicts/{conflicts[0]['id']}/resolve",
        json={"resolution": "take_new", "reason": "Phúc tra xác nhận nội dung mới"},
        headers=supervisor,
    )
    assert resolved.status_code == 200 and resolved.get_json()["resolved_by"] == "test_supervisor"
    assert db.session.scalar(select(Ballot.answers))["comment"] == "Sửa"
    assert client.get("/api/v1/conflicts", headers=supervisor).get_json() == []
    # the device that still holds the first content resends it: acknowledged, no new conflict raised
    assert send(client, enumerator1, original)[0]["status"] == "conflict"
    assert client.get("/api/v1/conflicts", headers=supervisor).get_json() == []
    again = client.post(
        f"/api/v1/conflicts/{conflicts[0]['id']}/resolve",
        json={"resolution": "keep_stored", "reason": "x"},
        headers=supervisor,
    )
    assert again.status_code == 409


def test_conflicts_should_be_listed_by_round(client, db, enumerator1, supervisor):
    original = envelope("SNV")
    send(client, enumerator1, original)
    changed = {**original["answers"], "comment": "Sửa"}
    send(client, enumerator1, envelope("SNV", instance_id=original["instance_id"], answers=changed))
    other_round = {
        "code": "2023",
        "year": 2023,
        "window_start": "2023-01-01",
        "window_end": "2023-11-30",
        "method_version": "2017",
        "survey_max_points": 10,
    }
    assert client.post("/api/v1/rounds", json=other_round, headers=supervisor).status_code == 201
    listed = {
        code: [c["instance_id"] for c in client.get(f"/api/v1/conflicts?round={code}", headers=supervisor).get_json()]
        for code in ("2022", "2023")
    }
    assert listed == {"2022": [original["instance_id"]], "2023": []}
    unknown = client.get("/api/v1/conflicts?round=1999", headers=supervisor)
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "not_found"
    runner = client.application.test_cli_runner()
    assert original["instance_id"] in runner.invoke(args=["conflicts", "list", "--round", "2022"]).output
    assert runner.invoke(args=["conflicts", "list", "--round", "2023"]).output.splitlines() == [
        "id\tinstance_id\tagency\tenumerator\treceived_at"
    ]


def test_enumerators_may_not_read_conflicts_or_progress(client, enumerator1):
    assert client.get("/api/v1/conflicts", headers=enumerator1).status_code == 403
    assert client.get("/api/v1/rounds/2022/progress", headers=enumerator1).status_code == 403


def test_assignments_should_be_managed_by_supervisors(client, demo, supervisor, enumerator1):
    made = client.put("/api/v1/rounds/2022/assignments/enumerator1/PHULY", json={"quota": 20}, headers=supervisor)
    assert made.status_code == 200 and made.get_json() == {
        "username": "enumerator1",
        "agency_code": "PHULY",
        "quota": 20,
    }
    own = client.get("/api/v1/rounds/2022/assignments", headers=enumerator1).get_json()
    assert {a["username"] for a in own} == {"enumerator1"} and len(own) == 17
    not_surveyed = client.put("/api/v1/rounds/2022/assignments/enumerator1/TTRA", json={"quota": 1}, headers=supervisor)
    assert not_surveyed.status_code == 409
    assert send(client, enumerator1, envelope("PHULY"))[0]["status"] == "accepted"


@pytest.mark.parametrize(
    "paradata",
    [
        {"started_at": None, "completed_at": "9999-12-31T23:59:59-05:00"},
        {"started_at": "0001-01-01T00:00:00+07:00", "completed_at": "2024-05-01T08:00:00+07:00"},
        {"started_at": None, "completed_at": "9999-12-31T23:00:00+00:00"},
    ],
)
def test_timestamps_at_the_ends_of_the_calendar_should_be_refused_per_item_not_500(client, db, enumerator1, paradata):
    results = send(client, enumerator1, envelope("SNV", paradata=paradata))
    assert [(r["status"], r.get("code")) for r in results] == [("rejected", "invalid_envelope")]
    assert stored_count(db) == 0


def test_an_item_that_is_no_object_should_be_refused_on_its_own_and_the_rest_taken(client, db, enumerator1):
    """A batch is answered per item (the OpenAPI document's exception for schemathesis's
    negative_data_rejection): an item that is not even an object gets its own error in the 200."""
    good = envelope("SNV")
    response = client.post("/api/v1/sync/batches", json=batch([None, None], good, "phiếu", 7), headers=enumerator1)
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "accepted", "rejected", "rejected"]
    assert {r["code"] for r in results if r["status"] == "rejected"} == {"invalid_envelope"}
    assert db.session.scalars(select(Ballot.instance_id)).all() == [good["instance_id"]]
