"""A whole appraisal cycle for three departments through the API: self-assessment with signed, unsigned,
foreign-signed and tampered evidence, submission, appraisal by each council organisation, one answer and
a re-appraisal, the lock; the points equal a table computed by hand, and a score run on the locked points
gives the PAR index that the same points imported as a CSV give."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.appraisal.conftest import upload
from tests.appraisal.criteria_2022 import ROWS, leaves
from tests.appraisal.pki import plain_pdf, signed_pdf, tampered
from tests.results.conftest import csv_bytes, scored_answers, sync, token

RULES = {r[0]: r for r in ROWS}


def full_value(code: str) -> float:
    """The value that earns a leaf's maximum: the top level, the full figure, no penalty case."""
    row = RULES[code]
    if row[3] == "mức":
        return float(row[4].split(";")[-1].replace(",", "."))
    if row[3] == "tỷ lệ":
        return float(row[6])
    return 0.0


# Values entered (level, figure or number of penalty cases); every other leaf at its full value.
SELF = {"SNV": {}, "STC": {"5.1": 2.5}, "SXD": {"7.3": 4}}
APPRAISED = {
    # 1.1.2: 2 × 80/100 = 1.6; 1.6: 3 cases × 0.5 = -1.5; 3.3: 6 × 90/100 = 5.4; 7.2: 8 × 40/50 = 6.4
    "SNV": {"1.1.2": 80, "1.6": 3, "3.3": 90, "7.2": 40},
    # 5.1 level 2.5; 2.1 level 2; 1.6: 5 × 0.5 = 2.5, floored at -2; 3.5: 2 × 0.25 = -0.5;
    # 6.2: 3 × 50/100 = 1.5, then 3 after the agency's answer (re-appraised at 100)
    "STC": {"5.1": 2.5, "2.1": 2, "1.6": 5, "3.5": 2, "6.2": 50},
    # 7.3 level 2; 4.2 level 0; 1.3: 3 × 15/30 = 1.5; 3.5: 10 × 0.25 = 2.5, floored at -1
    "SXD": {"7.3": 2, "4.2": 0, "1.3": 15, "3.5": 10},
}
# Hand-computed appraised points per area (maxima 14/10/19/8/13/6/20) and self-assessed totals.
EXPECTED_AREAS = {
    "SNV": [14 - 0.4 - 1.5, 10, 19 - 0.6, 8, 13, 6, 20 - 1.6],  # 12.1, 10, 18.4, 8, 13, 6, 18.4
    "STC": [14 - 2, 10 - 2, 19 - 0.5, 8, 13 - 2.5, 6, 20],  # 12, 8, 18.5, 8, 10.5, 6, 20
    "SXD": [14 - 1.5, 10, 19 - 1, 8 - 4, 13, 6, 20 - 4],  # 12.5, 10, 18, 4, 13, 6, 16
}
EXPECTED_TOTAL = {"SNV": 85.9, "STC": 83.0, "SXD": 79.5}
EXPECTED_SELF = {"SNV": 90.0, "STC": 87.5, "SXD": 88.0}


@pytest.fixture(scope="module")
def pdfs(pki):
    good = signed_pdf(pki.signer)
    return {"good": good, "stranger": signed_pdf(pki.stranger), "tampered": tampered(good), "plain": plain_pdf()}


def council_org(code: str) -> str:
    own = RULES[code][10]
    if own:
        return own
    return RULES[code.split(".")[0]][10]


def test_a_full_cycle_should_give_the_hand_computed_points_and_the_same_par_index_as_a_csv_import(
    app, client, council, supervisor, trusted, pdfs
):
    base = "/api/v1/rounds/2022/agencies"
    # 1. self-assessment, with evidence on 1.1.1 and 1.2
    for agency, overrides in SELF.items():
        officer = council[agency]
        for code in leaves("department"):
            value = overrides.get(code, full_value(code))
            body = {"value": value, "explanation": f"Giải trình {code} của {agency}"}
            answer = client.put(f"{base}/{agency}/self-assessment/{code}", json=body, headers=officer)
            assert answer.status_code == 200, (code, answer.get_json())
    evidence = {
        ("SNV", "1.1.1"): ("good", "valid"),
        ("SNV", "1.2"): ("plain", "unsigned"),
        ("STC", "1.1.1"): ("stranger", "untrusted"),
        ("SXD", "1.1.1"): ("tampered", "invalid"),
    }
    for (agency, code), (kind, status) in evidence.items():
        answer = upload(
            client,
            f"{base}/{agency}/self-assessment/{code}/evidence",
            council[agency],
            pdfs[kind],
            f"Kế hoạch {kind}.pdf",
        )
        assert answer.status_code == 201, answer.get_json()
        assert answer.get_json()["signature_status"] == status
    stored = answer.get_json()
    assert stored["filename"] == "Kế hoạch tampered.pdf" and len(stored["sha256"]) == 64

    # 2. an officer sees only their own agency; the others are refused; submission
    assert client.get(f"{base}/STC/self-assessment", headers=council["SNV"]).status_code == 403
    assert client.get(f"/api/v1/rounds/2022/evidence/{stored['id']}", headers=council["SNV"]).status_code == 403
    download = client.get(f"/api/v1/rounds/2022/evidence/{stored['id']}", headers=council["appraiser_SNV"])
    assert download.status_code == 200 and download.data == pdfs["tampered"]
    for agency in SELF:
        assert client.post(f"{base}/{agency}/submit", headers=council[agency]).status_code == 200
    late = client.put(f"{base}/SNV/self-assessment/1.2", json={"value": 1}, headers=council["SNV"])
    assert late.status_code == 409 and late.get_json()["code"] == "state_conflict"

    # 3. the appraisers' area view shows self points and evidence with its signature status
    desk = client.get("/api/v1/rounds/2022/areas/1/appraisal", headers=council["appraiser_SNV"]).get_json()
    assert [a["code"] for a in desk["agencies"]] == ["SNV", "STC", "SXD"]
    snv = {c["code"]: c for c in desk["agencies"][0]["criteria"]}
    assert "1.5" not in snv  # appraised by Science and Technology, not Home Affairs
    assert [e["signature_status"] for e in snv["1.1.1"]["self"]["evidence"]] == ["valid"]
    assert "Nguyễn Văn An" in snv["1.1.1"]["self"]["evidence"][0]["signer"]
    assert snv["1.1.1"]["self"]["evidence_signed"] is True and snv["1.2"]["self"]["evidence_signed"] is False
    assert snv["1.1.1"]["self"]["explanation"] == "Giải trình 1.1.1 của SNV"

    # 4. appraisal: each leaf by its organisation's appraiser; another organisation is refused
    wrong = client.put(f"{base}/SNV/appraisal/2.1", json={"value": 4}, headers=council["appraiser_SNV"])
    assert wrong.status_code == 403
    for agency in SELF:
        for code in leaves("department"):
            value = APPRAISED[agency].get(code, SELF[agency].get(code, full_value(code)))
            headers = council[f"appraiser_{council_org(code)}"]
            answer = client.put(
                f"{base}/{agency}/appraisal/{code}", json={"value": value, "comment": "Đạt"}, headers=headers
            )
            assert answer.status_code == 200, (agency, code, answer.get_json())

    # 5. STC answers once (giải trình bổ sung) and 6.2 is re-appraised; a second answer is refused
    text = {"answer": "Bổ sung báo cáo giải ngân đạt 100% (kèm văn bản số 12/STC)."}
    assert client.post(f"{base}/STC/appraisal/6.2/answer", json=text, headers=council["STC"]).status_code == 200
    again = client.post(f"{base}/STC/appraisal/6.2/answer", json=text, headers=council["STC"])
    assert again.status_code == 409
    revised = client.put(f"{base}/STC/appraisal/6.2", json={"value": 100}, headers=council["appraiser_STC"])
    assert revised.get_json()["points"] == 3

    # 6. progress before the lock
    progress = client.get("/api/v1/rounds/2022/appraisal/progress", headers=supervisor).get_json()
    assert progress["submitted"] == 3
    assert {o["council_org"]: (o["due"], o["appraised"]) for o in progress["organisations"]}["SKHCN"] == (6, 6)
    differences = {(d["agency"], d["area"]): round(d["difference"], 6) for d in progress["differences"]}
    assert differences[("STC", "2")] == -2 and differences[("SXD", "7")] == -2 and ("STC", "5") not in differences

    # 7. the lock; the points equal the hand-computed table
    locked = client.post("/api/v1/rounds/2022/appraisal/lock", headers=supervisor)
    assert locked.status_code == 200, locked.get_json()
    points = client.get("/api/v1/rounds/2022/appraisal/points", headers=supervisor).get_json()
    for agency, areas in EXPECTED_AREAS.items():
        assert [a["appraised"] for a in points[agency]["areas"]] == pytest.approx(areas)
        assert points[agency]["appraised"] == pytest.approx(EXPECTED_TOTAL[agency])
        assert points[agency]["self"] == pytest.approx(EXPECTED_SELF[agency])
    after = client.put(f"{base}/SNV/appraisal/1.2", json={"value": 0}, headers=council["appraiser_SNV"])
    assert after.status_code == 409

    # every change is in the audit log
    from server.audit import AuditEntry
    from server.extensions import db

    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "appraisal")))
    assert actions.count("self_assess") == 3 * 25 and actions.count("appraise") == 3 * 25 + 1
    assert actions.count("evidence_add") == 4 and actions.count("answer") == 1 and actions.count("lock") == 1

    # 8. the locked points are the round's appraisal points; a score run on them equals one on a CSV import
    enumerator = token(client, "enumerator1")
    for agency, level in (("SNV", 5), ("STC", 4), ("SXD", 5)):
        sync(client, enumerator, scored_answers(agency, level), scored_answers(agency, 3), agency=agency)
    stored = client.get("/api/v1/rounds/2022/appraisal", headers=supervisor).get_json()
    assert {a["agency_code"]: a["appraisal_points"] for a in stored["agencies"]} == pytest.approx(EXPECTED_TOTAL)
    from_lock = client.post("/api/v1/rounds/2022/score-runs", json={}, headers=supervisor).get_json()
    names = [a["name"] for a in stored["areas"]]
    csv = csv_bytes(
        ["agency", *names],
        [["max_points", 14, 10, 19, 8, 13, 6, 20]] + [[agency, *areas] for agency, areas in EXPECTED_AREAS.items()],
    )
    imported = upload(client, "/api/v1/rounds/2022/appraisal", supervisor, csv, "appraisal.csv")
    assert imported.status_code == 200, imported.get_json()
    from_csv = client.post("/api/v1/rounds/2022/score-runs", json={}, headers=supervisor).get_json()
    par_lock, par_csv = from_lock["results"]["par"]["agencies"], from_csv["results"]["par"]["agencies"]
    assert [a["agency"] for a in par_lock] and par_lock == par_csv
    assert {a["agency"]: a["appraisal_points"] for a in par_lock} == pytest.approx(EXPECTED_TOTAL)
    assert from_lock["results"]["areas"] == from_csv["results"]["areas"]
