"""``parsurvey par rank``: the PAR ranking of a plain table, with no database."""

from __future__ import annotations

import csv
import io
import json

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
    assert "[appraisal_above_maximum]" in result.output and "Sở A" in result.output and "Sở B" not in result.output


def test_par_rank_should_refuse_a_surveyed_maximum_without_satisfaction_points(app, tmp_path):
    path = write_input(tmp_path, [["Sở A", "department", "80", "", "100"]])
    result = invoke(app, "par", "rank", str(path))
    assert result.exit_code == 1 and "[missing_satisfaction]" in result.output
