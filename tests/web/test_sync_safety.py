"""What a sync must never do in the browser: send one user's records with another's session, throw away a
half-filled form, or give up on an error code the app does not know."""

from __future__ import annotations

import json

from tests.sample_ballots import envelope
from tests.web.test_enumerator_app import count, fill_ballot, show, sign_in

# Put envelopes in the outbox as the app does when a ballot is saved.
KEEP = """async (items) => {
  const {outbox} = await import('/app/static/store.js');
  const saved_at = new Date().toISOString();
  for (const envelope of items) {
    await outbox.put({instance_id: envelope.instance_id, state: 'pending', envelope, saved_at});
  }
}"""
STATES = """async () => Object.fromEntries(
  (await (await import('/app/static/store.js')).outbox.all()).map((r) => [r.instance_id, r.state]))"""
BATCHES = "**/api/v1/sync/batches"


def answer(route, results: list[dict]) -> None:
    route.fulfill(status=200, content_type="application/json", body=json.dumps({"results": results}))


def wait_until(page, condition, message: str) -> None:
    for _ in range(200):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError(message)


def test_a_sync_stops_sending_when_another_user_signs_in_meanwhile(live_server, db, browser):
    """Enumerator 1 has 101 ballots waiting (two batches). While the first batch is on its way they sign out
    and enumerator 2 signs in: the second batch must not go out with enumerator 2's session."""
    url = live_server.url
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, url, "enumerator1")
    ballots = [envelope("SNV") for _ in range(101)]
    page.evaluate(KEEP, ballots)
    held = []
    page.route(BATCHES, lambda route: held.append(route))
    page.click("#sync")
    wait_until(page, lambda: len(held) == 1, "the first batch should be sent")
    first = [item["instance_id"] for item in held[0].request.post_data_json["items"]]
    assert len(first) == 100

    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    page.fill("#username", "enumerator2")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#count-pending")
    answer(held[0], [{"instance_id": i, "status": "accepted"} for i in first])

    states = {}

    def first_batch_stored() -> bool:
        states.update(page.evaluate(STATES))
        return sum(state == "sent" for state in states.values()) == 100

    wait_until(page, first_batch_stored, "the answer to the first batch should be stored")
    page.wait_for_timeout(1500)  # time enough for a second batch to go out, were it to
    assert len(held) == 1, "enumerator 1's second batch must not be sent with enumerator 2's session"
    (left,) = [i for i, state in states.items() if state != "sent"]
    assert states[left] == "pending" and {left} == {b["instance_id"] for b in ballots} - set(first), "it waits"
    assert count(page, "pending") == "0", "enumerator 2 sees none of enumerator 1's ballots"
    context.close()


def test_a_sync_when_the_connection_returns_keeps_a_half_filled_ballot(live_server, db, browser):
    from playwright.sync_api import expect

    url = live_server.url
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.set_offline(True)
    fill_ballot(page, gave_feedback=False, phone=None)
    assert count(page, "pending") == "1"
    page.click(".new-ballot")
    page.wait_for_selector("#ballot")
    show(page, "#q-procedure-input")
    page.fill("#q-procedure-input", "Đăng ký khai sinh")

    context.set_offline(False)  # the app syncs by itself
    expect(page.locator("#status")).to_contain_text("Đã gửi 1", timeout=20_000)
    assert page.is_visible("#ballot"), "the ballot being filled stays on screen"
    assert page.input_value("#q-procedure-input") == "Đăng ký khai sinh"
    page.click("#later")  # later (kept as a draft): home shows what the sync did
    expect(page.locator("#count-sent")).to_have_text("1")
    assert count(page, "pending") == "0"
    context.close()


def test_an_error_code_the_app_does_not_know_leaves_the_item_pending(live_server, db, browser):
    """As in sync/outbox.py: an unknown code (a newer server's) and a "retry" code are tried again later; a
    known code whose action is not "retry" is final."""
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server.url)
    unknown, busy, closed = (envelope("SNV") for _ in range(3))
    page.evaluate(KEEP, [unknown, busy, closed])
    results = [
        {"instance_id": unknown["instance_id"], "status": "error", "code": "brand_new_code", "message": "?"},
        {"instance_id": busy["instance_id"], "status": "error", "code": "service_unavailable", "message": "busy"},
        {"instance_id": closed["instance_id"], "status": "error", "code": "form_closed", "message": "closed"},
    ]
    page.route(BATCHES, lambda route: answer(route, results))
    page.click("#sync")
    expect(page.locator("#count-rejected")).to_have_text("1")
    assert count(page, "pending") == "2"
    assert page.evaluate(STATES) == {
        unknown["instance_id"]: "pending",
        busy["instance_id"]: "pending",
        closed["instance_id"]: "rejected",
    }
    context.close()


def test_a_ballot_submitted_twice_at_once_is_saved_once(live_server, db, browser):
    """As with a reviewer's finding: the form locks on the first submission."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server.url)
    fill_ballot(page, gave_feedback=False, phone=None, save=False)
    page.evaluate("() => { const f = document.querySelector('#ballot'); f.requestSubmit(); f.requestSubmit(); }")
    page.wait_for_selector("#save-anyway")  # the test interview is short: confirmed twice at once as well
    page.evaluate("() => { const b = document.querySelector('#save-anyway'); b.click(); b.click(); }")
    page.wait_for_selector("#count-pending")
    page.wait_for_timeout(500)
    assert len(page.evaluate(STATES)) == 1, "saved once"
    context.close()
