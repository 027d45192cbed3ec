"""The appraisal screens in a real browser: an agency officer self-assesses a criterion, uploads a signed
PDF (the live server trusts no root, so it is shown as untrusted, not accepted silently) and submits; an
appraiser of the same council organisation appraises it with a comment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from tests.appraisal.criteria_2022 import criteria_xlsx, leaves
from tests.appraisal.pki import make_pki, signed_pdf


def _prepare():
    """The 2022 criteria set, an officer of SNV with every leaf but 1.2 self-assessed, an appraiser of SNV."""
    from server.appraisal.criteria import import_criteria
    from server.appraisal.members import assign_member
    from server.appraisal.service import self_assess
    from server.auth.service import create_user
    from server.registry.service import get_agency, get_round
    from server.transaction import unit_of_work

    with unit_of_work():
        survey_round = get_round("2022")
        import_criteria(survey_round, criteria_xlsx(), "bo_tieu_chi.xlsx")
        officer = create_user("canbo_snv", "agency_officer", full_name="Cán bộ đầu mối SNV", password="mat-khau-snv")
        create_user("thamdinh_snv", "appraiser", full_name="Thành viên Hội đồng", password="mat-khau-hd")
        assign_member("canbo_snv", agency_code="SNV")
        assign_member("thamdinh_snv", council_org="SNV")
        agency = get_agency("SNV")
        for code in leaves("department"):
            if code != "1.2":
                self_assess(survey_round, agency, code, 0, "", officer)


def _sign_in(browser, url, username, password):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url + "/app/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sign-in button[type=submit]")
    return context, page


def test_an_officer_self_assesses_with_evidence_and_an_appraiser_appraises(live_server, db, browser, screenshot):
    from playwright.sync_api import expect

    from server.appraisal.models import CouncilAppraisal, EvidenceFile

    _prepare()
    # pyHanko signs with asyncio.run, which cannot run in Playwright's thread (it has its own event loop)
    with ThreadPoolExecutor(1) as pool:
        pdf = pool.submit(signed_pdf, make_pki().signer).result()
    url = live_server.url
    context, page = _sign_in(browser, url, "canbo_snv", "mat-khau-snv")
    card = page.locator("section.criterion[data-code='1.2']")
    expect(card).to_be_visible(timeout=15000)
    expect(page.locator("h2.page-title")).to_have_text("Tự đánh giá chỉ số CCHC — Sở Nội vụ")
    page.select_option("[id='v-1.2']", "2")
    page.fill("[id='e-1.2']", "Đã gửi đủ 4 báo cáo quý đúng hạn.")
    card.locator("button.save").click()
    expect(page.locator("#status")).to_have_text("Đã lưu 1.2: 2 điểm.")
    page.set_input_files(
        "[id='f-1.2']",
        files=[{"name": "Báo cáo quý.pdf", "mimeType": "application/pdf", "buffer": pdf}],
    )
    page.locator("section.criterion[data-code='1.2'] button.upload").click()
    expect(page.locator("section.criterion[data-code='1.2'] .evidence li")).to_contain_text(
        "Chữ ký không thuộc tổ chức chứng thực được tin cậy"
    )
    screenshot(page, "appraisal-officer-1280")
    page.click("#submit-self")
    expect(page.locator("#submission")).to_contain_text("Đã gửi tự đánh giá")
    context.close()

    context, page = _sign_in(browser, url, "thamdinh_snv", "mat-khau-hd")
    card = page.locator("section.criterion[data-agency='SNV'][data-code='1.2']")
    expect(card).to_be_visible(timeout=15000)
    expect(card).to_contain_text("Tự chấm: 2 điểm")
    expect(card).to_contain_text("Đã gửi đủ 4 báo cáo quý đúng hạn.")
    expect(card.locator(".evidence a")).to_have_text("Báo cáo quý.pdf")
    assert page.locator("section.criterion[data-code='1.5']").count() == 0  # Science and Technology's
    page.select_option("[id='v-SNV-1.2']", "1")
    page.fill("[id='c-SNV-1.2']", "Thiếu báo cáo quý IV.")
    card.locator("button.appraise").click()
    expect(card.locator(".appraised")).to_have_text("Điểm thẩm định: 1 điểm — Chênh lệch so với tự chấm: -1")
    screenshot(page, "appraisal-appraiser-1280")
    context.close()

    db.session.rollback()
    review = db.session.scalar(select(CouncilAppraisal))
    assert (review.points, review.comment) == (1, "Thiếu báo cáo quý IV.")
    assert db.session.scalar(select(EvidenceFile.signature_status)) == "untrusted"
