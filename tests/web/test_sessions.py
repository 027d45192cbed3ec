"""The web app's session in a real browser: an HttpOnly, SameSite=Strict cookie instead of a token in
IndexedDB, the CSRF header on every change, sign-out, and a lost session that keeps the outbox."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from tests.sample_ballots import batch, envelope
from tests.web.test_enumerator_app import count, fill_ballot, sign_in
from tests.web.test_reviewer_screens import token

KV = "async (key) => (await import('/app/static/store.js')).kv.get(key)"

# A write from the page with the session cookie, with or without a CSRF header: the status and the code.
POST = """async ([path, body, csrf]) => {
  const headers = {'Content-Type': 'application/json'};
  if (csrf !== null) headers['X-CSRF-Token'] = csrf;
  const response = await fetch(path, {method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body)});
  return [response.status, (await response.json()).code || null];
}"""


@pytest.fixture
def no_worker_cache(monkeypatch):
    """Each gunicorn worker remembers a token's user for CACHE_SECONDS (5 s); a revocation in one worker
    reaches the others within that time. These tests revoke sessions and expect it at once."""
    monkeypatch.setenv("PARSURVEY_CACHE_SECONDS", "0")


def status_with_cookie(url: str, path: str, secret: str) -> int:
    request = urllib.request.Request(url + path, headers={"Cookie": f"parsurvey_session={secret}"})
    try:
        return urllib.request.urlopen(request, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_session_is_an_httponly_samesite_cookie_and_writes_need_the_csrf_token(
    no_worker_cache, live_server, db, browser
):
    url = live_server.url
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "/app/")
    page.wait_for_selector("#sign-in")
    # A device upgraded from the version that kept a bearer token in IndexedDB: the token is revoked and removed.
    legacy = token(url, "enumerator1")
    page.evaluate("async (t) => (await import('/app/static/store.js')).kv.set('token', t)", legacy)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate(KV, "token") is None
    request = urllib.request.Request(url + "/api/v1/me", headers={"Authorization": f"Bearer {legacy}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401, "the old bearer token is revoked"

    sign_in(page, url)
    (session,) = [c for c in context.cookies() if c["name"] == "parsurvey_session"]
    assert session["httpOnly"] is True and session["sameSite"] == "Strict" and session["path"] == "/"
    assert session["expires"] > time.time() + 30 * 86400, "the session outlives days offline in the field"
    assert "parsurvey_session" not in page.evaluate("document.cookie"), "scripts cannot read the session"
    stored = page.evaluate(
        """async () => {
             const {kv} = await import('/app/static/store.js');
             return {token: await kv.get('token'), csrf: await kv.get('csrf'), user: await kv.get('user')};
           }"""
    )
    assert stored["token"] is None and len(stored["csrf"]) == 64
    assert stored["user"]["username"] == "enumerator1" and stored["user"]["role"] == "enumerator"
    assert session["value"] not in json.dumps(stored), "the session secret is nowhere in IndexedDB"

    body = batch(envelope("SNV"), device_id="web-csrf")
    assert page.evaluate(POST, ["/api/v1/sync/batches", body, None]) == [403, "csrf_failed"]
    assert page.evaluate(POST, ["/api/v1/sync/batches", body, "0" * 64]) == [403, "csrf_failed"]
    assert page.evaluate(POST, ["/api/v1/sync/batches", body, stored["csrf"]]) == [200, None]

    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    assert [c for c in context.cookies() if c["name"] == "parsurvey_session"] == [], "sign-out clears the cookie"
    assert page.evaluate(KV, "csrf") is None and page.evaluate(KV, "user") is None
    assert status_with_cookie(url, "/api/v1/auth/session", session["value"]) == 401, "and revokes the session"
    context.close()


def test_a_lost_session_goes_back_to_sign_in_and_keeps_the_outbox(no_worker_cache, live_server, db, browser):
    from playwright.sync_api import expect
    from sqlalchemy import select

    from server.ballots.models import Ballot

    url = live_server.url
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    sign_in(page, url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.set_offline(True)
    fill_ballot(page, gave_feedback=False, phone="0912345678")
    page.close()
    page = context.new_page()  # the app reopened with no connection: still signed in, ballot still there
    page.goto(url + "/app/")
    expect(page.locator("#count-pending")).to_have_text("1")

    (session,) = [c for c in context.cookies() if c["name"] == "parsurvey_session"]
    revoke = urllib.request.Request(
        url + "/api/v1/auth/tokens/current", headers={"Authorization": f"Bearer {session['value']}"}, method="DELETE"
    )
    assert urllib.request.urlopen(revoke, timeout=30).status == 204  # e.g. an admin revoked it meanwhile
    context.set_offline(False)  # back online, the app syncs by itself and learns the session is gone
    page.wait_for_selector("#sign-in")
    expect(page.locator("#status")).to_contain_text("Phiên đăng nhập đã hết hạn")
    pending = page.evaluate(
        "async () => (await (await import('/app/static/store.js')).outbox.all()).map((r) => r.state)"
    )
    assert pending == ["pending"], "the unsent ballot stays on the device"

    sign_in(page, url)
    assert count(page, "pending") == "1"
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("1", timeout=20_000)
    context.close()
    db.session.rollback()
    assert len(db.session.scalars(select(Ballot)).all()) == 1


def test_a_session_signed_out_offline_is_revoked_once_back_online(no_worker_cache, live_server, db, browser):
    url = live_server.url
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    (session,) = [c for c in context.cookies() if c["name"] == "parsurvey_session"]
    context.set_offline(True)
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    assert page.evaluate(KV, "user") is None, "signed out on the device at once"
    assert status_with_cookie(url, "/api/v1/auth/session", session["value"]) == 200, "the server could not hear it"

    context.set_offline(False)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate(KV, "stale_csrf") is None
    assert status_with_cookie(url, "/api/v1/auth/session", session["value"]) == 401, "revoked at the next chance"
    context.close()


def test_a_sign_out_the_server_fails_to_hear_is_retried_later(no_worker_cache, live_server, db, browser):
    """A 500 answer to the sign-out leaves the session valid: the app keeps its CSRF token and tries again,
    at the next start as after an offline sign-out, until the server answers it."""
    url = live_server.url
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, url)
    (session,) = [c for c in context.cookies() if c["name"] == "parsurvey_session"]
    csrf = page.evaluate(KV, "csrf")

    def fail_sign_out(route):
        if route.request.method == "DELETE":
            route.fulfill(status=500, content_type="application/json", body='{"code": "internal_error"}')
        else:
            route.continue_()

    page.route("**/api/v1/auth/session", fail_sign_out)
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    assert page.evaluate(KV, "user") is None, "signed out on the device"
    assert page.evaluate(KV, "stale_csrf") == csrf, "kept to revoke the session later"
    assert status_with_cookie(url, "/api/v1/auth/session", session["value"]) == 200, "the server did not revoke it"

    page.reload()  # the next start tries again; the server still fails
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate(KV, "stale_csrf") == csrf

    page.unroute("**/api/v1/auth/session")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate(KV, "stale_csrf") is None
    assert status_with_cookie(url, "/api/v1/auth/session", session["value"]) == 401, "revoked at last"
    context.close()
