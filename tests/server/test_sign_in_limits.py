"""Sign-in protection: failed sign-ins counted per username and per client address on every sign-in path,
refused with 429 too_many_attempts and Retry-After before any password is hashed, logged without secrets,
and counted in the database so every worker and app server shares the counters."""

from __future__ import annotations

import base64
import logging
import time
from contextlib import contextmanager

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from tests.server.test_api_errors import assert_envelope

WRONG = "sai-mật-khẩu-bí-mật"


def sign_in(client, username, password, path="/api/v1/auth/tokens"):
    return client.post(path, json={"username": username, "password": password})


def assert_refused(response):
    assert_envelope(response, 429, "too_many_attempts")
    assert 0 < int(response.headers["Retry-After"]) <= 60


@contextmanager
def limits(app, **values):
    saved = {name: app.config[name] for name in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


def test_the_sixth_wrong_password_in_a_minute_should_be_refused_429_even_with_the_right_one(client, make_user, caplog):
    make_user("nguyen_van_a", "enumerator", password="đúng-mật-khẩu")
    with caplog.at_level(logging.WARNING, logger="parsurvey.sign_in"):
        for _ in range(5):
            assert_envelope(sign_in(client, "nguyen_van_a", WRONG), 401, "invalid_credentials")
    refused = sign_in(client, "nguyen_van_a", WRONG)
    assert_refused(refused)
    assert_refused(sign_in(client, "nguyen_van_a", "đúng-mật-khẩu"))  # locked out for the window
    # the web session and the other spellings of the name share the username's counter
    assert_refused(sign_in(client, "NGUYEN_VAN_A", "đúng-mật-khẩu", "/api/v1/auth/session"))
    # another user from the same address is not locked out
    make_user("tran_thi_b", "enumerator", password="mật-khẩu-b")
    assert sign_in(client, "tran_thi_b", "mật-khẩu-b").status_code == 201
    failures = [r for r in caplog.records if r.name == "parsurvey.sign_in"]
    assert len(failures) == 5 and "nguyen_van_a" in failures[0].getMessage()
    assert "127.0.0.1" in failures[0].getMessage()
    assert WRONG not in caplog.text


def test_a_username_that_does_not_exist_is_counted_but_never_logged(client, db, caplog):
    typed = "mật-khẩu-gõ-nhầm-ô"  # a password typed into the username field
    with caplog.at_level(logging.WARNING, logger="parsurvey.sign_in"):
        for _ in range(5):
            assert sign_in(client, typed, WRONG).status_code == 401
    assert_refused(sign_in(client, typed, WRONG))
    assert "unknown user" in caplog.text and typed not in caplog.text
    from server.auth.models import SignInCounter

    keys = [row.key for row in db.session.query(SignInCounter)]
    assert keys and not any(typed in key for key in keys), "the counters hold a digest, not what was typed"


def test_successful_sign_ins_should_not_count(client, make_user):
    make_user("le_van_c", "enumerator", password="mật-khẩu-c")
    for _ in range(8):
        assert sign_in(client, "le_van_c", "mật-khẩu-c").status_code == 201


def test_failures_from_one_address_should_be_limited_across_usernames(app, client, db):
    with limits(app, SIGN_IN_LIMITS_PER_ADDRESS="3 per minute"):
        for n in range(3):
            assert sign_in(client, f"khách{n}", WRONG).status_code == 401
        assert_refused(sign_in(client, "khách-mới", WRONG))
        # enrolment codes are guessed from an address too
        assert_refused(client.post("/api/v1/auth/enrolments", json={"code": "ABCD-EFGH"}))


def test_wrong_enrolment_codes_should_be_counted_per_address(app, client, db):
    with limits(app, SIGN_IN_LIMITS_PER_ADDRESS="4 per minute"):
        for _ in range(4):
            assert_envelope(
                client.post("/api/v1/auth/enrolments", json={"code": "ABCD-EFGH"}), 401, "invalid_enrolment"
            )
        assert_refused(client.post("/api/v1/auth/enrolments", json={"code": "ABCD-EFGH"}))


def test_wrong_openrosa_app_passwords_should_be_refused_429_after_five(client, demo):
    wrong = base64.b64encode(b"enumerator1:not-the-app-password").decode()
    headers = {"Authorization": f"Basic {wrong}", "X-OpenRosa-Version": "1.0"}
    challenge = client.get("/openrosa/formList", headers={"X-OpenRosa-Version": "1.0"})
    assert challenge.status_code == 401, "a request without credentials (Digest's first step) does not count"
    for _ in range(5):
        assert client.get("/openrosa/formList", headers=headers).status_code == 401
    refused = client.get("/openrosa/formList", headers=headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # an ODK client reads an OpenRosaResponse, not an HTML page
    assert refused.mimetype == "text/xml" and refused.headers["X-OpenRosa-Version"] == "1.0"
    assert b"<OpenRosaResponse" in refused.data and b"<html" not in refused.data.lower()
    # the same username's token sign-in is locked out as well
    assert_refused(sign_in(client, "enumerator1", "demo-password"))


def test_a_sign_in_should_read_all_its_counters_in_one_statement(client, make_user, db):
    """Five windows (two per address, three per username) are checked, and the headers report one of them:
    one SELECT, outside the request's transaction, and a failure adds one upsert per window."""
    from sqlalchemy import event

    make_user("vo_f", "enumerator", password="mật-khẩu-f")
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert sign_in(client, "vo_f", "mật-khẩu-f").status_code == 201
        read_ok = [s for s in statements if "sign_in_counters" in s]
        # on SQLite the read takes no write lock: only the request's own transaction does
        assert db.engine.dialect.name != "sqlite" or statements.count("BEGIN IMMEDIATE") == 1
        statements.clear()
        failed = sign_in(client, "vo_f", WRONG)
        read_failed = [s for s in statements if "sign_in_counters" in s]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(read_ok) == 1 and read_ok[0].lstrip().startswith("SELECT")
    assert failed.status_code == 401
    assert sum(s.lstrip().startswith("SELECT") for s in read_failed) == 1
    assert sum(s.lstrip().startswith("INSERT") for s in read_failed) == 5
    # what the failure added is what the headers report, without reading again
    assert (failed.headers["X-RateLimit-Limit"], failed.headers["X-RateLimit-Remaining"]) == ("30", "29")


def test_a_refused_attempt_should_cost_far_less_than_a_password_hash(client, make_user):
    make_user("pham_d", "enumerator", password="mật-khẩu-d")
    for _ in range(5):
        sign_in(client, "pham_d", WRONG)
    hashed = generate_password_hash("x", method="scrypt")
    started = time.perf_counter()
    for _ in range(5):
        check_password_hash(hashed, WRONG)
    one_hash = (time.perf_counter() - started) / 5
    started = time.perf_counter()
    for _ in range(20):
        assert sign_in(client, "pham_d", WRONG).status_code == 429
    per_refusal = (time.perf_counter() - started) / 20
    assert per_refusal < one_hash, f"refused in {per_refusal * 1000:.1f} ms; a hash takes {one_hash * 1000:.1f} ms"


def test_the_counters_should_be_shared_by_two_apps_on_one_database(app, client, make_user):
    from server import create_app

    make_user("hoang_e", "enumerator", password="mật-khẩu-e")
    for _ in range(5):
        sign_in(client, "hoang_e", WRONG)
    other = create_app({key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "INSTANCE_PATH", "AUDIT_KEY")})
    assert_refused(sign_in(other.test_client(), "hoang_e", "mật-khẩu-e"))


@pytest.mark.parametrize("value", ["five a minute", "5 per fortnight"])
def test_a_wrong_limit_setting_should_stop_start_up_with_a_sentence(value):
    from server.config import ConfigError, load

    with pytest.raises(ConfigError, match="SIGN_IN_LIMITS_PER_USER"):
        load({"PARSURVEY_SIGN_IN_LIMITS_PER_USER": value})


def test_a_wrong_password_for_an_unknown_username_should_cost_what_a_known_one_costs(client, make_user):
    """No probing usernames by timing: an unknown username's wrong password is checked against a dummy hash
    of the same method and cost parameters as a stored one, so the server does the same work (CPU time of
    this process, which a loaded machine moves far less than wall time)."""
    from server.auth.service import _DUMMY_HASH

    users = [make_user(f"can_bo_{n}", "enumerator", password=f"mật-khẩu-{n}")[0] for n in range(4)]
    assert {user.password_hash.split("$")[0] for user in users} == {_DUMMY_HASH.split("$")[0]}  # scrypt:32768:8:1
    spent = {"known": 0.0, "unknown": 0.0}
    for round_ in range(2):  # within the limits: 2 per username, 16 from the address
        for n in range(4):
            for kind, username in (("known", f"can_bo_{n}"), ("unknown", f"khong_co_{round_}_{n}")):
                started = time.process_time()
                assert_envelope(sign_in(client, username, WRONG), 401, "invalid_credentials")
                spent[kind] += time.process_time() - started
    assert 0.67 < spent["unknown"] / spent["known"] < 1.5, spent


def test_a_counter_store_that_is_down_should_be_answered_503_with_retry_after_not_let_through(app, db, caplog):
    """Redis stopped (nothing listens on its port): a sign-in is neither counted nor let through unthrottled,
    and the client is told to retry, as when the database is down."""
    import socket

    from server import create_app

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from server.auth.throttle import limiter

    settings = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "INSTANCE_PATH", "AUDIT_KEY")}
    try:
        other = create_app({**settings, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{port}/0"})
        with caplog.at_level(logging.WARNING):
            response = sign_in(other.test_client(), "admin", "demo-password")
    finally:
        # Flask-Limiter keeps one storage per Limiter, not per app (one app per process in production):
        # give the test session's app its own storage back, or every later sign-in here meets the dead Redis.
        limiter.init_app(app)
    assert_envelope(response, 503, "service_unavailable")
    assert response.headers["Retry-After"] == "5"
    assert "sign-in counters unavailable" in caplog.text and "demo-password" not in caplog.text
