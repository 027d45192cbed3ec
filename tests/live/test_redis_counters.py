"""The sign-in counters in Redis (``PARSURVEY_RATELIMIT_STORAGE_URI=redis://…``), shared by two app servers
(gunicorn, two workers each) on different ports, as behind a load balancer: wrong passwords split over both
servers are counted together, and the attempt past the configured limit is answered ``429
too_many_attempts`` with ``Retry-After`` by whichever server gets it. The counters are in Redis, not in the
database.

A real ``redis-server`` is started on a free port for the test. Without the binary the test is skipped with
the reason, or fails under ``CI=true`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from tests.live_server import GUNICORN, LiveServer

#: The limits of this test: the default per username, a small one per address so it is reached quickly.
PER_USER = "5 per minute"
PER_ADDRESS = "8 per minute"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed (apt-get install redis-server; .ci/run installs it)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    import redis

    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def two_servers_on_redis(database_url, demo, tmp_path, redis_url):
    if not GUNICORN.exists():
        pytest.fail(f"gunicorn is not installed beside {GUNICORN.parent}; install the test extras")
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        server = LiveServer(database_url, tmp_path / name)
        server.env.update(
            PARSURVEY_RATELIMIT_STORAGE_URI=redis_url,
            PARSURVEY_SIGN_IN_LIMITS_PER_USER=PER_USER,
            PARSURVEY_SIGN_IN_LIMITS_PER_ADDRESS=PER_ADDRESS,
        )
        server.start(wait_seconds=90)  # two servers start on a busy machine
        servers.append(server)
    yield servers, redis_url
    for server in servers:
        server.stop()


def sign_in(server, username: str, password: str) -> tuple[int, dict, dict]:
    """(status, body, headers) of a token sign-in on ``server``."""
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(server.url + "/api/v1/auth/tokens", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def assert_refused(server, username: str, password: str) -> None:
    status, body, headers = sign_in(server, username, password)
    assert (status, body["code"]) == (429, "too_many_attempts"), (server.url, username, body)
    assert 0 < int(headers["Retry-After"]) <= 60


def test_wrong_passwords_split_over_two_servers_should_be_counted_together_in_redis(two_servers_on_redis, db):
    import redis

    from server.auth.models import SignInCounter

    (a, b), url = two_servers_on_redis
    # five wrong passwords for one username, alternating servers: each is a 401
    for n in range(5):
        status, body, _ = sign_in((a, b)[n % 2], "enumerator1", "sai-mật-khẩu")
        assert (status, body["code"]) == (401, "invalid_credentials"), n
    # the sixth, on either server, is past the username's limit -- even with the right password
    assert_refused(b, "enumerator1", "sai-mật-khẩu")
    assert_refused(a, "enumerator1", "demo-password")
    # another username is not locked out, until the address reaches its own limit (8: five above, three here)
    for n in range(3):
        assert sign_in((b, a)[n % 2], f"khach{n}", "sai")[0] == 401
    assert_refused(b, "khach-moi", "sai")
    assert_refused(a, "enumerator2", "demo-password")
    # the counters are in Redis: the database's own counter table stayed empty
    keys = redis.Redis.from_url(url).keys("*")
    assert keys, "the counters should be kept in Redis"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SignInCounter)) == 0
