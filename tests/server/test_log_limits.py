"""Log volume bounded for repeated errors: the same error from a flood is logged once per window, with how
many were left out, and different errors are never hidden behind each other."""

from __future__ import annotations

import logging

import pytest

from server import create_app
from server.log_limits import RepeatLimit

DOWN = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2"


def down_app(tmp_path, **config):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": DOWN, "INSTANCE_PATH": str(tmp_path), **config})


def unavailable(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "server.errors" and "database unavailable" in r.getMessage()]


@pytest.mark.parametrize(("seconds", "logged"), [(60.0, 1), (0.0, 30)])
def test_a_flood_of_the_same_error_should_be_logged_once_per_window(tmp_path, caplog, seconds, logged):
    client = down_app(tmp_path, LOG_REPEAT_SECONDS=seconds).test_client()
    with caplog.at_level(logging.WARNING):
        for n in range(30):
            answer = client.get(f"/api/v1/forms?page={n + 1}", headers={"Authorization": "Bearer pst_x"})
            assert answer.status_code == 503
    assert len(unavailable(caplog)) == logged


def test_a_new_app_should_start_with_nothing_left_out(tmp_path, caplog):
    for folder in ("a", "b"):
        client = down_app(tmp_path / folder).test_client()
        with caplog.at_level(logging.WARNING):
            assert client.get("/api/v1/forms", headers={"Authorization": "Bearer pst_x"}).status_code == 503
    assert len(unavailable(caplog)) == 2


def record(message: str, *args, error: Exception | None = None, name: str = "server.errors") -> logging.LogRecord:
    exc_info = None
    if error is not None:
        try:
            raise error
        except Exception as raised:  # noqa: BLE001 - the record carries it as a handler would
            exc_info = (type(raised), raised, raised.__traceback__)
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, args, exc_info)


def test_the_next_record_after_the_window_should_say_how_many_were_left_out():
    now = [0.0]
    limit = RepeatLimit(60, clock=lambda: now[0])
    assert limit.filter(record("unhandled error on %s %s", "GET", "/a"))
    kept = [limit.filter(record("unhandled error on %s %s", "GET", f"/b{n}")) for n in range(5)]
    assert kept == [False] * 5  # the arguments (method, path) do not make a new kind
    now[0] = 59.9
    assert not limit.filter(record("unhandled error on %s %s", "POST", "/c"))
    now[0] = 60.0
    after = record("unhandled error on %s %s", "GET", "/d")
    assert limit.filter(after)
    assert after.getMessage() == "unhandled error on GET /d (6 more like it in the last 60 s not logged)"
    assert not limit.filter(record("unhandled error on %s %s", "GET", "/e"))


def test_different_errors_should_never_be_hidden_behind_each_other():
    limit = RepeatLimit(60, clock=lambda: 0.0)
    assert limit.filter(record("unhandled error on %s %s", "GET", "/a", error=ValueError("x")))
    assert limit.filter(record("unhandled error on %s %s", "GET", "/a", error=KeyError("x")))
    assert not limit.filter(record("unhandled error on %s %s", "GET", "/z", error=KeyError("y")))
    assert limit.filter(record("database unavailable on %s %s: %s", "GET", "/a", "OperationalError"))
    assert limit.filter(record("unhandled error on %s %s", "GET", "/a", name="server.transaction"))
    warning = record("unhandled error on %s %s", "GET", "/a")
    warning.levelno = logging.WARNING
    assert limit.filter(warning)
