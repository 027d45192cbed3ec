"""The criteria set: the 2022 structure imported from XLSX, per-row problems, copy with changes tracked."""

from __future__ import annotations

from tests.appraisal.conftest import upload
from tests.appraisal.criteria_2022 import AREAS, ROWS, criteria_xlsx, leaves


def test_the_2022_sheet_should_give_seven_areas_adding_up_to_90_with_the_survey_s_10_on_top(
    client, round_2022, supervisor
):
    rows = client.get("/api/v1/rounds/2022/criteria", headers=supervisor).get_json()
    areas = {r["code"]: r["max_points"] for r in rows if r["parent"] is None}
    assert areas == {"1": 14, "2": 10, "3": 19, "4": 8, "5": 13, "6": 6, "7": 20} == AREAS
    assert sum(areas.values()) == 90
    round_ = client.get("/api/v1/rounds/2022", headers=supervisor).get_json()
    assert round_["survey_max_points"] + sum(areas.values()) == 100
    by_code = {r["code"]: r for r in rows}
    assert by_code["1.1.2"]["parent"] == "1.1"
    assert by_code["1.1.1"]["rule"] == {"type": "levels", "levels": [0, 0.5, 1]}  # decimal commas read
    assert by_code["7.2"]["rule"] == {
        "type": "proportional",
        "figure": "Tỷ lệ hồ sơ trực tuyến toàn trình (%)",
        "full_at": 50,
    }
    assert by_code["1.6"]["rule"] == {"type": "penalty", "per_unit": 0.5, "floor": -2}
    assert by_code["2.3a"]["groups"] == ["department"]
    assert by_code["1.5"]["council_org"] == "SKHCN" and by_code["1"]["council_org"] == "SNV"
    assert by_code["1.1"]["rule"] is None
    assert {r["change"] for r in rows} == {"new"}  # nothing to compare with
    assert len(leaves("department")) == 25 and len(leaves("district")) == 25


def test_every_bad_row_should_be_reported_by_line_and_nothing_stored(client, round_2022, supervisor):
    rows = list(ROWS)
    rows[2] = (
        "1.1.1",
        "Ban hành kế hoạch kịp thời",
        1,
        "mức",
        "0; 0,5; 1,5",
        None,
        None,
        None,
        None,
        None,
        None,
    )  # line 4
    rows[4] = ("1.2", "Báo cáo", "hai", "mức", "0; 1; 2", None, None, None, None, None, None)  # line 6
    rows[8] = ("1.6", "Chậm báo cáo", 0, "điểm trừ", None, None, None, 0.5, 2, None, None)  # line 10: floor > 0
    rows.append(("9.1", "Mồ côi", 1, "mức", "0; 1", None, None, None, None, None, None))  # line 36: no area 9
    rows.append(("7.3", "Trùng mã", 6, "mức", "0; 6", None, None, None, None, None, None))  # line 37
    rows.append(("8", "Lĩnh vực lạ", 0, None, None, None, None, None, None, "tỉnh", "BCA"))  # line 38
    response = upload(client, "/api/v1/rounds/2022/criteria", supervisor, criteria_xlsx(rows), "sai.xlsx")
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid_criteria"
    assert [(e["line"], e["code"]) for e in body["errors"]] == [
        (6, "not_a_number"),
        (37, "duplicate_row"),
        (38, "unknown_group"),
        (38, "unknown_council"),
    ]
    # once the rows read, the tree is checked: the others come out then
    rows[4] = ("1.2", "Báo cáo", 2, "mức", "0; 1; 2", None, None, None, None, None, None)
    rows = rows[:-2]
    response = upload(client, "/api/v1/rounds/2022/criteria", supervisor, criteria_xlsx(rows), "sai.xlsx")
    assert [(e["line"], e["code"]) for e in response.get_json()["errors"]] == [
        (36, "missing_parent"),
        (4, "invalid_rule"),
        (10, "invalid_rule"),
    ]
    stored = client.get("/api/v1/rounds/2022/criteria", headers=supervisor).get_json()
    assert len(stored) == len(ROWS)  # the good set is still there


def test_a_maximum_that_does_not_add_up_should_be_refused(client, round_2022, supervisor):
    rows = [
        r if r[0] != "4.2" else ("4.2", "Biên chế", 3, "mức", "0; 3", None, None, None, None, None, None) for r in ROWS
    ]
    body = upload(client, "/api/v1/rounds/2022/criteria", supervisor, criteria_xlsx(rows), "x.xlsx").get_json()
    assert [(e["line"], e["code"]) for e in body["errors"]] == [(22, "maximum_mismatch")]
    assert body["errors"][0]["message"] == "4 has a maximum of 8 but its sub-criteria for department add up to 7."


def test_copying_last_year_s_set_should_track_what_changes(client, round_2022, supervisor, admin):
    method_version = client.get("/api/v1/rounds/2022", headers=supervisor).get_json()["method_version"]
    created = client.post(
        "/api/v1/rounds",
        json={
            "code": "2023",
            "year": 2023,
            "window_start": "2023-01-01",
            "window_end": "2023-11-30",
            "method_version": method_version,
            "participants": [{"agency_code": "SNV", "max_points": 100}],
        },
        headers=supervisor,
    )
    assert created.status_code == 201, created.get_json()
    copied = client.post("/api/v1/rounds/2023/criteria/copy", json={"from_round": "2022"}, headers=supervisor)
    assert copied.status_code == 200, copied.get_json()
    assert {r["change"] for r in copied.get_json()} == {"unchanged"}
    edited = client.patch(
        "/api/v1/rounds/2023/criteria/3.2",
        json={
            "title": "Một cửa, một cửa liên thông và dịch vụ bưu chính công ích",
            "rule": {"type": "levels", "levels": [0, 2, 4, 6]},
        },
        headers=supervisor,
    )
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["change"] == "changed"
    bad = client.patch("/api/v1/rounds/2023/criteria/3.2", json={"max_points": 5}, headers=supervisor)
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_criteria"
    changes = client.get("/api/v1/rounds/2023/criteria/changes", headers=supervisor).get_json()
    assert changes["compared_with"] == "2022" and changes["new"] == [] and changes["removed"] == []
    assert changes["changed"] == [
        {
            "code": "3.2",
            "before": {
                "title": "Thực hiện cơ chế một cửa, một cửa liên thông",
                "rule": {"type": "levels", "levels": [0, 3, 6]},
            },
            "after": {
                "title": "Một cửa, một cửa liên thông và dịch vụ bưu chính công ích",
                "rule": {"type": "levels", "levels": [0, 2, 4, 6]},
            },
        }
    ]


def test_only_the_secretariat_should_import_criteria(client, round_2022, make_user):
    _, officer = make_user("officer_x", "agency_officer")
    response = upload(client, "/api/v1/rounds/2022/criteria", officer, criteria_xlsx(), "x.xlsx")
    assert response.status_code == 403
    assert client.get("/api/v1/rounds/2022/criteria", headers=officer).status_code == 200


def test_the_cli_should_import_and_show_the_set(app, demo, tmp_path):
    sheet = tmp_path / "bo_tieu_chi.xlsx"
    sheet.write_bytes(criteria_xlsx())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["criteria", "import", str(sheet), "--round", "2022"])
    assert result.exit_code == 0, result.output
    assert "imported 34 criteria (26 leaves) into round 2022" in result.output
    shown = runner.invoke(args=["criteria", "show", "--round", "2022", "--json"])
    assert '"Cải cách thủ tục hành chính"' in shown.output
