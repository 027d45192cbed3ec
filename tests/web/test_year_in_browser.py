"""A whole survey year in the browser, from an empty database after ``db upgrade`` (no demo, no command line):
the first admin is created on the first-run page; the admin imports and creates agencies, creates users, a round
and its agencies, uploads an XLSForm and publishes it into the round, assigns an enumerator with quotas and sets
the quality settings; the enumerator captures and syncs ballots; the supervisor previews and draws the re-check
sample and gives re-checks to a reviewer in bulk; MTTQ and CCB reviewers record their findings; the supervisor
imports the appraisal points from the downloaded template, scores the round and downloads the report."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.live_server import LiveServer
from tests.web.test_enumerator_app import show

PASSWORD = "mật-khẩu-2025"
YEAR_FORM = "nam2025"

# ------------------------------------------------------------------ ballot capture, in one place
# The only part of this test that knows how the capture screen looks (one group per screen, drafts).


def capture_ballot(page, agency: str, answers: dict) -> None:
    """Fill and save one ballot: ``answers`` maps question names to a choice index (select and Likert
    questions, 0-based) or to text. A test interview lasts seconds, under the round's minimum: the app warns
    before saving, and the enumerator saves anyway."""
    page.click(".new-ballot")
    page.wait_for_selector("#ballot")
    fill_ballot(page, agency, answers)
    page.click("#save")
    page.wait_for_selector("#short-warning:visible, #count-pending")
    if page.is_visible("#short-warning"):
        page.click("#save-anyway")
    page.wait_for_selector("#count-pending")


def fill_ballot(page, agency: str, answers: dict) -> None:
    """Answer the ballot on show (the enumerator's, or the console's preview, which uses the same renderer),
    going to each question's screen."""
    show(page, "#agency")
    page.select_option("#agency", agency)
    for name, value in answers.items():
        show(page, f"#q-{name}")
        if isinstance(value, int):
            page.check(f"#q-{name}-{value}")
        else:
            page.fill(f"#q-{name}-input", value)


def sync_outbox(page, sent: int) -> None:
    from playwright.sync_api import expect

    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text(str(sent), timeout=20_000)
    expect(page.locator("#count-rejected")).to_have_text("0")


# ------------------------------------------------------------------ the rest of the year


def xlsform() -> bytes:
    """The year's questionnaire as an XLSForm: profile, a contact phone, two scored criteria, overall."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for row in [
        [
            "type",
            "name",
            "label::Vietnamese (vi)",
            "label::English (en)",
            "required",
            "scoring_factor",
            "scoring_criterion",
        ],
        ["select_one sex", "sex", "Giới tính", "Sex", "yes"],
        ["text", "respondent_phone", "Số điện thoại", "Phone"],
        ["select_one level", "c1_1", "Nơi ngồi chờ", "Waiting area", "yes", "F1", "1.1"],
        ["select_one level", "c3_1", "Thái độ công chức", "Civil servants' courtesy", "yes", "F3", "3.1"],
        ["select_one level", "overall", "Đánh giá chung", "Overall", "yes"],
    ]:
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in [
        ["list_name", "name", "label::Vietnamese (vi)", "label::English (en)"],
        ["sex", "male", "Nam", "Male"],
        ["sex", "female", "Nữ", "Female"],
        *[["level", str(n), f"Mức {n}", f"Level {n}"] for n in range(1, 6)],
        ["scoring_factors", "F1", "Tiếp cận dịch vụ", "Access"],
        ["scoring_factors", "F3", "Công chức giải quyết công việc", "Civil servants"],
    ]:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version", "form_title::Vietnamese (vi)", "form_title::English (en)"])
    settings.append([YEAR_FORM, "1", "Phiếu khảo sát năm 2025", "Survey 2025"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def empty_server(database_url, db, tmp_path):
    """A live server over an empty, migrated database: nothing loaded, no user."""
    server = LiveServer(database_url, tmp_path)
    server.start()
    yield server
    server.stop()


def sign_in(page, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(url + "/app/")
    page.wait_for_selector("#sign-in")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sign-in button[type=submit]")


def sign_out(page) -> None:
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")


def upload(page, selector: str, name: str, data: bytes, mime: str = "text/csv") -> None:
    page.set_input_files(selector, files=[{"name": name, "mimeType": mime, "buffer": data}])


def create_user(page, username: str, full_name: str, role: str, organisation: str | None = None) -> None:
    from playwright.sync_api import expect

    page.fill("#new-user-username", username)
    page.fill("#new-user-full-name", full_name)
    page.select_option("#new-user-role", role)
    if organisation:
        page.select_option("#new-user-organisation", organisation)
    page.fill("#new-user-password", PASSWORD)
    page.click("#new-user-submit")
    expect(page.locator(f"tr[data-user='{username}']")).to_be_visible()


def test_a_whole_survey_year_runs_in_the_browser_with_no_command_line(empty_server, db, browser, screenshot):
    from playwright.sync_api import expect
    from sqlalchemy import func, select

    from server.ballots.models import Ballot

    url = empty_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    # First run: no admin yet, so the app offers to create one.
    page.goto(url + "/app/")
    page.wait_for_selector("#setup")
    page.fill("#setup-username", "quantri")
    page.fill("#setup-full-name", "Nguyễn Văn Quản")
    page.fill("#setup-password", PASSWORD)
    page.fill("#setup-password2", PASSWORD)
    page.click("#setup-submit")
    page.wait_for_selector("#sign-in")
    page.fill("#username", "quantri")
    page.fill("#password", PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#new-round-form")  # no round yet: the console opens on rounds

    # Agencies: a list with a bad row is refused row by row, in Vietnamese; the corrected list is imported.
    page.click("#console-agencies")
    bad = "Mã,Tên,Nhóm,Có TTHC\nSNV,Sở Nội vụ,Sở ban ngành,có\nSTP,Sở Tư pháp,thiên hà,có\n"
    upload(page, "#agency-import-file", "co-quan.csv", bad.encode())
    page.click("#agency-import-submit")
    problems = page.locator("#agency-import-problems table")
    expect(problems).to_contain_text("Nhóm cơ quan không xác định.")
    expect(problems.locator("tbody tr td").first).to_have_text("3")
    good = "Mã,Tên,Nhóm,Có TTHC\nSNV,Sở Nội vụ,Sở ban ngành,có\nSTP,Sở Tư pháp,Sở ban ngành,có\n"
    upload(page, "#agency-import-file", "co-quan.csv", good.encode())
    page.click("#agency-import-submit")
    expect(page.locator("tr[data-agency='STP']")).to_be_visible()
    page.fill("#new-agency-code", "TTRA")
    page.fill("#new-agency-name", "Thanh tra tỉnh")
    page.uncheck("#new-agency-procedures")
    page.click("#new-agency-submit")
    expect(page.locator("tr[data-agency='TTRA']")).to_contain_text("Không")

    # Users.
    page.click("#console-users")
    create_user(page, "giamsat", "Trần Thị Giám", "supervisor")
    create_user(page, "dtv1", "Lê Văn Điều", "enumerator")
    create_user(page, "mttq1", "Phạm Thị Mặt", "reviewer", "MTTQ")
    create_user(page, "ccb1", "Hoàng Văn Cựu", "reviewer", "CCB")

    # The round and its agencies.
    page.click("#console-rounds")
    page.fill("#round-code", "2025")
    page.fill("#round-year", "2025")
    page.fill("#round-title", "Khảo sát năm 2025")
    page.fill("#round-window-start", "2025-01-01")
    page.fill("#round-window-end", "2025-12-31")
    page.click("#create-round")
    page.wait_for_selector("#round-agencies")
    page.click("#add-all-agencies")
    expect(page.locator("tr[data-agency='TTRA'] input[name=max_points]")).to_have_value("60")
    page.fill("tr[data-agency='SNV'] input[name=ballot_quota]", "3")
    page.click("tr[data-agency='SNV'] .save-participant")
    expect(page.locator("#status")).to_have_text("Đã lưu.")

    # The questionnaire: uploaded with no round, refused when published so, then published into the round.
    page.click("#console-forms")
    upload(page, "#upload-file", "phieu-2025.xlsx", xlsform(), "application/octet-stream")
    page.select_option("#upload-round", "")
    page.click("#upload-submit")
    row = page.locator(f"tr[data-version='{YEAR_FORM}@1']")
    expect(row.locator(".form-state")).to_have_text("Bản nháp")
    key = f"{YEAR_FORM}-1"
    page.select_option(f"#publish-round-{key}", "")
    page.click(f"#publish-{key}")
    expect(page.locator("#status")).to_contain_text("không thuộc đợt khảo sát nào")
    page.select_option(f"#publish-round-{key}", "2025")
    page.click(f"#publish-{key}")
    expect(row.locator(".form-state")).to_have_text("Đã phát hành")

    # The preview renders it as the phone will; a test ballot is checked by the server and never stored.
    page.click(f"#preview-{key}")
    page.wait_for_selector("#preview-note")
    page.click("#save")
    expect(page.locator("#status")).to_contain_text("lỗi")  # checked in the browser first: nothing answered
    fill_ballot(page, "SNV", {"sex": 0, "respondent_phone": "0900000000", "c1_1": 4, "c3_1": 4, "overall": 4})
    page.click("#save")
    expect(page.locator("#status")).to_have_text("Phiếu thử hợp lệ (máy chủ đã kiểm tra). Không có gì được lưu.")
    screenshot(page, "console-preview-1280")
    page.click("#ballot #later")  # back to the console; a preview keeps nothing
    page.wait_for_selector("#upload-form")

    # Fieldwork: quotas in the grid, and the quality settings.
    page.click("#console-fieldwork")
    page.fill("[name='quota-dtv1-SNV']", "3")
    page.fill("[name='quota-dtv1-STP']", "2")
    page.click("#save-grid")
    expect(page.locator("#status")).to_contain_text("Đã lưu 2 thay đổi")
    page.fill("#setting-min_interview_seconds", "0")
    page.fill("#setting-key_questions", "c1_1, overall")
    page.click("#save-settings")
    expect(page.locator("#status")).to_have_text("Đã lưu.")
    screenshot(page, "console-fieldwork-1280")
    sign_out(page)

    # The enumerator captures five ballots and syncs them.
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, url, "dtv1")
    page.wait_for_selector(".new-ballot")
    for number, agency in enumerate(["SNV", "SNV", "SNV", "STP", "STP"]):
        capture_ballot(
            page, agency, {"sex": number % 2, "respondent_phone": f"09{number:08d}", "c1_1": 3, "c3_1": 4, "overall": 4}
        )
    sync_outbox(page, 5)
    sign_out(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The supervisor previews the sample, draws it (both organisations), and gives the CCB re-checks to ccb1.
    sign_in(page, url, "giamsat")
    page.wait_for_selector("#console-recheck")
    assert page.locator("#console-users").count() == 0, "users are the admin's"
    page.click("#console-recheck")
    page.fill("#sample-rate", "100")
    page.check("#sample-both_organisations")
    page.click("#sample-preview-button")
    expect(page.locator("#preview-total")).to_have_text("Sẽ chọn 5 phiếu.")
    expect(page.locator("#preview-organisation")).to_contain_text("MTTQ")
    screenshot(page, "console-recheck-preview-1280")
    page.click("#sample-draw")
    expect(page.locator("#rechecks tbody tr")).to_have_count(10)
    page.select_option("#assign-reviewer", "ccb1")
    for box in page.locator("#rechecks input[data-organisation='CCB']").all():
        box.check()
    page.click("#assign-submit")
    expect(page.locator("#status")).to_have_text("Đã giao 5 phiếu cho ccb1.")
    rechecks = {
        row.get_attribute("data-recheck"): row.locator("td").nth(3).text_content()
        for row in page.locator("#rechecks tbody tr").all()
    }
    sign_out(page)

    # Reviewers: MTTQ confirms the first ballot, CCB finds the interview of the same ballot never took place.
    first = page
    for reviewer, outcome in (("mttq1", "confirmed"), ("ccb1", "interview_not_held")):
        sign_in(first, url, reviewer)
        first.wait_for_selector(".open-recheck")
        mine = first.locator(".open-recheck").first
        mine.click()
        first.wait_for_selector("#recheck")
        first.check(f"input[name=outcome][value={outcome}]")
        first.click("#record-recheck")
        expect(first.locator("#status")).to_contain_text("Đã gửi 1")
        sign_out(first)
    assert len(rechecks) == 10

    # The supervisor imports the appraisal points from the template, scores and downloads the report.
    sign_in(page, url, "giamsat")
    page.click("#console-results")
    with page.expect_download() as template:
        page.click("#appraisal-template")
    lines = template.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "agency,name,group,appraisal_points"
    points = {"SNV": "80", "STP": "75", "TTRA": "50"}
    filled = "\n".join([lines[0]] + [line + points[line.split(",")[0]] for line in lines[1:]])
    upload(page, "#appraisal-file", "diem.csv", filled.encode("utf-8"))
    page.click("#appraisal-submit")
    expect(page.locator("#appraisal-count")).to_have_text("Đã có điểm thẩm định của 3 cơ quan.")
    page.click("#score-round")
    expect(page.locator("#score-runs tbody tr")).to_have_count(1)
    screenshot(page, "console-results-1280")
    with page.expect_download() as report:
        page.click("#report-html")
    html = report.value.path().read_text(encoding="utf-8")
    assert "Sở Nội vụ" in html and "Thanh tra tỉnh" in html and "data:image/png;base64," in html
    with page.expect_download() as pdf:
        page.click("#report-pdf")
    assert pdf.value.path().read_bytes()[:4] == b"%PDF"
    context.close()

    db.session.rollback()
    statuses = dict(db.session.execute(select(Ballot.status, func.count()).group_by(Ballot.status)).all())
    assert sum(statuses.values()) == 5 and statuses.get("failed") == 1, statuses  # the test ballot is not there
