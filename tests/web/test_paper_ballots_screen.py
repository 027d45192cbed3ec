"""The results screen's paper-ballot card and scoring rules in a real browser: templates to download, an
import whose valid rows are stored and whose refused rows are listed with a file to download, and the round's
scoring settings saved through the API."""

from __future__ import annotations

import csv
import io

from tests.results.test_paper_ballots import QUESTIONS, paper_row
from tests.web.test_admin_console import DESKTOP, sign_in
from tests.web.test_reviewer_screens import token


def paper_csv() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["agency", "enumerator", *QUESTIONS])
    writer.writeheader()
    for row in (paper_row("SNV", 5), paper_row("SNV", 5, c1_1="9"), paper_row("SNV", 4, c2_1=None)):
        writer.writerow({**{k: ("" if v is None else v) for k, v in row.items()}, "enumerator": "enumerator1"})
    return out.getvalue().encode("utf-8")


def test_paper_ballots_should_import_row_by_row_on_the_results_screen(live_server, db, browser, axe, screenshot):
    import json
    import urllib.request

    from playwright.sync_api import expect

    url = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, url, "supervisor")
    page.click("#console-results")
    page.wait_for_selector("#paper-form")
    expect(page.locator("#paper-template-xlsx")).to_have_attribute(
        "href", "/api/v1/rounds/2022/paper-ballots/template.xlsx"
    )
    with page.expect_download() as template:
        page.click("#paper-template-csv")
    assert template.value.suggested_filename.startswith("phieu-giay-satisfaction-")

    page.set_input_files("#paper-file", files=[{"name": "giay.csv", "mimeType": "text/csv", "buffer": paper_csv()}])
    page.click("#paper-submit")
    # line 2 stored; line 3 refused (a level of 9); line 4 stored with c2_1 blank, not answered
    expect(page.locator("#paper-summary")).to_have_text("Đã lưu 2 phiếu; 0 phiếu đã có từ trước; 1 dòng bị từ chối.")
    expect(page.locator("#paper-problems table tbody tr")).to_have_count(1)
    expect(page.locator("#paper-problems table tbody tr td").first).to_have_text("3")
    with page.expect_download() as refused:
        page.click("#paper-refused")
    assert refused.value.suggested_filename == "giay-dong-bi-tu-choi.csv"
    text = open(refused.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[1].startswith("3,") and "out_of_range" in text
    axe(page, "paper ballots imported, one row refused")
    screenshot(page, "console-paper-ballots-1280")

    page.select_option("#settings-below", "not_ranked")
    page.select_option("#settings-basis", "unrounded")
    page.fill("#settings-min", "5")
    page.click("#settings-submit")
    expect(page.locator("#status")).to_have_text("Đã lưu quy tắc tính điểm; lần tính sau sẽ áp dụng.")
    request = urllib.request.Request(
        url + "/api/v1/rounds/2022/scoring-settings", headers={"Authorization": f"Bearer {token(url, 'supervisor')}"}
    )
    with urllib.request.urlopen(request) as response:
        assert json.load(response) == {"below_min_sample": "not_ranked", "band_basis": "unrounded", "min_ballots": 5}
    context.close()
