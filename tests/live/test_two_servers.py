"""Two app servers (gunicorn, two workers each) on different ports over one database, as behind a load
balancer: a token revoked on one is refused by the other, a form published on one is listed by the other,
the audit chain stays whole after writes on both, and one ballot sent to both is stored once."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from server.ballots.models import Ballot
from tests.live.test_live_sync import token_for
from tests.live_server import GUNICORN, LiveServer
from tests.sample_ballots import batch, envelope
from tests.server.test_forms import SMALL

#: Each server remembers token lookups and form listings this long (PARSURVEY_CACHE_SECONDS).
CACHE_SECONDS = 1


def call(url: str, method: str = "GET", token: str | None = None, body=None) -> tuple[int, object]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            content = response.read()
            return response.status, json.loads(content) if content else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def eventually(check, seconds: float) -> float:
    """Poll ``check`` until it holds; returns how long it took, or fails after ``seconds``."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > seconds:
            pytest.fail(f"not seen within {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.fixture
def two_servers(database_url, demo, tmp_path):
    if not GUNICORN.exists():
        pytest.fail(f"gunicorn is not installed beside {GUNICORN.parent}; install the test extras")
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        server = LiveServer(database_url, tmp_path / name)
        server.env["PARSURVEY_CACHE_SECONDS"] = str(CACHE_SECONDS)
        server.env["PARSURVEY_AUDIT_SEAL_SECONDS"] = "0"  # each write seals (or leaves it to the sealer at work)
        server.start(wait_seconds=90)  # two servers start on a busy machine
        servers.append(server)
    yield servers
    for server in servers:
        server.stop()


def test_a_token_revoked_on_one_server_should_be_refused_by_the_other(two_servers):
    a, b = two_servers
    token = token_for(a.url, "enumerator1")
    assert call(b.url + "/api/v1/me", token=token)[0] == 200  # B knows it (and caches the lookup)
    assert call(a.url + "/api/v1/auth/tokens/current", "DELETE", token)[0] == 204
    took = eventually(lambda: call(b.url + "/api/v1/me", token=token)[0] == 401, CACHE_SECONDS + 2)
    assert took <= CACHE_SECONDS + 2
    assert call(a.url + "/api/v1/me", token=token)[0] == 401


def test_a_form_published_on_one_server_should_be_listed_by_the_other(two_servers):
    a, b = two_servers
    admin = token_for(a.url, "admin")
    before = call(b.url + "/api/v1/forms", token=admin)[1]  # B caches its listing
    assert "pilot" not in {f["form_id"] for f in before}
    assert call(a.url + "/api/v1/forms", "POST", admin, SMALL)[0] == 201
    published = call(a.url + "/api/v1/forms/pilot/versions/1/publish", "POST", admin, {"for_testing": True})
    assert published[0] == 200, published
    eventually(
        lambda: "pilot" in {f["form_id"] for f in call(b.url + "/api/v1/forms", token=admin)[1]}, CACHE_SECONDS + 2
    )


def test_one_ballot_sent_to_both_servers_at_once_should_be_stored_once_and_the_chain_stay_whole(two_servers, db):
    from server.audit import verify_chain

    a, b = two_servers
    tokens = {server.url: token_for(server.url, "enumerator1") for server in (a, b)}
    shared = [envelope("SNV") for _ in range(5)]
    answers = {}

    def send(server, own):
        answers[server.url] = call(server.url + "/api/v1/sync/batches", "POST", tokens[server.url], batch(*shared, own))

    own = {a.url: envelope("STC"), b.url: envelope("SXD")}
    threads = [threading.Thread(target=send, args=(server, own[server.url])) for server in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for status, body in answers.values():
        assert status == 200, body
        assert {r["status"] for r in body["results"]} <= {"accepted", "duplicate"}
    for sent in shared:  # each shared ballot accepted by exactly one server, a duplicate for the other
        statuses = sorted(
            next(r["status"] for r in answers[url][1]["results"] if r["instance_id"] == sent["instance_id"])
            for url in answers
        )
        assert statuses == ["accepted", "duplicate"]
    db.session.rollback()
    ids = [e["instance_id"] for e in shared] + [e["instance_id"] for e in own.values()]
    stored = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.instance_id.in_(ids)))
    assert stored == 7
    # both servers sealed into one chain: unbroken, every entry theirs; a last seal links what a busy head
    # left over (a sealer that finds the head taken leaves its entries to the one holding it)
    from server.audit import AuditEntry, seal

    report = verify_chain()
    assert report.ok and report.foreign == 0, report
    seal()
    db.session.commit()
    report = verify_chain()
    total = db.session.scalar(select(func.count()).select_from(AuditEntry))
    received = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "received", AuditEntry.subject_id.in_(ids))
    )
    db.session.rollback()
    assert report.ok and report.unsealed == 0 and report.entries == total, report
    assert received == 7, "one receipt per ballot, whichever server stored it"
