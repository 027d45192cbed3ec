"""The supervisor's ballot table at scale, in a real browser: pages, filters typed as people type, one click
to open a ballot, and its answers in words."""

from __future__ import annotations

import random

from tests.oversight_seed import instance_id, seed_ballots
from tests.sample_ballots import answers as answers_of
from tests.web.test_oversight_screens import sign_in_supervisor


def test_the_supervisor_finds_ballot_1999_of_2000_by_filtering_and_opens_it(live_server, db, browser, unlabelled, axe):
    from playwright.sync_api import expect

    seed_ballots(2000)  # ballot n: agency SNV, STC, SXD, PHULY in turn; day (n - 1) % 20 of September; 300 + n s
    wanted = instance_id(1999)  # Sở Xây dựng, 19 September, 2,299 s (38.3 minutes): the only one that long that day

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_supervisor(page, live_server.url)
    page.click("#tab-ballots")
    expect(page.locator("#ballot-total")).to_have_text("Tìm thấy 2.000 phiếu.")
    expect(page.locator("#page-of")).to_have_text("Trang 1 / 40")
    expect(page.locator("#ballots tbody tr")).to_have_count(50)
    page.click("#page-next")
    expect(page.locator("#page-of")).to_have_text("Trang 2 / 40")
    page.fill("#page-number", "40")
    page.click(".page-jump button[type=submit]")
    expect(page.locator("#page-of")).to_have_text("Trang 40 / 40")
    expect(page.locator("#page-next")).to_be_disabled()

    page.fill("#filter-agency", "so xay dung")  # no diacritics, as typed on a phone keyboard set to English
    page.fill("#filter-date_from", "2022-09-19")
    page.fill("#filter-date_to", "2022-09-19")
    page.click("#ballot-filters button[type=submit]")
    expect(page.locator("#ballot-total")).to_have_text("Tìm thấy 100 phiếu.")
    expect(page.locator("#ballots tbody tr").first).to_contain_text("Sở Xây dựng (SXD)")
    page.fill("#filter-min_minutes", "38")
    page.click("#ballot-filters button[type=submit]")
    expect(page.locator("#ballot-total")).to_have_text("Tìm thấy 1 phiếu.")
    assert page.locator("#ballots tbody tr").get_attribute("data-ballot") == wanted
    href = page.locator("#export-ballots-csv").get_attribute("href")
    assert "agency=so+xay+dung" in href and "min_seconds=2280" in href and "date_from=2022-09-19" in href
    axe(page, "ballot table with filters and pages")
    assert unlabelled(page) == []

    page.locator("#ballots .open-ballot").click()
    expect(page.locator("#ballot-title")).to_have_text(f"Phiếu {wanted}")
    answers = page.locator("#answers")
    expect(answers.locator("tr[data-question=sex] th")).to_contain_text("Giới tính")
    sex = answers_of("SXD", random.Random(1999))["sex"]
    expect(answers.locator("tr[data-question=sex] td")).to_have_text(
        {"male": "Nam (male)", "female": "Nữ (female)"}[sex]
    )
    expect(answers.locator("tr[data-question=overall] td").first).to_contain_text("hài lòng")
    expect(page.locator("#ballot-status")).to_have_text("Hợp lệ")
    axe(page, "ballot details with labels")
    page.click("#back-to-ballots")
    expect(page.locator("#ballot-total")).to_have_text("Tìm thấy 1 phiếu.")
    expect(page.locator("#filter-agency")).to_have_value("so xay dung")
    context.close()
