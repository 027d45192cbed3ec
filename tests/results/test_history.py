"""Earlier years' published results: entered by API and CLI, compared with by the year's score run
(merged units against their predecessors), warned about when partial, charted in the report."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.results.conftest import csv_bytes, hanam_rows
from tests.results.test_exports_and_report import hanam_run

pytestmark = pytest.mark.usefixtures("documented_answers")  # every JSON answer as the document says

AGENCIES_2021 = csv_bytes(
    ["Mã", "Cơ quan, đơn vị", "Nhóm", "Tổng điểm", "Chỉ số (%)", "Xếp hạng", "Xếp loại"],
    [
        ["SNV", "Sở Nội vụ", "Sở, ban, ngành", "95,00", "95,00", "1", "Xuất sắc"],
        ["STTTT", "Sở Thông tin và Truyền thông", "department", "93,00", "93,00", "2", "Tốt"],
        ["SO_KH_CU", "Sở Kế hoạch và Đầu tư", "department", "92,00", "92,00", "3", "Tốt"],
        ["SO_TC_CU", "Sở Tài chính (cũ)", "department", "90,00", "90,00", "4", "Tốt"],
        ["PHULY", "Thành phố Phủ Lý", "UBND cấp huyện", "88,00", "88,00", "1", "Tốt"],
    ],
)
#: The department summary says 19 units were ranked; only 4 rows are entered: a partial year.
GROUPS_2021 = csv_bytes(
    ["Nhóm", "Trung bình", "Cao nhất", "Thấp nhất", "Số đơn vị"],
    [["Sở, ban, ngành", "85,00", "95,00", "75,00", "19"], ["district", "88,00", "88,00", "88,00", "1"]],
)


def post_file(client, headers, path, data: bytes, name="bang.csv"):
    return client.post(
        path, data={"file": (io.BytesIO(data), name)}, headers=headers, content_type="multipart/form-data"
    )


def two_dp(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def enter_2021(client, headers):
    assert post_file(client, headers, "/api/v1/history/2021/agencies", AGENCIES_2021).status_code == 200
    response = post_file(client, headers, "/api/v1/history/2021/groups", GROUPS_2021)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def merge_stc(client, headers):
    """STC (2022) was formed from two departments that no longer exist."""
    for code, name in (("SO_KH_CU", "Sở Kế hoạch và Đầu tư"), ("SO_TC_CU", "Sở Tài chính (cũ)")):
        body = {"code": code, "name": name, "group": "department", "handles_procedures": True}
        assert client.post("/api/v1/agencies", json=body, headers=headers).status_code == 201
    body = {
        "predecessors": [
            {"predecessor": "SO_KH_CU", "kind": "merged_from", "effective_date": "2022-01-01"},
            {"predecessor": "SO_TC_CU", "kind": "merged_from", "effective_date": "2022-01-01"},
        ]
    }
    assert client.put("/api/v1/agencies/STC/lineage", json=body, headers=headers).status_code == 200


def test_a_published_year_should_be_entered_with_vietnamese_headers_and_flagged_partial(client, supervisor1):
    summary = enter_2021(client, supervisor1)
    assert len(summary["agencies"]) == 5
    snv = next(a for a in summary["agencies"] if a["agency"] == "SNV")
    assert (snv["group"], snv["index"], snv["rank"], snv["band"]) == ("department", 95.0, 1, "Xuất sắc")
    # 4 department rows of 19 published, and their mean 92.50 is not the published 85.00
    assert summary["partial"] == [
        {
            "group": "department",
            "rows": 4,
            "published": 19,
            "reasons": ["4 of 19 units", "mean of the rows 92.50 against the published 85.00"],
        }
    ]
    listed = client.get("/api/v1/history", headers=supervisor1).get_json()
    assert [(y["year"], y["agencies"], y["groups"]) for y in listed] == [(2021, 5, 2)]


def test_a_bad_published_table_should_be_refused_line_by_line_and_store_nothing(client, supervisor1):
    bad = csv_bytes(
        ["agency", "group", "index", "rank"],
        [["SNV", "department", "abc", "1"], ["STTTT", "Nhóm lạ", "101", "0"], ["SNV", "department", "90", "2"]],
    )
    refused = post_file(client, supervisor1, "/api/v1/history/2021/agencies", bad)
    assert refused.status_code == 422 and refused.get_json()["code"] == "invalid_import"
    problems = [(e["line"], e["code"]) for e in refused.get_json()["errors"]]
    assert problems == [
        (2, "invalid_value"),
        (3, "invalid_group"),
        (3, "out_of_range"),
        (3, "invalid_value"),
        (4, "duplicate_row"),
    ]
    assert client.get("/api/v1/history", headers=supervisor1).get_json() == []
    assert post_file(client, supervisor1, "/api/v1/history/1999/groups", GROUPS_2021).status_code == 422


def test_the_year_should_be_compared_with_published_results_and_a_merged_unit_with_its_predecessors(
    client, supervisor1
):
    enter_2021(client, supervisor1)
    merge_stc(client, supervisor1)
    run = client.get(f"/api/v1/score-runs/{hanam_run(client, supervisor1)}", headers=supervisor1).get_json()
    yoy = run["results"]["year_on_year"]
    assert (yoy["previous_year"], yoy["previous_source"], yoy["previous_run"]) == (2021, "published", None)
    rows = {r["agency"]: r for r in yoy["agencies"]}
    published = {r["agency"]: Decimal(r["published_index"]) for r in hanam_rows()}
    # STTTT: 95.39 (2022, published) - 93.00 (2021) = +2.39; rank 2 -> 1
    assert two_dp(rows["STTTT"]["displayed_change"]) == published["Sở Thông tin và Truyền thông"] - Decimal("93.00")
    assert (rows["STTTT"]["previous_rank"], rows["STTTT"]["rank_change"]) == (2, 1)
    # STC merged from two units: previous index (92 + 90) / 2 = 91.00; 94.91 - 91.00 = +3.91; no previous rank
    assert rows["STC"]["previous_index"] == 91.0 and rows["STC"]["previous_rank"] is None
    assert two_dp(rows["STC"]["displayed_change"]) == Decimal("3.91")
    assert (rows["STC"]["lineage_kind"], rows["STC"]["predecessors"]) == ("merged_from", ["SO_KH_CU", "SO_TC_CU"])
    assert "SO_KH_CU" not in rows and "SO_TC_CU" not in rows  # they live on in STC, not "dropped"
    # the previous year is partial: flagged on the comparison and in the warnings
    assert yoy["partial"][0]["group"] == "department"
    assert "previous_year_partial" in [w["code"] for w in run["results"]["warnings"]]
    # the year summary: mean change against the published mean 85.00
    summary = {s["group"]: s for s in yoy["summary"]}["department"]
    # the group mean is of the unrounded indexes: (appraisal + satisfaction) / maximum x 100, per department
    indexes = [
        (float(r["appraisal_points"]) + float(r["satisfaction_points"] or 0)) / float(r["max_points"]) * 100
        for r in hanam_rows()
    ]
    mean_2022 = sum(indexes) / len(indexes)
    assert two_dp(summary["mean"]) == two_dp(mean_2022)
    assert two_dp(summary["mean_change"]) == two_dp(mean_2022 - 85.0)
    assert (summary["compared"], summary["improved"]) == (3, 3)  # SNV 95.23 > 95, STTTT, STC
    assert summary["largest_rise_agency"] == "STC"


def test_the_cli_should_enter_a_year_and_warn_that_it_is_partial(app, client, supervisor1, tmp_path):
    agencies, groups = tmp_path / "2021.csv", tmp_path / "2021-nhom.xlsx"
    agencies.write_bytes(AGENCIES_2021)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Nhóm", "Trung bình", "Cao nhất", "Thấp nhất", "Số đơn vị"])
    sheet.append(["Sở, ban, ngành", 85.0, 95.0, 75.0, 19])
    book.save(groups)
    result = app.test_cli_runner().invoke(
        args=["history", "import", "2021", "--agencies", str(agencies), "--groups", str(groups)]
    )
    assert result.exit_code == 0, result.output
    assert "2021: 5 agency rows, 1 group rows" in result.stdout
    assert "warning: group department is partial: 4 of 19 units" in result.stderr
    listed = app.test_cli_runner().invoke(args=["history", "list", "--json"])
    assert '"partial groups": "department"' in listed.output


def test_the_report_should_chart_published_years_and_say_the_previous_year_is_partial(
    app, client, supervisor1, tmp_path
):
    enter_2021(client, supervisor1)
    hanam_run(client, supervisor1)
    result = app.test_cli_runner().invoke(args=["report", "--round", "2022", "--out", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "So với kết quả đã công bố năm 2021" in html
    assert "Kết quả năm 2021 chưa đầy đủ (thiếu đơn vị)" in html
    assert '<td>2021</td><td class="n">85,00</td>' in html and "kết quả đã công bố" in html
    assert (tmp_path / "charts" / "trung-binh-qua-cac-nam.png").stat().st_size > 1000
