"""Small samples and incomplete answers in a score run: intervals that never collapse, the round's rule for
agencies below the minimum sample, factors nobody answered shown in the results, the band basis setting,
and the XLSX export's layout. Known answers worked out by hand in each test."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.results.conftest import csv_bytes, scored_answers, sync, upload_appraisal

Z2 = 1.959963984540054**2
ALL_FIVE = {f"c1_{i}": 5 for i in range(1, 5)}


def start(client, headers, **params):
    response = client.post("/api/v1/rounds/2022/score-runs", json=params, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def by_agency(rows):
    return {r["agency"]: r for r in rows}


def settings(client, headers, **changes):
    response = client.put("/api/v1/rounds/2022/scoring-settings", json=changes, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_one_ballot_should_get_an_interval_from_20_65_to_100_and_be_ranked_with_a_mark(
    client, supervisor1, enumerator1
):
    sync(client, enumerator1, scored_answers("SNV", 5, feedback=5))
    upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNV", "86"], ["TTRA", "56.25"]]))
    run = start(client, supervisor1)
    snv = by_agency(run["results"]["satisfaction"]["agencies"])["SNV"]
    # index 100 from 1 ballot: Wilson at p = 1, n = 1 -> [1 / (1 + z²), 1] = [20.65494, 100], not [100, 100]
    assert snv["index"] == 100.0 and snv["ballots"] == 1
    assert snv["ci_low"] == pytest.approx(100 / (1 + Z2)) and snv["ci_high"] == 100.0
    assert snv["ci_method"] == "wilson_ballots"
    # the default rule (rank_marked): ranked, and marked
    assert run["results"]["round"]["scoring_settings"] == {
        "below_min_sample": "rank_marked",
        "band_basis": "displayed",
        "min_ballots": 30,
    }
    par = by_agency(run["results"]["par"]["agencies"])
    assert (par["SNV"]["rank"], par["SNV"]["below_min_sample"], par["SNV"]["ballots"]) == (1, True, 1)
    assert par["TTRA"]["below_min_sample"] is False and par["TTRA"]["ballots"] is None  # not surveyed
    view = client.get(f"/api/v1/score-runs/{run['id']}/ranking", headers=supervisor1).get_json()
    row = next(r for g in view["groups"] for r in g["rows"] if r["code"] == "SNV")
    assert row["below_min_sample"] is True and "Dưới cỡ mẫu tối thiểu (1 phiếu)" in row["note"]

    # the round's rule changed to not_ranked: listed apart with the reason, the others ranked without it
    assert settings(client, supervisor1, below_min_sample="not_ranked")["below_min_sample"] == "not_ranked"
    run = start(client, supervisor1)
    assert {"agency": "SNV", "reason": "below_min_sample", "ballots": 1} in run["results"]["not_ranked"]
    assert [(a["agency"], a["rank"]) for a in run["results"]["par"]["agencies"]] == [("TTRA", 1)]
    body = client.get(f"/api/v1/score-runs/{run['id']}/export.csv", headers=supervisor1).data.decode("utf-8-sig")
    snv_row = next(r for r in csv.DictReader(io.StringIO(body)) if r["Mã"] == "SNV")
    assert snv_row["Xếp hạng"] == "" and "Không xếp hạng: dưới cỡ mẫu tối thiểu" in snv_row["Ghi chú"]
    # a smaller minimum sample set for the round: ranked again, unmarked
    settings(client, supervisor1, min_ballots=1)
    run = start(client, supervisor1)
    assert by_agency(run["results"]["par"]["agencies"])["SNV"]["below_min_sample"] is False


def test_three_identical_ballots_at_20_should_get_the_wilson_interval_2_46_to_71_23(client, supervisor1, enumerator1):
    # every ballot: factor 1 all satisfied (5), factors 2-5 all dissatisfied (2) -> index (100 + 0 * 4) / 5 = 20,
    # on every bootstrap resample too; Wilson at p = 0.2, n = 3: centre 0.3684491, half 0.3438235
    ballot = scored_answers("SNV", 2, overrides=ALL_FIVE, feedback=2)
    sync(client, enumerator1, ballot, ballot, ballot)
    upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNV", "80"]]))
    settings(client, supervisor1, min_ballots=3)  # enough for the bootstrap: it has no width, so Wilson is used
    snv = by_agency(start(client, supervisor1)["results"]["satisfaction"]["agencies"])["SNV"]
    assert snv["index"] == pytest.approx(20.0) and snv["ballots"] == 3
    assert snv["ci_low"] == pytest.approx(2.4625568, abs=1e-6) and snv["ci_high"] == pytest.approx(71.2272651, abs=1e-6)
    assert snv["ci_method"] == "wilson_ballots" and snv["below_min_sample"] is False


def test_a_factor_nobody_answered_should_be_shown_in_the_results_the_table_and_the_exports(
    client, supervisor1, enumerator1
):
    # nobody gave feedback: factor 5 has no answer, the index is the mean of factors 1-4 (all 100)
    sync(client, enumerator1, scored_answers("SNV", 5), scored_answers("SNV", 4))
    upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNV", "86"]]))
    run = start(client, supervisor1, bootstrap_resamples=0)
    sat = run["results"]["satisfaction"]
    snv = by_agency(sat["agencies"])["SNV"]
    assert snv["index"] == 100.0
    assert (snv["factors_without_answers"], snv["factors_scored"], snv["factors_total"]) == (["F5"], 4, 5)
    assert {"agency": "SNV", "factors_without_answers": ["F5"], "factors_scored": 4, "factors_total": 5} in sat[
        "incomplete"
    ]
    label = sat["factor_labels"]["F5"]
    view = client.get(f"/api/v1/score-runs/{run['id']}/ranking", headers=supervisor1).get_json()
    row = next(r for g in view["groups"] for r in g["rows"] if r["code"] == "SNV")
    assert row["factors_without_answers"] == ["F5"] and f"4/5 yếu tố (không có câu trả lời: {label})" in row["note"]
    body = client.get(f"/api/v1/score-runs/{run['id']}/export.csv", headers=supervisor1).data.decode("utf-8-sig")
    snv_row = next(r for r in csv.DictReader(io.StringIO(body)) if r["Mã"] == "SNV")
    assert snv_row["Yếu tố không có câu trả lời"] == label
    workbook = load_workbook(
        io.BytesIO(client.get(f"/api/v1/score-runs/{run['id']}/export.xlsx", headers=supervisor1).data)
    )
    sheet = workbook["Hài lòng"]
    header = [c.value for c in sheet[1]]
    snv_cells = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "SNV")
    assert snv_cells[header.index("Yếu tố không có câu trả lời")] == label
    assert snv_cells[header.index("Số yếu tố có trả lời")] == "4/5"


def test_the_band_basis_setting_should_decide_the_band_of_94_996_and_the_xlsx_keep_both_numbers(
    app, client, supervisor1
):
    # imported points: 85.996 + 9 = 94.996, shown 95.00: "Xuất sắc" on the displayed index, "Tốt" unrounded
    data = csv_bytes(
        ["agency", "appraisal_points", "satisfaction_points"], [["SNV", "85.996", "9"], ["STC", "80", "9.5"]]
    )
    assert upload_appraisal(client, supervisor1, data).status_code == 200
    run = start(client, supervisor1)
    snv = by_agency(run["results"]["par"]["agencies"])["SNV"]
    assert (snv["index_displayed"], snv["band"]) == (95.0, "excellent")
    assert run["results"]["par"]["rounding"]["band_basis"] == "displayed"
    result = app.test_cli_runner().invoke(
        args=["scoring-settings", "--round", "2022", "--band-basis", "unrounded", "--by", "supervisor"]
    )
    assert result.exit_code == 0 and "band_basis\tunrounded" in result.output
    run = start(client, supervisor1)
    snv = by_agency(run["results"]["par"]["agencies"])["SNV"]
    assert snv["band"] == "good" and snv["index_displayed"] == pytest.approx(94.996)
    assert run["results"]["par"]["rounding"]["band_basis"] == "unrounded"

    workbook = load_workbook(
        io.BytesIO(client.get(f"/api/v1/score-runs/{run['id']}/export.xlsx", headers=supervisor1).data)
    )
    for sheet in workbook.worksheets:  # every sheet's headers are unique
        header = [c.value for c in sheet[1]]
        assert len(header) == len(set(header)), (sheet.title, header)
    departments = workbook["Sở, ban, ngành"]
    codes = [r[1] for r in departments.iter_rows(min_row=2, values_only=True)]
    assert set(codes) >= {"SNV", "STC"} and None not in codes  # the ranked table only: no summary rows below it
    summary = workbook["Tổng hợp nhóm"]
    header = [c.value for c in summary[1]]
    (row,) = [r for r in summary.iter_rows(min_row=2, values_only=True) if r[0] == "Sở, ban, ngành"]
    # mean of 94.996 and 89.5 = 92.248 -> 92.25; one "Tốt" each
    assert row[header.index("Trung bình")] == 92.25 and row[header.index("Số đơn vị xếp loại Tốt")] == 2
    assert row[header.index("Khoảng cách cao nhất - thấp nhất")] == 5.5
    names = workbook.sheetnames
    assert names.index("Dữ liệu chưa làm tròn") == names.index("Tổng hợp nhóm") + 1
    raw = workbook["Dữ liệu chưa làm tròn"]
    header = [c.value for c in raw[1]]
    snv_raw = next(r for r in raw.iter_rows(min_row=2, values_only=True) if r[0] == "SNV")
    assert snv_raw[header.index("Chỉ số (%) chưa làm tròn")] == pytest.approx(94.996)
    assert snv_raw[header.index("Xếp loại")] == "Tốt"
    ranked_header = [c.value for c in departments[1]]
    snv_shown = next(r for r in departments.iter_rows(min_row=2, values_only=True) if r[1] == "SNV")
    assert snv_shown[ranked_header.index("Chỉ số (%)")] == 95.0  # shown rounded, banded on 94.996
    info = {r[0]: r[1] for r in workbook["Thông tin"].iter_rows(min_row=2, values_only=True)}
    assert "chưa làm tròn" in info["Làm tròn"]


def test_scoring_settings_should_refuse_unknown_values_and_need_a_manager(client, supervisor1, enumerator1):
    response = client.put("/api/v1/rounds/2022/scoring-settings", json={"band_basis": "floor"}, headers=supervisor1)
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_request"
    assert client.get("/api/v1/rounds/2022/scoring-settings", headers=enumerator1).status_code == 403
    assert (
        client.get("/api/v1/rounds/2022/scoring-settings", headers=supervisor1).get_json()["band_basis"] == "displayed"
    )
