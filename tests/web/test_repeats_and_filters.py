"""Repeat groups and cascading selects in the enumerator app: instances added and removed, relevance and
constraints per instance, repeat_count, choices filtered by an earlier answer, and the server stores the
answers nested per instance."""

from __future__ import annotations

from sqlalchemy import select

from server.ballots.models import Ballot
from tests.web.test_enumerator_app import save_ballot, show
from tests.web.test_every_question_type import publish

REPEATS = {
    "form_id": "repeats",
    "version": "1",
    "title": {"vi": "Phiếu hộ gia đình", "en": "Household"},
    "children": [
        {"type": "text", "name": "agency_code", "required": True, "label": {"vi": "Mã cơ quan"}},
        {
            "type": "select_one",
            "name": "district",
            "label": {"vi": "Huyện"},
            "choices": [
                {"value": "ly_nhan", "label": {"vi": "Lý Nhân"}},
                {"value": "kim_bang", "label": {"vi": "Kim Bảng"}},
            ],
        },
        {
            "type": "select_one",
            "name": "commune",
            "label": {"vi": "Xã"},
            "choice_filter": "district = ${district}",
            "choices": [
                {"value": "nhân_hậu", "label": {"vi": "Nhân Hậu"}, "columns": {"district": "ly_nhan"}},
                {"value": "ba_sao", "label": {"vi": "Ba Sao"}, "columns": {"district": "kim_bang"}},
                {"value": "khác", "label": {"vi": "Khác"}, "columns": {"district": "kim_bang"}},
            ],
        },
        {
            "type": "group",
            "name": "person",
            "repeat": True,
            "label": {"vi": "Thành viên", "en": "Member"},
            "children": [
                {"type": "text", "name": "pname", "required": True, "label": {"vi": "Họ tên"}},
                {"type": "integer", "name": "age", "label": {"vi": "Tuổi"}, "constraint": ". < 120"},
                {"type": "text", "name": "school", "label": {"vi": "Trường"}, "relevant": "${age} < 18"},
                {"type": "calculate", "name": "order", "calculation": "position(..)"},
            ],
        },
        {
            "type": "integer",
            "name": "visits",
            "label": {"vi": "Số lần đến"},
            "constraint": ". <= 3",
        },
        {
            "type": "group",
            "name": "visit",
            "repeat": True,
            "repeat_count": "${visits}",
            "label": {"vi": "Lần đến"},
            "children": [{"type": "date", "name": "on", "label": {"vi": "Ngày"}}],
        },
        {"type": "calculate", "name": "members", "calculation": "count(${person})"},
        {"type": "calculate", "name": "first", "calculation": "indexed-repeat(${pname}, ${person}, 1)"},
        # Read from outside the repeat: the first instance's answer (XPath's value of a node-set), every one in join().
        {"type": "calculate", "name": "head", "calculation": "${pname}"},
        {"type": "calculate", "name": "names", "calculation": "join(', ', ${pname})"},
        {"type": "text", "name": "head_phone", "label": {"vi": "Điện thoại chủ hộ"}, "relevant": "${age} >= 18"},
    ],
}


def test_repeats_and_cascading_selects_should_render_check_and_sync_nested(live_server, db, browser):
    from playwright.sync_api import expect

    publish(live_server.url, REPEATS)
    context = browser.new_context(viewport={"width": 360, "height": 780}, timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.goto(live_server.url + "/app/")
    page.fill("#username", "enumerator1")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.click(".new-ballot[data-form='repeats@1']")
    page.wait_for_selector("#ballot")
    page.select_option("#agency", index=1)
    agency = page.input_value("#agency")

    # Cascading: the communes of the district chosen, and a choice the new district hides is cleared.
    page.check("input[name=district][value=ly_nhan]")
    expect(page.locator("#q-commune label.choice:visible")).to_have_text(["Nhân Hậu"])
    page.check("input[name=commune][value=nhân_hậu]")
    page.check("input[name=district][value=kim_bang]")
    expect(page.locator("#q-commune label.choice:visible")).to_have_text(["Ba Sao", "Khác"])
    assert not page.is_checked("input[name=commune][value=nhân_hậu]")
    page.check("input[name=commune][value=khác]")

    # Two instances added, one removed; relevance inside each instance reads its own answers.
    show(page, "#add-person")
    for _ in range(3):
        page.click("#add-person")
    expect(page.locator("fieldset.repeat-instance")).to_have_count(3)
    page.fill("#q-pname__person_1-input", "Lan")
    page.fill("#q-age__person_1-input", "40")
    page.fill("#q-pname__person_2-input", "Bỏ đi")
    page.fill("#q-pname__person_3-input", "Minh")
    page.fill("#q-age__person_3-input", "12")
    page.locator("#instance-person__person_2 .repeat-remove").click()
    expect(page.locator("fieldset.repeat-instance")).to_have_count(2)
    assert page.input_value("#q-pname__person_2-input") == "Minh"
    assert page.is_hidden("#q-school__person_1") and page.is_visible("#q-school__person_2")
    page.fill("#q-school__person_2-input", "THCS Nhân Hậu")
    page.fill("#q-age__person_1-input", "130")

    # repeat_count: as many instances as the answer says.
    show(page, "#q-visits-input")
    page.fill("#q-visits-input", "2")
    expect(page.locator("#group-visit fieldset.repeat-instance")).to_have_count(2)
    show(page, "#q-on__visit_1-input")
    page.fill("#q-on__visit_1-input", "2022-09-01")
    page.fill("#q-on__visit_2-input", "2022-09-15")

    page.click("#save")
    expect(page.locator("#q-age__person_1-error")).to_have_text("Câu trả lời không hợp lệ.")
    page.fill("#q-age__person_1-input", "41")
    show(page, "#q-head_phone")  # relevant on the first member's age (41: an adult), read from outside the repeat
    save_ballot(page)
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("1")

    db.session.rollback()
    stored = db.session.scalars(select(Ballot)).one()
    assert stored.answers == {
        "agency_code": agency,
        "district": "kim_bang",
        "commune": "khác",
        "person": [
            {"pname": "Lan", "age": 41, "order": 1},
            {"pname": "Minh", "age": 12, "school": "THCS Nhân Hậu", "order": 2},
        ],
        "visits": 2,
        "visit": [{"on": "2022-09-01"}, {"on": "2022-09-15"}],
        "members": 2,
        "first": "Lan",
        "head": "Lan",
        "names": "Lan, Minh",
    }
    context.close()
