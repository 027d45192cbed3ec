"""Small things a first-time user sees, in a real browser: numbers written as each language writes them,
"—" for an interview time paper ballots do not have, and re-check rows a reviewer can tell apart."""

from __future__ import annotations

import re

from tests.results.test_paper_ballots import paper_row, write_ballots
from tests.sample_ballots import batch, envelope
from tests.web.test_reviewer_screens import call, token
from tests.web.test_supervisor_screens import load_demo_appraisal

DECIMAL_POINT = re.compile(r"\d\.\d")  # "94.58": English, never on a Vietnamese screen
DECIMAL_COMMA = re.compile(r"\d,\d")  # "94,58": Vietnamese, never on an English screen


def import_paper(tmp_path, username: str, rows: list[dict]) -> None:
    from server.auth.service import get_user
    from server.ballots.paper import import_paper_ballots
    from server.registry.service import get_round
    from server.transaction import unit_of_work

    path = write_ballots(tmp_path / "phieu-giay.csv", rows)
    with unit_of_work():
        import_paper_ballots(get_round("2022"), path.read_bytes(), path.name, get_user(username))


def sign_in(page, url: str, username: str) -> None:
    page.goto(url + "/app/")
    page.fill("#username", username)
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")


def test_the_format_module_should_write_numbers_as_each_language_does(live_server, db, browser):
    page = browser.new_context().new_page()
    page.goto(live_server.url + "/app/")
    written = page.evaluate(
        """async () => {
          const f = await import("/app/static/format.js");
          return ["vi", "en"].map((lang) => [
            f.formatNumber(lang, 94.58), f.formatNumber(lang, 85), f.formatNumber(lang, 1 / 3),
            f.formatPercent(lang, 0.5), f.formatPercent(lang, 2 / 3), f.formatCount(lang, 1234),
            f.formatChange(lang, 1.25), f.formatNumber(lang, null), f.formatMinutes(lang, null, "min"),
            f.formatMinutes(lang, 750, "min"), f.formatMinutes(lang, 20, "min"),
          ]);
        }"""
    )
    assert written == [
        ["94,58", "85", "0,33", "50,0 %", "66,7 %", "1.234", "+1,25", "—", "—", "13 min", "< 1 min"],
        ["94.58", "85", "0.33", "50.0%", "66.7%", "1,234", "+1.25", "—", "—", "13 min", "< 1 min"],
    ]
    page.context.close()


def test_results_and_quality_should_use_the_decimal_comma_in_vietnamese_and_the_point_in_english(
    live_server, db, browser, tmp_path
):
    from playwright.sync_api import expect

    load_demo_appraisal()
    # enumerator1's ballots are all paper: no interview time; two of three are straight-lined (66,7 %).
    import_paper(tmp_path, "enumerator1", [paper_row("SNV", 5), paper_row("SNV", 4), paper_row("STC", 5, c1_1="4")])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, "supervisor")
    page.wait_for_selector("#score-now")
    page.click("#score-now")
    page.wait_for_selector(".ranking table.ranked tbody tr")

    def numbers_on_screen() -> list[str]:
        return page.locator("td.n").all_text_contents() + page.locator("p.stats").all_text_contents()

    vietnamese = numbers_on_screen()
    assert any(DECIMAL_COMMA.search(text) for text in vietnamese)
    assert not [text for text in vietnamese if DECIMAL_POINT.search(text)]
    expect(page.locator("p.stats").first).to_contain_text(re.compile(r"Trung bình: \d+,\d+"))

    page.click("#tab-quality")
    row = page.locator("tr[data-enumerator='enumerator1']")
    expect(row).to_be_visible()
    expect(row.locator("td").nth(5)).to_have_text("—")  # median interview time: paper has none
    expect(row.locator("td").nth(6)).to_have_text("66,7 %")

    page.click("#language")  # English: back to the results screen
    page.wait_for_selector(".ranking table.ranked tbody tr")
    expect(page.locator("p.stats").first).to_contain_text(re.compile(r": \d+\.\d+ · "))
    english = numbers_on_screen()
    assert not [text for text in english if DECIMAL_COMMA.search(text)]
    page.click("#tab-quality")
    expect(row.locator("td").nth(6)).to_have_text("66.7%")
    expect(row.locator("td").nth(5)).to_have_text("—")
    context.close()


def test_a_reviewers_recheck_row_should_show_the_agency_name_short_id_interview_date_and_contact(
    live_server, db, browser, axe
):
    from playwright.sync_api import expect

    url = live_server.url
    made = envelope("SNV")
    sent = envelope("SNV", answers={**made["answers"], "respondent_phone": "0912345678"})
    call(url, "/api/v1/sync/batches", token(url, "enumerator1"), batch(sent))
    supervisor = token(url, "supervisor")
    call(url, "/api/v1/rounds/2022/recheck-samples", supervisor, {"seed": 7, "rate": 1.0})
    recheck = next(r for r in call(url, "/api/v1/rounds/2022/rechecks", supervisor) if r["reviewer"])
    assert recheck["agency_name"] == "Sở Nội vụ" and recheck["completed_at"].startswith("2022-09-20T01:12:30")

    context = browser.new_context(viewport={"width": 360, "height": 780}, timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    sign_in(page, url, recheck["reviewer"])
    row = page.locator(f"tr[data-recheck='{recheck['id']}']")
    expect(row.locator(".agency-name")).to_have_text("Sở Nội vụ (SNV)")
    expect(row.locator(".ballot-id")).to_have_text(f"Phiếu {sent['instance_id'][:8]}")
    expect(row.locator(".interview-date")).to_contain_text("20/9/2022")
    expect(row.locator(".recheck-contact a")).to_have_text("0912345678")
    expect(row.locator(".recheck-contact a")).to_have_attribute("href", "tel:0912345678")
    axe(page, "reviewer list with ballot details")
    page.click(f".open-recheck[data-recheck='{recheck['id']}']")
    expect(page.locator("#recheck h2")).to_contain_text(f"Sở Nội vụ (SNV) · Phiếu {sent['instance_id'][:8]}")
    context.close()
