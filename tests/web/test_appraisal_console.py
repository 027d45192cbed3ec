"""The secretariat's appraisal screen of the admin console in a real browser: a broken criteria file is
refused with the problem of its row, the province's 2022 XLSX is imported, a deadline is set, the progress
shows who appraised what and where the self-assessment and the appraisal differ, and the lock first shows
what is still unappraised (and is refused), then locks once everything is appraised."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests.appraisal.criteria_2022 import ROWS, criteria_xlsx, leaves
from tests.web.test_admin_console import DESKTOP, sign_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _self_assess_and_submit():
    """SNV self-assesses every leaf (1.1.1 at 1 point, the others at 0) and submits."""
    from server.appraisal.members import assign_member
    from server.appraisal.service import self_assess, submit
    from server.auth.service import create_user
    from server.registry.service import get_agency, get_round
    from server.transaction import unit_of_work

    with unit_of_work():
        survey_round, agency = get_round("2022"), get_agency("SNV")
        officer = create_user("canbo_snv", "agency_officer", full_name="Cán bộ đầu mối SNV", password="mat-khau-snv")
        create_user("thamdinh_snv", "appraiser", full_name="Thành viên Hội đồng", password="mat-khau-hd")
        assign_member("canbo_snv", agency_code="SNV")
        assign_member("thamdinh_snv", council_org="SNV")
        for code in leaves("department"):
            self_assess(survey_round, agency, code, 1 if code == "1.1.1" else 0, "", officer)
        submit(survey_round, agency, officer)


def _appraise(skip: str | None):
    """The SNV appraiser appraises Home Affairs' leaves (1.1.1 at 0.5, a difference of -0.5), the
    supervisor every other leaf; ``skip`` is left unappraised."""
    from server.appraisal.service import appraise
    from server.appraisal.tree import Tree
    from server.auth.models import User
    from server.extensions import db
    from server.registry.service import get_agency, get_round
    from server.transaction import unit_of_work

    with unit_of_work():
        survey_round, agency = get_round("2022"), get_agency("SNV")
        appraiser = db.session.scalar(select(User).where(User.username == "thamdinh_snv"))
        supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
        for place in Tree(survey_round).leaves("department"):
            code = place.criterion.code
            if code == skip:
                continue
            user = appraiser if place.council_org == "SNV" else supervisor
            appraise(survey_round, agency, code, 0.5 if code == "1.1.1" else 0, "", user)


def test_the_secretariat_imports_the_criteria_sets_a_deadline_follows_progress_and_locks(
    live_server, db, browser, axe, screenshot
):
    from playwright.sync_api import expect

    from server.appraisal.models import AppraisalCalendar, Criterion

    url = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, url, "supervisor")
    page.click("#console-appraisal")
    expect(page.locator("#apa-criteria-count")).to_have_text("Đợt này chưa có bộ tiêu chí.")
    expect(page.locator("#apa-no-members")).to_have_text("Chưa gán tài khoản nào.")

    # a broken sheet: 1.1.1's levels are words, not numbers (sheet row 4: the header is row 1)
    broken = [(*row[:4], "không; một", *row[5:]) if row[0] == "1.1.1" else row for row in ROWS]
    page.set_input_files(
        "#apa-criteria-file", files=[{"name": "hong.xlsx", "mimeType": XLSX, "buffer": criteria_xlsx(broken)}]
    )
    page.click("#apa-import")
    problems = page.locator("#apa-criteria-problems table tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first.locator("td")).to_have_text(["4", "rule", "Không phải là số."])
    expect(page.locator("#apa-criteria-count")).to_have_text("Đợt này chưa có bộ tiêu chí.")
    axe(page, "appraisal, a criteria file with a problem")
    db.session.rollback()
    assert db.session.scalar(select(Criterion.id).limit(1)) is None, "nothing imported from a broken file"

    page.set_input_files(
        "#apa-criteria-file", files=[{"name": "bo_tieu_chi_2022.xlsx", "mimeType": XLSX, "buffer": criteria_xlsx()}]
    )
    page.click("#apa-import")
    expect(page.locator("#status")).to_have_text(f"Đã nhập {len(ROWS)} tiêu chí.")
    expect(page.locator("#apa-criteria-count")).to_have_text(f"{len(ROWS)} tiêu chí trong 7 lĩnh vực.")
    expect(page.locator("#apa-criteria tr[data-code='1.1.1']")).to_contain_text("Theo mức: 0; 0,5; 1")
    expect(page.locator("#apa-criteria tr[data-code='1.1.1'] td").last).to_have_text("")  # not copied: no "new"

    # the appraisal deadline, typed in the browser's time zone, is stored as that instant
    page.fill("#apa-appraisal_until", "2030-12-31T17:00")
    page.click("#apa-deadlines-save")
    expect(page.locator("#status")).to_have_text("Đã lưu thời hạn.")
    expect(page.locator("#apa-appraisal_until")).to_have_value("2030-12-31T17:00")
    local = page.evaluate("new Date('2030-12-31T17:00').toISOString()")
    db.session.rollback()
    stored = db.session.scalar(select(AppraisalCalendar.appraisal_until))
    expected = datetime.fromisoformat(local.replace("Z", "+00:00"))
    assert stored.replace(tzinfo=stored.tzinfo or UTC) == expected

    # an agency submits; all but 1.2 is appraised: the progress and the lock's confirmation say so
    _self_assess_and_submit()
    _appraise(skip="1.2")
    page.click("#console-appraisal")
    expect(page.locator("#apa-submitted")).to_contain_text("1/")
    # the council's members, listed: who appraises for which organisation, who speaks for which agency
    appraiser = page.locator("#apa-members tr[data-member='thamdinh_snv']")
    expect(appraiser).to_contain_text("Thành viên Hội đồng thẩm định")
    expect(appraiser).to_contain_text("Sở Nội vụ (SNV)")
    expect(page.locator("#apa-members tr[data-member='canbo_snv']")).to_contain_text("Cán bộ đầu mối của cơ quan")
    expect(page.locator("#apa-agencies tr[data-agency='SNV']")).not_to_contain_text("Chưa gửi")
    home_affairs = page.locator("#apa-orgs tr[data-org='SNV'] td")
    expect(home_affairs.nth(2)).to_have_text("1")  # left: 1.2
    appraisers = page.locator("#apa-appraisers tbody tr")
    expect(page.locator("#apa-appraisers tr[data-user='thamdinh_snv']")).to_be_visible()
    expect(page.locator("#apa-appraisers tr[data-user='supervisor']")).to_be_visible()
    assert appraisers.count() == 2
    difference = page.locator("#apa-differences tr[data-agency='SNV'][data-area='1']")
    expect(difference.locator("td").last).to_have_text("-0,5")
    axe(page, "appraisal progress")
    screenshot(page, "console-appraisal-1280")

    page.click("#apa-lock")
    expect(page.locator("#apa-unappraised li[data-org='SNV']")).to_have_text("Sở Nội vụ: còn 1 tiêu chí chưa thẩm định")
    expect(page.locator("#apa-lock-confirm")).to_contain_text("Còn 1 tiêu chí chưa thẩm định")
    page.click("#apa-lock-yes")
    expect(page.locator("#apa-lock-problems table")).to_contain_text("SNV/1.2")
    db.session.rollback()
    assert db.session.scalar(select(AppraisalCalendar.locked_at)) is None

    _appraise(skip=None)
    page.click("#console-appraisal")
    expect(home_affairs.nth(2)).to_have_text("0")  # the screen is redrawn with nothing left
    page.click("#apa-lock")
    expect(page.locator("#apa-all-appraised")).to_be_visible()
    page.click("#apa-lock-yes")
    expect(page.locator("#status")).to_have_text("Đã khóa kết quả thẩm định của 1 cơ quan.")
    expect(page.locator("#apa-locked")).to_contain_text("supervisor")
    assert page.locator("#apa-lock").count() == 0 and page.locator("#apa-import").count() == 0
    db.session.rollback()
    assert db.session.scalar(select(AppraisalCalendar.locked_at)) is not None
    context.close()


def test_the_secretariat_copies_last_years_criteria_edits_one_and_sees_the_change_listed(live_server, db, browser, axe):
    from playwright.sync_api import expect

    from server.appraisal.criteria import import_criteria
    from server.registry.service import copy_round, get_round
    from server.transaction import unit_of_work

    with unit_of_work():
        import_criteria(get_round("2022"), criteria_xlsx(), "bo_tieu_chi_2022.xlsx")
        copy_round("2023", 2023, "2022")
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server.url, "supervisor")
    page.click("#console-appraisal")
    expect(page.locator("h2.page-title")).to_have_text("Thẩm định — Đợt khảo sát 2023")  # the latest round
    expect(page.locator("#apa-criteria-count")).to_have_text("Đợt này chưa có bộ tiêu chí.")
    expect(page.locator("#apa-copy-from")).to_have_value("2022")
    page.click("#apa-copy")
    expect(page.locator("#status")).to_have_text(f"Đã sao chép {len(ROWS)} tiêu chí của đợt 2022.")
    expect(page.locator("#apa-changes")).to_contain_text("Chưa có thay đổi.")

    page.select_option("#apa-edit-code", "1.1.1")
    expect(page.locator("#apa-edit-title")).to_have_value("Ban hành kế hoạch kịp thời")
    page.fill("#apa-edit-title", "Ban hành kế hoạch trước ngày 15/12")
    page.click("#apa-edit-save")
    expect(page.locator("#status")).to_have_text("Đã sửa tiêu chí 1.1.1.")
    expect(page.locator("#apa-changes li[data-code='1.1.1']")).to_have_text(
        "1.1.1: nội dung từ Ban hành kế hoạch kịp thời thành Ban hành kế hoạch trước ngày 15/12"
    )
    expect(page.locator("#apa-criteria tr[data-code='1.1.1'] td").last).to_have_text("Đã sửa")

    def rule_of(code):
        response = page.request.get(f"{live_server.url}/api/v1/rounds/2023/criteria")
        assert response.ok
        return next(c["rule"] for c in response.json() if c["code"] == code)

    # the rule through its own fields, pre-filled from the criterion's rule; only the chosen kind's fields show
    page.select_option("#apa-edit-code", "1.1.1")
    expect(page.locator("#apa-edit-rule-type")).to_have_value("levels")
    expect(page.locator("#apa-edit-levels")).to_have_value("0; 0,5; 1")
    expect(page.locator("#apa-edit-figure")).to_be_hidden()
    page.select_option("#apa-edit-rule-type", "proportional")
    expect(page.locator("#apa-edit-levels")).to_be_hidden()
    page.fill("#apa-edit-figure", "Tỷ lệ kế hoạch ban hành đúng hạn (%)")
    page.fill("#apa-edit-full-at", "0")
    page.click("#apa-edit-save")
    # full points at 0 is refused in the page, beside its field, as the server would; nothing is sent
    expect(page.locator("#apa-edit-full-at-error")).to_have_text("Nhập một số lớn hơn 0.")
    expect(page.locator("#apa-edit-full-at")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#apa-edit-full-at")).to_be_focused()
    expect(page.locator("#status")).to_have_text("Nhập một số lớn hơn 0.")
    axe(page, "appraisal, a criterion's rule refused in the page")
    assert rule_of("1.1.1") == {"type": "levels", "levels": [0, 0.5, 1]}
    page.fill("#apa-edit-full-at", "80,5")  # a decimal comma, as everywhere in the console
    page.click("#apa-edit-save")
    expect(page.locator("#status")).to_have_text("Đã sửa tiêu chí 1.1.1.")
    assert rule_of("1.1.1") == {
        "type": "proportional",
        "figure": "Tỷ lệ kế hoạch ban hành đúng hạn (%)",
        "full_at": 80.5,
    }
    expect(page.locator("#apa-criteria tr[data-code='1.1.1']")).to_contain_text(
        "Theo tỷ lệ Tỷ lệ kế hoạch ban hành đúng hạn (%) (tối đa khi 80,5)"
    )
    expect(page.locator("#apa-changes li[data-code='1.1.1']", has_text="cách chấm")).to_have_text(
        "1.1.1: cách chấm từ Theo mức: 0; 0,5; 1 thành "
        "Theo tỷ lệ Tỷ lệ kế hoạch ban hành đúng hạn (%) (tối đa khi 80,5)"
    )

    # levels above the maximum are refused beside the field; new levels and a penalty's values are saved
    page.select_option("#apa-edit-code", "1.4")
    page.fill("#apa-edit-levels", "0; 1,5; 4")
    page.click("#apa-edit-save")
    expect(page.locator("#apa-edit-levels-error")).to_have_text("Mỗi mức phải từ 0 đến điểm tối đa 3.")
    page.fill("#apa-edit-levels", "0; 0,75; 1,5; 3")
    page.click("#apa-edit-save")
    expect(page.locator("#status")).to_have_text("Đã sửa tiêu chí 1.4.")
    assert rule_of("1.4") == {"type": "levels", "levels": [0, 0.75, 1.5, 3]}
    page.select_option("#apa-edit-code", "1.6")
    expect(page.locator("#apa-edit-per-unit")).to_have_value("0,5")
    expect(page.locator("#apa-edit-floor")).to_have_value("-2")
    page.fill("#apa-edit-per-unit", "1")
    page.fill("#apa-edit-floor", "-3")
    page.click("#apa-edit-save")
    expect(page.locator("#status")).to_have_text("Đã sửa tiêu chí 1.6.")
    assert rule_of("1.6") == {"type": "penalty", "per_unit": 1, "floor": -3}
    # an area has no rule: choosing one is refused in the page
    page.select_option("#apa-edit-code", "1")
    expect(page.locator("#apa-edit-rule-type")).to_have_value("")
    page.select_option("#apa-edit-rule-type", "levels")
    page.fill("#apa-edit-levels", "0; 1")
    page.click("#apa-edit-save")
    expect(page.locator("#apa-edit-rule-type-error")).to_contain_text("có tiêu chí thành phần")
    assert rule_of("1") is None

    # a maximum that no longer adds up with its siblings: the server's problems are listed, nothing changes
    page.select_option("#apa-edit-code", "1.1.1")
    page.fill("#apa-edit-max", "5")
    page.click("#apa-edit-save")
    expect(page.locator("#apa-edit-problems table")).to_be_visible()
    expect(page.locator("#apa-criteria tr[data-code='1.1.1'] td").nth(1)).to_have_text("1")
    context.close()
