"""The annual report compares self-assessed and appraised points when the round's appraisal was done and
locked in parsurvey: the three-agency cycle of test_cycle (same values, hand-computed totals), a score
run, then the HTML, PDF (pypdf) and DOCX (python-docx) reports with the comparison in Vietnamese."""

from __future__ import annotations

import io
import re
import unicodedata

from tests.appraisal.criteria_2022 import leaves
from tests.appraisal.test_cycle import APPRAISED, SELF, council_org, full_value
from tests.results.conftest import scored_answers, sync, token

BASE = "/api/v1/rounds/2022/agencies"


def _cycle(client, council, supervisor) -> None:
    """Self-assess, submit, appraise (STC's 6.2 at its re-appraised 100) and lock, as test_cycle does."""
    for agency, overrides in SELF.items():
        for code in leaves("department"):
            body = {"value": overrides.get(code, full_value(code)), "explanation": "Giải trình"}
            answer = client.put(f"{BASE}/{agency}/self-assessment/{code}", json=body, headers=council[agency])
            assert answer.status_code == 200, answer.get_json()
        assert client.post(f"{BASE}/{agency}/submit", headers=council[agency]).status_code == 200
    appraised = {**APPRAISED, "STC": {**APPRAISED["STC"], "6.2": 100}}
    for agency in SELF:
        for code in leaves("department"):
            value = appraised[agency].get(code, SELF[agency].get(code, full_value(code)))
            headers = council[f"appraiser_{council_org(code)}"]
            answer = client.put(f"{BASE}/{agency}/appraisal/{code}", json={"value": value}, headers=headers)
            assert answer.status_code == 200, answer.get_json()
    locked = client.post("/api/v1/rounds/2022/appraisal/lock", headers=supervisor)
    assert locked.status_code == 200, locked.get_json()


def _run(client, supervisor) -> dict:
    enumerator = token(client, "enumerator1")
    for agency, level in (("SNV", 5), ("STC", 4), ("SXD", 5)):
        sync(client, enumerator, scored_answers(agency, level), scored_answers(agency, 3), agency=agency)
    run = client.post("/api/v1/rounds/2022/score-runs", json={}, headers=supervisor)
    assert run.status_code in (200, 201), run.get_json()
    return run.get_json()


def test_a_run_on_a_locked_appraisal_should_carry_the_comparison_and_every_report_show_it(client, council, supervisor):
    _cycle(client, council, supervisor)
    run = _run(client, supervisor)
    stored = run["results"]["appraisal_comparison"]
    totals = {a["agency"]: (round(a["self"], 6), round(a["appraised"], 6)) for a in stored["agencies"]}
    assert totals == {"SNV": (90, 85.9), "STC": (87.5, 83), "SXD": (88, 79.5)}
    names = {a["agency"]: a["name"] for a in stored["agencies"]}

    # Per area (hand-computed, test_cycle's EXPECTED_AREAS): mean self-assessed, mean appraised, difference,
    # agencies whose two differ. Area 5: STC self-assessed 10.5 and was appraised 10.5.
    areas = [
        ("1. Công tác chỉ đạo, điều hành cải cách hành chính", "14,00", "12,20", "-1,80", "3"),
        ("2. Cải cách thể chế", "10,00", "9,33", "-0,67", "1"),
        ("3. Cải cách thủ tục hành chính", "19,00", "18,30", "-0,70", "3"),
        ("4. Cải cách tổ chức bộ máy", "8,00", "6,67", "-1,33", "1"),
        ("5. Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức", "12,17", "12,17", "0,00", "0"),
        ("6. Cải cách tài chính công", "6,00", "6,00", "0,00", "0"),
        ("7. Xây dựng và phát triển Chính quyền điện tử, Chính quyền số", "19,33", "18,13", "-1,20", "2"),
    ]
    agencies = [
        (names["SNV"], "90,00", "85,90", "-4,10"),
        (names["STC"], "87,50", "83,00", "-4,50"),
        (names["SXD"], "88,00", "79,50", "-8,50"),
    ]
    sentence = (
        "Qua thẩm định, 3/3 đơn vị có điểm thẩm định thấp hơn điểm tự đánh giá, 0 đơn vị cao hơn và 0 đơn vị"
        f" bằng điểm tự đánh giá; chênh lệch lớn nhất là {names['SXD']} (điểm thẩm định 79,50 thấp hơn điểm"
        " tự đánh giá 88,00, chênh lệch 8,50 điểm)."
    )

    html = client.get(f"/api/v1/score-runs/{run['id']}/report.html", headers=supervisor)
    assert html.status_code == 200
    page = html.data.decode("utf-8")
    assert unicodedata.is_normalized("NFC", page)
    assert "Điểm tự đánh giá và điểm thẩm định" in page and sentence in page
    rows = [
        tuple(" ".join(cell.split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S))
        for tr in re.findall(r"<tr>(.*?)</tr>", page, re.S)
    ]
    for row in agencies + areas:
        assert row in rows, row

    from pypdf import PdfReader

    pdf = client.get(f"/api/v1/score-runs/{run['id']}/report.pdf", headers=supervisor)
    assert pdf.status_code == 200
    words = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Điểm tự đánh giá và điểm thẩm định" in words
    assert "3/3 đơn vị có điểm thẩm định thấp hơn điểm tự đánh giá" in words
    for row in agencies:
        assert " ".join(row) in words, row

    from docx import Document

    docx = client.get(f"/api/v1/score-runs/{run['id']}/report.docx", headers=supervisor)
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.data))
    assert sentence in [p.text for p in document.paragraphs]
    rows = [tuple(c.text for c in r.cells) for t in document.tables for r in t.rows]
    for row in agencies + areas:
        assert row in rows, row


def test_a_run_without_an_appraisal_in_parsurvey_should_have_no_comparison(client, council, supervisor):
    run = _run(client, supervisor)
    assert "appraisal_comparison" not in run["results"]
    page = client.get(f"/api/v1/score-runs/{run['id']}/report.html", headers=supervisor).data.decode("utf-8")
    assert "Điểm tự đánh giá và điểm thẩm định" not in page
