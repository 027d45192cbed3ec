"""A device syncing with the real server app (in-process HTTP): forms with ETags, ballots exactly once."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from server.ballots.models import Ballot
from sync.client import AuthenticationError, SyncClient
from sync.outbox import Outbox
from tests.app_transport import AppTransport
from tests.sample_ballots import FORM, answers


class Clock:
    now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def device(tmp_path, client, demo):
    token = client.post("/api/v1/auth/tokens", json={"username": "enumerator1", "password": "demo-password"})
    transport = AppTransport(client, token.get_json()["token"])
    clock = Clock()
    outbox = Outbox(tmp_path / "device.sqlite3", clock=clock, rng=random.Random(5))
    sync = SyncClient(outbox, transport, batch_size=10)
    yield sync
    outbox.close()


def capture(outbox: Outbox, n: int, agency: str = "SNV") -> list[str]:
    rng = random.Random(n)
    return [
        outbox.capture(
            form_id=FORM.form_id,
            version=FORM.version,
            agency=agency,
            enumerator="enumerator1",
            answers=answers(agency, rng),
        )
        for _ in range(n)
    ]


def stored(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot))


def test_pull_should_download_the_published_form_once_then_find_it_unchanged(device):
    first = device.pull_forms()
    assert first.forms_downloaded == [(FORM.form_id, FORM.version)]
    assert device.outbox.form_hash(FORM.form_id, FORM.version) == FORM.content_hash
    again = device.pull_forms()
    assert again.forms_downloaded == [] and again.forms_unchanged == 1
    downloads = [p for m, p in device.transport.requests if "/versions/" in p]
    assert len(downloads) == 1


def test_sync_should_deliver_every_ballot_in_batches(device, db):
    device.pull_forms()
    capture(device.outbox, 25)
    report = device.sync("tablet-9")
    assert report.results == {"accepted": 25} and report.batches == 3
    assert device.outbox.counts() == {"pending": 0, "acknowledged": 25, "rejected": 0}
    assert stored(db) == 25
    assert set(db.session.scalars(select(Ballot.device_id))) == {"tablet-9"}


def test_a_lost_answer_should_be_resent_and_acknowledged_as_duplicate(device, db):
    device.pull_forms()
    capture(device.outbox, 5)
    device.transport.lose_answers = 1  # the server commits, the device never hears
    first = device.push()
    assert first.stopped_by and device.outbox.counts()["pending"] == 5
    assert stored(db) == 5
    device.outbox.clock.now += 10_000  # past the backoff
    second = device.push()
    assert second.results == {"duplicate": 5}
    assert device.outbox.counts()["acknowledged"] == 5 and stored(db) == 5


def test_an_unreachable_server_should_leave_ballots_pending_with_backoff(device, db):
    device.pull_forms()
    capture(device.outbox, 3)
    device.transport.refuse = 1
    report = device.push()
    assert report.deferred == 3 and report.stopped_by.startswith("network")
    assert device.outbox.due(10) == []  # backing off
    device.outbox.clock.now += 10_000
    assert device.push().results == {"accepted": 3} and stored(db) == 3


def test_rejected_ballots_should_be_listed_with_their_reasons(device, db):
    device.pull_forms()
    capture(device.outbox, 1, agency="PHULY")  # enumerator1 is not assigned to districts
    report = device.push()
    assert report.results == {"error": 1}
    rejection = device.outbox.rejections()[0]
    assert rejection["code"] == "not_assigned" and device.outbox.counts()["rejected"] == 1
    assert stored(db) == 0


def test_a_revoked_token_should_stop_sync_and_keep_the_ballots(device, db, client):
    device.pull_forms()
    capture(device.outbox, 2)
    client.delete("/api/v1/auth/tokens/current", headers={"Authorization": f"Bearer {device.transport.token}"})
    with pytest.raises(AuthenticationError):
        device.push()
    assert device.outbox.counts()["pending"] == 2


def test_the_device_should_know_each_ballots_verdict_and_its_later_change(device, db, client):
    device.pull_forms()
    [fine] = capture(device.outbox, 1)
    short = device.outbox.capture(
        form_id=FORM.form_id,
        version=FORM.version,
        agency="SNV",
        enumerator="enumerator1",
        answers=answers("SNV", random.Random(99)),
        started_at="2022-09-20T08:00:00+07:00",
        completed_at="2022-09-20T08:00:30+07:00",
    )
    [unassigned] = capture(device.outbox, 1, agency="PHULY")
    [waiting] = capture(device.outbox, 1)
    device.outbox.connection.execute("UPDATE outbox SET next_attempt_at = 1e12 WHERE instance_id = ?", (waiting,))
    device.sync("tablet-9")
    verdicts = {b["instance_id"]: (b["verdict"], b["reason"]) for b in device.outbox.ballots()}
    assert verdicts == {
        fine: ("countable", None),
        short: ("not_countable", "interview_too_short"),
        unassigned: ("rejected", "not_assigned"),
        waiting: ("waiting", None),
    }

    token = client.post("/api/v1/auth/tokens", json={"username": "supervisor", "password": "demo-password"})
    supervisor = {"Authorization": f"Bearer {token.get_json()['token']}"}
    changed = client.post(
        f"/api/v1/ballots/{fine}/status", json={"status": "failed", "reason": "phúc tra không đạt"}, headers=supervisor
    )
    assert changed.status_code == 200
    assert device.refresh_verdicts() == 2
    now = {b["instance_id"]: b for b in device.outbox.ballots()}
    assert (now[fine]["verdict"], now[fine]["reason"]) == ("not_countable", "override: phúc tra không đạt")


def test_a_supervisors_token_on_the_device_hands_over_a_deactivated_enumerators_ballots(device, db, client):
    """The command-line device hands over as the web app does: re-initialised with a supervisor's token, it
    sends the enumerator's pending ballots, stored once under the enumerator's name."""
    device.pull_forms()
    ids = capture(device.outbox, 3)
    admin = client.post("/api/v1/auth/tokens", json={"username": "admin", "password": "demo-password"})
    headers = {"Authorization": f"Bearer {admin.get_json()['token']}"}
    assert client.post("/api/v1/users/enumerator1/deactivate", headers=headers).status_code == 200
    with pytest.raises(AuthenticationError):
        device.push()
    supervisor = client.post("/api/v1/auth/tokens", json={"username": "supervisor", "password": "demo-password"})
    device.transport.token = supervisor.get_json()["token"]
    assert device.push().results == {"accepted": 3}
    assert device.outbox.counts()["acknowledged"] == 3 and stored(db) == 3
    assert set(db.session.scalars(select(Ballot.instance_id))) == set(ids)
    assert {b.enumerator.username for b in db.session.scalars(select(Ballot))} == {"enumerator1"}
