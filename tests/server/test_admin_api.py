"""The API behind the admin console: rounds copied from last year, publishing only into a round, users,
devices and QR enrolment, agency and assignment imports, the re-check preview, bulk reviewer
assignment, the appraisal template and the report download. Every change also refuses the wrong roles."""

from __future__ import annotations

import io

import pytest

from tests.sample_ballots import batch, envelope


def login(client, username, password="demo-password"):
    answer = client.post("/api/v1/auth/tokens", json={"username": username, "password": password})
    assert answer.status_code == 201, answer.get_json()
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def upload(client, path, headers, name, text):
    data = {"file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post(path, data=data, headers=headers, content_type="multipart/form-data")


def test_a_round_copied_from_last_year_keeps_its_settings_and_moves_its_window(client, demo):
    supervisor = login(client, "supervisor")
    client.patch("/api/v1/rounds/2022/quality-settings", json={"min_interview_seconds": 300}, headers=supervisor)
    answer = client.post("/api/v1/rounds", json={"code": "2023", "year": 2023, "copy_from": "2022"}, headers=supervisor)
    assert answer.status_code == 201, answer.get_json()
    new, old = answer.get_json(), client.get("/api/v1/rounds/2022", headers=supervisor).get_json()
    assert new["window_start"] == old["window_start"].replace("2022", "2023")
    assert new["window_end"] == old["window_end"].replace("2022", "2023")
    assert (new["bands"], new["survey_max_points"], new["method_version"]) == (
        old["bands"],
        old["survey_max_points"],
        old["method_version"],
    )

    def key(p):
        return (p["agency_code"], p["max_points"], p["ballot_quota"], p["surveyed"])

    assert [key(p) for p in new["participants"]] == [key(p) for p in old["participants"]]
    settings = client.get("/api/v1/rounds/2023/quality-settings", headers=supervisor).get_json()
    assert settings["settings"]["min_interview_seconds"] == 300 and settings["defaults"]["min_interview_seconds"] == 120

    changed = client.patch(
        "/api/v1/rounds/2023", json={"title": "Năm 2023", "window_end": "2023-10-31"}, headers=supervisor
    )
    assert changed.status_code == 200 and changed.get_json()["title"] == "Năm 2023"
    backwards = client.patch("/api/v1/rounds/2023", json={"window_start": "2023-12-01"}, headers=supervisor)
    assert backwards.status_code == 422 and backwards.get_json()["code"] == "invalid_request"
    assert client.post("/api/v1/rounds/2023/close", headers=supervisor).status_code == 200
    closed = client.patch("/api/v1/rounds/2023", json={"title": "x"}, headers=supervisor)
    assert closed.status_code == 409 and closed.get_json()["code"] == "state_conflict"

    unknown = client.post(
        "/api/v1/rounds", json={"code": "2024", "year": 2024, "copy_from": "1999"}, headers=supervisor
    )
    assert unknown.status_code == 404
    incomplete = client.post("/api/v1/rounds", json={"code": "2024", "year": 2024}, headers=supervisor)
    assert incomplete.status_code == 422 and set(incomplete.get_json()["errors"]) == {
        "window_start",
        "window_end",
        "method_version",
    }
    enumerator = login(client, "enumerator1")
    refused = client.post(
        "/api/v1/rounds", json={"code": "2025", "year": 2025, "copy_from": "2022"}, headers=enumerator
    )
    assert refused.status_code == 403


def test_a_version_with_no_round_is_published_only_when_marked_for_testing(client, demo):
    from survey_forms import builtin_satisfaction_form

    admin = login(client, "admin")
    definition = builtin_satisfaction_form().to_dict()
    definition["version"] = "test.1"
    assert client.post("/api/v1/forms", json=definition, headers=admin).status_code == 201
    refused = client.post("/api/v1/forms/satisfaction/versions/test.1/publish", json={}, headers=admin)
    body = refused.get_json()
    assert refused.status_code == 422 and body["code"] == "form_without_round" and "round" in body["errors"]
    listed = client.get("/api/v1/forms", headers=admin).get_json()
    assert next(f for f in listed if f["version"] == "test.1")["state"] == "draft", "nothing changed"
    vietnamese = client.post(
        "/api/v1/forms/satisfaction/versions/test.1/publish", json={}, headers={**admin, "Accept-Language": "vi"}
    ).get_json()
    assert vietnamese["message"].startswith("Phiên bản phiếu hỏi không thuộc đợt khảo sát nào")
    testing = client.post(
        "/api/v1/forms/satisfaction/versions/test.1/publish", json={"for_testing": True}, headers=admin
    )
    assert testing.status_code == 200 and testing.get_json()["state"] == "published"


def test_an_admin_edits_resets_deactivates_and_sees_devices_with_their_last_sync(client, demo):
    admin = login(client, "admin")
    changed = client.patch(
        "/api/v1/users/mttq1",
        json={"organisation": "CCB", "home_agency": "SNV", "full_name": "Lê Văn Ba"},
        headers=admin,
    )
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["organisation"], changed.get_json()["home_agency"]) == ("CCB", "SNV")
    wrong = client.patch("/api/v1/users/enumerator1", json={"organisation": "MTTQ"}, headers=admin)
    assert wrong.status_code == 422 and "organisation" in wrong.get_json()["errors"]
    last_admin = client.patch("/api/v1/users/admin", json={"role": "supervisor"}, headers=admin)
    assert last_admin.status_code == 409
    reset = client.patch("/api/v1/users/enumerator2", json={"password": "mật-khẩu-mới-2023"}, headers=admin)
    assert reset.status_code == 200
    device = login(client, "enumerator2", "mật-khẩu-mới-2023")
    client.post("/api/v1/sync/batches", json=batch(envelope("SNV", "enumerator2")), headers=device)

    tokens = client.get("/api/v1/tokens?user=enumerator2", headers=admin).get_json()
    (token,) = tokens
    assert token["kind"] == "device" and token["last_sync_at"] is not None
    revoked = client.post(f"/api/v1/tokens/{token['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert client.get("/api/v1/me", headers=device).status_code == 401
    assert client.get("/api/v1/tokens?user=enumerator2", headers=admin).get_json() == []
    supervisor = login(client, "supervisor")
    assert client.get("/api/v1/tokens", headers=supervisor).status_code == 403
    assert client.patch("/api/v1/users/enumerator1", json={"full_name": "x"}, headers=supervisor).status_code == 403


def test_a_phone_signs_in_once_with_the_enrolment_code_of_the_qr_code(client, demo):
    admin = login(client, "admin")
    answer = client.post("/api/v1/users/enumerator1/enrolments", json={"label": "Máy 7"}, headers=admin)
    assert answer.status_code == 201, answer.get_json()
    enrolment = answer.get_json()
    assert enrolment["url"].endswith(f"/app/#enrol={enrolment['code']}")
    assert enrolment["qr_svg"].startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "path" in enrolment["qr_svg"]
    phone = client.application.test_client()
    signed = phone.post("/api/v1/auth/enrolments", json={"code": enrolment["code"]})
    assert signed.status_code == 201 and signed.get_json()["username"] == "enumerator1"
    assert phone.get("/api/v1/auth/session").get_json()["username"] == "enumerator1"
    again = client.application.test_client().post("/api/v1/auth/enrolments", json={"code": enrolment["code"]})
    assert again.status_code == 401 and again.get_json()["code"] == "invalid_enrolment"
    assert client.post("/api/v1/auth/enrolments", json={"code": "guessed"}).get_json()["code"] == "invalid_enrolment"


def test_an_agency_list_with_a_bad_row_stores_nothing_and_names_each_problem(client, demo):
    supervisor = login(client, "supervisor")
    bad = (
        "code,name,group,handles_procedures\n"
        "SMOI,Sở Mới,department,có\nSNV,Sở Nội vụ (mới),district,no\n,Không mã,galaxy,maybe\n"
    )
    answer = upload(client, "/api/v1/agencies/import", supervisor, "agencies.csv", bad)
    body = answer.get_json()
    assert answer.status_code == 422 and body["code"] == "invalid_import"
    assert {(e["line"], e["code"]) for e in body["errors"]} == {
        (4, "missing_value"),
        (4, "invalid_group"),
        (4, "invalid_value"),
    }
    codes = [a["code"] for a in client.get("/api/v1/agencies", headers=supervisor).get_json()]
    assert "SMOI" not in codes, "nothing stored"
    good = "Mã,Tên,Nhóm,Có TTHC\nSMOI,Sở Mới,Sở ban ngành,có\nSNV,Sở Nội vụ tỉnh,department,yes\n"
    answer = upload(client, "/api/v1/agencies/import", supervisor, "agencies.csv", good)
    assert answer.status_code == 200 and answer.get_json() == {"created": 1, "updated": 1, "rows": 2}
    assert client.get("/api/v1/agencies/SNV", headers=supervisor).get_json()["name"] == "Sở Nội vụ tỉnh"
    enumerator = login(client, "enumerator1")
    assert upload(client, "/api/v1/agencies/import", enumerator, "a.csv", good).status_code == 403


def test_assignments_are_imported_all_or_nothing_and_copied_from_last_round(client, demo):
    supervisor = login(client, "supervisor")
    bad = "username,agency,quota\nenumerator1,SNV,30\nsupervisor,STP,5\nenumerator2,NOPE,-1\n"
    answer = upload(client, "/api/v1/rounds/2022/assignments/import", supervisor, "a.csv", bad)
    assert answer.status_code == 422
    assert {(e["line"], e["code"]) for e in answer.get_json()["errors"]} == {
        (3, "invalid_value"),
        (4, "not_surveyed"),
        (4, "not_a_number"),
    }
    before = client.get("/api/v1/rounds/2022/assignments", headers=supervisor).get_json()
    answer = upload(
        client,
        "/api/v1/rounds/2022/assignments/import",
        supervisor,
        "a.csv",
        "username,agency,quota\nenumerator2,SNV,7\n",
    )
    assert answer.status_code == 200
    after = client.get("/api/v1/rounds/2022/assignments", headers=supervisor).get_json()
    assert {"username": "enumerator2", "agency_code": "SNV", "quota": 7} in after and len(after) >= len(before)
    client.post("/api/v1/rounds", json={"code": "2023", "year": 2023, "copy_from": "2022"}, headers=supervisor)
    copied = client.post("/api/v1/rounds/2023/assignments/copy", json={"from_round": "2022"}, headers=supervisor)
    assert copied.status_code == 200 and copied.get_json()["copied"] == len(after)
    mine = client.get("/api/v1/rounds/2023/assignments", headers=supervisor).get_json()
    assert sorted(map(str, mine)) == sorted(map(str, after))


def test_a_dry_run_previews_the_sample_per_agency_enumerator_and_organisation_then_reviewers_are_bulk_assigned(
    client, demo
):
    device = login(client, "enumerator1")
    client.post("/api/v1/sync/batches", json=batch(*[envelope("SNV") for _ in range(6)]), headers=device)
    supervisor = login(client, "supervisor")
    params = {"seed": 11, "rate": 0.5, "min_per_enumerator": 2}
    preview = client.post("/api/v1/rounds/2022/recheck-samples", json={**params, "dry_run": True}, headers=supervisor)
    preview = preview.get_json()
    assert preview["sample_id"] is None and preview["by_agency"] == {"SNV": preview["selected"]}
    assert preview["by_enumerator"] == {"enumerator1": preview["selected"]}
    assert sum(preview["by_organisation"].values()) == preview["selected"]
    assert client.get("/api/v1/rounds/2022/rechecks", headers=supervisor).get_json() == [], "a dry run stores nothing"
    drawn = client.post("/api/v1/rounds/2022/recheck-samples", json=params, headers=supervisor).get_json()
    assert drawn["by_organisation"] == preview["by_organisation"] and drawn["ballots"] == preview["ballots"]

    rechecks = client.get("/api/v1/rounds/2022/rechecks", headers=supervisor).get_json()
    mttq = [r["id"] for r in rechecks if r["organisation"] == "MTTQ"]
    if mttq:
        answer = client.post(
            "/api/v1/rounds/2022/rechecks/reviewer", json={"assignments": mttq, "username": "mttq1"}, headers=supervisor
        )
        assert answer.status_code == 200 and {r["reviewer"] for r in answer.get_json()} == {"mttq1"}
    ccb = [r["id"] for r in rechecks if r["organisation"] == "CCB"]
    mixed = client.post(
        "/api/v1/rounds/2022/rechecks/reviewer",
        json={"assignments": mttq + ccb, "username": "ccb1"},
        headers=supervisor,
    )
    assert mixed.status_code == 422 if mttq else mixed.status_code == 200


@pytest.mark.parametrize(
    "fmt, mimetype, magic", [("html", "text/html", b"<!doctype html"), ("pdf", "application/pdf", b"%PDF")]
)
def test_the_report_of_a_score_run_downloads_as_html_or_pdf(client, demo, fmt, mimetype, magic):
    supervisor = login(client, "supervisor")
    template = client.get("/api/v1/rounds/2022/appraisal/template.csv", headers=supervisor)
    lines = template.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "agency,name,group,appraisal_points" and len(lines) == 26
    filled = "\n".join([lines[0]] + [line + "55" for line in lines[1:]])  # below every maximum (60 or 90)
    answer = upload(client, "/api/v1/rounds/2022/appraisal", supervisor, "points.csv", filled)
    assert answer.status_code == 200, answer.get_json()
    run = client.post("/api/v1/rounds/2022/score-runs", json={}, headers=supervisor).get_json()
    report = client.get(f"/api/v1/score-runs/{run['id']}/report.{fmt}", headers=supervisor)
    assert report.status_code == 200 and report.mimetype == mimetype
    assert report.data[:20].lower().startswith(magic.lower())
    if fmt == "html":
        assert b'src="data:image/png;base64,' in report.data and "Chỉ số".encode() in report.data
    enumerator = login(client, "enumerator1")
    assert client.get(f"/api/v1/score-runs/{run['id']}/report.{fmt}", headers=enumerator).status_code == 403


def test_a_test_ballot_is_checked_against_a_draft_in_the_callers_language_and_never_stored(client, demo):
    from sqlalchemy import func, select

    from server.ballots.models import Ballot
    from server.extensions import db
    from tests.sample_ballots import answers

    admin = login(client, "admin")
    version = client.get("/api/v1/forms", headers=admin).get_json()[0]
    path = f"/api/v1/forms/{version['form_id']}/versions/{version['version']}/test-ballots"
    good = client.post(path, json={"answers": answers("SNV")}, headers=admin)
    assert good.status_code == 200 and good.get_json() == {"valid": True, "errors": []}
    wrong = answers("SNV")
    del wrong["sex"]
    bad = client.post(path, json={"answers": wrong}, headers={**admin, "Accept-Language": "vi"}).get_json()
    assert bad["valid"] is False
    assert {"path": "respondent/sex", "code": "missing_required", "message": "Câu này bắt buộc trả lời."} in bad[
        "errors"
    ]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    enumerator = login(client, "enumerator1")
    assert client.post(path, json={"answers": wrong}, headers=enumerator).status_code == 403
    missing = client.post("/api/v1/forms/nope/versions/1/test-ballots", json={"answers": {}}, headers=admin)
    assert missing.status_code == 404 and missing.get_json()["code"] == "unknown_form_version"


def test_an_agency_leaves_an_open_round_only_while_it_has_no_ballots_or_assignments(client, demo):
    supervisor = login(client, "supervisor")
    assert client.delete("/api/v1/rounds/2022/agencies/SNV", headers=supervisor).status_code == 409
    codes = [p["agency_code"] for p in client.get("/api/v1/rounds/2022", headers=supervisor).get_json()["participants"]]
    spare = "TTRA"  # not surveyed, so nobody is assigned to it
    assert client.delete(f"/api/v1/rounds/2022/agencies/{spare}", headers=supervisor).status_code == 204
    after = [p["agency_code"] for p in client.get("/api/v1/rounds/2022", headers=supervisor).get_json()["participants"]]
    assert spare not in after and len(after) == len(codes) - 1
    assert client.delete(f"/api/v1/rounds/2022/agencies/{spare}", headers=supervisor).status_code == 404
    enumerator = login(client, "enumerator1")
    assert client.delete("/api/v1/rounds/2022/agencies/STP", headers=enumerator).status_code == 403


ADMIN_ONLY = [
    ("patch", "/api/v1/users/enumerator2", {"full_name": "x"}),
    ("get", "/api/v1/tokens", None),
    ("post", "/api/v1/tokens/1/revoke", None),
    ("post", "/api/v1/users/enumerator2/enrolments", {}),
    ("post", "/api/v1/forms/satisfaction/versions/2022.1/publish", {"for_testing": True}),
]
MANAGERS_ONLY = [
    ("post", "/api/v1/rounds", {"code": "2023", "year": 2023, "copy_from": "2022"}),
    ("patch", "/api/v1/rounds/2022", {"title": "x"}),
    ("delete", "/api/v1/rounds/2022/agencies/TTRA", None),
    ("post", "/api/v1/rounds/2022/assignments/copy", {"from_round": "2022"}),
    ("get", "/api/v1/rounds/2022/quality-settings", None),
    ("post", "/api/v1/rounds/2022/rechecks/reviewer", {"assignments": [1], "username": "mttq1"}),
    ("get", "/api/v1/rounds/2022/appraisal/template.csv", None),
    ("get", "/api/v1/score-runs/1/report.html", None),
    ("post", "/api/v1/forms/satisfaction/versions/2022.1/test-ballots", {"answers": {}}),
]


@pytest.mark.parametrize("method, path, body", ADMIN_ONLY + MANAGERS_ONLY)
def test_the_console_endpoints_refuse_field_roles(client, demo, method, path, body):
    for username in ("enumerator1", "mttq1"):
        headers = login(client, username)
        answer = (
            getattr(client, method)(path, json=body, headers=headers)
            if body is not None
            else getattr(client, method)(path, headers=headers)
        )
        assert answer.status_code == 403 and answer.get_json()["code"] == "forbidden", (username, path)


@pytest.mark.parametrize("method, path, body", ADMIN_ONLY)
def test_the_admin_only_console_endpoints_refuse_supervisors(client, demo, method, path, body):
    headers = login(client, "supervisor")
    answer = getattr(client, method)(path, json=body, headers=headers)
    assert answer.status_code == 403 and answer.get_json()["code"] == "forbidden"
