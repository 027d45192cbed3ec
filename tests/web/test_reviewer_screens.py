"""The reviewer's screens in a real browser: an assigned re-check, contact details, key questions, outcome."""

from __future__ import annotations

import json
import urllib.request

from tests.sample_ballots import batch, envelope


def call(url: str, path: str, token: str | None = None, body: dict | None = None) -> dict | list:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data, headers, method="POST" if data else "GET")
    return json.loads(urllib.request.urlopen(request, timeout=30).read())


def token(url: str, username: str) -> str:
    return call(url, "/api/v1/auth/tokens", body={"username": username, "password": "demo-password"})["token"]


def test_a_reviewer_records_a_failed_recheck_and_the_ballot_stops_counting(
    live_server, db, browser, screenshot, unlabelled, overflows
):
    from playwright.sync_api import expect

    url = live_server.url
    phones = ["0911111111", "0922222222", "0933333333"]
    ballots = []
    for phone in phones:
        made = envelope("SNV")
        made = envelope("SNV", answers={**made["answers"], "respondent_phone": phone})
        ballots.append(made)
    results = call(url, "/api/v1/sync/batches", token(url, "enumerator1"), batch(*ballots))["results"]
    assert [r["status"] for r in results] == ["accepted"] * 3
    supervisor = token(url, "supervisor")
    sample = call(url, "/api/v1/rounds/2022/recheck-samples", supervisor, {"seed": 7, "rate": 1.0})
    assert sample["selected"] == 3
    before = call(url, "/api/v1/rounds/2022/countable", supervisor)
    assert before["countable"] == 3

    recheck = next(r for r in call(url, "/api/v1/rounds/2022/rechecks", supervisor) if r["reviewer"])
    phone = next(b["answers"]["respondent_phone"] for b in ballots if b["instance_id"] == recheck["ballot"])

    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(url + "/app/")
    page.fill("#username", recheck["reviewer"])
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector(".open-recheck")
    screenshot(page, "reviewer-list-360")
    page.click(f".open-recheck[data-recheck='{recheck['id']}']")
    page.wait_for_selector("#recheck")
    assert phone in page.text_content(".contact-value"), "the assigned reviewer should see the respondent's phone"
    assert page.is_visible("#reask-procedure") and page.is_visible("#reask-overall")
    page.select_option("#reask-overall", "2")
    page.check("input[name=outcome][value=interview_not_held]")
    page.fill("#notes", "Người trả lời cho biết không được phỏng vấn.")
    screenshot(page, "reviewer-recheck-360")
    assert overflows(page) == 0
    assert unlabelled(page) == []
    page.click("#record-recheck")
    expect(page.locator("#status")).to_contain_text("Đã gửi 1")
    expect(page.locator(f"tr[data-recheck='{recheck['id']}'] .ballot-status")).to_have_text("Không đạt phúc tra")
    assert page.text_content("#count-sent") == "1" and page.text_content("#count-pending") == "0"
    context.close()

    after = call(url, "/api/v1/rounds/2022/countable", supervisor)
    assert after["countable"] == 2
    assert sum(after["excluded"].values()) == 1
    stored = call(url, f"/api/v1/ballots/{recheck['ballot']}", supervisor)
    assert stored["status"] == "failed"


def test_a_reviewer_records_a_failed_recheck_offline_and_it_counts_once_synced(
    live_server, db, browser, screenshot, axe
):
    """Loaded online, the re-checks stay on the device: reload offline, record, reload, sync when back."""
    from playwright.sync_api import expect

    url = live_server.url
    call(url, "/api/v1/sync/batches", token(url, "enumerator1"), batch(*[envelope("SNV") for _ in range(3)]))
    supervisor = token(url, "supervisor")
    call(url, "/api/v1/rounds/2022/recheck-samples", supervisor, {"seed": 7, "rate": 1.0})
    recheck = next(r for r in call(url, "/api/v1/rounds/2022/rechecks", supervisor) if r["reviewer"])
    phone = call(url, f"/api/v1/ballots/{recheck['ballot']}", supervisor)["answers"]["respondent_phone"]
    row = f"tr[data-recheck='{recheck['id']}']"

    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(url + "/app/")
    page.fill("#username", recheck["reviewer"])
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector(row)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    context.set_offline(True)
    page.reload()
    expect(page.locator("#offline-note")).to_contain_text("Đang ngoại tuyến")
    page.click(f"{row} .open-recheck")
    page.wait_for_selector("#recheck")
    assert phone in page.text_content(".contact-value"), "the contact details are on the device for the re-check"
    page.select_option("#reask-overall", "2")
    page.check("input[name=outcome][value=interview_not_held]")
    page.fill("#notes", "Người trả lời nói không có ai đến phỏng vấn.")
    page.click("#record-recheck")
    expect(page.locator("#count-pending")).to_have_text("1")
    expect(page.locator(f"{row} .finding-pending")).to_contain_text("Không có cuộc phỏng vấn")
    screenshot(page, "reviewer-offline-360")
    axe(page, "reviewer's re-checks offline with a finding waiting")
    assert call(url, "/api/v1/rounds/2022/countable", supervisor)["countable"] == 3, "nothing reached the server"

    page.reload()
    expect(page.locator("#count-pending")).to_have_text("1")  # the finding survives a reload offline

    context.set_offline(False)
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("1", timeout=20_000)
    expect(page.locator(f"{row} .ballot-status")).to_have_text("Không đạt phúc tra")
    assert page.text_content("#count-pending") == "0" and page.text_content("#count-rejected") == "0"
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    cached = page.evaluate(
        "async (key) => (await import('/app/static/store.js')).kv.get(key)", f"rechecks:{recheck['reviewer']}"
    )
    assert cached is None, "respondents' contact details leave the device at sign-out"
    context.close()

    after = call(url, "/api/v1/rounds/2022/countable", supervisor)
    assert after["countable"] == 2 and sum(after["excluded"].values()) == 1
    assert call(url, f"/api/v1/ballots/{recheck['ballot']}", supervisor)["status"] == "failed"


def test_a_finding_saved_while_a_sync_runs_goes_back_to_the_list_once_and_is_sent_next(live_server, db, browser):
    """A second finding recorded while the first is still being sent: back to the list at once, one finding
    however many times the form is submitted, and sent by the sync that follows the running one."""
    from playwright.sync_api import expect

    url = live_server.url
    call(url, "/api/v1/sync/batches", token(url, "enumerator1"), batch(*[envelope("SNV") for _ in range(3)]))
    supervisor = token(url, "supervisor")
    call(url, "/api/v1/rounds/2022/recheck-samples", supervisor, {"seed": 7, "rate": 1.0})
    reviewer = next(r for r in call(url, "/api/v1/rounds/2022/rechecks", supervisor) if r["reviewer"])["reviewer"]
    mine = [r for r in call(url, "/api/v1/rounds/2022/rechecks", supervisor) if r["reviewer"] == reviewer]
    assert len(mine) >= 2
    first, second = (f"tr[data-recheck='{r['id']}']" for r in mine[:2])

    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "/app/")
    page.fill("#username", reviewer)
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector(first)
    held = []
    page.route("**/api/v1/sync/batches", lambda route: route.continue_() if held else held.append(route))

    page.click(f"{first} .open-recheck")
    page.check("input[name=outcome][value=confirmed]")
    page.click("#record-recheck")
    for _ in range(100):  # the first finding's sync is on its way, and held there
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1

    page.click(f"{second} .open-recheck")
    page.check("input[name=outcome][value=interview_not_held]")
    page.evaluate("() => { const f = document.querySelector('#recheck'); f.requestSubmit(); f.requestSubmit(); }")
    page.wait_for_selector(f"{second} .finding-pending")
    assert page.locator("#recheck").count() == 0, "back to the list although a sync is running"
    findings = page.evaluate(
        "async () => (await (await import('/app/static/store.js')).outbox.all()).map((r) => r.envelope.assignment_id)"
    )
    assert sorted(findings) == sorted(r["id"] for r in mine[:2]), "one finding per re-check, not two"

    held[0].continue_()  # later batches go straight through
    expect(page.locator("#count-sent")).to_have_text("2", timeout=20_000)
    assert page.text_content("#count-pending") == "0"
    context.close()


def test_the_reviewer_keeps_contacts_only_for_rechecks_awaiting_a_finding_and_fetches_each_once(
    live_server, db, browser
):
    """One ballot that cannot be fetched does not hide the others; a ballot already on the device is not
    fetched again, nor a form twice; a decided re-check's contact details leave the device."""
    from playwright.sync_api import expect

    url = live_server.url
    call(url, "/api/v1/sync/batches", token(url, "enumerator1"), batch(*[envelope("SNV") for _ in range(3)]))
    supervisor = token(url, "supervisor")
    call(url, "/api/v1/rounds/2022/recheck-samples", supervisor, {"seed": 7, "rate": 1.0})
    reviewer = next(r for r in call(url, "/api/v1/rounds/2022/rechecks", supervisor) if r["reviewer"])["reviewer"]
    mine = [r for r in call(url, "/api/v1/rounds/2022/rechecks", supervisor) if r["reviewer"] == reviewer]
    assert len(mine) >= 2
    broken, decided = mine[:2]
    row = "tr[data-recheck='{}']".format

    context = browser.new_context()
    page = context.new_page()
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "/api/v1/ballots/" in r.url or "/versions/" in r.url else 0)
    page.route(f"**/api/v1/ballots/{broken['ballot']}", lambda route: route.fulfill(status=404, body=""))
    page.goto(url + "/app/")
    page.fill("#username", reviewer)
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector(f"{row(decided['id'])} .open-recheck")
    expect(page.locator(f"{row(broken['id'])} .recheck-unavailable")).to_be_visible()
    assert len([u for u in fetched if "/ballots/" in u]) == len(mine), "each ballot once"
    assert len([u for u in fetched if "/versions/" in u]) == 1, "the form once"

    page.unroute(f"**/api/v1/ballots/{broken['ballot']}")
    fetched.clear()
    page.click(f"{row(decided['id'])} .open-recheck")
    page.check("input[name=outcome][value=interview_not_held]")
    page.click("#record-recheck")
    expect(page.locator("#count-sent")).to_have_text("1", timeout=20_000)
    expect(page.locator(f"{row(decided['id'])} .ballot-status")).to_have_text("Không đạt phúc tra")
    expect(page.locator(f"{row(broken['id'])} .open-recheck")).to_be_visible()
    assert {u.rsplit("/", 1)[1] for u in fetched if "/ballots/" in u} == {broken["ballot"]}, "only the one missing"
    cache = page.evaluate("async (key) => (await import('/app/static/store.js')).kv.get(key)", f"rechecks:{reviewer}")
    by_id = {item["id"]: item for item in cache["items"]}
    assert "contacts" not in by_id[decided["id"]], "a decided re-check keeps no contact details"
    assert by_id[broken["id"]]["contacts"], "the ballot that failed before is on the device now"
    context.close()
