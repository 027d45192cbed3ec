"""The report and the XLSX export name the satisfaction method in Vietnamese, never by its code."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.results.conftest import scored_answers, sync
from tests.results.test_exports_and_report import hanam_run

METHOD_CODES = ("imported", "satisfied_share", "mean_score")


def provenance(html: str) -> str:
    return re.search(r"<th>Phương pháp tính điểm hài lòng</th><td>(.*?)</td>", html).group(1)


def method_cell(client, headers, run_id: int) -> str:
    workbook = load_workbook(io.BytesIO(client.get(f"/api/v1/score-runs/{run_id}/export.xlsx", headers=headers).data))
    return next(row[1] for row in workbook["Thông tin"].iter_rows(values_only=True) if row[0] == "Phương pháp")


def test_a_run_on_published_points_should_say_so_in_vietnamese(app, client, supervisor1, tmp_path):
    run_id = hanam_run(client, supervisor1)  # satisfaction points imported with the appraisal points
    result = app.test_cli_runner().invoke(args=["report", "--round", "2022", "--out", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 0, result.output
    line = provenance((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert line.startswith("điểm hài lòng nhập từ kết quả đã công bố, phiên bản ")
    assert not any(code in line for code in METHOD_CODES)
    assert method_cell(client, supervisor1, run_id) == "điểm hài lòng nhập từ kết quả đã công bố"


def test_a_run_on_ballots_should_name_its_method_in_vietnamese(app, client, supervisor1, enumerator1, tmp_path):
    sync(client, enumerator1, *(scored_answers("SNV", level) for level in (5, 4, 3)))
    run_id = client.post("/api/v1/rounds/2022/score-runs", json={}, headers=supervisor1).get_json()["id"]
    result = app.test_cli_runner().invoke(args=["report", "--round", "2022", "--out", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 0, result.output
    line = provenance((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert line.startswith("tỉ lệ hài lòng (hài lòng và rất hài lòng trên số câu trả lời hợp lệ), phiên bản ")
    assert not any(code in line for code in METHOD_CODES)
    assert method_cell(client, supervisor1, run_id).startswith("tỉ lệ hài lòng")
