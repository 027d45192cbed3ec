"""Accessibility of the main screens in a real browser: axe-core's WCAG 2 A/AA rules (contrast, labels,
names, structure) at phone and desktop widths, and a ballot filled and saved with the keyboard alone."""

from __future__ import annotations

from tests.sample_ballots import batch, envelope
from tests.web.test_enumerator_app import answer_screens, sign_in
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
    page.select_option("#agency", index=1)
    answer_screens(page, gave_feedback=True, phone=None)
    axe(page, "group screen 8 of 8, with back")
    page.click("#save")
    page.wait_for_selector("#short-warning:visible")
    axe(page, "warning of a too-short interview")
    page.click("#later")
    page.wait_for_selector("#drafts-list")
    page.click(".discard-draft")
    axe(page, "drafts list, asking before discarding")

    page.evaluate(
        """async () => {
             const {outbox} = await import('/app/static/store.js');
             const envelope = {kind: 'ballot', agency: 'SNV', enumerator: 'enumerator1'};
             await outbox.put({instance_id: 'a11y-pending', state: 'pending', saved_at: new Date().toISOString(),
                               envelope});
             await outbox.put({instance_id: 'a11y-short', state: 'sent', saved_at: new Date().toISOString(), envelope,
                               result: {status: 'accepted', ballot_status: 'invalid',
                                        status_reason: 'interview_too_short', countable: false}});
             await outbox.put({instance_id: 'a11y-counts', state: 'sent', saved_at: new Date().toISOString(),
                               envelope, result: {status: 'accepted', ballot_status: 'valid', countable: true}});
             await outbox.put({instance_id: 'a11y-conflict', state: 'sent', saved_at: new Date().toISOString(),
                               envelope, result: {status: 'conflict', code: 'payload_conflict'}});
             await outbox.put({instance_id: 'a11y-rejected', state: 'rejected', envelope,
                               result: {code: 'invalid_answers', message: 'Phiếu có câu trả lời không hợp lệ.',
                                        errors: [{path: 'sex', code: 'required', message: 'Bắt buộc.'}]}});
           }"""
    )
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#rejected-list")
    expect(page.locator("#network")).to_have_text("Ngoại tuyến")
    for verdict in ("draft", "waiting", "countable", "not_countable", "conflict", "rejected"):
        assert page.locator(f"#ballot-list li[data-verdict={verdict}]").count() == 1, verdict
    axe(page, "outbox offline, with drafts and every kind of ballot verdict")
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
    page.locator("#quality tr.flagged button.hold").first.click()  # one enumerator, impact first
    page.wait_for_selector("#hold-impact")
    axe(page, "enumerator quality with the impact of a hold")
    page.fill("#hold-reason", "Tỷ lệ không đạt phúc tra vượt ngưỡng.")
    page.click("#hold-confirm")
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


# What the focused element looks like: its outline, the colour of the nearest opaque background around it (the
# outline is drawn outside the element, so over its parents' background) and whether something covers it.
FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let around = el.parentElement;
  let background = 'rgb(255, 255, 255)';
  for (; around; around = around.parentElement) {
    const colour = getComputedStyle(around).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') { background = colour; break; }
  }
  const box = el.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {id: el.id, obscured: !hit || !(hit === el || el.contains(hit)), tag: el.tagName.toLowerCase(),
          type: el.type || '', name: el.name || '',
          readonly: !!el.readOnly, outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth), colour: style.outlineColor, background};
}"""


def _luminance(rgb: str) -> float:
    channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def focused(page) -> dict:
    """The focused element, after checking that its focus is plainly visible (WCAG 2.4.7, with a ring of
    at least 2 px whose colour contrasts 3:1 with the background around it) and not covered (2.4.11)."""
    focus = page.evaluate(FOCUS)
    where = focus["id"] or focus["name"] or focus["tag"]
    assert focus["outline"] != "none" and focus["width"] >= 2, f"no visible focus on {where}"
    assert contrast(focus["colour"], focus["background"]) >= 3, f"the focus ring on {where} is too faint"
    assert not focus["obscured"], f"{where} is hidden under something else (the sticky save bar?)"
    return focus


def tab_to(page, selector: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            focused(page)
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_an_enumerator_signs_in_fills_saves_and_syncs_a_ballot_with_the_keyboard_alone(live_server, db, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.goto(live_server.url + "/app/")
    page.wait_for_selector("#sign-in")
    assert focused(page)["id"] == "username", "the sign-in screen should start in the user name field"
    page.keyboard.type("enumerator1")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "password"
    page.keyboard.type("demo-password")
    page.keyboard.press("Enter")
    page.wait_for_selector(".new-ballot")

    tab_to(page, ".new-ballot")
    page.keyboard.press("Enter")
    page.wait_for_selector("#ballot")
    assert focused(page)["id"] == "agency", "a new ballot should start at the agency"
    page.keyboard.press("ArrowDown")
    assert page.input_value("#agency") != ""

    typed = {
        "respondent_phone": "0912345678",
        "procedure": "Đăng ký khai sinh",
        "result_date": "09152022",
        "comment": "Dùng bàn phím.",
    }
    steps = 0
    screens = 1
    while True:
        page.keyboard.press("Tab")
        focus = focused(page)
        steps += 1
        assert steps < 120, "the Tab key should reach the save button"
        if focus["id"] == "save":
            break
        if focus["id"] == "next":  # one group per screen: Enter goes on, and the next Tab is its first question
            page.keyboard.press("Enter")
            screens += 1
            assert page.evaluate("document.activeElement.id") == "group-progress"
            assert page.text_content("#group-progress") == f"Nhóm {screens}/8"
            continue
        if focus["type"] == "radio":
            page.keyboard.press("Space")  # the first choice: 'individual', 'male', ..., 'yes' (gave feedback)
            if focus["name"].startswith("c") and focus["name"] != "comment" or focus["name"] == "overall":
                for _ in range(3):
                    page.keyboard.press("ArrowRight")  # a Likert scale: from level 1 to level 4
        elif focus["name"] in typed and not focus["readonly"]:
            page.keyboard.type(typed[focus["name"]])
    assert screens == 8
    page.keyboard.press("Enter")
    page.wait_for_selector("#short-warning:visible")
    assert page.evaluate("document.activeElement.id") == "keep-interviewing", "the warning takes the focus"
    tab_to(page, "#save-anyway")
    page.keyboard.press("Enter")
    expect(page.locator("#count-pending")).to_have_text("1")

    tab_to(page, "#sync")
    page.keyboard.press("Space")
    expect(page.locator("#count-sent")).to_have_text("1", timeout=20_000)
    context.close()

    from sqlalchemy import select

    from server.ballots.models import Ballot

    db.session.rollback()
    (ballot,) = db.session.scalars(select(Ballot)).all()
    answers = ballot.answers
    assert answers["respondent_type"] == "individual" and answers["gave_feedback"] == "yes"
    assert answers["c5_1"] == 4 and answers["overall"] == 4, "arrow keys should move along a Likert scale"
    assert answers["result_date"] == "2022-09-15" and answers["procedure"] == "Đăng ký khai sinh"
