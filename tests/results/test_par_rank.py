"""``parsurvey par rank``: the PAR ranking of a plain table, with no database."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.results.conftest import hanam_rows


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def write_input(tmp_path, rows):
    path = tmp_path / "par.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["agency", "group", "appraisal_points", "satisfaction_points", "max_points"])
        writer.writerows(rows)
    return path


def hanam_input(tmp_path):
    return write_input(
        tmp_path,
        [
            [r["agency"], "department", r["appraisal_points"], r["satisfaction_points"], r["max_points"]]
            for r in hanam_rows()
        ],
    )


def test_par_rank_should_reproduce_every_published_hanam_2022_index_and_rank(app, tmp_path):
    # Expected: the published_index and published_rank columns of the Hà Nam 2022 report
    # (tests/scoring/data/hanam_2022_departments.csv, Sở Nội vụ tỉnh Hà Nam, December 2022).
    result = invoke(app, "par", "rank", str(hanam_input(tmp_path)))
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    got = {a["agency"]: (a["index"], a["rank"]) for a in out["agencies"]}
    expected = {r["agency"]: (float(r["published_index"]), int(r["published_rank"])) for r in hanam_rows()}
    assert got == expected
    assert set(out["agencies"][0]) >= {"agency", "group", "points", "index", "rank", "band"}


def test_par_rank_should_summarise_each_group_with_band_counts_and_spread(app, tmp_path):
    out = json.loads(invoke(app, "par", "rank", str(hanam_input(tmp_path))).output)
    (group,) = out["groups"]
    # Counted by hand from the published indexes and the 2022 bands (≥95, 85-<95, 75-<85, 70-<75, <70):
    # 95.39 and 95.23 excellent; 14 agencies from 94.91 to 86.43 good; 84.58, 82.65, 77.33 fair.
    assert group["bands"] == {"excellent": 2, "good": 14, "fair": 3, "average": 0, "weak": 0}
    # Highest 95.39 (85.50 + 9.89), lowest 77.33 (67.52 + 9.81): spread 18.06.
    assert (group["highest"], group["lowest"], group["spread"]) == (95.39, 77.33, 18.06)
    indexes = []
    for r in hanam_rows():
        points = float(r["appraisal_points"]) + float(r["satisfaction_points"] or 0)
        indexes.append(points / float(r["max_points"]) * 100)
    assert abs(group["mean"] - sum(indexes) / len(indexes)) < 0.005
    surveyed = [float(r["satisfaction_points"]) for r in hanam_rows() if r["satisfaction_points"]]
    assert abs(group["mean_satisfaction_points"] - sum(surveyed) / len(surveyed)) < 0.005


def test_par_rank_should_write_csv_and_use_the_bands_given(app, tmp_path):
    result = invoke(app, "par", "rank", str(hanam_input(tmp_path)), "--format", "csv", "--bands", "top:90,rest")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows[0]["agency"] == "Sở Thông tin và Truyền thông" and rows[0]["rank"] == "1"
    bands = {r["agency"]: r["band"] for r in rows}
    assert bands["Sở Y tế"] == "top"  # 90.54 >= 90
    assert bands["Sở Giao thông vận tải"] == "top"  # 90.09
    assert bands["Sở Tài nguyên và Môi trường"] == "rest"  # 88.50


def test_par_rank_should_refuse_points_above_the_maximum_naming_the_agency(app, tmp_path):
    path = write_input(tmp_path, [["Sở A", "department", "91", "9", "100"], ["Sở B", "department", "80", "9", "100"]])
    result = invoke(app, "par", "rank", str(path))
    assert result.exit_code == 1
    assert "[invalid_appraisal]" in result.output and '"code": "above_maximum"' in result.output
    assert "Sở A" in result.output and "Sở B" not in result.output and '"line": 2' in result.output


def test_par_rank_should_refuse_a_surveyed_maximum_without_satisfaction_points(app, tmp_path):
    path = write_input(tmp_path, [["Sở A", "department", "80", "", "100"]])
    result = invoke(app, "par", "rank", str(path))
    assert result.exit_code == 1 and '"code": "missing_value"' in result.output
    assert '"column": "satisfaction_points"' in result.output


def problems_of(output: str) -> list[tuple]:
    body = output[output.index("[\n") :]
    return [(p["line"], p["column"], p["code"]) for p in json.loads(body)]


def test_par_rank_should_refuse_what_the_server_import_refuses_with_the_same_codes(app, tmp_path, client, supervisor1):
    from tests.results.conftest import csv_bytes, upload_appraisal

    rows = {r["agency"]: r for r in hanam_rows()}
    table = [  # agency, appraisal, satisfaction
        ["Sở Thông tin và Truyền thông", "-3", "9.89"],  # line 2: negative appraisal points
        ["Văn phòng UBND tỉnh", "56.75", "9"],  # line 3: a 60-point agency given satisfaction points as surveyed
        ["Sở Nội vụ", "90.5", "9.23"],  # line 4: above 100 - 10
        ["Thanh tra tỉnh", "61", ""],  # line 5: above its maximum of 60
        ["Sở Tài chính", "85.75", "10.5"],  # line 6: satisfaction points above 10
        ["Sở Xây dựng", "85.75", "-1"],  # line 7: negative satisfaction points
        ["Sở Y tế", "abc", "9"],  # line 8: not a number
    ]
    expected = [
        (2, "appraisal_points", "negative_points"),
        (3, "satisfaction_points", "not_surveyed"),
        (4, "appraisal_points", "above_maximum"),
        (5, "appraisal_points", "above_maximum"),
        (6, "satisfaction_points", "above_maximum"),
        (7, "satisfaction_points", "negative_points"),
        (8, "appraisal_points", "not_a_number"),
    ]
    server = upload_appraisal(
        client, supervisor1, csv_bytes(["agency", "appraisal_points", "satisfaction_points"], table)
    )
    assert server.status_code == 422, server.get_json()
    assert server.get_json()["code"] == "invalid_appraisal"
    assert [(e["line"], e["column"], e["code"]) for e in server.get_json()["errors"]] == expected
    path = write_input(
        tmp_path, [[agency, "department", app_, sat, rows[agency]["max_points"]] for agency, app_, sat in table]
    )
    result = invoke(app, "par", "rank", str(path))
    assert result.exit_code == 1 and "[invalid_appraisal]" in result.output
    assert problems_of(result.output) == expected


def test_par_rank_should_band_on_the_displayed_or_the_unrounded_index_as_asked(app, tmp_path):
    # 94.996 is shown as 95.00: "excellent" on the displayed index (as published), "good" on the unrounded one
    path = write_input(
        tmp_path, [["Sở A", "department", "85.996", "9", "100"], ["Sở B", "department", "85", "9", "100"]]
    )
    shown = json.loads(invoke(app, "par", "rank", str(path)).output)
    exact = json.loads(invoke(app, "par", "rank", str(path), "--band-basis", "unrounded").output)
    a_shown = next(a for a in shown["agencies"] if a["agency"] == "Sở A")
    a_exact = next(a for a in exact["agencies"] if a["agency"] == "Sở A")
    assert (a_shown["index"], a_shown["band"], shown["band_basis"]) == (95.0, "excellent", "displayed")
    assert (a_exact["index"], a_exact["band"], exact["band_basis"]) == (95.0, "good", "unrounded")
    assert a_exact["index_unrounded"] == a_shown["index_unrounded"] == pytest.approx(94.996)


def test_par_rank_should_refuse_a_file_that_is_not_a_csv_with_a_clear_error(app, tmp_path):
    path = tmp_path / "par.csv"
    path.write_bytes(b"\xff\xfe\x00\x81 not text")
    result = invoke(app, "par", "rank", str(path))
    assert result.exit_code == 1 and "[invalid_value]" in result.output and "UTF-8 CSV" in result.output


def test_par_rank_should_rank_the_groups_of_a_2025_province_each_on_its_own(app, tmp_path):
    # Wards and special zones are a province's own groups since 2025: each is ranked within itself.
    path = write_input(
        tmp_path,
        [
            ["Phường A", "ward", "80", "9", "100"],
            ["Phường B", "ward", "70", "9.5", "100"],
            ["Đặc khu C", "special_zone", "60", "8", "100"],
        ],
    )
    result = invoke(app, "par", "rank", str(path))
    assert result.exit_code == 0, result.output
    ranks = {a["agency"]: (a["group"], a["rank"]) for a in json.loads(result.output)["agencies"]}
    assert ranks == {"Phường A": ("ward", 1), "Phường B": ("ward", 2), "Đặc khu C": ("special_zone", 1)}
