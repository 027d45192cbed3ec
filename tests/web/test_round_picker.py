"""The supervisor's round picker in a real browser: two rounds, every screen follows the round picked, and
the choice is remembered on the device across a reload."""

from __future__ import annotations

from datetime import date

from survey_forms import builtin_satisfaction_form
from survey_forms.definition import form_from_dict
from sync.protocol import make_envelope
from tests.sample_ballots import answers, batch, envelope
from tests.web.test_oversight_screens import sign_in_supervisor
from tests.web.test_reviewer_screens import call, token
from tests.web.test_supervisor_screens import load_demo_appraisal


def add_round_2023() -> str:
    """A second round with its own questionnaire version, SNV and SXD surveyed by enumerator1. Returns the
    form version."""
    from server.fieldwork.service import set_assignment
    from server.forms.service import publish, save_draft
    from server.registry.service import create_round, get_round
    from server.transaction import unit_of_work

    form = form_from_dict({**builtin_satisfaction_form().to_dict(), "version": "2023.1"})
    with unit_of_work():
        create_round(
            "2023",
            2023,
            date(2023, 1, 1),
            date(2023, 11, 30),
            title="Khảo sát năm 2023",
            method_version="2017",
            participants=[
                {"agency_code": "SNV", "max_points": 100.0, "ballot_quota": 5},
                {"agency_code": "SXD", "max_points": 100.0, "ballot_quota": 4},
            ],
        )
        save_draft(form, "2023")
        publish(form.form_id, form.version)
        for agency in ("SNV", "SXD"):
            set_assignment(get_round("2023"), "enumerator1", agency, 4)
    return form.version


def ballot_2023(version: str) -> dict:
    made = envelope("SNV")
    return make_envelope(
        form_id=made["form_id"],
        form_version=version,
        agency="SNV",
        enumerator="enumerator1",
        answers={**answers("SNV"), "result_date": "2023-03-15"},
        paradata=made["paradata"],
    )


def test_a_supervisor_picks_a_round_and_every_screen_follows_it(live_server, db, browser, axe, overflows, screenshot):
    from playwright.sync_api import expect

    url = live_server.url
    load_demo_appraisal()
    version = add_round_2023()
    enumerator = token(url, "enumerator1")
    sent_2022 = [envelope("SNV") for _ in range(3)]
    results = call(url, "/api/v1/sync/batches", enumerator, batch(*sent_2022))
    assert {r["status"] for r in results["results"]} == {"accepted"}
    changed = {**sent_2022[0]["answers"], "comment": "Sửa lại"}
    resent = envelope("SNV", instance_id=sent_2022[0]["instance_id"], answers=changed)
    assert call(url, "/api/v1/sync/batches", enumerator, batch(resent))["results"][0]["status"] == "conflict"
    results = call(url, "/api/v1/sync/batches", enumerator, batch(ballot_2023(version), ballot_2023(version)))
    assert {r["status"] for r in results["results"]} == {"accepted"}, results

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_supervisor(page, url)
    expect(page.locator("#round-title")).to_contain_text("2023")  # the latest round comes first
    expect(page.locator("#progress summary")).to_have_text("Tiến độ thu phiếu: 2 / 9")
    assert page.locator("#round-picker option").all_text_contents() == [
        "2022 — Khảo sát sự hài lòng và Chỉ số CCHC năm 2022",
        "2023 — Khảo sát năm 2023",
    ]
    page.click("#tab-ballots")
    expect(page.locator("#ballot-total")).to_have_text("Tìm thấy 2 phiếu.")
    axe(page, "ballot browser with the round picker")

    page.select_option("#round-picker", "2022")
    page.click("#round-show")
    expect(page.locator("#ballots-title")).to_have_text("Phiếu — 2022")
    expect(page.locator("#ballot-total")).to_have_text("Tìm thấy 3 phiếu.")
    assert page.evaluate("document.activeElement.id") == "round-picker", "focus stays on the picker"

    page.click("#tab-quality")
    expect(page.locator("#quality-title")).to_have_text("Chất lượng điều tra viên — 2022")
    expect(page.locator("#quality tr[data-enumerator=enumerator1] td").first).to_have_text("3")

    page.click("#tab-results")
    expect(page.locator("#round-title")).to_contain_text("2022")
    expect(page.locator("#progress summary")).to_contain_text("Tiến độ thu phiếu: 3 /")
    page.click("#score-now")
    page.wait_for_selector(".ranking table.ranked tbody tr")

    page.reload()
    page.wait_for_selector(".ranking table.ranked tbody tr")
    expect(page.locator("#round-title")).to_contain_text("2022")  # remembered across a reload
    assert page.input_value("#round-picker") == "2022"
    stored = page.evaluate("""async () => (await import('/app/static/store.js')).kv.get('round_choice:supervisor')""")
    assert stored == "2022"

    page.select_option("#round-picker", "2023")
    page.click("#round-show")
    expect(page.locator("#round-title")).to_contain_text("2023")
    expect(page.locator("#results-title + p")).to_have_text("Chưa tính điểm cho đợt này.")
    assert page.locator(".ranking").count() == 0, "2022's ranking is not shown under 2023"
    page.click("#tab-quality")
    expect(page.locator("#quality tr[data-enumerator=enumerator1] td").first).to_have_text("2")
    screenshot(page, "supervisor-round-picker-1280", full_page=False)
    page.set_viewport_size({"width": 360, "height": 780})
    assert overflows(page) == 0, "the tabs and the round picker should fit a phone"
    screenshot(page, "supervisor-round-picker-360", full_page=False)

    page.click("#tab-conflicts")  # conflicts follow the round too: 2022 has one, 2023 none
    expect(page.locator("#no-conflicts")).to_be_visible()
    page.select_option("#round-picker", "2022")
    page.click("#round-show")
    expect(page.locator("#conflicts-title + p")).to_have_text("Xung đột của các phiếu thuộc đợt 2022.")
    expect(page.locator("li.conflict")).to_have_count(1)
    context.close()
