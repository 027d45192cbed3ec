"""The living demo in a real browser: after ``demo load`` every supervisor screen, and the reviewer's list,
opens populated with the synthetic 2022 season (ranking, progress, quality with a quarantine awaiting a
decision, ballots, a conflict, re-checks to do)."""

from __future__ import annotations

import re

import pytest

from tests.web.test_oversight_screens import sign_in_supervisor


@pytest.fixture
def season(demo):
    from server.demo import load_demo
    from server.transaction import unit_of_work

    with unit_of_work():
        load_demo(with_fieldwork=True)


def test_every_supervisor_screen_opens_populated_on_the_demo_season(
    season, live_server, db, browser, screenshot, unlabelled
):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_supervisor(page, live_server.url)

    ranked = page.locator(".ranking table.ranked tbody tr")
    expect(ranked.first).to_contain_text("Sở Thông tin và Truyền thông")
    expect(ranked.first).to_contain_text(re.compile(r"95[.,]39"))
    assert ranked.count() == 25, "19 departments and 6 districts ranked from the season's ballots"
    expect(page.locator("#progress")).to_contain_text("Huyện Lý Nhân")
    screenshot(page, "demo-results-1280")
    assert unlabelled(page) == []

    page.click("#tab-quality")
    doubtful = page.locator("#quality tr[data-enumerator=enumerator4]")
    expect(doubtful).to_contain_text("vượt ngưỡng")
    expect(doubtful.locator(".quarantine")).to_contain_text("Đang tạm giữ")
    expect(page.locator("#quality tr[data-enumerator=enumerator1]")).to_be_visible()

    page.click("#tab-ballots")
    expect(page.locator("#ballots tbody tr").first).to_be_visible()
    expect(page.locator("#ballot-total")).to_contain_text(re.compile(r"2[.,]?124"))

    page.click("#tab-conflicts")
    expect(page.locator(".conflict")).to_have_count(1)
    context.close()

    reviewer = browser.new_context(viewport={"width": 360, "height": 800})
    page = reviewer.new_page()
    page.goto(live_server.url + "/app/")
    page.fill("#username", "mttq1")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector(".open-recheck")
    assert page.locator(".open-recheck").count() >= 1, "re-checks are left for the reviewer to do"
    screenshot(page, "demo-reviewer-360")
    reviewer.close()
