"""The web app's sign-in: an HttpOnly, SameSite=Strict session cookie, with CSRF protection on writes."""

from __future__ import annotations

import io

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


def test_a_web_session_should_expire_on_the_server_not_only_in_the_browser(app, client, db, web_user):
    from datetime import timedelta

    from sqlalchemy import select

    from server.auth.models import ApiToken
    from server.caching import forget_everything
    from server.timeutil import utcnow

    _sign_in(client)
    token = db.session.scalar(select(ApiToken).where(ApiToken.label == "web session"))
    assert abs(token.expires_at - (utcnow() + timedelta(days=app.config["SESSION_DAYS"]))) < timedelta(minutes=1)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    forget_everything()  # as if this worker's CACHE_SECONDS had passed
    expired = client.get("/api/v1/me")
    assert expired.status_code == 401 and expired.get_json()["code"] == "unauthenticated"


def test_device_tokens_should_not_expire(client, db, make_user):
    from sqlalchemy import select

    from server.auth.models import ApiToken

    make_user("enum_device", "enumerator")
    assert db.session.scalar(select(ApiToken.expires_at)) is None


def test_the_cookie_should_be_secure_over_https_and_behind_a_trusted_https_proxy(app, client, web_user):
    from server import create_app

    credentials = {"username": "enum_web", "password": "mật-khẩu-web"}
    direct = client.post("/api/v1/auth/session", json=credentials, base_url="https://localhost")
    assert "; Secure" in direct.headers["Set-Cookie"]
    config = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "INSTANCE_PATH", "SECRET_KEY")}
    proxied = create_app({**config, "TESTING": True, "PROXY_COUNT": 1}).test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    behind = proxied.post("/api/v1/auth/session", json=credentials, headers=forwarded)
    assert "; Secure" in behind.headers["Set-Cookie"]
    untrusted = client.post("/api/v1/auth/session", json=credentials, headers=forwarded)  # PROXY_COUNT 0
    assert "Secure" not in untrusted.headers["Set-Cookie"]


def test_every_kind_of_write_signed_by_the_cookie_should_need_the_csrf_header(client, make_user):
    make_user("admin_web", "admin", password="mật-khẩu-admin")
    csrf = _sign_in(client, "admin_web", "mật-khẩu-admin").get_json()["csrf_token"]
    upload = {"file": (io.BytesIO(b"not really a spreadsheet"), "form.xlsx")}
    refused = [
        client.post("/api/v1/forms", data=upload, content_type="multipart/form-data"),
        client.post("/api/v1/users/admin_web/deactivate"),
        client.delete("/api/v1/auth/tokens/current"),
        client.patch("/api/v1/agencies/SNV", json={"name": "Sở Nội vụ"}),
    ]
    assert [r.get_json()["code"] for r in refused] == ["csrf_failed"] * 4
    assert client.get("/api/v1/me").status_code == 200  # nothing above took effect
    assert client.delete("/api/v1/auth/tokens/current", headers={CSRF_HEADER: csrf}).status_code == 204
