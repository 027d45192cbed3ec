"""The report as the province writes it: narrative sentences from the numbers, units per band, how many
above the mean, the reduced-maximum footnote, numbered charts readable for 130 units, group names (never
codes) and the area table's "Số đơn vị" in the PDF, and a DOCX that python-docx and LibreOffice open with
Vietnamese intact. Expected figures are worked out here from the published 2022 table."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal

import pytest

from server.results import charts
from tests.results.conftest import csv_bytes, hanam_rows, upload_appraisal


def shown(value) -> str:
    """Two decimals, half up, decimal comma: how the report writes a number."""
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)).replace(".", ",")


def index_of(row) -> float:
    return (float(row["appraisal_points"]) + float(row["satisfaction_points"] or 0)) / float(row["max_points"]) * 100


def hanam_with_areas() -> bytes:
    """The published 2022 table with its appraisal points split over two content areas (max 50 and 40)."""
    rows = [["max_points", "", 50, 40]]
    for r in hanam_rows():
        points = float(r["appraisal_points"])
        rows.append([r["agency"], r["satisfaction_points"], min(points, 50.0), round(points - min(points, 50.0), 2)])
    return csv_bytes(["agency", "satisfaction_points", "Chỉ đạo, điều hành", "Cải cách TTHC"], rows)


@pytest.fixture
def hanam_report(app, client, supervisor1, tmp_path):
    response = upload_appraisal(client, supervisor1, hanam_with_areas())
    assert response.status_code == 200, response.get_json()
    run = client.post("/api/v1/rounds/2022/score-runs", json={}, headers=supervisor1)
    assert run.status_code == 201, run.get_json()
    out = tmp_path / "report"
    result = app.test_cli_runner().invoke(args=["report", "--round", "2022", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_report_should_write_the_published_narrative_from_the_numbers(hanam_report):
    html = (hanam_report / "report.html").read_text(encoding="utf-8")
    rows = hanam_rows()
    indexes = {r["agency"]: index_of(r) for r in rows}
    mean = sum(indexes.values()) / len(indexes)
    ranked = sorted(rows, key=lambda r: -float(r["published_index"]))
    best, worst = ranked[0], ranked[-1]
    spread = Decimal(worst["published_index"]).copy_negate() + Decimal(best["published_index"])
    assert (
        f"Năm 2022, Chỉ số CCHC trung bình của nhóm Sở, ban, ngành (19 đơn vị) đạt {shown(mean)}%."
        f" Đơn vị có chỉ số cao nhất là {best['agency']} ({shown(best['published_index'])}%);"
        f" thấp nhất là {worst['agency']} ({shown(worst['published_index'])}%);"
        f" khoảng cách giữa đơn vị cao nhất và thấp nhất là {shown(spread)} điểm %."
    ) in html
    above = sum(1 for r in rows if Decimal(r["published_index"]) > Decimal(shown(mean).replace(",", ".")))
    assert f"Có {above}/19 đơn vị đạt chỉ số cao hơn mức trung bình của nhóm." in html
    # units per band, with the 2022 bands: Xuất sắc >= 95, Tốt 85-<95, Khá 75-<85
    excellent = [r["agency"] for r in ranked if float(r["published_index"]) >= 95]
    fair = [r["agency"] for r in ranked if 75 <= float(r["published_index"]) < 85]
    assert f"<li><b>Xuất sắc</b> ({len(excellent)} đơn vị): {', '.join(excellent)}</li>" in html
    assert f"<li><b>Khá</b> ({len(fair)} đơn vị): {', '.join(fair)}</li>" in html
    assert "không có đơn vị xếp loại Trung bình, Yếu." in html
    # the two agencies without procedures have a maximum of 60: marked, with the footnote and the formula
    assert "Văn phòng UBND tỉnh (*)" in html and "Thanh tra tỉnh (*)" in html
    assert "điểm tối đa giảm còn 60,00 điểm (thay vì 100,00 điểm)" in html
    assert "Chỉ số CCHC = Tổng điểm đạt được / Điểm tối đa × 100%." in html
    assert "Biểu đồ 1: Chỉ số CCHC năm 2022 - Sở, ban, ngành" in html
    assert "Biểu đồ 2: Điểm hài lòng (sắp xếp từ cao xuống thấp) - Sở, ban, ngành" in html
    assert "Số phiếu khảo sát theo nhóm" in html and "Số:      /BC-SNV" in html
    assert re.search(r"\bimported\b", html, re.IGNORECASE) is None


def test_the_pdf_should_keep_the_area_tables_unit_count_and_print_group_names(hanam_report):
    from pypdf import PdfReader

    words = "\n".join(page.extract_text() for page in PdfReader(hanam_report / "report.pdf").pages)
    assert "Số đơn vị" in words and "Chỉ đạo, điều hành" in words
    assert "Sở, ban, ngành" in words and "department" not in words
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in words and "Sở Thông tin và Truyền thông" in words
    assert "imported" not in words.casefold()


def test_the_docx_should_open_with_python_docx_with_vietnamese_intact(hanam_report):
    from docx import Document

    document = Document(str(hanam_report / "report.docx"))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "Kết quả xác định Chỉ số cải cách hành chính năm 2022" in paragraphs
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Số:      /BC-SNV" in cells
    assert "(Ký, ghi rõ họ tên và đóng dấu)" in cells  # the signature placeholder
    assert "Sở Thông tin và Truyền thông" in cells and "95,39" in cells
    assert "Năm 2022, Chỉ số CCHC trung bình của nhóm Sở, ban, ngành (19 đơn vị)" in paragraphs
    assert len(document.inline_shapes) >= 3  # the charts
    assert "imported" not in (paragraphs + cells).casefold()


def test_the_docx_should_convert_with_libreoffice(hanam_report, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice must be installed in CI (apt-get install -y libreoffice-writer-nogui)")
        pytest.skip("LibreOffice is not installed here (apt-get install -y libreoffice-writer-nogui)")
    from pypdf import PdfReader

    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(hanam_report / "report.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    words = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "report.pdf").pages)
    assert "Độc lập - Tự do - Hạnh phúc" in words and "Sở Thông tin và Truyền thông" in words


def test_the_api_should_hand_out_the_docx(client, supervisor1):
    upload_appraisal(client, supervisor1, hanam_with_areas())
    run_id = client.post("/api/v1/rounds/2022/score-runs", json={}, headers=supervisor1).get_json()["id"]
    response = client.get(f"/api/v1/score-runs/{run_id}/report.docx", headers=supervisor1)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    from docx import Document

    assert "BÁO CÁO" in "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)


def test_130_units_should_be_charted_in_parts_that_keep_every_name_readable():
    assert [len(p) for p in charts.parts(list(range(130)))] == [33, 33, 32, 32]
    assert [len(p) for p in charts.parts(list(range(35)))] == [35]
    assert [len(p) for p in charts.parts(list(range(36)))] == [18, 18]


def test_a_province_of_wards_should_get_its_group_names_and_charts_in_parts(app, client, supervisor1, tmp_path):
    client.post("/api/v1/agency-groups", json={"code": "ward", "name": "UBND phường"}, headers=supervisor1)
    agencies = csv_bytes(
        ["code", "name", "group"], [[f"P{i:02d}", f"Phường Số {i}", "UBND phường"] for i in range(1, 41)]
    )
    imported = client.post(
        "/api/v1/agencies/import",
        data={"file": (io.BytesIO(agencies), "phuong.csv")},
        headers=supervisor1,
        content_type="multipart/form-data",
    )
    assert imported.status_code == 200, imported.get_json()
    round_body = {
        "code": "2025",
        "year": 2025,
        "window_start": "2025-07-01",
        "window_end": "2025-11-30",
        "method_version": "2023",
        "participants": [{"agency_code": f"P{i:02d}", "max_points": 100} for i in range(1, 41)],
    }
    assert client.post("/api/v1/rounds", json=round_body, headers=supervisor1).status_code == 201
    points = csv_bytes(
        ["agency", "appraisal_points", "satisfaction_points"],
        [[f"P{i:02d}", 50 + i, 8.5] for i in range(1, 41)],
    )
    assert upload_appraisal(client, supervisor1, points, round_code="2025").status_code == 200
    run = client.post("/api/v1/rounds/2025/score-runs", json={}, headers=supervisor1)
    assert run.status_code == 201, run.get_json()
    out = tmp_path / "r"
    result = app.test_cli_runner().invoke(args=["report", "--round", "2025", "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<h3>1. UBND phường</h3>" in html
    # P40: 90 + 8.5 = 98.5, the best; P01: 51 + 8.5 = 59.5, the worst; mean (59.5 + 98.5) / 2 = 79
    assert "đạt 79,00%. Đơn vị có chỉ số cao nhất là Phường Số 40 (98,50%); thấp nhất là Phường Số 1 (59,50%)" in html
    assert "Chỉ số CCHC năm 2025 - UBND phường (phần" not in html  # the part is in the picture's title
    for name in ("chi-so-ward-1.png", "chi-so-ward-2.png", "diem-hai-long-ward-1.png", "diem-hai-long-ward-2.png"):
        assert (out / "charts" / name).stat().st_size > 1000 and f"charts/{name}" in html
    assert "ward" not in re.sub(r'(id|src)="[^"]*"', "", html).replace("Phường", "")
