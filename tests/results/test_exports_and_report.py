"""Exports (CSV, XLSX, JSON) and the annual report of a stored run."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from tests.results.conftest import csv_bytes, hanam_appraisal_csv, scored_answers, sync, upload_appraisal


def hanam_run(client, headers, **params) -> int:
    assert upload_appraisal(client, headers, hanam_appraisal_csv()).status_code == 200
    response = client.post("/api/v1/rounds/2022/score-runs", json=params, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_the_csv_export_should_be_utf8_with_bom_and_vietnamese_headers(client, supervisor1):
    run_id = hanam_run(client, supervisor1)
    response = client.get(f"/api/v1/score-runs/{run_id}/export.csv", headers=supervisor1)
    assert response.status_code == 200
    assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]  # the charset said once
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as "this is UTF-8"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    for header in (
        "Cơ quan, đơn vị",
        "Điểm thẩm định",
        "Điểm hài lòng",
        "Tổng điểm",
        "Chỉ số (%)",
        "Xếp hạng",
        "Xếp loại",
    ):
        assert header in rows[0]
    first = rows[0]
    # published: Sở Thông tin và Truyền thông 85.50 + 9.89 = 95.39, rank 1, Xuất sắc
    assert (first["Cơ quan, đơn vị"], first["Chỉ số (%)"], first["Xếp hạng"], first["Xếp loại"]) == (
        "Sở Thông tin và Truyền thông",
        "95.39",
        "1",
        "Xuất sắc",
    )
    thanh_tra = next(r for r in rows if r["Cơ quan, đơn vị"] == "Thanh tra tỉnh")
    assert thanh_tra["Điểm hài lòng"] == "" and thanh_tra["Chỉ số (%)"] == "93.75"  # 56.25 / 60
    assert any(r["Ghi chú"] == "Chưa có điểm thẩm định" for r in rows if r["Nhóm"] == "UBND cấp huyện")


def test_the_xlsx_export_should_open_with_a_sheet_per_group_and_the_details(client, supervisor1, enumerator1):
    sync(client, enumerator1, scored_answers("SNV", 5), scored_answers("SNV", 4, overrides={"c2_1": 1}))
    data = csv_bytes(["agency", "appraisal_points"], [["SNV", "86"], ["TTRA", "56.25"]])
    upload_appraisal(client, supervisor1, data)
    run_id = client.post(
        "/api/v1/rounds/2022/score-runs", json={"bootstrap_resamples": 0}, headers=supervisor1
    ).get_json()["id"]
    response = client.get(f"/api/v1/score-runs/{run_id}/export.xlsx", headers=supervisor1)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert {"Sở, ban, ngành", "UBND cấp huyện", "Hài lòng", "Yếu tố", "Tiêu chí", "Loại trừ", "Thông tin"} <= set(
        workbook.sheetnames
    )
    sheet = workbook["Sở, ban, ngành"]
    header = [c.value for c in sheet[1]]
    assert header[:9] == [
        "Xếp hạng",
        "Mã",
        "Cơ quan, đơn vị",
        "Điểm thẩm định",
        "Điểm hài lòng",
        "Tổng điểm",
        "Điểm tối đa",
        "Chỉ số (%)",
        "Xếp loại",
    ]
    first = [c.value for c in sheet[2]]
    # SNV: 2 ballots; c2_1 satisfied 1 of 2 -> F2 = (50 + 3 * 100) / 4 = 87.5, other factors 100 (F5 not asked):
    # index (100 + 87.5 + 100 + 100) / 4 = 96.875, points 9.6875 -> shown 9.69; PAR 86 + 9.6875 = 95.6875 -> 95.69
    assert first[:9] == [1, "SNV", "Sở Nội vụ", 86, 9.69, 95.69, 100, 95.69, "Xuất sắc"]
    criteria = list(workbook["Tiêu chí"].iter_rows(values_only=True))
    c2_1 = next(r for r in criteria if r[0] == "SNV" and r[4] == "c2_1")
    assert c2_1[6:10] == (2, 0, 1, 50)
    provenance = dict(workbook["Thông tin"].iter_rows(min_row=2, values_only=True))
    assert provenance["Số phiếu được tính"] == 2 and len(provenance["Mã băm đầu vào (sha256)"]) == 64


def test_the_json_export_should_hold_the_unrounded_results(client, supervisor1):
    run_id = hanam_run(client, supervisor1)
    document = json.loads(client.get(f"/api/v1/score-runs/{run_id}/export.json", headers=supervisor1).data)
    vp = next(a for a in document["results"]["par"]["agencies"] if a["agency"] == "VPUBND")
    assert vp["index"] == 56.75 / 60 * 100 and vp["index_displayed"] == 94.58  # 94.5833... unrounded


def test_the_report_should_hold_the_tables_and_draw_the_charts(app, client, supervisor1, tmp_path):
    hanam_run(client, supervisor1)
    out = tmp_path / "report"
    result = app.test_cli_runner().invoke(args=["report", "--round", "2022", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Báo cáo kết quả Chỉ số cải cách hành chính năm 2022" in html
    assert 'id="bang-department"' in html and "Sở Thông tin và Truyền thông" in html
    assert "95,39" in html and "77,33" in html and "Xuất sắc" in html  # first and last published indexes
    assert "18,06" in html  # spread 95.39 - 77.33
    charts = ["chi-so-department.png", "diem-hai-long-department.png", "trung-binh-qua-cac-nam.png"]
    for name in charts:
        path = out / "charts" / name
        assert path.read_bytes().startswith(b"\x89PNG") and path.stat().st_size > 1000
        assert f"charts/{name}" in html
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")


def test_the_report_should_score_the_round_when_it_has_no_run_yet(app, client, supervisor1, tmp_path):
    upload_appraisal(client, supervisor1, hanam_appraisal_csv())
    result = app.test_cli_runner().invoke(args=["report", "--round", "2022", "--out", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "scored round 2022" in result.output and not (tmp_path / "report.pdf").exists()
    assert client.get("/api/v1/rounds/2022/score-runs", headers=supervisor1).get_json()[0]["origin"] == "cli"
