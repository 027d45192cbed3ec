"""What each worker remembers (server.caching): token lookups and form listings, for CACHE_SECONDS.

A second app on the same database plays another gunicorn worker: a change made through one worker
reaches it within its CACHE_SECONDS, never later, and at once on the worker that made it.
"""

from __future__ import annotations

import time

import pytest

from server.caching import WorkerCache

from .test_forms import publish, upload


@pytest.fixture
def other_worker(app, db):
    from server import create_app

    def start(cache_seconds: float):
        config = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "INSTANCE_PATH", "SECRET_KEY")}
        worker = create_app({**config, "TESTING": True, "AUDIT_SEAL_SECONDS": 0, "CACHE_SECONDS": cache_seconds})
        return worker.test_client()

    return start


def _wait_past(seconds: float) -> None:
    time.sleep(seconds * 1.5)


def test_a_revoked_token_should_stop_at_once_here_and_within_cache_seconds_elsewhere(client, make_user, other_worker):
    _, headers = make_user("enum_cache", "enumerator")
    other = other_worker(1.5)
    assert other.get("/api/v1/me", headers=headers).status_code == 200  # the other worker now remembers it
    assert client.delete("/api/v1/auth/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert other.get("/api/v1/me", headers=headers).status_code == 200  # still within its 1.5 s
    _wait_past(1.5)
    assert other.get("/api/v1/me", headers=headers).status_code == 401


def test_with_caching_off_a_revocation_should_reach_every_worker_at_once(client, make_user, other_worker):
    _, headers = make_user("enum_nocache", "enumerator")
    other = other_worker(0)
    assert other.get("/api/v1/me", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/tokens/current", headers=headers).status_code == 204
    assert other.get("/api/v1/me", headers=headers).status_code == 401


def test_a_published_form_should_reach_other_workers_within_cache_seconds(client, admin, enumerator, other_worker):
    other = other_worker(1.5)
    assert other.get("/api/v1/forms", headers=enumerator).get_json() == []
    upload(client, admin)
    publish(client, admin)
    assert [f["form_id"] for f in client.get("/api/v1/forms", headers=enumerator).get_json()] == ["pilot"]
    assert other.get("/api/v1/forms", headers=enumerator).get_json() == []
    _wait_past(1.5)
    assert [f["form_id"] for f in other.get("/api/v1/forms", headers=enumerator).get_json()] == ["pilot"]


def test_the_cache_should_not_remember_failures_and_should_forget_on_request():
    cache = WorkerCache(seconds=60)
    calls = []

    def failing():
        calls.append("fail")
        raise LookupError

    for _ in range(2):
        with pytest.raises(LookupError):
            cache.get_or_compute("k", failing)
    assert calls == ["fail", "fail"]
    assert cache.get_or_compute("k", lambda: 1) == 1
    assert cache.get_or_compute("k", lambda: 2) == 1
    cache.forget("k")
    assert cache.get_or_compute("k", lambda: 3) == 3
    cache.forget()
    assert cache.get_or_compute("k", lambda: 4) == 4
    assert WorkerCache(seconds=0).get_or_compute("k", lambda: 5) == 5


def test_unknown_tokens_should_not_be_remembered(app, client, db):
    from server.auth.service import hash_token
    from server.caching import PRINCIPALS, worker_cache

    secret = "pst_" + "x" * 43
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert worker_cache(PRINCIPALS).get(hash_token(secret)) is None


def test_a_value_cached_while_the_change_was_uncommitted_should_be_forgotten_at_commit(app, client, make_user):
    """Another thread may read the old row after this request forgot it but before it committed."""
    from server.auth.access import principal_for
    from server.auth.service import get_user, hash_token, revoke_tokens_by_prefix
    from server.caching import PRINCIPALS, worker_cache
    from server.transaction import unit_of_work

    _, headers = make_user("enum_race", "enumerator")
    secret = headers["Authorization"].split()[1]
    with app.test_request_context():
        stale = principal_for(secret)
        with unit_of_work():
            revoke_tokens_by_prefix("enum_race")
            worker_cache(PRINCIPALS).put(hash_token(secret), stale)  # the other thread's stale read
            assert get_user("enum_race").tokens[0].revoked_at is not None
        assert worker_cache(PRINCIPALS).get(hash_token(secret)) is None
    assert client.get("/api/v1/me", headers=headers).status_code == 401
