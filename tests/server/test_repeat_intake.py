"""Ballots with repeat groups through the sync intake: nested answers stored as sent, a bad instance refused
with the path of the instance and question (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from server.ballots.models import Ballot
from sync.protocol import make_envelope
from tests.sample_ballots import FORM, answers, batch
from tests.server.test_repeat_exports import VISITS


@pytest.fixture
def enumerator1(demo, client):
    from server.forms.service import publish, save_draft
    from server.transaction import unit_of_work
    from survey_forms import Form

    definition = FORM.to_dict() | {"version": "2022.10"}
    definition["children"] = [*definition["children"], VISITS]
    with unit_of_work():
        save_draft(Form.from_dict(definition), "2022")
        publish("satisfaction", "2022.10", "2022")
    response = client.post("/api/v1/auth/tokens", json={"username": "enumerator1", "password": "demo-password"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def envelope(visits: list) -> dict:
    return make_envelope(
        form_id=FORM.form_id,
        form_version="2022.10",
        agency="SNV",
        enumerator="enumerator1",
        answers={**answers("SNV"), "visit": visits},
        paradata={"started_at": "2022-09-20T08:00:00+07:00", "completed_at": "2022-09-20T08:12:30+07:00"},
        instance_id=str(uuid.uuid4()),
    )


def test_nested_answers_should_be_stored_as_sent_and_a_bad_instance_refused_by_path(client, db, enumerator1):
    good = envelope(
        [
            {"visit_date": "2022-09-01", "visit_desks": ["một_cửa"]},
            {"visit_date": "2022-09-02", "step": [{"step_note": "Nộp hồ sơ"}]},
        ]
    )
    bad = envelope([{"visit_date": "2022-09-01"}, {"visit_desks": ["ngân_hàng"], "step": [{"nothing": 1}]}])
    response = client.post("/api/v1/sync/batches", json=batch(good, bad), headers=enumerator1)
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert {(e["path"], e["code"]) for e in results[1]["errors"]} == {
        ("visit[2]/visit_desks", "unknown_choice"),
        ("visit[2]/step[1]/nothing", "unknown_question"),
    }
    stored = db.session.scalars(select(Ballot)).one()
    assert stored.answers["visit"] == good["answers"]["visit"]
