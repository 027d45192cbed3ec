"""The supervisor's results screen in a real browser: score the round, see the ranking, bands and chart."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import server

APPRAISAL = Path(server.__file__).parent / "demo_data" / "hanam_2022_appraisal.csv"


def load_demo_appraisal() -> None:
    from server.registry.service import get_round
    from server.results.appraisal import import_appraisal
    from server.transaction import unit_of_work

    with unit_of_work():
        import_appraisal(get_round("2022"), APPRAISAL.read_bytes(), APPRAISAL.name)


def api(url: str, path: str, token: str, body: dict | None = None):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data, headers, method="POST" if data else "GET")
    return json.loads(urllib.request.urlopen(request, timeout=60).read())


def test_a_supervisor_scores_the_round_and_sees_the_ranking_with_bands_and_a_chart(
    live_server, db, browser, screenshot
):
    from playwright.sync_api import expect

    load_demo_appraisal()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/app/")
    page.fill("#username", "supervisor")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#score-now")
    assert page.locator(".ranking").count() == 0, "no run yet, so no ranking"
    page.click("#score-now")
    page.wait_for_selector(".ranking table.ranked tbody tr")

    token = json.loads(
        urllib.request.urlopen(
            urllib.request.Request(
                live_server.url + "/api/v1/auth/tokens",
                json.dumps({"username": "supervisor", "password": "demo-password"}).encode(),
                {"Content-Type": "application/json"},
            )
        ).read()
    )["token"]
    runs = api(live_server.url, "/api/v1/rounds/2022/score-runs", token)
    ranking = api(live_server.url, f"/api/v1/score-runs/{runs[0]['id']}/ranking", token)
    departments = next(g for g in ranking["groups"] if g["rows"] and g["rows"][0]["rank"] == 1)
    first = departments["rows"][0]
    table = page.locator(f".ranking[data-group='{departments['group']}'] table.ranked tbody tr").first
    expect(table).to_contain_text(first["name"])
    expect(table).to_contain_text(first["band"])
    assert table.locator("td").first.text_content() == "1"
    assert sum(b["count"] for b in departments["bands"]) == sum(1 for r in departments["rows"] if r["rank"])
    chart = page.locator(f"img.chart[data-group='{departments['group']}']")
    expect(chart).to_have_attribute("src", re.compile(r"^/api/v1/score-runs/\d+/charts/department\.png$"))
    expect(chart).to_have_js_property("complete", True)
    assert chart.evaluate("img => img.naturalWidth") > 300, "the server-drawn chart should load"
    assert page.is_visible("#export-xlsx") and page.is_visible("#export-csv")
    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename == f"ket-qua-2022-lan-{runs[0]['id']}.csv"
    screenshot(page, "supervisor-results-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    screenshot(page, "supervisor-results-360", full_page=False)
    context.close()


def test_the_supervisor_screens_say_they_need_a_connection_when_offline(live_server, db, browser, axe, screenshot):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(live_server.url + "/app/")
    page.fill("#username", "supervisor")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#score-now")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    context.set_offline(True)
    page.click("#tab-quality")
    expect(page.locator("#status")).to_have_text("Cần kết nối mạng để làm việc này.")
    assert page.is_visible("#score-now"), "the screen on show stays as it was"

    page.reload()  # the shell comes from the service worker; the figures cannot
    expect(page.locator("#needs-connection h2")).to_have_text("Cần kết nối mạng")
    assert page.is_visible("#sign-out"), "signing out stays possible"
    axe(page, "supervisor offline")
    screenshot(page, "supervisor-offline-360")
    page.click("#retry")
    expect(page.locator("#needs-connection")).to_be_visible()

    context.set_offline(False)  # the app notices and loads the screen again
    expect(page.locator("#score-now")).to_be_visible()
    context.close()


def test_rankings_and_charts_are_for_managers_only(client, demo, make_user):
    _, enumerator = make_user("someone", "enumerator")
    assert client.get("/api/v1/score-runs/1/ranking", headers=enumerator).status_code == 403
    assert client.get("/api/v1/score-runs/1/charts/department.png", headers=enumerator).status_code == 403
    assert client.get("/api/v1/score-runs/1/ranking").status_code == 401
