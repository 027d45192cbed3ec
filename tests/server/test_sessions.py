"""The web app's sign-in: an HttpOnly, SameSite=Strict session cookie, with CSRF protection on writes."""

from __future__ import annotations

import pytest

from server.auth.access import CSRF_HEADER, SESSION_COOKIE


def _sign_in(client, username="enum_web", password="mật-khẩu-web"):
    return client.post("/api/v1/auth/session", json={"username": username, "password": password})


@pytest.fixture
def web_user(make_user):
    make_user("enum_web", "enumerator", password="mật-khẩu-web")


def test_signing_in_should_set_an_httponly_samesite_strict_cookie(client, web_user):
    response = _sign_in(client)
    assert response.status_code == 201
    body = response.get_json()
    assert body["username"] == "enum_web" and body["role"] == "enumerator" and len(body["csrf_token"]) == 64
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=pst_")
    flags = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "httponly" in flags and flags["samesite"].strip() == "SameSite=Strict" and flags["path"].strip() == "Path=/"
    assert "max-age" in flags and "secure" not in flags  # plain http here; https requests get Secure
    assert body["csrf_token"] not in cookie


def test_the_cookie_should_sign_reads_and_the_session_should_give_its_csrf_token(client, web_user):
    csrf = _sign_in(client).get_json()["csrf_token"]
    assert client.get("/api/v1/me").get_json()["username"] == "enum_web"
    assert client.get("/api/v1/auth/session").get_json()["csrf_token"] == csrf


def test_a_write_signed_by_the_cookie_should_need_the_csrf_header(client, web_user):
    csrf = _sign_in(client).get_json()["csrf_token"]
    batch = {"protocol": 1, "device_id": "web-test", "items": []}
    refused = client.post("/api/v1/sync/batches", json=batch)
    assert refused.status_code == 403 and refused.get_json()["code"] == "csrf_failed"
    wrong = client.post("/api/v1/sync/batches", json=batch, headers={CSRF_HEADER: "0" * 64})
    assert wrong.status_code == 403 and wrong.get_json()["code"] == "csrf_failed"
    # With the header the request gets past authentication to the batch's own checks (it is empty).
    accepted = client.post("/api/v1/sync/batches", json=batch, headers={CSRF_HEADER: csrf})
    assert accepted.status_code == 422 and accepted.get_json()["code"] == "invalid_request"


def test_a_bearer_token_should_need_no_csrf_header(client, web_user, enumerator):
    _sign_in(client)  # a cookie is present too, but the Authorization header decides
    response = client.delete("/api/v1/auth/tokens/current", headers=enumerator)
    assert response.status_code == 204
    assert client.get("/api/v1/me").get_json()["username"] == "enum_web"


def test_signing_out_should_revoke_the_session_and_clear_the_cookie(client, web_user):
    csrf = _sign_in(client).get_json()["csrf_token"]
    secret = client.get_cookie(SESSION_COOKIE).value
    assert client.delete("/api/v1/auth/session").get_json()["code"] == "csrf_failed"
    response = client.delete("/api/v1/auth/session", headers={CSRF_HEADER: csrf})
    assert response.status_code == 204
    assert client.get_cookie(SESSION_COOKIE) is None
    replayed = client.get("/api/v1/me", headers={"Cookie": f"{SESSION_COOKIE}={secret}"})
    assert replayed.status_code == 401 and replayed.get_json()["code"] == "unauthenticated"


def test_a_wrong_password_should_set_no_cookie(client, web_user):
    response = _sign_in(client, password="wrong-password")
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_credentials"
    assert "Set-Cookie" not in response.headers
    assert client.get("/api/v1/auth/session").status_code == 401
