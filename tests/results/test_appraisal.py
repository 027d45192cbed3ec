"""Appraisal points: imported from CSV or XLSX, checked against each agency's maximum, all or nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.results.conftest import csv_bytes, token, upload_appraisal


def stored(client, headers, round_code="2022"):
    return client.get(f"/api/v1/rounds/{round_code}/appraisal", headers=headers).get_json()["agencies"]


def test_a_csv_upload_should_store_each_agencys_points(client, supervisor1):
    data = csv_bytes(["agency", "appraisal_points"], [["SNV", "86,00"], ["Thanh tra tỉnh", "56.25"]])
    response = upload_appraisal(client, supervisor1, data)
    assert response.status_code == 200, response.get_json()
    points = {a["agency_code"]: a["appraisal_points"] for a in stored(client, supervisor1)}
    assert points == {"SNV": 86.0, "TTRA": 56.25}  # by code, and by name with a decimal comma


def test_a_new_import_should_replace_the_previous_one(client, supervisor1):
    upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNV", "80"], ["STC", "81"]]))
    upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNV", "82"]]))
    assert [(a["agency_code"], a["appraisal_points"]) for a in stored(client, supervisor1)] == [("SNV", 82.0)]


def test_every_bad_row_should_be_reported_by_line_and_nothing_stored(client, supervisor1):
    upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNV", "70"]]))
    data = csv_bytes(
        ["agency", "appraisal_points"],
        [
            ["STC", "85.75"],  # line 2: fine
            ["NO_SUCH", "80"],  # line 3: unknown agency
            ["SNV", "90.5"],  # line 4: surveyed, maximum 100 - 10 = 90
            ["TTRA", "60.25"],  # line 5: not surveyed, maximum 60
            ["STC", "80"],  # line 6: STC again
            ["SXD", "tám mươi"],  # line 7: not a number
        ],
    )
    response = upload_appraisal(client, supervisor1, data)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid_appraisal"
    assert [(e["line"], e["code"]) for e in body["errors"]] == [
        (3, "unknown_agency"),
        (4, "above_maximum"),
        (5, "above_maximum"),
        (6, "duplicate_row"),
        (7, "not_a_number"),
    ]
    assert "90" in body["errors"][1]["message"] and "60" in body["errors"][2]["message"]
    assert "line 2" in body["errors"][3]["message"]
    assert [(a["agency_code"], a["appraisal_points"]) for a in stored(client, supervisor1)] == [("SNV", 70.0)]


def test_an_agency_outside_the_round_should_be_refused(client, supervisor1):
    client.post(
        "/api/v1/agencies", json={"code": "SNGOAIVU", "name": "Sở Ngoại vụ", "group": "department"}, headers=supervisor1
    )
    response = upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNGOAIVU", "80"]]))
    assert [e["code"] for e in response.get_json()["errors"]] == ["not_in_round"]


def area_workbook(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["agency", "Chỉ đạo, điều hành", "Cải cách TTHC", "Điểm trừ"])
    sheet.append(["max_points", 14, 19, 0])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_with_content_areas_should_store_areas_and_their_sum_with_penalties(client, supervisor1):
    data = area_workbook([["SNV", 13.5, 18, -1.5], ["STC", 14, 17.25, None]])
    response = upload_appraisal(client, supervisor1, data, filename="thẩm định.xlsx")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["areas"] == [
        {"name": "Chỉ đạo, điều hành", "max_points": 14.0},
        {"name": "Cải cách TTHC", "max_points": 19.0},
        {"name": "Điểm trừ", "max_points": 0.0},
    ]
    points = {a["agency_code"]: (a["appraisal_points"], a["areas"]) for a in body["agencies"]}
    assert points["SNV"] == (30.0, {"Chỉ đạo, điều hành": 13.5, "Cải cách TTHC": 18.0, "Điểm trừ": -1.5})
    assert points["STC"][0] == 31.25


def test_area_points_above_the_area_maximum_should_name_row_and_area(client, supervisor1):
    response = upload_appraisal(client, supervisor1, area_workbook([["SNV", 14.5, 18, 0]]), filename="a.xlsx")
    errors = response.get_json()["errors"]
    assert [(e["line"], e["column"], e["code"]) for e in errors] == [(3, "Chỉ đạo, điều hành", "above_area_maximum")]


def test_satisfaction_points_for_an_agency_not_surveyed_should_be_refused(client, supervisor1):
    data = csv_bytes(["agency", "appraisal_points", "satisfaction_points"], [["TTRA", "50", "9"]])
    assert [e["code"] for e in upload_appraisal(client, supervisor1, data).get_json()["errors"]] == ["not_surveyed"]


def test_a_file_without_an_agency_column_should_say_so(client, supervisor1):
    response = upload_appraisal(client, supervisor1, csv_bytes(["code", "points"], [["SNV", "80"]]))
    assert response.status_code == 422 and response.get_json()["errors"][0]["code"] == "missing_column"


@pytest.mark.parametrize("username", ["enumerator1", "mttq1"])
def test_field_roles_should_not_import_or_read_appraisal_points(client, demo, username):
    headers = token(client, username)
    data = csv_bytes(["agency", "appraisal_points"], [["SNV", "80"]])
    assert upload_appraisal(client, headers, data).status_code == 403
    assert client.get("/api/v1/rounds/2022/appraisal", headers=headers).status_code == 403


def test_the_cli_should_import_appraisal_points_and_report_errors_with_their_code(app, demo, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(["agency", "appraisal_points"], [["SNV", "86"]]))
    result = app.test_cli_runner().invoke(
        args=["appraisal", "import", str(good), "--round", "2022", "--by", "supervisor"]
    )
    assert result.exit_code == 0 and "1 agencies" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(["agency", "appraisal_points"], [["SNV", "86"], ["SNV", "85"]]))
    result = app.test_cli_runner().invoke(args=["appraisal", "import", str(bad), "--round", "2022"])
    assert result.exit_code == 1 and "[invalid_appraisal]" in result.output and "duplicate_row" in result.output
