"""PAR index: reproduction of the published Hà Nam 2022 department table, ranks, bands, errors.

Known values come from ``tests/scoring/data/hanam_2022_departments.csv``: the Hà Nam Department of
Home Affairs report on 2022 PAR index results (December 2022), results table for the 19
departments (see data/README.md).
"""

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring import (
    ERROR_CODES,
    Bands,
    Rounding,
    ScoringError,
    area_statistics,
    compare_years,
    present,
    rank_par,
)

DATA = Path(__file__).parent / "data" / "hanam_2022_departments.csv"


@pytest.fixture
def hanam() -> pd.DataFrame:
    table = pd.read_csv(DATA)
    table["group"] = "department"
    return table


def table(rows, group="department") -> pd.DataFrame:
    """rows of (agency, appraisal, satisfaction, max)."""
    df = pd.DataFrame(rows, columns=["agency", "appraisal_points", "satisfaction_points", "max_points"])
    df["group"] = group
    return df


def error_code(call) -> str:
    with pytest.raises(ScoringError) as err:
        call()
    assert err.value.code in ERROR_CODES
    return err.value.code


# --- the published table -------------------------------------------------------------------------


def test_every_published_index_and_rank_of_hanam_2022_is_reproduced_from_the_points(hanam):
    result = rank_par(hanam[["agency", "group", "appraisal_points", "satisfaction_points", "max_points"]])
    merged = result.agencies.merge(hanam[["agency", "published_index", "published_rank"]], on="agency")
    assert len(merged) == 19
    # index to 2 decimals, e.g. Sở Thông tin và Truyền thông 85.50 + 9.89 = 95.39;
    # Văn phòng UBND tỉnh 56.75 / 60 × 100 = 94.5833 -> 94.58 (not surveyed, maximum 60)
    assert merged["index_displayed"].tolist() == merged["published_index"].tolist()
    assert merged["rank"].tolist() == merged["published_rank"].tolist()
    # and the displayed index is the unrounded one rounded: never more than half a hundredth away
    assert (merged["index"] - merged["published_index"]).abs().max() <= 0.005


def test_hanam_2022_ranks_are_the_same_on_the_unrounded_index_as_the_table_has_no_ties(hanam):
    # the published indexes are all distinct at two decimals, so both bases give the published ranks
    assert hanam["published_index"].is_unique
    result = rank_par(hanam, rounding=None)
    merged = result.agencies.merge(hanam[["agency", "published_rank"]], on="agency")
    assert merged["rank"].tolist() == merged["published_rank"].tolist()


def test_hanam_2022_band_counts_and_group_statistics_match_a_hand_count(hanam):
    groups = rank_par(hanam).groups.set_index("group")
    g = groups.loc["department"]
    # bands counted by hand from the published indexes:
    # excellent (>= 95): 95.39, 95.23 -> 2
    # good (85 to < 95): 94.91 ... 86.43, ranks 3 to 16 -> 14
    # fair (75 to < 85): 84.58, 82.65, 77.33 -> 3; average and weak: 0
    assert (g["n_excellent"], g["n_good"], g["n_fair"], g["n_average"], g["n_weak"]) == (2, 14, 3, 0, 0)
    assert (g["agencies"], g["surveyed"]) == (19, 16)
    # mean of unrounded indexes: surveyed totals sum to 1429.39; not surveyed
    # (56.75 + 56.25 + 50.75) / 60 × 100 = 272.91667; (1429.39 + 272.91667) / 19 = 89.595088
    assert g["mean"] == pytest.approx(89.595088, abs=1e-6)
    assert (g["highest"], g["lowest"]) == (pytest.approx(95.39), pytest.approx(77.33))
    assert g["spread"] == pytest.approx(18.06)
    # satisfaction points of the 16 surveyed agencies sum to 151.20 -> mean 9.45
    assert g["mean_satisfaction_points"] == pytest.approx(9.45)


def test_hanam_2022_not_surveyed_agencies_are_scored_out_of_60(hanam):
    agencies = rank_par(hanam).agencies.set_index("agency")
    row = agencies.loc["Thanh tra tỉnh"]
    # 56.25 / 60 × 100 = 93.75
    assert not row["surveyed"] and np.isnan(row["satisfaction_points"])
    assert (row["points"], row["index"]) == (56.25, 93.75)
    assert agencies.loc["Sở Thông tin và Truyền thông", "band_label"] == "Xuất sắc"


def test_the_par_table_is_not_modified(hanam):
    before = hanam.copy()
    rank_par(hanam)
    pd.testing.assert_frame_equal(hanam, before)


# --- ranking and banding -------------------------------------------------------------------------


def test_ties_share_the_best_rank_and_the_next_rank_is_skipped():
    result = rank_par(table([("A", 80, 10, 100), ("B", 75, 10, 100), ("C", 76, 9, 100), ("D", 70, 10, 100)]))
    # indexes 90, 85, 85, 80 -> ranks 1, 2, 2, 4
    assert result.agencies.set_index("agency")["rank"].to_dict() == {"A": 1, "B": 2, "C": 2, "D": 4}


def test_groups_are_ranked_separately():
    df = pd.concat(
        [table([("S1", 80, 9, 100), ("S2", 85, 9, 100)]), table([("H1", 70, 9, 100)], group="district")],
        ignore_index=True,
    )
    result = rank_par(df)
    assert result.agencies[["agency", "rank"]].values.tolist() == [["S2", 1], ["S1", 2], ["H1", 1]]
    assert result.groups["group"].tolist() == ["department", "district"]


def test_ranks_and_bands_use_the_displayed_index_by_default_and_the_unrounded_one_on_request():
    df = table([("A", 85.004, 5, 100), ("B", 84.996, 5, 100), ("C", 84.996, 10, 100)])
    # A: 90.004 -> 90.00; B: 89.996 -> 90.00 -- the same number is shown, so the same rank
    # C: 94.996 -> 95.00 shown -> Excellent, although the unrounded index is below 95
    shown = rank_par(df).agencies.set_index("agency")
    assert shown.loc["A", "rank"] == shown.loc["B", "rank"] == 2
    assert shown.loc["C", "band"] == "excellent"
    assert shown.loc["C", "index_displayed"] == 95.0
    raw = rank_par(df, rounding=None).agencies.set_index("agency")
    assert (raw.loc["A", "rank"], raw.loc["B", "rank"]) == (2, 3)
    assert raw.loc["C", "band"] == "good"
    assert raw.loc["C", "index"] == pytest.approx(94.996)


def test_display_rounding_is_half_up_on_the_decimal_by_default_and_configurable():
    # 85.75 + 8.815 = 94.565 on paper (a tie at the third decimal):
    # half-up shows 94.57; half-even shows 94.56 (6 is even)
    df = table([("A", 85.75, 8.815, 100)])
    assert rank_par(df).agencies["index_displayed"].iloc[0] == 94.57
    assert rank_par(df, rounding=Rounding(2, "half_even")).agencies["index_displayed"].iloc[0] == 94.56


def test_band_boundaries_are_inclusive_at_the_lower_bound():
    df = table([("A", 90, 5, 100), ("B", 85, 0, 100), ("C", 75, 0, 100), ("D", 70, 0, 100), ("E", 69.99, 0, 100)])
    bands = rank_par(df).agencies.set_index("agency")["band"].to_dict()
    # 95 -> excellent; 85 -> good; 75 -> fair; 70 -> average; 69.99 -> weak
    assert bands == {"A": "excellent", "B": "good", "C": "fair", "D": "average", "E": "weak"}


def test_bands_can_be_given_as_a_cli_string():
    df = table([("A", 80, 9, 100), ("B", 60, 9, 100)])
    result = rank_par(df, bands="high:80,low")
    assert result.agencies["band"].tolist() == ["high", "low"]
    assert result.groups.columns.tolist()[7:9] == ["n_high", "n_low"]


def test_a_surveyed_column_is_respected():
    df = table([("A", 56, None, 60), ("B", 80, None, 100)])
    df["surveyed"] = ["no", "yes"]
    # B is surveyed but has no satisfaction points
    with pytest.raises(ScoringError) as err:
        rank_par(df)
    assert err.value.code == "missing_satisfaction"
    assert err.value.details["agencies"] == ["B"]


# --- errors --------------------------------------------------------------------------------------


def test_missing_satisfaction_for_an_agency_out_of_100_is_an_error_not_a_zero():
    assert error_code(lambda: rank_par(table([("A", 85, None, 100)]))) == "missing_satisfaction"


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([("A", 91, 5, 100)], "appraisal_above_maximum"),
        ([("A", 85, 10.5, 100)], "satisfaction_above_maximum"),
        ([("A", 61, None, 60)], "points_above_maximum"),
        ([("A", -5, 2, 100)], "negative_points"),
        ([("A", 80, 9, 0)], "invalid_max_points"),
        ([("A", 80, 9, None)], "invalid_max_points"),
        ([("A", None, 9, 100)], "invalid_value"),
        ([("A", "eighty", 9, 100)], "invalid_value"),
        ([("A", 80, -1, 100)], "invalid_value"),
        ([("A", 80, 9, 100), ("A", 70, 9, 100)], "duplicate_agency"),
    ],
)
def test_impossible_points_raise_a_coded_error(rows, code):
    assert error_code(lambda: rank_par(table(rows))) == code


def test_an_agency_listed_in_nfc_and_nfd_is_a_duplicate():
    name = "Sở Tư pháp"
    df = table([(unicodedata.normalize("NFC", name), 80, 9, 100), (unicodedata.normalize("NFD", name), 80, 9, 100)])
    assert error_code(lambda: rank_par(df)) == "duplicate_agency"


def test_unknown_or_missing_groups_are_errors_unless_any_group_is_allowed():
    df = table([("A", 80, 9, 100)], group="ministry")
    assert error_code(lambda: rank_par(df)) == "unknown_group"
    assert rank_par(df, groups=None).agencies["group"].tolist() == ["ministry"]
    assert error_code(lambda: rank_par(table([("A", 80, 9, 100)], group=None), groups=None)) == "unknown_group"


def test_every_offending_agency_is_listed_in_the_error():
    df = table([("A", 95, 5, 100), ("B", 80, 5, 100), ("C", 92, 5, 100)])
    with pytest.raises(ScoringError) as err:
        rank_par(df)
    assert err.value.code == "appraisal_above_maximum"
    assert err.value.details["agencies"] == ["A", "C"]
    assert "'A'" in err.value.message and "'C'" in err.value.message


def test_empty_or_incomplete_tables_are_errors(hanam):
    assert error_code(lambda: rank_par(hanam.iloc[:0])) == "empty_input"
    assert error_code(lambda: rank_par(hanam.drop(columns="max_points"))) == "missing_columns"


# --- presentation ------------------------------------------------------------------------------------


def test_present_rounds_a_result_for_display_without_touching_it(hanam):
    agencies = rank_par(hanam).agencies
    shown = present(agencies, columns=["index"], decimals=2)
    assert shown.loc[shown["agency"] == "Văn phòng UBND tỉnh", "index"].iloc[0] == 94.58
    assert agencies.loc[agencies["agency"] == "Văn phòng UBND tỉnh", "index"].iloc[0] == pytest.approx(94.583333)


# --- content areas -------------------------------------------------------------------------------


AREAS = pd.DataFrame({"area": ["direction", "tthc", "penalty"], "max_points": [14, 19, 0]})


def test_area_statistics_give_mean_points_and_how_many_reached_the_maximum():
    points = pd.DataFrame(
        {
            "agency": ["A", "A", "A", "B", "B", "B", "C", "C"],
            "area": ["direction", "tthc", "penalty", "direction", "tthc", "penalty", "direction", "penalty"],
            "points": [14, 17.5, 0, 12, 19, -1, 13, -0.5],
            "group": ["department"] * 8,
        }
    )
    stats = area_statistics(points, AREAS).set_index("area")
    # direction: 14, 12, 13 -> mean 13; one (A) at the maximum 14
    assert stats.loc["direction", "mean_points"] == 13.0
    assert stats.loc["direction", "reached_maximum"] == 1
    # tthc: only A and B have points (C handles no procedures): 17.5, 19 -> 18.25; B reached 19
    assert (stats.loc["tthc", "agencies"], stats.loc["tthc", "mean_points"]) == (2, 18.25)
    assert stats.loc["tthc", "reached_maximum"] == 1
    # penalty items: 0, -1, -0.5 -> mean -0.5; "reached the maximum" = no penalty: A only
    assert stats.loc["penalty", "mean_points"] == -0.5
    assert stats.loc["penalty", "reached_maximum"] == 1
    assert stats.loc["penalty", "lowest"] == -1


def test_area_statistics_take_groups_from_the_agencies_table_and_split_by_group():
    points = pd.DataFrame({"agency": ["A", "H"], "area": ["direction", "direction"], "points": [14, 10]})
    agencies = pd.DataFrame({"agency": ["A", "H"], "group": ["department", "district"]})
    stats = area_statistics(points, {"direction": 14}, agencies)
    assert stats[["group", "mean_points", "reached_maximum"]].values.tolist() == [
        ["department", 14.0, 1],
        ["district", 10.0, 0],
    ]


def test_area_points_errors_have_codes():
    base = pd.DataFrame({"agency": ["A"], "area": ["direction"], "points": [14], "group": ["department"]})
    assert error_code(lambda: area_statistics(base.assign(area="sports"), AREAS)) == "unknown_area"
    assert error_code(lambda: area_statistics(base.assign(points=15), AREAS)) == "points_above_maximum"
    assert error_code(lambda: area_statistics(pd.concat([base, base]), AREAS)) == "duplicate_area"
    assert error_code(lambda: area_statistics(base.drop(columns="group"), AREAS)) == "missing_columns"
    dup_areas = pd.concat([AREAS, AREAS.iloc[[0]]])
    assert error_code(lambda: area_statistics(base, dup_areas)) == "duplicate_area"


# --- year on year --------------------------------------------------------------------------------


def test_compare_years_reports_index_and_rank_changes_and_new_and_dropped_agencies():
    previous = rank_par(table([("A", 80, 9, 100), ("B", 82, 9, 100), ("OLD", 70, 9, 100)]))
    current = rank_par(table([("A", 85, 9, 100), ("B", 80, 9, 100), ("NEW", 60, 9, 100)]))
    out = compare_years(current, previous, "2022", "2022").set_index("agency")
    # A: 89 -> 94, rank 2 -> 1: change +5, moved up 1
    assert out.loc["A", "index_change"] == pytest.approx(5.0)
    assert out.loc["A", "rank_change"] == 1
    # B: 91 -> 89, rank 1 -> 2: moved down 1
    assert out.loc["B", "rank_change"] == -1
    assert out.loc["NEW", "status"] == "new" and pd.isna(out.loc["NEW", "previous_index"])
    assert out.loc["OLD", "status"] == "dropped" and pd.isna(out.loc["OLD", "index"])
    assert not out["method_changed"].any()
    assert out.index.tolist()[-1] == "OLD"  # dropped agencies come last


def test_compare_years_flags_a_method_change():
    a = rank_par(table([("A", 80, 9, 100)]))
    out = compare_years(a, a, "2023", "2017")
    assert out["method_changed"].all()
    assert compare_years(a, a, None, "2017")["method_changed"].all()


def test_rank_change_is_left_empty_when_an_agency_changed_group():
    previous = rank_par(table([("A", 80, 9, 100)], group="district"))
    current = rank_par(table([("A", 80, 9, 100)]))
    out = compare_years(current, previous, "2022", "2022")
    assert out.loc[0, "group_changed"]
    assert pd.isna(out.loc[0, "rank_change"])


def test_compare_years_accepts_plain_tables_and_rejects_duplicates():
    cur = pd.DataFrame({"agency": ["A"], "index": [90.0], "rank": [1]})
    assert compare_years(cur, cur, "1", "1").loc[0, "index_change"] == 0.0
    dup = pd.concat([cur, cur])
    assert error_code(lambda: compare_years(dup, cur, "1", "1")) == "duplicate_agency"
    assert error_code(lambda: compare_years(cur.drop(columns="rank"), cur, "1", "1")) == "missing_columns"


def test_bands_object_is_kept_on_the_result():
    result = rank_par(table([("A", 80, 9, 100)]))
    assert isinstance(result.bands, Bands) and str(result.bands) == "excellent:95,good:85,fair:75,average:70,weak"
