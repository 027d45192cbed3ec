"""Limits of the appraisal: who may see and do what, evidence that is not a PDF or too large, deadlines,
the one answer, the lock refused while criteria are unappraised, and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.config import ConfigError, load
from tests.appraisal.conftest import upload
from tests.appraisal.criteria_2022 import leaves
from tests.appraisal.pki import plain_pdf

BASE = "/api/v1/rounds/2022/agencies"


def past() -> str:
    return (datetime.now(UTC) - timedelta(hours=1)).isoformat()


def fill(client, officer, agency="SNV", value=0):
    for code in leaves("department"):
        answer = client.put(f"{BASE}/{agency}/self-assessment/{code}", json={"value": value}, headers=officer)
        assert answer.status_code == 200, answer.get_json()


def test_evidence_must_be_a_pdf_within_the_size_limit_and_nothing_is_stored_otherwise(
    app, client, council, trusted, monkeypatch
):
    officer = council["SNV"]
    client.put(f"{BASE}/SNV/self-assessment/1.2", json={"value": 2, "explanation": "Đủ"}, headers=officer)
    url = f"{BASE}/SNV/self-assessment/1.2/evidence"
    word = upload(client, url, officer, b"PK\x03\x04 a .docx file", "bao_cao.docx")
    assert word.status_code == 422 and word.get_json()["code"] == "invalid_evidence"
    monkeypatch.setitem(app.config, "APPRAISAL_EVIDENCE_MAX_BYTES", 100)
    big = upload(client, url, officer, plain_pdf(), "lon.pdf")
    assert big.status_code == 413 and big.get_json()["code"] == "payload_too_large"
    view = client.get(f"{BASE}/SNV/self-assessment", headers=officer).get_json()
    assert next(c for c in view["criteria"] if c["code"] == "1.2")["self"]["evidence"] == []
    assert not trusted.exists() or not any(trusted.rglob("*"))


def test_the_secretariat_should_list_the_council_members_page_by_page(client, council, supervisor):
    import json

    answer = client.get("/api/v1/appraisal/members", headers=supervisor)
    assert answer.status_code == 200
    members = answer.get_json()
    assert [(m["username"], m["council_org"]) for m in members[:6]] == [
        ("appraiser_skhcn", "SKHCN"),
        ("appraiser_snv", "SNV"),
        ("appraiser_stc", "STC"),
        ("appraiser_stp", "STP"),
        ("appraiser_stttt", "STTTT"),
        ("appraiser_vpubnd", "VPUBND"),
    ]
    assert members[5]["council_org_name"] == "Văn phòng UBND tỉnh" and members[5]["agency"] is None
    assert [(m["username"], m["agency"]["code"], m["role"]) for m in members[6:]] == [
        ("officer_snv", "SNV", "agency_officer"),
        ("officer_stc", "STC", "agency_officer"),
        ("officer_sxd", "SXD", "agency_officer"),
    ]
    page = client.get("/api/v1/appraisal/members?page=2&page_size=4", headers=supervisor)
    assert [m["username"] for m in page.get_json()] == [
        "appraiser_stttt",
        "appraiser_vpubnd",
        "officer_snv",
        "officer_stc",
    ]
    assert json.loads(page.headers["X-Pagination"])["total"] == 9
    assert client.get("/api/v1/appraisal/members?page=0", headers=supervisor).status_code == 422
    assert client.get("/api/v1/appraisal/members", headers=council["SNV"]).status_code == 403
    assert client.get("/api/v1/appraisal/members", headers=council["appraiser_SNV"]).status_code == 403


def test_who_may_see_an_agency_s_self_assessment(client, council, make_user, supervisor):
    _, enumerator = make_user("enum_a", "enumerator")
    _, loose_officer = make_user("officer_without_agency", "agency_officer")
    assert client.get(f"{BASE}/SNV/self-assessment", headers=council["SNV"]).status_code == 200
    assert client.get(f"{BASE}/SNV/self-assessment", headers=council["appraiser_STP"]).status_code == 200
    assert client.get(f"{BASE}/SNV/self-assessment", headers=supervisor).status_code == 200
    assert client.get(f"{BASE}/SNV/self-assessment", headers=council["STC"]).status_code == 403
    assert client.get(f"{BASE}/SNV/self-assessment", headers=loose_officer).status_code == 403
    assert client.get(f"{BASE}/SNV/self-assessment", headers=enumerator).status_code == 403
    other = client.put(f"{BASE}/SNV/self-assessment/1.2", json={"value": 2}, headers=council["STC"])
    assert other.status_code == 403


def test_a_value_outside_the_rule_or_a_leaf_of_another_group_should_be_refused(client, council):
    officer = council["SNV"]
    level = client.put(f"{BASE}/SNV/self-assessment/1.2", json={"value": 1.5}, headers=officer)
    assert level.status_code == 422 and level.get_json()["code"] == "invalid_request"
    district = client.put(f"{BASE}/SNV/self-assessment/2.3b", json={"value": 3}, headers=officer)
    assert district.status_code == 422
    branch = client.put(f"{BASE}/SNV/self-assessment/1.1", json={"value": 3}, headers=officer)
    assert branch.status_code == 404
    text = client.put(f"{BASE}/SNV/self-assessment/1.2", json={"value": "hai"}, headers=officer)
    assert text.status_code == 422
    view = client.get(f"{BASE}/SNV/self-assessment", headers=officer).get_json()
    assert all(c["self"] is None for c in view["criteria"])


def test_an_incomplete_self_assessment_cannot_be_submitted(client, council):
    client.put(f"{BASE}/SNV/self-assessment/1.2", json={"value": 2}, headers=council["SNV"])
    answer = client.post(f"{BASE}/SNV/submit", headers=council["SNV"])
    assert answer.status_code == 409 and len(answer.get_json()["errors"]["criteria"]) == 24


def test_deadlines_should_close_each_stage(client, council, supervisor):
    fill(client, council["SNV"])
    assert client.post(f"{BASE}/SNV/submit", headers=council["SNV"]).status_code == 200
    client.put(
        f"{BASE}/SNV/appraisal/1.2", json={"value": 1, "comment": "Thiếu báo cáo quý"}, headers=council["appraiser_SNV"]
    )
    client.put(f"{BASE}/SNV/appraisal/4.1", json={"value": 2}, headers=council["appraiser_SNV"])
    calendar = {"self_assessment_until": past(), "appraisal_until": past(), "answer_until": None}
    assert client.put("/api/v1/rounds/2022/appraisal-calendar", json=calendar, headers=supervisor).status_code == 200
    closed = client.put(f"{BASE}/STC/self-assessment/1.2", json={"value": 2}, headers=council["STC"])
    assert closed.status_code == 409 and closed.get_json()["code"] == "deadline_passed"
    late = client.put(f"{BASE}/SNV/appraisal/1.2", json={"value": 2}, headers=council["appraiser_SNV"])
    assert late.get_json()["code"] == "deadline_passed"
    # an answered leaf may still be re-appraised until the lock
    answer = {"answer": "Đã nộp báo cáo quý IV ngày 15/12."}
    assert client.post(f"{BASE}/SNV/appraisal/1.2/answer", json=answer, headers=council["SNV"]).status_code == 200
    assert (
        client.put(f"{BASE}/SNV/appraisal/1.2", json={"value": 2}, headers=council["appraiser_SNV"]).status_code == 200
    )
    assert (
        client.put(f"{BASE}/SNV/appraisal/4.1", json={"value": 4}, headers=council["appraiser_SNV"]).status_code == 409
    )
    calendar["answer_until"] = past()
    client.put("/api/v1/rounds/2022/appraisal-calendar", json=calendar, headers=supervisor)
    closed = client.post(f"{BASE}/SNV/appraisal/4.1/answer", json=answer, headers=council["SNV"])
    assert closed.get_json()["code"] == "deadline_passed"


def test_the_lock_should_wait_for_every_criterion_and_work_from_the_cli(app, client, council, supervisor):
    fill(client, council["SNV"], value=0)
    client.post(f"{BASE}/SNV/submit", headers=council["SNV"])
    refused = client.post("/api/v1/rounds/2022/appraisal/lock", headers=supervisor)
    assert refused.status_code == 409 and len(refused.get_json()["errors"]["criteria"]) == 25
    from tests.appraisal.test_cycle import council_org

    for code in leaves("department"):
        headers = council[f"appraiser_{council_org(code)}"]
        assert client.put(f"{BASE}/SNV/appraisal/{code}", json={"value": 0}, headers=headers).status_code == 200
    runner = app.test_cli_runner()
    result = runner.invoke(args=["council", "lock", "--round", "2022", "--by", "test_supervisor"])
    assert result.exit_code == 0, result.output
    assert "SNV\t0.00" in result.output and "1 agencies" in result.output
    again = runner.invoke(args=["council", "lock", "--round", "2022"])
    assert again.exit_code != 0 and "state_conflict" in again.output


def test_an_unreadable_trust_root_setting_should_stop_start_up(tmp_path):
    with pytest.raises(ConfigError, match="APPRAISAL_TRUST_ROOTS"):
        load({"PARSURVEY_APPRAISAL_TRUST_ROOTS": str(tmp_path / "missing.pem"), "PARSURVEY_AUDIT_KEY": "5a" * 32})
