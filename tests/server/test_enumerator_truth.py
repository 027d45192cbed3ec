"""What the enumerator's device is told: each ballot's verdict after cleaning, later changes, the round's rules,
ballots of a version closed mid-season, hand-over of a departed enumerator's ballots, and location paradata."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.audit import entries_for
from server.ballots.models import Ballot
from tests.sample_ballots import answers, batch, envelope

SHORT = {"started_at": "2022-09-20T08:00:00+07:00", "completed_at": "2022-09-20T08:00:40+07:00", "app_version": "t"}


def token(client, username: str) -> dict:
    response = client.post("/api/v1/auth/tokens", json={"username": username, "password": "demo-password"})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def send(client, headers, *envelopes):
    response = client.post("/api/v1/sync/batches", json=batch(*envelopes), headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


@pytest.fixture
def enumerator1(demo, client):
    return token(client, "enumerator1")


def test_a_too_short_interview_should_be_acknowledged_as_not_countable_with_its_reason(client, db, enumerator1):
    short, fine = envelope("SNV", paradata=SHORT), envelope("SNV")
    results = send(client, enumerator1, short, fine)
    assert results[0] == {
        "instance_id": short["instance_id"],
        "status": "accepted",
        "ballot_status": "invalid",
        "status_reason": "interview_too_short",
        "countable": False,
    }
    assert (results[1]["ballot_status"], results[1]["countable"]) == ("valid", True)
    again = send(client, enumerator1, short)[0]
    assert (again["status"], again["status_reason"], again["countable"]) == ("duplicate", "interview_too_short", False)

    progress = client.get("/api/v1/rounds/2022/my-progress", headers=enumerator1).get_json()
    snv = next(a for a in progress["agencies"] if a["agency_code"] == "SNV")
    assert (snv["received"], snv["countable"], snv["not_countable"]) == (2, 1, 1)
    assert (progress["countable"], progress["not_countable"]) == (1, 1)
    assert progress["rules"] == {
        "window_start": "2022-01-01",
        "window_end": progress["rules"]["window_end"],
        "min_interview_seconds": 120,
        "collect_location": False,
    }
    assert progress["rules"]["window_end"] >= "2022-09-15"


def test_the_status_call_should_tell_a_later_change_and_only_to_the_ballots_owner(client, db, enumerator1):
    sent = envelope("SNV")
    send(client, enumerator1, sent)
    supervisor = token(client, "supervisor")
    changed = client.post(
        f"/api/v1/ballots/{sent['instance_id']}/status",
        json={"status": "failed", "reason": "Người trả lời nói không được phỏng vấn"},
        headers=supervisor,
    )
    assert changed.status_code == 200, changed.get_json()
    unknown = "00000000-0000-4000-8000-000000000000"
    answer = client.post(
        "/api/v1/sync/status", json={"instance_ids": [sent["instance_id"], unknown]}, headers=enumerator1
    )
    assert answer.status_code == 200
    [verdict] = answer.get_json()["ballots"]
    assert (verdict["instance_id"], verdict["ballot_status"], verdict["countable"]) == (
        sent["instance_id"],
        "failed",
        False,
    )
    assert verdict["status_reason"].startswith("override:")

    other = token(client, "enumerator2")
    assert client.post(
        "/api/v1/sync/status", json={"instance_ids": [sent["instance_id"]]}, headers=other
    ).get_json() == {"ballots": []}
    empty = client.post("/api/v1/sync/status", json={"instance_ids": []}, headers=enumerator1)
    assert (empty.status_code, empty.get_json()["code"]) == (422, "invalid_request")


def test_a_quarantined_enumerators_ballots_should_show_as_not_countable(client, db, enumerator1, app):
    sent = envelope("SNV")
    send(client, enumerator1, sent)
    from server.auth.models import User
    from server.recheck.models import Quarantine
    from server.registry.models import SurveyRound

    round_id = db.session.scalar(select(SurveyRound.id).where(SurveyRound.code == "2022"))
    user_id = db.session.scalar(select(User.id).where(User.username == "enumerator1"))
    db.session.add(Quarantine(round_id=round_id, enumerator_id=user_id, failure_rate=0.5, decided_rechecks=4))
    db.session.commit()
    [verdict] = client.post(
        "/api/v1/sync/status", json={"instance_ids": [sent["instance_id"]]}, headers=enumerator1
    ).get_json()["ballots"]
    assert (verdict["ballot_status"], verdict["status_reason"], verdict["countable"]) == ("valid", "quarantined", False)


def test_a_deactivated_enumerators_ballots_should_reach_the_server_through_a_supervisor_exactly_once(
    client, db, enumerator1
):
    admin = token(client, "admin")
    assert client.post("/api/v1/users/enumerator1/deactivate", headers=admin).status_code == 200
    supervisor = token(client, "supervisor")
    pending = envelope("SNV")
    first = send(client, supervisor, pending)[0]
    assert (first["status"], first["ballot_status"]) == ("accepted", "valid")
    assert send(client, supervisor, pending)[0]["status"] == "duplicate"
    ballot = db.session.scalar(select(Ballot).where(Ballot.instance_id == pending["instance_id"]))
    assert ballot.enumerator.username == "enumerator1", "the ballot stays the enumerator's"
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    [received] = [e for e in entries_for("ballot", pending["instance_id"]) if e.action == "received"]
    assert received.actor == "supervisor" and received.details["on_behalf_of"] == "enumerator1"

    # Hand-over is for enumerators' ballots, under their assignments, and not for other roles.
    not_enumerator = send(client, supervisor, envelope("SNV", enumerator="mttq1"))[0]
    assert (not_enumerator["status"], not_enumerator["code"]) == ("error", "wrong_enumerator")
    unassigned = send(client, supervisor, envelope("STC", enumerator="enumerator2"))[0]
    assert unassigned.get("code") in ("not_assigned", None)
    reviewer = token(client, "mttq1")
    assert send(client, reviewer, envelope("SNV"))[0]["code"] == "forbidden"


LOCATION = {"latitude": 20.5412345, "longitude": 105.9123, "accuracy": 12.5, "captured_at": "2022-09-20T08:00:02+07:00"}


def test_location_evidence_in_the_paradata_should_be_stored_as_sent(client, db, enumerator1):
    paradata = {
        "started_at": "2022-09-20T08:00:00+07:00",
        "completed_at": "2022-09-20T08:12:30+07:00",
        "app_version": "t",
        "location_start": LOCATION,
        "location_end": {**LOCATION, "accuracy": 30, "captured_at": "2022-09-20T08:12:29+07:00"},
    }
    sent = envelope("SNV", paradata=paradata)
    assert send(client, enumerator1, sent)[0]["status"] == "accepted"
    ballot = db.session.scalar(select(Ballot).where(Ballot.instance_id == sent["instance_id"]))
    assert ballot.paradata["location_start"] == LOCATION and ballot.paradata["location_end"]["accuracy"] == 30


@pytest.mark.parametrize(
    "location",
    [
        {**LOCATION, "latitude": 91},
        {k: v for k, v in LOCATION.items() if k != "accuracy"},
        {**LOCATION, "captured_at": "2022-09-20T08:00:02"},
        {**LOCATION, "altitude": 3},
        "20.5,105.9",
    ],
)
def test_a_malformed_location_should_be_rejected_with_its_field(client, db, enumerator1, location):
    sent = envelope("SNV", paradata={**SHORT, "location_start": location}, answers=answers("SNV"))
    result = send(client, enumerator1, sent)[0]
    assert (result["status"], result["code"]) == ("rejected", "invalid_envelope")
    assert list(result["errors"]) == ["paradata.location_start"]


def test_collect_location_should_be_a_round_setting_given_to_devices(client, db, enumerator1):
    supervisor = token(client, "supervisor")
    changed = client.patch("/api/v1/rounds/2022/quality-settings", json={"collect_location": True}, headers=supervisor)
    assert changed.status_code == 200 and changed.get_json()["collect_location"] is True
    assert client.get("/api/v1/rounds/2022/my-progress", headers=enumerator1).get_json()["rules"]["collect_location"]
    refused = client.patch(
        "/api/v1/rounds/2022/quality-settings", json={"collect_location": "maybe"}, headers=supervisor
    )
    assert refused.status_code == 422
