"""The enumerator app in a real browser: offline capture, reload while offline, sync, and the wire format."""

from __future__ import annotations

import json

from sqlalchemy import select

from server.ballots.models import Ballot
from survey_forms import builtin_satisfaction_form
from survey_forms.expressions import parse
from sync.codes import ERROR_CODES
from sync.protocol import VERIFICATION_KEYS, check_envelope, envelope_hash

FORM = builtin_satisfaction_form()
LIKERT_QUESTIONS = [q.name for q in FORM.questions() if q.type == "likert5"]


def sign_in(page, url: str, username: str = "enumerator1") -> None:
    page.goto(url + "/app/")
    page.fill("#username", username)
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#count-pending")


def count(page, name: str) -> str:
    return page.text_content(f"#count-{name}")


RADIOS = {"respondent_type": "individual", "sex": "female", "age_band": "35_49", "occupation": "farmer"}


def show(page, selector: str) -> None:
    """Go through the group screens (forward, then back) until the element is on show."""
    for step in ("#next", "#prev"):
        for _ in range(20):
            if page.is_visible(selector) or page.is_hidden(step):
                break
            page.click(step)
        if page.is_visible(selector):
            return
    raise AssertionError(f"{selector} is on no screen")


def answer_screens(page, *, gave_feedback: bool, phone: str | None, result_date: str = "2022-09-15") -> None:
    """Answer every question on show not answered yet, screen after screen, up to the last screen."""
    radios = {**RADIOS, "gave_feedback": "yes" if gave_feedback else "no"}
    texts = {
        "respondent_phone": phone,
        "procedure": "Cấp giấy chứng nhận quyền sử dụng đất",
        "result_date": result_date,
        "comment": "Cán bộ hướng dẫn tận tình.",
    }

    def unanswered(name: str) -> bool:  # answers already given (a resumed draft) stay as they are
        return page.is_visible(f"#q-{name}") and page.locator(f"input[name={name}]:checked").count() == 0

    while True:
        for name, value in radios.items():
            if unanswered(name):
                page.check(f"input[name={name}][value='{value}']")
        for name, value in texts.items():
            if value and page.is_visible(f"#q-{name}-input") and not page.input_value(f"#q-{name}-input"):
                page.fill(f"#q-{name}-input", value)
        for name in LIKERT_QUESTIONS:
            if unanswered(name):
                page.check(f"input[name={name}][value='4']")
        if page.is_hidden("#next"):
            return
        page.click("#next")


def save_ballot(page, *, short: bool = True) -> None:
    """Press save. A test interview lasts seconds, below the round's minimum, so the app warns first; save
    anyway (``short=False``: a round whose minimum the interview meets, so no warning may show)."""
    page.click("#save")
    page.wait_for_selector("#short-warning:visible, #count-pending")
    if short:
        assert page.is_visible("#short-warning"), "a too-short interview should be pointed out before saving"
        page.click("#save-anyway")
    page.wait_for_selector("#count-pending")


def fill_ballot(page, *, gave_feedback: bool, phone: str | None, save: bool = True, short: bool = True) -> None:
    page.click(".new-ballot")
    page.wait_for_selector("#ballot")
    page.select_option("#agency", index=1)
    answer_screens(page, gave_feedback=gave_feedback, phone=phone)
    if save:
        save_ballot(page, short=short)


def test_an_enumerator_fills_three_ballots_offline_reloads_and_syncs_them_all(
    live_server, db, browser, screenshot, overflows
):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/app/")
    page.wait_for_selector("#sign-in")
    assert page.text_content("#sign-in h2") == "Đăng nhập"
    screenshot(page, "signin-360")

    sign_in(page, live_server.url)
    assert page.locator(".new-ballot").count() == 1, "the published questionnaire should be downloaded"
    assert "SNV" in page.text_content("#quota") or page.locator("#quota tbody tr").count() > 0
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    context.set_offline(True)
    page.click(".new-ballot")
    page.wait_for_selector("#ballot")
    assert page.text_content("#group-progress") == "Nhóm 1/8", "one group per screen, with where we are"
    page.click("#save")
    assert page.is_visible("#q-sex-error"), "a required question left blank should be pointed out"
    show(page, "#q-gave_feedback")
    assert page.text_content("#group-progress") == "Nhóm 7/8"
    page.check("input[name=gave_feedback][value=no]")
    assert page.is_hidden("#q-c5_1"), "skip logic should hide the feedback questions when no feedback was given"
    page.check("input[name=gave_feedback][value=yes]")
    assert page.is_visible("#q-c5_1")
    show(page, "#q-respondent_phone")
    page.fill("#q-respondent_phone-input", "12345")
    page.click("#save")
    assert "không hợp lệ" in page.text_content("#q-respondent_phone-error")
    screenshot(page, "ballot-360", full_page=False)
    assert overflows(page) == 0, "the ballot should fit a 360 px screen"
    page.click("#later")  # later: nothing goes to the outbox; the answers stay as a draft
    page.wait_for_selector("#drafts-list")
    assert page.locator("#drafts-list li").count() == 1 and count(page, "pending") == "0"

    fill_ballot(page, gave_feedback=False, phone="0912345678")
    fill_ballot(page, gave_feedback=True, phone=None)
    fill_ballot(page, gave_feedback=False, phone="0987654321")
    assert count(page, "pending") == "3"

    page.reload()
    page.wait_for_selector("#count-pending")
    assert count(page, "pending") == "3", "the outbox should survive a reload while offline"
    assert page.text_content("#network") == "Ngoại tuyến"
    screenshot(page, "outbox-offline-360")

    context.set_offline(False)
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("3", timeout=20_000)
    assert count(page, "pending") == "0" and count(page, "rejected") == "0"
    # The interviews took seconds: sent, but the server's cleaning says they do not count, and why.
    expect(page.locator("#ballot-list li[data-verdict=not_countable]")).to_have_count(3)
    assert "ngắn hơn mức tối thiểu" in page.text_content("#ballot-list li[data-verdict=not_countable]")
    screenshot(page, "synced-360")
    assert overflows(page) == 0, "the outbox and quota table should fit a 360 px screen"

    db.session.rollback()
    stored = db.session.scalars(select(Ballot)).all()
    assert len(stored) == 3
    feedback = sorted(b.answers["gave_feedback"] for b in stored)
    assert feedback == ["no", "no", "yes"]
    assert all(("c5_1" in b.answers) == (b.answers["gave_feedback"] == "yes") for b in stored)
    assert len({b.device_id for b in stored}) == 1 and stored[0].device_id.startswith("web-")
    context.close()


def test_the_app_should_switch_to_english_and_fit_a_desktop_screen(live_server, db, browser, screenshot, unlabelled):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(live_server.url + "/app/")
    page.wait_for_selector("#sign-in")
    screenshot(page, "signin-1280")
    sign_in(page, live_server.url)
    page.click("#language")
    expect(page.locator("#outbox-title")).to_have_text("Outbox")
    assert page.get_attribute("html", "lang") == "en"
    screenshot(page, "home-1280")
    page.click(".new-ballot")
    page.wait_for_selector("#ballot")
    assert page.text_content("#q-sex legend") == "Sex *" and page.text_content("#group-progress") == "Group 1/8"
    screenshot(page, "ballot-1280", full_page=False)
    assert unlabelled(page) == []
    context.close()


CASES = [
    ("${a} = 'yes'", {"a": "yes"}, None),
    ("${a} = 'yes'", {}, None),
    ("${n} > 3 and ${n} <= 10", {"n": 5}, None),
    ("${n} + 2 = 7", {"n": "5"}, None),
    ("${n} div 0 > 1000", {"n": 3}, None),
    ("${n} mod 3 = -1", {"n": -7}, None),
    ("selected(${m}, 'b')", {"m": ["a", "b"]}, None),
    ("count-selected(${m}) = 2", {"m": ["a", "b"]}, None),
    ("string-length(.) = 4", {}, "Hà Nội"[:4]),
    ("regex(., '0[35789][0-9]{8}|02[0-9]{9}')", {}, "0912345678"),
    ("regex(., '0[35789][0-9]{8}|02[0-9]{9}')", {}, "12345"),
    (". <= today()", {}, "2022-09-15"),
    (". <= today()", {}, "2999-01-01"),
    ("not(${a} = 'x') or ${b} < 'b'", {"a": "x", "b": "a"}, None),
    ("coalesce(${a}, 'z') = 'z'", {}, None),
    ("number('abc') = number('abc')", {}, None),
    ("${d} >= 2.5", {"d": 2.5}, None),
    ("'na' = ${l}", {"l": "na"}, None),
    ("-${n} < 0", {"n": 1}, None),
]


def test_browser_and_server_should_agree_on_expressions_and_envelope_hashes(live_server, db, browser):
    page = browser.new_page()
    page.goto(live_server.url + "/app/")
    page.wait_for_selector("body[data-ready=true]")
    browser_results = page.evaluate(
        """async (cases) => {
             const {evaluateBoolean} = await import('/app/static/expr.js');
             return cases.map(([src, values, current]) => evaluateBoolean(src, values, current));
           }""",
        CASES,
    )
    assert browser_results == [parse(src).evaluate_boolean(values, current) for src, values, current in CASES]

    made = page.evaluate(
        """async () => {
             const {makeEnvelope} = await import('/app/static/canonical.js');
             const envelope = await makeEnvelope({formId: 'satisfaction', formVersion: '2022.1', agency: 'SNV',
               enumerator: 'enumerator1',
               answers: {comment: 'Cán bộ \\u0068\\u01b0\\u1edbng dẫn "tận tình"\\n', ratio: 0.00001, big: 1e22,
                         tiny: 1e-7, half: 2.5, whole: 4, decomposed: 'Ha\\u0300 No\\u0323\\u0302i', list: ['a', 'b']},
               paradata: {started_at: '2022-09-20T08:00:00+07:00', completed_at: '2022-09-20T08:12:30+07:00',
                          app_version: 'web-1'}});
             return JSON.stringify(envelope);
           }"""
    )
    envelope = json.loads(made)  # what the server reads from the wire
    assert envelope["answers"]["decomposed"] == "Hà Nội"
    assert envelope["content_hash"] == envelope_hash(envelope)

    made = page.evaluate(
        """async () => {
             const {makeVerification} = await import('/app/static/canonical.js');
             return JSON.stringify(await makeVerification({assignmentId: 12, outcome: 'answers_differ',
               reviewer: 'mttq1', reasked: {overall: 2, procedure: 'Khai sinh'}, notes: 'Nói \u0111úng "một" nửa',
               paradata: {started_at: '2022-10-02T08:00:00.000Z', completed_at: '2022-10-02T08:05:00.000Z',
                          app_version: 'web-1'}}));
           }"""
    )
    verification = json.loads(made)
    assert check_envelope(verification) == {}, "a reviewer's finding from the browser is a valid protocol-1 envelope"
    assert verification["content_hash"] == envelope_hash(verification)
    assert set(verification) == VERIFICATION_KEYS


def test_the_browser_knows_every_error_code_with_the_action_the_device_library_takes(live_server, db, browser):
    """The browser retries the "retry" codes and unknown ones, and gives up on the others, as sync/outbox.py
    does: its table of codes must be sync/codes.py's, or a new code would be handled differently."""
    page = browser.new_page()
    page.goto(live_server.url + "/app/static/icon.svg")
    known = page.evaluate("async () => (await import('/app/static/canonical.js')).ERROR_ACTIONS")
    assert known == {c.code: c.action.value for c in ERROR_CODES.values()}


def test_every_error_code_and_reason_has_a_vietnamese_and_an_english_text(live_server, db, browser):
    """No raw code and no English server text reaches a user: the browser's catalogue has both languages for
    every code of sync/codes.py, every answer-validation code of survey_forms, and every reason a sent ballot
    may not count (server/recheck/cleaning.py, quarantine)."""
    from server.recheck.cleaning import CLEANING_REASONS
    from survey_forms.errors import ANSWER_ERROR_CODES

    page = browser.new_page()
    page.goto(live_server.url + "/app/static/icon.svg")
    catalogue = page.evaluate(
        "async () => { const m = await import('/app/static/i18n.js'); return [m.ERROR_TEXTS, m.REASON_TEXTS]; }"
    )
    errors, reasons = catalogue
    codes = {*ERROR_CODES, *ANSWER_ERROR_CODES, "agency_mismatch"}
    for lang in ("vi", "en"):
        assert codes <= set(errors[lang]), f"{lang} lacks {sorted(codes - set(errors[lang]))}"
        assert {*CLEANING_REASONS, "quarantined", "override"} <= set(reasons[lang])
    for code in codes:
        assert errors["vi"][code] != errors["en"][code] and errors["vi"][code].strip(), code
        assert code not in errors["vi"][code], "the message is a sentence, not the code"
    assert errors["vi"]["account_locked"].startswith("Tài khoản này đã bị khóa")
    page.close()


RULE_CASES = [
    ({"result_date": "2022-09-15"}, "2022-09-20T08:00:00+07:00", "2022-09-20T08:12:30+07:00"),
    ({"result_date": "2021-12-31"}, "2022-09-20T08:00:00+07:00", "2022-09-20T08:12:30+07:00"),
    ({"result_date": "2022-11-30"}, "2022-09-20T08:00:00+07:00", "2022-09-20T08:12:30+07:00"),
    ({"result_date": "2022-12-01"}, "2022-12-20T08:00:00+07:00", "2022-12-20T08:12:30+07:00"),
    ({"result_date": "2022-09-21"}, "2022-09-20T08:00:00+07:00", "2022-09-20T08:12:30+07:00"),
    ({"result_date": "2022-09-21"}, "2022-09-20T23:50:00.000Z", "2022-09-21T00:05:00.000Z"),
    ({"result_date": "2022-09-15"}, "2022-09-20T08:00:00+07:00", "2022-09-20T08:01:59+07:00"),
    ({"result_date": "2022-09-15"}, "2022-09-20T08:00:00+07:00", "2022-09-20T08:02:00+07:00"),
    ({"result_date": "2022-02-30"}, "2022-09-20T08:00:00+07:00", "2022-09-20T08:00:10+07:00"),
    ({}, None, "2022-09-20T08:00:10+07:00"),
    ({}, "2022-09-20T01:00:00.000Z", "2022-09-20T08:00:10+07:00"),
    ({"result_date": "2022-09-15"}, "2099-01-01T08:00:00+07:00", "2099-01-01T08:12:30+07:00"),
    ({"result_date": "2022-09-15"}, "2022-12-22T08:00:00+07:00", "2022-12-22T08:12:30+07:00"),
    ({}, "2021-12-31T08:00:00+07:00", "2021-12-31T08:12:30+07:00"),
]
#: The server's time of receipt of the cases above (a day of clock tolerance: the 2022-12-22 case counts).
RECEIVED_AT = "2022-12-21T09:00:00.000Z"


def test_the_phone_and_the_server_apply_the_same_cleaning_rules(live_server, db, browser):
    """server/web/static/rules.js against server/recheck/cleaning.py on the same ballots: what the phone warns
    about at capture is what the server decides after sync."""
    from datetime import date

    from server.recheck.cleaning import clean
    from sync.protocol import parse_timestamp

    rules = {"window_start": "2022-01-01", "window_end": "2022-11-30", "min_interview_seconds": 120}
    page = browser.new_page()
    page.goto(live_server.url + "/app/static/icon.svg")
    in_browser = page.evaluate(
        """async ([cases, rules, received]) => {
             const {cleaningReason} = await import('/app/static/rules.js');
             return cases.map(([answers, started, completed]) =>
               cleaningReason(answers, started, completed, rules, received));
           }""",
        [RULE_CASES, rules, RECEIVED_AT],
    )
    window = (date(2022, 1, 1), date(2022, 11, 30))
    received = parse_timestamp(RECEIVED_AT)
    on_server = [
        clean(answers, parse_timestamp(started), parse_timestamp(completed), window, rules, received)[1]
        for answers, started, completed in RULE_CASES
    ]
    assert in_browser == on_server
    assert {r for r in on_server if r} == {
        "interview_after_receipt",
        "interview_before_window",
        "result_date_outside_window",
        "result_after_interview",
        "interview_too_short",
    }
    page.close()
