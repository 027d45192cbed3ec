"""Supervisor oversight in a real browser: quality and quarantine, ballot browser, override and audit, conflicts."""

from __future__ import annotations

from sync.protocol import make_envelope
from tests.sample_ballots import batch, envelope
from tests.web.test_reviewer_screens import call, token


def sign_in_supervisor(page, url: str) -> None:
    page.goto(url + "/app/")
    page.fill("#username", "supervisor")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#tab-quality")


def test_a_supervisor_quarantines_a_failing_enumerator_overrides_a_status_and_resolves_a_conflict(
    live_server, db, browser, screenshot, unlabelled
):
    from playwright.sync_api import expect

    url = live_server.url
    enumerator = token(url, "enumerator1")
    ballots = [envelope("SNV") for _ in range(4)]
    assert {r["status"] for r in call(url, "/api/v1/sync/batches", enumerator, batch(*ballots))["results"]} == {
        "accepted"
    }
    supervisor = token(url, "supervisor")
    call(url, "/api/v1/rounds/2022/recheck-samples", supervisor, {"seed": 3, "rate": 1.0})
    reviewers = {}
    for recheck in call(url, "/api/v1/rounds/2022/rechecks", supervisor)[:3]:
        who = recheck["reviewer"]
        reviewers.setdefault(who, token(url, who))
        call(url, f"/api/v1/rechecks/{recheck['id']}/verifications", reviewers[who], {"outcome": "interview_not_held"})
    changed = make_envelope(
        form_id=ballots[0]["form_id"],
        form_version=ballots[0]["form_version"],
        agency="SNV",
        enumerator="enumerator1",
        answers={**ballots[0]["answers"], "comment": "Sửa lại sau khi gửi."},
        paradata=ballots[0]["paradata"],
        instance_id=ballots[0]["instance_id"],
    )
    assert call(url, "/api/v1/sync/batches", enumerator, batch(changed))["results"][0]["status"] == "conflict"

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_supervisor(page, url)

    page.click("#tab-quality")
    row = page.locator("#quality tr[data-enumerator=enumerator1]")
    expect(row).to_contain_text("vượt ngưỡng")
    expect(row.locator(".failure-rate")).to_have_text("100,0 %")
    page.click("#quality tr[data-enumerator=enumerator1] button.hold")  # one enumerator, impact first
    expect(page.locator("#hold-summary")).to_contain_text("1 phiếu đang được tính")
    expect(page.locator("#hold-impact li[data-agency=SNV]")).to_contain_text(
        "Sở Nội vụ (SNV): 1 phiếu được tính → còn 0"
    )
    expect(page.locator("#hold-impact li[data-agency=SNV]")).to_contain_text("không còn phiếu nào được tính")
    assert call(url, "/api/v1/rounds/2022/countable", supervisor)["countable"] == 1, "nothing is held before confirming"
    page.click("#hold-confirm")
    expect(page.locator("#status")).to_contain_text("Hãy ghi lý do")
    page.fill("#hold-reason", "Ba phiếu không có cuộc phỏng vấn khi phúc tra.")
    page.click("#hold-confirm")
    expect(page.locator("#quality tr[data-enumerator=enumerator1] .quarantine")).to_contain_text("Đang tạm giữ")
    assert call(url, "/api/v1/rounds/2022/countable", supervisor)["countable"] == 0
    screenshot(page, "supervisor-quality-1280")
    assert unlabelled(page) == []
    page.click("#quality tr[data-enumerator=enumerator1] button.release")
    expect(page.locator("#status")).to_contain_text("Hãy ghi lý do")
    page.fill("#quality tr[data-enumerator=enumerator1] .decision input", "Đã xác minh lại với Bưu điện tỉnh.")
    page.click("#quality tr[data-enumerator=enumerator1] button.release")
    expect(page.locator("#quality tr[data-enumerator=enumerator1] .quarantine")).to_contain_text("Đã trả lại")
    assert call(url, "/api/v1/rounds/2022/countable", supervisor)["countable"] == 1, "the unfailed ballot counts again"

    page.click("#tab-ballots")
    page.select_option("#filter-status", "failed")
    page.click("#ballot-filters button[type=submit]")
    expect(page.locator("#ballot-total")).to_have_text("Tìm thấy 3 phiếu.")
    failed_id = page.locator("#ballots tbody tr").first.get_attribute("data-ballot")
    page.locator("#ballots tbody tr .open-ballot").first.click()
    page.wait_for_selector("#override")
    page.select_option("#override-status", "confirmed")
    page.fill("#override-reason", "Người trả lời xác nhận lại qua điện thoại.")
    page.click("#override button[type=submit]")
    expect(page.locator("#ballot-status")).to_have_text("Đã xác nhận")
    expect(page.locator("#audit")).to_contain_text("Người trả lời xác nhận lại qua điện thoại.")
    screenshot(page, "supervisor-ballot-1280")
    assert unlabelled(page) == []
    assert call(url, f"/api/v1/ballots/{failed_id}", supervisor)["status"] == "confirmed"

    page.click("#tab-conflicts")
    expect(page.locator(".conflict")).to_contain_text("Sửa lại sau khi gửi.")
    expect(page.locator(".conflict li").first).to_contain_text(
        "Ý kiến khác để cơ quan nâng cao chất lượng phục vụ: Cán bộ hướng dẫn tận tình. → Sửa lại sau khi gửi."
    )
    assert unlabelled(page) == []
    page.fill(".conflict input", "Bản gửi sau sửa câu góp ý sau phỏng vấn; giữ bản gốc.")
    page.click(".conflict button:has-text('Giữ bản đã lưu')")
    expect(page.locator("#no-conflicts")).to_have_text("Không có xung đột nào cần xử lý.")
    assert call(url, "/api/v1/conflicts", supervisor) == []
    context.close()
