"""The previous year of merged, split and renamed units, and the year summary, with known answers
worked by hand in each test."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.lineage import previous_with_lineage, year_summary

PREVIOUS = pd.DataFrame(
    {
        "agency": ["XA_A", "XA_B", "XA_C", "XA_D", "HUYEN_E"],
        "group": ["commune", "commune", "commune", "commune", "district"],
        "index": [80.004, 90.0, 70.0, 60.0, 85.0],
        "index_displayed": [80.0, 90.0, 70.0, 60.0, 85.0],
        "rank": [2, 1, 3, 4, 1],
    }
)


def by_agency(table: pd.DataFrame) -> dict:
    return table.set_index("agency").to_dict("index")


def test_a_merged_unit_should_take_the_simple_mean_of_its_predecessors():
    lineage = {
        "PHUONG_AB": [{"predecessor": "XA_A", "kind": "merged_from"}, {"predecessor": "XA_B", "kind": "merged_from"}]
    }
    table, derived = previous_with_lineage(PREVIOUS, lineage, ["PHUONG_AB", "XA_C", "XA_D"], {"PHUONG_AB": "ward"})
    rows = by_agency(table)
    # (80.004 + 90) / 2 = 85.002 unrounded; displayed (80 + 90) / 2 = 85
    assert rows["PHUONG_AB"]["index"] == pytest.approx(85.002)
    assert rows["PHUONG_AB"]["index_displayed"] == pytest.approx(85.0)
    assert rows["PHUONG_AB"]["group"] == "ward" and pd.isna(rows["PHUONG_AB"]["rank"])
    # the predecessors live on in their successor: no longer listed, so not "dropped"
    assert "XA_A" not in rows and "XA_B" not in rows and "XA_C" in rows
    assert derived.to_dict("records") == [
        {
            "agency": "PHUONG_AB",
            "kind": "merged_from",
            "predecessors": ["XA_A", "XA_B"],
            "missing_predecessors": [],
            "previous_index": pytest.approx(85.002),
        }
    ]


def test_a_merged_unit_should_leave_out_predecessors_without_a_previous_row_and_say_so():
    lineage = {
        "XA_NEW": [{"predecessor": "XA_C", "kind": "merged_from"}, {"predecessor": "XA_Z", "kind": "merged_from"}]
    }
    table, derived = previous_with_lineage(PREVIOUS, lineage, ["XA_NEW"])
    assert by_agency(table)["XA_NEW"]["index"] == 70.0
    assert derived.loc[0, "missing_predecessors"] == ["XA_Z"]


def test_a_unit_that_kept_its_code_and_absorbed_others_should_average_itself_with_them():
    lineage = {"XA_D": [{"predecessor": "XA_C", "kind": "merged_from"}]}
    table, _ = previous_with_lineage(PREVIOUS, lineage, ["XA_D"])
    assert by_agency(table)["XA_D"]["index"] == 65.0  # (60 + 70) / 2


def test_a_renamed_unit_should_keep_its_predecessors_row_and_rank():
    lineage = {"XA_B2": [{"predecessor": "XA_B", "kind": "renamed_from"}]}
    table, _ = previous_with_lineage(PREVIOUS, lineage, ["XA_B2", "XA_A"])
    row = by_agency(table)["XA_B2"]
    assert (row["index"], row["rank"], row["group"]) == (90.0, 1, "commune")


def test_split_units_should_each_inherit_their_parents_index_without_a_rank():
    lineage = {
        "XA_E1": [{"predecessor": "HUYEN_E", "kind": "split_from"}],
        "XA_E2": [{"predecessor": "HUYEN_E", "kind": "split_from"}],
    }
    table, _ = previous_with_lineage(PREVIOUS, lineage, ["XA_E1", "XA_E2"], {"XA_E1": "commune", "XA_E2": "commune"})
    rows = by_agency(table)
    assert rows["XA_E1"]["index"] == rows["XA_E2"]["index"] == 85.0
    assert pd.isna(rows["XA_E1"]["rank"]) and rows["XA_E1"]["group"] == "commune"


def test_a_predecessor_still_ranked_this_year_should_keep_its_own_row():
    lineage = {"XA_E1": [{"predecessor": "XA_C", "kind": "split_from"}]}
    table, _ = previous_with_lineage(PREVIOUS, lineage, ["XA_E1", "XA_C"])
    rows = by_agency(table)
    assert rows["XA_C"]["index"] == 70.0 and rows["XA_E1"]["index"] == 70.0


def test_the_year_summary_should_give_the_change_of_mean_and_spread_and_the_largest_rise_and_fall():
    changes = pd.DataFrame(
        {
            "agency": ["A", "B", "C", "D", "E"],
            "group": ["commune"] * 4 + ["department"],
            "status": ["continuing"] * 5,
            "index_change": [2.5, -1.25, 0.0, 4.0, 1.0],
            "displayed_change": [2.5, -1.25, 0.0, 4.0, 1.0],
        }
    )
    current = pd.DataFrame(
        {"group": ["commune", "department"], "mean": [80.0, 90.0], "highest": [95.0, 92.0], "lowest": [70.0, 88.0]}
    )
    previous = pd.DataFrame({"group": ["commune"], "mean": [78.5], "highest": [96.0], "lowest": [66.0]})
    summary = year_summary(changes, current, previous).set_index("group").to_dict("index")
    commune = summary["commune"]
    assert commune["mean_change"] == pytest.approx(1.5)  # 80 - 78.5
    assert commune["spread"] == 25.0 and commune["previous_spread"] == 30.0 and commune["spread_change"] == -5.0
    assert (commune["compared"], commune["improved"], commune["declined"], commune["unchanged"]) == (4, 2, 1, 1)
    assert (commune["largest_rise_agency"], commune["largest_rise"]) == ("D", 4.0)
    assert (commune["largest_fall_agency"], commune["largest_fall"]) == ("B", -1.25)
    department = summary["department"]
    assert pd.isna(department["previous_mean"]) and pd.isna(department["mean_change"])  # no previous summary
    assert pd.isna(department["largest_fall_agency"]) and department["improved"] == 1
