"""The enumerator app in a real browser: an interview survives a killed page, every ballot shows the server's
verdict and only countable ones fill the quota, a closed version leaves "Phiếu mới", a deactivated
enumerator's ballots reach the server through a supervisor's hand-over, and location evidence is kept."""

from __future__ import annotations

import json
import urllib.request

from sqlalchemy import func, select

from server.audit import entries_for
from server.ballots.models import Ballot
from tests.sample_ballots import FORM
from tests.web.test_enumerator_app import (
    LIKERT_QUESTIONS,
    answer_screens,
    count,
    fill_ballot,
    save_ballot,
    show,
    sign_in,
)
from tests.web.test_reviewer_screens import call, token

PHONE = {"width": 360, "height": 780}


def patch(url: str, path: str, bearer: str, body: dict) -> dict:
    request = urllib.request.Request(
        url + path,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"},
        method="PATCH",
    )
    return json.loads(urllib.request.urlopen(request, timeout=30).read())


def settle_draft(page) -> None:
    """Wait until every answer given so far is written to IndexedDB (what a killed page keeps)."""
    page.wait_for_function("() => document.querySelector('#ballot').dataset.draftPending === '0'")


def test_a_page_killed_mid_interview_reopens_offline_with_every_answer(live_server, db, browser, screenshot):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server.url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.set_offline(True)
    page.click(".new-ballot")
    page.wait_for_selector("#ballot")
    page.select_option("#agency", index=1)
    agency = page.input_value("#agency")
    page.check("input[name=respondent_type][value=organisation]")
    page.check("input[name=sex][value=male]")
    page.check("input[name=age_band][value='25_34']")
    page.check("input[name=occupation][value=farmer]")
    page.fill("#q-respondent_phone-input", "0912 345 678")  # as typed, even before it is checked
    page.click("#next")
    page.fill("#q-procedure-input", "Đăng ký khai sinh cho trẻ")
    page.click("#next")
    page.check("input[name=c1_1][value='2']")
    page.check("input[name=c1_2][value=na]")
    settle_draft(page)
    page.close()  # killed: no unload, no save button

    page = context.new_page()
    page.goto(live_server.url + "/app/")  # offline: the service worker opens the app
    page.wait_for_selector("#drafts-list")
    assert page.locator("#drafts-list li").count() == 1
    line = page.text_content("#drafts-list li")
    assert "đã trả lời 9 câu" in line and "nhóm 3/8" in line and agency in line
    screenshot(page, "drafts-360")
    page.click(".resume-draft")
    page.wait_for_selector("#ballot")
    assert page.text_content("#group-progress") == "Nhóm 3/8", "the interview goes on where it stopped"
    assert page.is_checked("input[name=c1_1][value='2']") and page.is_checked("input[name=c1_2][value=na]")
    page.click("#prev")
    assert page.input_value("#q-procedure-input") == "Đăng ký khai sinh cho trẻ"
    assert page.input_value("#q-agency_code-input") == agency
    page.click("#prev")
    assert page.input_value("#agency") == agency
    assert page.is_checked("input[name=respondent_type][value=organisation]")
    assert page.is_checked("input[name=sex][value=male]") and page.is_checked("input[name=age_band][value='25_34']")
    assert page.input_value("#q-respondent_phone-input") == "0912 345 678"

    page.fill("#q-respondent_phone-input", "0912345678")
    answer_screens(page, gave_feedback=False, phone=None)
    save_ballot(page)
    assert page.locator("#drafts-list").count() == 0, "a saved ballot is no longer a draft"
    assert count(page, "pending") == "1"

    # Drafts belong to their user and survive a sign-out; discarding one asks first.
    page.click(".new-ballot")
    page.check("input[name=sex][value=female]")
    settle_draft(page)
    page.click("#later")
    page.wait_for_selector("#drafts-list")
    context.set_offline(False)
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")  # signed out on the device before the page is loaded again
    sign_in(page, live_server.url, "enumerator2")
    assert page.locator("#drafts-list").count() == 0, "another user never sees them"
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    sign_in(page, live_server.url)
    expect(page.locator("#drafts-list li")).to_have_count(1)
    page.click(".discard-draft")
    page.click(".discard-no")
    expect(page.locator("#drafts-list li")).to_have_count(1)
    page.click(".discard-draft")
    page.click(".discard-yes")
    expect(page.locator("#drafts-list")).to_have_count(0)
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("1", timeout=20_000)
    context.close()

    db.session.rollback()
    stored = db.session.scalars(select(Ballot)).one()
    assert stored.answers["respondent_type"] == "organisation" and stored.answers["c1_2"] == "na"
    assert stored.answers["procedure"] == "Đăng ký khai sinh cho trẻ"


def test_a_too_short_interview_is_not_countable_with_its_reason_and_left_out_of_the_quota(
    live_server, db, browser, screenshot, overflows
):
    from playwright.sync_api import expect

    url = live_server.url
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in(page, url)

    # The round's window is checked at capture, with the server's text.
    page.click(".new-ballot")
    page.select_option("#agency", index=1)
    answer_screens(page, gave_feedback=False, phone=None, result_date="2021-12-31")
    page.click("#save")
    expect(page.locator("#q-result_date-error")).to_contain_text("nằm ngoài thời gian khảo sát của đợt")
    assert "2022-01-01" in page.text_content("#q-result_date-error")
    page.fill("#q-result_date-input", "2022-09-15")
    page.click("#save")
    expect(page.locator("#short-warning")).to_contain_text("ít hơn mức tối thiểu 2 phút 0 giây")
    screenshot(page, "short-warning-360", full_page=False)
    page.click("#keep-interviewing")
    assert page.is_hidden("#short-warning") and page.is_visible("#ballot")
    save_ballot(page)
    agency = page.locator("#ballot-list li").first.text_content()
    page.click("#sync")  # cleaned by the server with the round's minimum of 120 s
    expect(page.locator("#count-sent")).to_have_text("1", timeout=20_000)

    supervisor = token(url, "supervisor")
    patch(url, "/api/v1/rounds/2022/quality-settings", supervisor, {"min_interview_seconds": 0})
    page.click("#download")  # the new minimum reaches the device with the progress
    expect(page.locator("#status")).to_contain_text("Đã tải 1 phiếu khảo sát")
    fill_ballot(page, gave_feedback=True, phone="0987654321", short=False)
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("2", timeout=20_000)

    not_countable = page.locator("#ballot-list li[data-verdict=not_countable]")
    expect(not_countable).to_have_count(1)
    assert "Đã gửi, không được tính" in not_countable.text_content()
    assert "Thời gian phỏng vấn ngắn hơn mức tối thiểu của đợt khảo sát." in not_countable.text_content()
    expect(page.locator("#ballot-list li[data-verdict=countable]")).to_have_count(1)
    code = agency.split("(")[-1].split(")")[0]
    row = page.locator(f"#quota tr[data-agency='{code}']")
    quota = call(url, "/api/v1/rounds/2022/my-progress", token(url, "enumerator1"))
    own = next(a for a in quota["agencies"] if a["agency_code"] == code)
    assert own["received"] == 2 and own["countable"] == 1
    assert f"1 / {own['quota']} được tính" in row.text_content(), "only the countable ballot fills the quota"
    assert "Không được tính: 1" in row.text_content()
    assert page.get_attribute(f"#quota tr[data-agency='{code}'] progress", "value") == "1"
    screenshot(page, "ballots-360")
    assert overflows(page) == 0

    # A verdict that changes later (a supervisor's override here) reaches the phone at the next sync.
    countable_id = page.get_attribute("#ballot-list li[data-verdict=countable]", "data-id")
    call(url, f"/api/v1/ballots/{countable_id}/status", supervisor, {"status": "invalid", "reason": "Sai đối tượng"})
    page.click("#sync")
    expect(page.locator("#ballot-list li[data-verdict=not_countable]")).to_have_count(2, timeout=20_000)
    assert "Giám sát viên đã sửa trạng thái phiếu: Sai đối tượng" in page.text_content("#ballot-list")
    assert "override" not in page.text_content("main") and "interview_too_short" not in page.text_content("main")
    context.close()


def test_a_closed_version_leaves_new_ballot_and_its_earlier_ballot_is_still_taken(live_server, db, browser):
    from playwright.sync_api import expect

    url = live_server.url
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in(page, url)
    fill_ballot(page, gave_feedback=False, phone=None)  # completed before the close, not yet sent
    page.click(".new-ballot")
    page.check("input[name=sex][value=female]")
    settle_draft(page)
    page.click("#later")

    call(url, f"/api/v1/forms/satisfaction/versions/{FORM.version}/close", token(url, "admin"), {})
    # Each worker may serve its form listing from its cache for PARSURVEY_CACHE_SECONDS (5 s): pull until the
    # close has reached the worker that answers.
    for _ in range(15):
        page.click("#download")
        expect(page.locator("#status")).to_contain_text("Đã tải")
        page.wait_for_selector("#forms-title")
        if page.locator(".new-ballot").count() == 0:
            break
        page.wait_for_timeout(1000)
    expect(page.locator(".new-ballot")).to_have_count(0)
    assert "Đã đóng. Phiếu đã hoàn thành trước khi đóng vẫn được gửi" in page.text_content(".closed-form")
    assert "không thể hoàn thành nữa" in page.text_content("#drafts-list")
    assert page.locator(".resume-draft").count() == 0 and page.locator(".discard-draft").count() == 1
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("1", timeout=20_000)
    assert count(page, "rejected") == "0"
    page.reload()
    page.wait_for_selector("#count-pending")
    assert page.locator(".new-ballot").count() == 0, "still closed after a reload"
    context.close()


def test_a_deactivated_enumerators_pending_ballots_reach_the_server_through_a_supervisor_once(live_server, db, browser):
    from playwright.sync_api import expect

    url = live_server.url
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in(page, url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.set_offline(True)
    fill_ballot(page, gave_feedback=False, phone=None)
    fill_ballot(page, gave_feedback=True, phone=None)
    call(url, "/api/v1/users/enumerator1/deactivate", token(url, "admin"), {})
    page.wait_for_timeout(6_000)  # every worker forgets the revoked session within PARSURVEY_CACHE_SECONDS (5 s)
    context.set_offline(False)  # the app syncs by itself: the session was revoked with the account
    page.wait_for_selector("#sign-in")

    page.fill("#username", "enumerator1")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#status")).to_contain_text("Tài khoản này đã bị khóa")
    page.fill("#password", "not-the-password")
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#status")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")

    page.fill("#username", "supervisor")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#handover")
    assert "enumerator1: 2 phiếu" in page.text_content("#handover")
    page.click("#handover-send")
    expect(page.locator("#status")).to_contain_text("Đã gửi thay 2 phiếu")
    expect(page.locator("#handover")).to_have_count(0)
    context.close()

    db.session.rollback()
    stored = db.session.scalars(select(Ballot)).all()
    assert len(stored) == 2 and {b.enumerator.username for b in stored} == {"enumerator1"}
    for ballot in stored:
        [received] = [e for e in entries_for("ballot", ballot.instance_id) if e.action == "received"]
        assert (received.actor, received.details["on_behalf_of"]) == ("supervisor", "enumerator1")
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 2, "exactly once"


def test_location_evidence_is_kept_when_allowed_and_never_blocks_when_refused(live_server, db, browser):
    from playwright.sync_api import expect

    url = live_server.url
    patch(url, "/api/v1/rounds/2022/quality-settings", token(url, "supervisor"), {"collect_location": True})
    allowed = browser.new_context(
        viewport=PHONE,
        locale="vi-VN",
        permissions=["geolocation"],
        geolocation={"latitude": 20.5411, "longitude": 105.9137, "accuracy": 15},
    )
    refused = browser.new_context(viewport=PHONE, locale="vi-VN", permissions=[])
    for context in (allowed, refused):
        page = context.new_page()
        sign_in(page, url)
        page.click(".new-ballot")
        assert "ghi vị trí" in page.text_content("#ballot .hint")
        page.select_option("#agency", index=1)
        answer_screens(page, gave_feedback=False, phone=None)
        save_ballot(page)
        page.click("#sync")
        expect(page.locator("#count-sent")).to_have_text("1", timeout=20_000)
        context.close()

    db.session.rollback()
    located, unlocated = sorted(
        db.session.scalars(select(Ballot)).all(), key=lambda b: "location_end" not in b.paradata
    )
    for key in ("location_start", "location_end"):
        where = located.paradata[key]
        assert set(where) == {"latitude", "longitude", "accuracy", "captured_at"}
        assert (where["latitude"], where["longitude"], where["accuracy"]) == (20.5411, 105.9137, 15)
        assert "T" in where["captured_at"]
    assert "location_start" not in unlocated.paradata and "location_end" not in unlocated.paradata
    assert LIKERT_QUESTIONS and show  # the helpers these tests share with test_enumerator_app


def test_a_device_with_the_earlier_storage_keeps_its_outbox_and_gains_drafts(live_server, db, browser):
    """IndexedDB version 1 (before drafts) is upgraded in place: the unsent ballot stays and is sent."""
    from playwright.sync_api import expect

    from tests.sample_ballots import envelope

    pending = envelope("STTTT")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/app/static/icon.svg")
    page.evaluate(
        """(envelope) => new Promise((resolve, reject) => {
             const request = indexedDB.open('parsurvey', 1);
             request.onupgradeneeded = () => {
               const db = request.result;
               db.createObjectStore('kv');
               db.createObjectStore('forms', {keyPath: 'key'});
               db.createObjectStore('outbox', {keyPath: 'instance_id'}).createIndex('state', 'state');
             };
             request.onsuccess = () => {
               const tx = request.result.transaction('outbox', 'readwrite');
               tx.objectStore('outbox').put({instance_id: envelope.instance_id, state: 'pending', envelope,
                                             saved_at: new Date().toISOString()});
               tx.oncomplete = () => { request.result.close(); resolve(); };
               tx.onerror = () => reject(tx.error);
             };
             request.onerror = () => reject(request.error);
           })""",
        pending,
    )
    sign_in(page, live_server.url)
    assert count(page, "pending") == "1"
    page.click(".new-ballot")
    page.check("input[name=sex][value=female]")
    settle_draft(page)
    page.click("#later")
    expect(page.locator("#drafts-list li")).to_have_count(1)
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("1", timeout=20_000)
    context.close()
    db.session.rollback()
    assert db.session.scalars(select(Ballot.instance_id)).all() == [pending["instance_id"]]
