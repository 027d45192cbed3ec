"""ODK's time, datetime, barcode, geopoint and calculate questions in the enumerator app: rendered, filled,
checked and synced, and the server stores exactly ODK's answer forms."""

from __future__ import annotations

from sqlalchemy import select

from server.ballots.models import Ballot
from survey_forms import QUESTION_TYPES
from tests.web.test_enumerator_app import save_ballot, show
from tests.web.test_every_question_type import EVERY_TYPE, publish

ODK_TYPES = {
    "form_id": "odk_types",
    "version": "1",
    "title": {"vi": "Phiếu thử các kiểu câu hỏi ODK", "en": "ODK question types"},
    "children": [
        {"type": "text", "name": "agency_code", "required": True, "label": {"vi": "Mã cơ quan"}},
        {"type": "time", "name": "arrived", "required": True, "label": {"vi": "Giờ đến", "en": "Arrival time"}},
        {"type": "datetime", "name": "served", "label": {"vi": "Lúc được phục vụ", "en": "Served at"}},
        {"type": "barcode", "name": "receipt", "label": {"vi": "Mã biên nhận", "en": "Receipt code"}},
        {
            "type": "select_one",
            "name": "visit",
            "label": {"vi": "Lần đến", "en": "Visit"},
            "choices": [
                {"value": "first", "label": {"vi": "Lần đầu"}},
                {"value": "again", "label": {"vi": "Đã đến trước đây"}},
            ],
        },
        {
            "type": "group",
            "name": "household",
            "label": {"vi": "Hộ gia đình", "en": "Household"},
            "children": [
                {"type": "integer", "name": "adults", "label": {"vi": "Số người lớn"}},
                {"type": "integer", "name": "kids", "label": {"vi": "Số trẻ em"}},
                {"type": "calculate", "name": "people", "calculation": "${adults} + ${kids}"},
                {"type": "calculate", "name": "size", "calculation": "if(${people} > 4, 'lớn', 'nhỏ')"},
            ],
        },
        {"type": "geopoint", "name": "where", "label": {"vi": "Vị trí phỏng vấn", "en": "Where"}},
    ],
}


def test_the_browser_tests_fill_every_question_type_the_model_has():
    used = set()

    def walk(children):
        for element in children:
            used.add(element["type"])
            walk(element.get("children", []))

    from tests.web.test_media_answers import MEDIA_FORM, OTHER_MEDIA_FORM

    walk(EVERY_TYPE["children"] + ODK_TYPES["children"] + MEDIA_FORM["children"] + OTHER_MEDIA_FORM["children"])
    assert set(QUESTION_TYPES) <= used, f"no browser test fills {sorted(set(QUESTION_TYPES) - used)}"


def test_odk_question_types_should_render_check_and_sync_as_odk_writes_them(live_server, db, browser):
    from playwright.sync_api import expect

    publish(live_server.url, ODK_TYPES)
    context = browser.new_context(viewport={"width": 360, "height": 780}, timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.goto(live_server.url + "/app/")
    page.fill("#username", "enumerator1")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.click(".new-ballot[data-form='odk_types@1']")
    page.wait_for_selector("#ballot")
    page.select_option("#agency", index=1)
    agency = page.input_value("#agency")
    assert page.get_attribute("#q-arrived-input", "type") == "time"
    assert page.get_attribute("#q-served-input", "type") == "datetime-local"
    page.fill("#q-arrived-input", "08:30")
    page.fill("#q-served-input", "2022-09-20T08:45")
    page.fill("#q-receipt-input", "8934567890123")
    page.check("input[name=visit][value=again]")
    show(page, "#q-adults-input")
    assert page.locator("[data-calculate]").count() == 2 and page.is_hidden("[data-calculate=people]")
    page.fill("#q-adults-input", "2")
    page.fill("#q-kids-input", "3")
    show(page, "#q-where-input")
    page.fill("#q-where-input", "north of the market")
    page.click("#save")
    expect(page.locator("#q-where-error")).to_have_text("Cần một vị trí: vĩ độ và kinh độ, cách nhau bằng dấu cách.")
    page.fill("#q-where-input", "20.5418  105.9122 12 4.8")
    save_ballot(page)
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("1")

    db.session.rollback()
    stored = db.session.scalars(select(Ballot)).one()
    assert stored.answers == {
        "agency_code": agency,
        "arrived": "08:30",
        "served": "2022-09-20T08:45:00+07:00",
        "receipt": "8934567890123",
        "visit": "again",
        "adults": 2,
        "kids": 3,
        "people": 5,
        "size": "lớn",
        "where": "20.5418 105.9122 12 4.8",
    }
    context.close()
