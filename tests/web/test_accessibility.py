"""Accessibility of the main screens in a real browser: axe-core's WCAG 2 A/AA rules (contrast, labels,
names, structure) at phone and desktop widths."""

from __future__ import annotations

from tests.sample_ballots import batch, envelope
from tests.web.test_enumerator_app import sign_in
from tests.web.test_reviewer_screens import call, token
from tests.web.test_supervisor_screens import load_demo_appraisal

PHONE = {"width": 360, "height": 780}


def test_the_enumerator_screens_pass_the_wcag_checks(live_server, db, browser, axe):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/app/")
    page.wait_for_selector("#sign-in")
    axe(page, "sign-in")
    page.fill("#username", "enumerator1")
    page.fill("#password", "wrong")
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#status")).to_have_class("status error")
    axe(page, "sign-in refused")

    sign_in(page, live_server.url)
    axe(page, "enumerator home")

    page.click(".new-ballot")
    page.wait_for_selector("#ballot")
    axe(page, "blank ballot")
    page.click("#save")
    page.wait_for_selector("#q-sex-error:visible")
    axe(page, "ballot with errors")
    page.click("#ballot .actions button[type=button]")

    page.evaluate(
        """async () => {
             const {outbox} = await import('/app/static/store.js');
             await outbox.put({instance_id: 'a11y-pending', state: 'pending', saved_at: new Date().toISOString(),
                               envelope: {agency: 'SNV'}});
             await outbox.put({instance_id: 'a11y-rejected', state: 'rejected', envelope: {agency: 'SNV'},
                               result: {code: 'invalid_answers', message: 'Phiếu có câu trả lời không hợp lệ.',
                                        errors: [{path: 'sex', code: 'required', message: 'Bắt buộc.'}]}});
           }"""
    )
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#rejected-list")
    expect(page.locator("#network")).to_have_text("Ngoại tuyến")
    axe(page, "outbox offline, with a rejected ballot")
    context.set_offline(False)
    page.click("#language")
    expect(page.locator("#outbox-title")).to_have_text("Outbox")
    axe(page, "outbox in English")
    context.close()


def test_the_reviewer_and_supervisor_screens_pass_the_wcag_checks(live_server, db, browser, axe):
    from playwright.sync_api import expect

    url = live_server.url
    load_demo_appraisal()
    ballots = [envelope("SNV") for _ in range(4)]
    call(url, "/api/v1/sync/batches", token(url, "enumerator1"), batch(*ballots))
    supervisor = token(url, "supervisor")
    call(url, "/api/v1/rounds/2022/recheck-samples", supervisor, {"seed": 7, "rate": 1.0})
    rechecks = call(url, "/api/v1/rounds/2022/rechecks", supervisor)
    recheck = next(r for r in rechecks if r["reviewer"])

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(url + "/app/")
    page.fill("#username", recheck["reviewer"])
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector(".open-recheck")
    axe(page, "reviewer's re-checks")
    page.click(f".open-recheck[data-recheck='{recheck['id']}']")
    page.wait_for_selector("#recheck")
    axe(page, "re-check form")
    page.click("#recheck .actions button[type=button]")
    page.click("#sign-out")
    for other in [r for r in rechecks if r["id"] != recheck["id"]][:3]:  # an enumerator to flag
        reviewer = token(url, other["reviewer"])
        call(url, f"/api/v1/rechecks/{other['id']}/verifications", reviewer, {"outcome": "interview_not_held"})

    page.fill("#username", "supervisor")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#score-now")
    page.click("#score-now")
    page.wait_for_selector(".ranking table.ranked tbody tr")
    page.click("#progress summary")
    axe(page, "supervisor progress and results")
    page.click("#tab-quality")
    page.wait_for_selector("#quality")
    axe(page, "enumerator quality")
    page.click("#apply-quarantines")
    expect(page.locator("#quality .decision").first).to_be_visible()
    axe(page, "enumerator quality with a quarantine to decide")
    page.click("#tab-ballots")
    page.wait_for_selector("#ballots tbody tr")
    axe(page, "ballot browser")
    page.locator("#ballots .open-ballot").first.click()
    page.wait_for_selector("#override")
    axe(page, "ballot details and audit trail")
    page.click("#tab-conflicts")
    page.wait_for_selector("#conflicts-title")
    axe(page, "conflicts")
    context.close()
