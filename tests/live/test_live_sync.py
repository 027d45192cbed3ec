"""Sync against a real server process: SIGKILL in the middle, and many devices at once."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.request
from collections import Counter

from sqlalchemy import func, select

from server.ballots.models import Ballot
from sync.client import HttpTransport, SyncClient
from sync.outbox import Outbox
from tests.sample_ballots import FORM, answers, batch, envelope


def token_for(url: str, username: str) -> str:
    body = json.dumps({"username": username, "password": "demo-password"}).encode()
    request = urllib.request.Request(url + "/api/v1/auth/tokens", body, {"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())["token"]


def count_stored(db) -> tuple[int, int]:
    db.session.rollback()
    total = db.session.scalar(select(func.count()).select_from(Ballot))
    distinct = db.session.scalar(select(func.count(func.distinct(Ballot.instance_id))))
    db.session.rollback()
    return total, distinct


def test_a_server_killed_mid_sync_should_end_with_every_ballot_stored_exactly_once(live_server, db, tmp_path):
    offset = [0.0]
    outbox = Outbox(tmp_path / "device.sqlite3", clock=lambda: time.time() + offset[0], rng=random.Random(2))
    client = SyncClient(
        outbox, HttpTransport(live_server.url, token_for(live_server.url, "enumerator1"), timeout=5), batch_size=20
    )
    client.pull_forms()
    rng = random.Random(11)
    agencies = ["SNV", "STC", "SXD", "SYT"]
    total = 800
    for i in range(total):
        agency = agencies[i % 4]
        outbox.capture(
            form_id=FORM.form_id,
            version=FORM.version,
            agency=agency,
            enumerator="enumerator1",
            answers=answers(agency, rng),
        )

    pusher = threading.Thread(target=client.push, kwargs={"device_id": "killed-tablet"})
    pusher.start()
    deadline = time.monotonic() + 60
    while count_stored(db)[0] < 100 and time.monotonic() < deadline:
        time.sleep(0.02)
    live_server.kill()
    pusher.join(timeout=60)
    before_restart = count_stored(db)[0]
    assert 100 <= before_restart < total, "the kill should land in the middle of the sync"
    assert outbox.counts()["pending"] > 0

    live_server.start()
    for _ in range(20):
        offset[0] += 7200  # past any backoff
        client.push(device_id="killed-tablet")
        if outbox.counts()["pending"] == 0:
            break
    assert outbox.counts() == {"pending": 0, "acknowledged": total, "rejected": 0}
    assert count_stored(db) == (total, total)
    outbox.close()


def post_batch(url: str, token: str, body: dict) -> list[dict]:
    request = urllib.request.Request(
        url + "/api/v1/sync/batches",
        json.dumps(body).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    for attempt in range(5):
        try:
            return json.loads(urllib.request.urlopen(request, timeout=60).read())["results"]
        except OSError:
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("the server kept failing")


def test_twenty_devices_with_overlapping_retries_should_lose_and_double_nothing(live_server, db):
    token = token_for(live_server.url, "enumerator1")
    devices = 20
    per_device = 30
    batches = [
        batch(
            *[envelope(["SNV", "STC", "SXD"][i % 3], rng=random.Random(d * 1000 + i)) for i in range(per_device)],
            device_id=f"tablet-{d}",
        )
        for d in range(devices)
    ]
    results: list[list[dict]] = []
    lock = threading.Lock()
    start = threading.Barrier(devices * 2)

    def device(body):
        start.wait()
        got = post_batch(live_server.url, token, body)
        with lock:
            results.append(got)

    # Every batch is sent twice at the same moment: a device whose first answer is slow retries.
    threads = [threading.Thread(target=device, args=(body,)) for body in batches for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = Counter(r["status"] for got in results for r in got)
    accepted_ids = Counter(r["instance_id"] for got in results for r in got if r["status"] == "accepted")
    assert statuses == {"accepted": devices * per_device, "duplicate": devices * per_device}
    assert set(accepted_ids.values()) == {1}
    assert count_stored(db) == (devices * per_device, devices * per_device)
