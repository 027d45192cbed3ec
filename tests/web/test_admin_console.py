"""The admin console in a real browser: every screen passes axe-core's WCAG 2 A/AA rules at 360 and 1280 px
(in Vietnamese, and in English), works with the keyboard, shows each role only the screens its API allows,
and a phone signs in by opening the link of an enrolment QR code."""

from __future__ import annotations

from tests.sample_ballots import FORM, batch, envelope
from tests.web.test_accessibility import focused, tab_to
from tests.web.test_reviewer_screens import call, token

DESKTOP = {"width": 1280, "height": 900}


def sign_in(page, url: str, username: str) -> None:
    page.goto(url + "/app/")
    page.wait_for_selector("#sign-in")
    page.fill("#username", username)
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#console-nav")


def test_every_console_screen_passes_the_wcag_checks_at_phone_and_desktop_width(
    live_server, db, browser, axe, screenshot, unlabelled
):
    from playwright.sync_api import expect

    url = live_server.url
    call(url, "/api/v1/sync/batches", token(url, "enumerator1"), batch(*[envelope("SNV") for _ in range(4)]))
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, url, "admin")
    expect(page.locator("#console-oversight")).to_have_attribute("aria-current", "page")

    page.click("#console-rounds")
    page.wait_for_selector("#new-round-form")
    axe(page, "rounds")
    screenshot(page, "console-rounds-1280")
    page.click("#create-round")  # a copy of 2022 as 2023
    page.wait_for_selector("#round-agencies tr[data-agency='SNV']")
    axe(page, "round settings and agencies")
    page.set_viewport_size({"width": 360, "height": 780})
    screenshot(page, "console-round-360")
    page.set_viewport_size(DESKTOP)

    page.click("#console-forms")
    page.wait_for_selector("#versions")
    page.set_input_files(
        "#upload-file", files=[{"name": "hong.json", "mimeType": "application/json", "buffer": b'{"form_id": "x"}'}]
    )
    page.click("#upload-submit")
    expect(page.locator("#upload-problems table")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Định nghĩa phiếu hỏi không hợp lệ.")
    axe(page, "questionnaires, with upload problems")

    page.click(f"tr[data-version='satisfaction@{FORM.version}'] .preview-form")
    page.wait_for_selector("#preview-note")
    axe(page, "questionnaire preview")
    page.click("#ballot #later")  # back to the console; a preview keeps nothing
    page.wait_for_selector("#upload-form")

    page.click("#console-users")
    page.wait_for_selector("#devices")
    axe(page, "users and devices")
    page.click("tr[data-user='mttq1'] .edit-user")
    page.wait_for_selector("#edit-user-form")
    axe(page, "edit a user")
    page.click("tr[data-user='enumerator1'] .enrol-user")
    page.wait_for_selector("#enrol-qr")
    axe(page, "QR enrolment")
    screenshot(page, "console-enrol-1280")

    page.click("#console-agencies")
    page.set_input_files(
        "#agency-import-file", files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": b"code,name\nX,\n"}]
    )
    page.click("#agency-import-submit")
    expect(page.locator("#agency-import-problems table")).to_be_visible()
    axe(page, "agencies, with import problems")

    page.click("#console-fieldwork")
    page.wait_for_selector("#quality-settings-form")
    axe(page, "fieldwork grid and quality settings")

    page.click("#console-recheck")
    page.fill("#sample-rate", "50")
    page.click("#sample-preview-button")
    page.wait_for_selector("#preview-total")
    axe(page, "re-check preview")
    page.click("#sample-draw")
    page.wait_for_selector("#rechecks tbody tr")
    axe(page, "re-checks and reviewers")
    screenshot(page, "console-recheck-1280")

    page.click("#console-results")
    page.wait_for_selector("#appraisal-form")
    page.click("#score-round")
    page.wait_for_selector("#score-runs tbody tr")
    axe(page, "appraisal, scoring and report")

    page.click("#language")
    expect(page.locator("#console-results")).to_have_text("Results")
    axe(page, "results in English")
    assert unlabelled(page) == []
    context.close()


def test_the_first_run_page_passes_the_wcag_checks_and_refuses_a_second_admin(database_url, db, browser, axe, tmp_path):
    import json
    import urllib.error
    import urllib.request

    from tests.live_server import LiveServer

    server = LiveServer(database_url, tmp_path)
    server.start()
    try:
        page = browser.new_page(viewport=DESKTOP, locale="vi-VN")
        page.goto(server.url + "/app/")
        page.wait_for_selector("#setup")
        axe(page, "first run")
        page.fill("#setup-username", "quantri")
        page.fill("#setup-password", "ngắn")
        page.fill("#setup-password2", "ngắn")
        page.click("#setup-submit")
        assert "ít nhất 8 ký tự" in page.text_content("#status")
        axe(page, "first run, with an error")
        first = call(server.url, "/api/v1/setup", None, {"username": "quantri", "password": "mật-khẩu-dài"})
        assert first["role"] == "admin"
        request = urllib.request.Request(
            server.url + "/api/v1/setup",
            data=json.dumps({"username": "ke_gian", "password": "mật-khẩu-dài"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request)
            raise AssertionError("a second first admin was created")
        except urllib.error.HTTPError as refused:
            assert refused.code == 409 and json.loads(refused.read())["code"] == "state_conflict"
        page.goto(server.url + "/app/")
        page.wait_for_selector("#sign-in")  # set up: the app itself from now on
        page.close()
    finally:
        server.stop()


def test_each_role_sees_only_the_console_screens_its_api_allows(live_server, db, browser):
    url = live_server.url
    page = browser.new_page(viewport=DESKTOP, locale="vi-VN")
    sign_in(page, url, "supervisor")
    shown = [b.get_attribute("id") for b in page.locator("#console-nav button").all()]
    assert shown == [
        "console-oversight",
        "console-rounds",
        "console-agencies",
        "console-groups",
        "console-fieldwork",
        "console-recheck",
        "console-results",
        "console-appraisal",
    ]
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    assert page.locator("#console-nav").count() == 0, "the menu leaves with the user"
    page.fill("#username", "enumerator1")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#count-pending")
    assert page.locator("#console-nav").count() == 0
    page.close()


def test_an_admin_creates_a_user_with_the_keyboard_alone(live_server, db, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport=DESKTOP, locale="vi-VN")
    sign_in(page, live_server.url, "admin")
    page.focus("#console-oversight")
    tab_to(page, "#console-users")
    page.keyboard.press("Enter")
    page.wait_for_selector("#new-user-form")
    tab_to(page, "#new-user-username", limit=200)
    page.keyboard.type("dtv9")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "new-user-full-name"
    page.keyboard.type("Võ Thị Chín")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "new-user-role"
    tab_to(page, "#new-user-password")
    page.keyboard.type("mật-khẩu-chín")
    page.keyboard.press("Enter")
    expect(page.locator("tr[data-user='dtv9']")).to_contain_text("Điều tra viên")
    page.close()


def test_a_phone_signs_in_by_opening_the_link_of_the_enrolment_qr_code(live_server, db, browser):
    from playwright.sync_api import expect

    admin = browser.new_page(viewport=DESKTOP, locale="vi-VN")
    sign_in(admin, live_server.url, "admin")
    admin.click("#console-users")
    admin.click("tr[data-user='enumerator2'] .enrol-user")
    link = admin.get_attribute("#enrol-link", "href")
    assert admin.get_attribute("#enrol-qr", "src").startswith("data:image/svg+xml")
    admin.wait_for_function("document.getElementById('enrol-qr').naturalWidth > 100")  # the QR code is drawn
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN")
    page = phone.new_page()
    page.goto(link)
    page.wait_for_selector("#count-pending")
    expect(page.locator(".who")).to_contain_text("enumerator2")
    assert "enrol" not in page.url, "the one-time code leaves the address bar"
    again = phone.new_page()
    phone.clear_cookies()
    again.goto(link)
    expect(again.locator("#status")).to_contain_text("Mã đăng ký thiết bị không đúng, đã dùng hoặc đã hết hạn.")
    admin.click("#console-users")
    expect(admin.locator("#devices")).to_contain_text("enumerator2")
    phone.close()
    admin.close()


def test_an_admin_places_an_agencys_one_stop_office_with_checked_coordinates(live_server, db, browser, axe):
    """The office's latitude and longitude, edited on the agency screen in Vietnamese: one without the other
    and an impossible latitude are refused in the page; a decimal comma is accepted; the API then has them."""
    from playwright.sync_api import expect

    url = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, url, "admin")
    page.click("#console-agencies")
    page.click("tr[data-agency='SNV'] .edit-agency")
    expect(page.locator("label[for='edit-agency-latitude']")).to_have_text("Vĩ độ (độ, WGS 84)")
    expect(page.locator("label[for='edit-agency-longitude']")).to_have_text("Kinh độ (độ, WGS 84)")
    axe(page, "agency editor with the office's coordinates")

    page.fill("#edit-agency-latitude", "20,5431")
    page.click("#edit-agency-submit")
    expect(page.locator("#status")).to_have_text("Nhập cả vĩ độ và kinh độ, hoặc để trống cả hai.")
    expect(page.locator("#edit-agency-longitude")).to_be_focused()
    page.fill("#edit-agency-latitude", "95")
    page.fill("#edit-agency-longitude", "105.9123")
    page.click("#edit-agency-submit")
    expect(page.locator("#status")).to_have_text("Vĩ độ phải là số từ -90 đến 90.")
    assert call(url, "/api/v1/agencies/SNV", token(url, "admin"))["office_latitude"] is None, "nothing stored"

    page.fill("#edit-agency-latitude", "20,5431")
    page.click("#edit-agency-submit")
    expect(page.locator("tr[data-agency='SNV'] td.office")).to_have_text("20,5431; 105,9123")
    stored = call(url, "/api/v1/agencies/SNV", token(url, "admin"))
    assert (stored["office_latitude"], stored["office_longitude"]) == (20.5431, 105.9123)

    page.click("tr[data-agency='SNV'] .edit-agency")  # emptied again: the office is forgotten
    expect(page.locator("#edit-agency-latitude")).to_have_value("20.5431")
    page.fill("#edit-agency-latitude", "")
    page.fill("#edit-agency-longitude", "")
    page.click("#edit-agency-submit")
    expect(page.locator("tr[data-agency='SNV'] td.office")).to_have_text("—")
    context.close()
