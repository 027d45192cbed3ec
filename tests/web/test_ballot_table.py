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


def test_a_ballot_reads_in_words_beside_its_recheck_and_fieldwork_shows_pace_quota_and_location(
    live_server, db, browser, unlabelled, axe
):
    from playwright.sync_api import expect

    from tests.sample_ballots import batch, envelope
    from tests.web.test_reviewer_screens import call, token

    url = live_server.url
    sent = [envelope("SNV") for _ in range(3)]
    call(url, "/api/v1/sync/batches", token(url, "enumerator1"), batch(*sent))
    supervisor = token(url, "supervisor")
    call(url, "/api/v1/rounds/2022/recheck-samples", supervisor, {"seed": 3, "rate": 1.0})
    recheck = call(url, "/api/v1/rounds/2022/rechecks", supervisor)[0]
    original = next(e for e in sent if e["instance_id"] == recheck["ballot"])["answers"]["c1_1"]
    reasked = 1 if original != 1 else 2
    reviewer = token(url, recheck["reviewer"])
    finding = {"outcome": "answers_differ", "reasked": {"c1_1": reasked, "overall": sent[0]["answers"]["overall"]}}
    call(url, f"/api/v1/rechecks/{recheck['id']}/verifications", reviewer, finding)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_supervisor(page, url)
    page.click("#tab-ballots")
    page.fill("#filter-agency", "sở nội vụ")
    page.select_option("#filter-recheck", "answers_differ")
    page.click("#ballot-filters button[type=submit]")
    expect(page.locator("#ballot-total")).to_have_text("Tìm thấy 1 phiếu.")
    expect(page.locator("#ballots tbody tr")).to_contain_text("Câu trả lời khác với phiếu")
    page.locator("#ballots .open-ballot").click()
    row = page.locator("#answers tr[data-question=c1_1]")
    expect(page.locator("#answers thead")).to_contain_text(f"Phúc tra ({recheck['organisation']})")
    expect(row.locator("td.differs")).to_contain_text("≠ khác phiếu")
    levels = {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng", 5: "Rất hài lòng"}
    expect(row.locator("td").first).to_have_text(f"{levels[original]} ({original})")
    expect(page.locator("#ballot-status-reason")).to_have_text("Phúc tra: Câu trả lời khác với phiếu")
    trail = page.locator("#audit")
    for words in (
        "Máy chủ nhận phiếu",
        "Chọn phúc tra",
        "Ghi kết quả phúc tra",
        "Kết luận phúc tra",
        "Đang phúc tra → Không đạt phúc tra",
    ):
        expect(trail).to_contain_text(words)
    assert "{" not in trail.inner_text() and "answers_differ" not in trail.inner_text()
    axe(page, "ballot details beside its re-check")

    page.click("#tab-fieldwork")
    enumerator = page.locator("#fieldwork-enumerators tr[data-enumerator=enumerator1]")
    expect(enumerator).to_contain_text("Không đạt phúc tra: 1")
    expect(enumerator.locator("svg.bars")).to_have_count(1)
    expect(page.locator("#fieldwork-agencies tr[data-agency=SNV] svg.quota-chart")).to_have_count(1)
    expect(page.locator("#location-summary")).to_contain_text("1.000 m")
    axe(page, "fieldwork progress and locations")
    assert unlabelled(page) == []
    page.locator("#fieldwork-agencies tr[data-agency=SNV] button").click()
    expect(page.locator("#ballot-total")).to_have_text("Tìm thấy 3 phiếu.")
    context.close()
