"""The form renderer in a real browser with a form holding every question type, skip logic on a group,
and constraints; the ballot it makes is accepted by the server exactly as entered."""

from __future__ import annotations

import json
import urllib.request

import pytest
from sqlalchemy import select

from server.ballots.models import Ballot
from tests.web import conftest as web
from tests.web.test_enumerator_app import save_ballot, show
from tests.web.test_reviewer_screens import call, token

EVERY_TYPE = {
    "form_id": "every_type",
    "version": "1",
    "title": {"vi": "Phiếu thử mọi loại câu hỏi", "en": "Every question type"},
    "children": [
        {"type": "note", "name": "hello", "label": {"vi": "Phiếu dùng để thử.", "en": "A test form."}},
        {
            "type": "select_multiple",
            "name": "channels",
            "required": True,
            "label": {"vi": "Kênh đã dùng", "en": "Channels used"},
            "choices": [
                {"value": "desk", "label": {"vi": "Bộ phận một cửa", "en": "One-stop desk"}},
                {"value": "online", "label": {"vi": "Dịch vụ công trực tuyến", "en": "Online"}},
                {"value": "post", "label": {"vi": "Bưu chính công ích", "en": "Post"}},
            ],
            "constraint": "count-selected(.) <= 2",
            "constraint_message": {"vi": "Chọn tối đa hai kênh.", "en": "Choose at most two."},
        },
        {
            "type": "integer",
            "name": "visits",
            "required": True,
            "label": {"vi": "Số lần đến", "en": "Visits"},
            "constraint": ". >= 1 and . <= 20",
        },
        {"type": "decimal", "name": "hours", "label": {"vi": "Số giờ chờ", "en": "Hours waited"}},
        {
            "type": "group",
            "name": "online_part",
            "relevant": "selected(${channels}, 'online')",
            "label": {"vi": "Dịch vụ trực tuyến", "en": "Online service"},
            "children": [
                {"type": "text", "name": "portal", "required": True, "label": {"vi": "Cổng dịch vụ", "en": "Portal"}}
            ],
        },
        {"type": "date", "name": "when", "label": {"vi": "Ngày đến", "en": "Date of visit"}},
        {"type": "likert5", "name": "rate", "allow_na": True, "required": True, "label": {"vi": "Mức hài lòng"}},
        {"type": "text", "name": "agency_code", "required": True, "label": {"vi": "Mã cơ quan"}},
    ],
}


def publish(url: str, definition: dict = EVERY_TYPE) -> None:
    """Upload a form definition as the admin and publish it into the 2022 round."""
    admin = token(url, "admin")
    request = urllib.request.Request(
        url + "/api/v1/forms?round=2022",
        json.dumps(definition).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {admin}"},
    )
    assert urllib.request.urlopen(request).status == 201
    path = f"/api/v1/forms/{definition['form_id']}/versions/{definition['version']}/publish"
    call(url, path, admin, {"round": "2022"})


def test_every_question_type_should_render_check_and_sync_as_entered(live_server, db, browser):
    from playwright.sync_api import expect

    publish(live_server.url)
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto(live_server.url + "/app/")
    page.fill("#username", "enumerator1")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.click(".new-ballot[data-form='every_type@1']")
    page.wait_for_selector("#ballot")
    assert page.text_content("#q-hello") == "Phiếu dùng để thử."
    page.select_option("#agency", index=1)
    agency = page.input_value("#agency")
    assert page.input_value("#q-agency_code-input") == agency

    # Questions outside any group share a screen; the skipped group's screen is not counted.
    assert page.text_content("#group-progress") == "Nhóm 1/2"
    assert page.get_attribute("#group-online_part", "hidden") is not None
    for value in ("desk", "online", "post"):
        page.check(f"input[name=channels][value={value}]")
    assert page.text_content("#group-progress") == "Nhóm 1/3", "choosing 'online' should bring the online group"
    assert page.get_attribute("#group-online_part", "hidden") is None
    page.fill("#q-visits-input", "0")
    page.click("#save")
    expect(page.locator("#q-channels-error")).to_have_text("Chọn tối đa hai kênh.")
    assert page.is_visible("#q-visits-error"), "save jumps to the screen of the first problem"
    for other_screen in ("#q-portal-error", "#q-rate-error"):
        assert page.get_attribute(other_screen, "hidden") is None and page.text_content(other_screen)
    assert page.is_hidden("#q-hours-error"), "an optional question left blank is fine"

    page.uncheck("input[name=channels][value=post]")
    page.fill("#q-visits-input", "3")
    page.fill("#q-hours-input", "2.5")
    show(page, "#q-portal-input")
    assert page.text_content("#group-progress") == "Nhóm 2/3"
    page.fill("#q-portal-input", "dichvucong.gov.vn")
    show(page, "#q-when-input")
    page.fill("#q-when-input", "2022-09-15")
    page.check("input[name=rate][value=na]")
    save_ballot(page)
    expect(page.locator("#count-pending")).to_have_text("1")
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("1")

    db.session.rollback()
    stored = db.session.scalars(select(Ballot)).one()
    assert stored.answers == {
        "agency_code": agency,
        "channels": ["desk", "online"],
        "visits": 3,
        "hours": 2.5,
        "portal": "dichvucong.gov.vn",
        "when": "2022-09-15",
        "rate": "na",
    }
    page.close()


def test_browser_tests_should_fail_rather_than_skip_in_ci_when_chromium_is_missing(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        web._unavailable("no chromium")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        web._unavailable("no chromium")
