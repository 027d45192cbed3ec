"""The parsurvey command line, through Flask's CLI runner against the test database."""

from __future__ import annotations

import json

from server.demo import DEMO_USERS


def invoke(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_demo_load_should_build_the_reference_province_once(app, db, client):
    first = invoke(app, "demo", "load")
    assert first.exit_code == 0, first.output
    assert "agencies: 25 added" in first.output
    second = invoke(app, "demo", "load")
    assert second.exit_code == 0 and "agencies: 0 added" in second.output and "already present" in second.output
    token = invoke(app, "tokens", "create", "supervisor").output.strip()
    headers = {"Authorization": f"Bearer {token}"}
    agencies = client.get("/api/v1/agencies", headers=headers).get_json()
    assert len(agencies) == 25
    assert sum(a["group"] == "department" for a in agencies) == 19
    assert {a["code"] for a in agencies if not a["handles_procedures"]} == {"VPUBND", "TTRA", "BQLDHNC"}
    round_2022 = client.get("/api/v1/rounds/2022", headers=headers).get_json()
    maxima = {p["agency_code"]: p["max_points"] for p in round_2022["participants"]}
    assert maxima["TTRA"] == 60 and maxima["SNV"] == 100
    assert {u[0] for u in DEMO_USERS} <= {
        line.split("\t")[0] for line in invoke(app, "users", "list").output.splitlines()
    }


def test_users_create_and_tokens_create_should_give_a_working_device_token(app, db, client):
    created = invoke(app, "users", "create", "mttq2", "--role", "reviewer", "--org", "MTTQ", "--full-name", "Phạm Đức")
    assert created.exit_code == 0 and "reviewer mttq2 (MTTQ)" in created.output
    token = invoke(app, "tokens", "create", "mttq2", "--label", "phone").output.strip()
    assert token.startswith("pst_")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()["organisation"] == "MTTQ"
    revoked = invoke(app, "tokens", "revoke", "mttq2")
    assert "revoked 1 token(s)" in revoked.output
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_users_deactivate_should_revoke_every_token_and_activate_should_undo_it(app, db, client):
    invoke(app, "users", "create", "enum_cli", "--role", "enumerator")
    token = invoke(app, "tokens", "create", "enum_cli").output.strip()
    deactivated = invoke(app, "users", "deactivate", "enum_cli")
    assert deactivated.exit_code == 0 and "deactivated enum_cli" in deactivated.output
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "enum_cli\tenumerator\t\tinactive" in invoke(app, "users", "list").output
    assert invoke(app, "tokens", "create", "enum_cli").exit_code == 1  # no new tokens while deactivated
    assert invoke(app, "users", "activate", "enum_cli").exit_code == 0
    assert invoke(app, "tokens", "create", "enum_cli").output.startswith("pst_")


def test_a_reviewer_without_organisation_should_fail_with_the_error_code(app, db):
    result = invoke(app, "users", "create", "rv", "--role", "reviewer")
    assert result.exit_code == 1 and "[invalid_request]" in result.output and "organisation" in result.output


def test_forms_import_publish_and_list(app, db, tmp_path):
    from survey_forms import builtin_satisfaction_form

    path = tmp_path / "form.json"
    form = builtin_satisfaction_form()
    path.write_text(json.dumps(form.to_dict(), ensure_ascii=False), encoding="utf-8")
    imported = invoke(app, "forms", "import", str(path))
    assert imported.exit_code == 0 and f"imported satisfaction {form.version} (draft)" in imported.output
    assert invoke(app, "forms", "publish", "satisfaction", form.version, "--for-testing").exit_code == 0
    listed = invoke(app, "forms", "list").output
    assert f"satisfaction\t{form.version}\tpublished" in listed and form.content_hash[:12] in listed
    again = invoke(app, "forms", "import", str(path))
    assert "unchanged" in again.output


def test_forms_import_should_reject_a_file_that_is_not_json(app, db, tmp_path):
    path = tmp_path / "form.json"
    path.write_text("{not json", encoding="utf-8")
    result = invoke(app, "forms", "import", str(path))
    assert result.exit_code == 1 and "[malformed_json]" in result.output
