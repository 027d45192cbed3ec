"""Satisfaction scoring: rates, factor and agency indexes, points, intervals, flags and errors."""

import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import (
    ERROR_CODES,
    SatisfactionMethod,
    ScoringError,
    answers_from_wide,
    answers_to_wide,
    score_satisfaction,
    synthetic_ballots,
    synthetic_criteria,
)

NO_BOOT = SatisfactionMethod(bootstrap_resamples=0)
FAST = SatisfactionMethod(bootstrap_resamples=200)

CRITERIA = pd.DataFrame(
    {
        "question": ["q1", "q2", "q3"],
        "factor": ["f1", "f1", "f2"],
        "criterion": ["1.1", "1.2", "2.1"],
    }
)


def small_answers() -> pd.DataFrame:
    """Agency A: 4 ballots; agency B: one empty ballot and one ballot answering only q1."""
    rows = [
        ("b1", "A", "q1", 5), ("b1", "A", "q2", 4), ("b1", "A", "q3", 3),
        ("b2", "A", "q1", 4), ("b2", "A", "q2", 2), ("b2", "A", "q3", "na"),
        ("b3", "A", "q1", 2), ("b3", "A", "q2", None), ("b3", "A", "q3", 5),
        ("b4", "A", "q1", 5), ("b4", "A", "q2", 5), ("b4", "A", "q3", 4),
        ("b5", "B", "q1", "na"), ("b5", "B", "q2", "na"), ("b5", "B", "q3", None),
        ("b6", "B", "q1", 1), ("b6", "B", "q2", np.nan), ("b6", "B", "q3", "NA"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["ballot_id", "agency", "question", "value"])


def row(df: pd.DataFrame, **keys) -> pd.Series:
    mask = np.ones(len(df), dtype=bool)
    for k, v in keys.items():
        mask &= (df[k] == v).to_numpy()
    assert mask.sum() == 1, keys
    return df[mask].iloc[0]


# --- known values, computed by hand ------------------------------------------------------------


def test_criterion_rates_count_satisfied_over_valid_answers_and_ignore_not_applicable():
    res = score_satisfaction(small_answers(), CRITERIA, NO_BOOT)
    c = res.criteria
    # q1 at A: 5, 4, 2, 5 -> 3 satisfied of 4 valid -> 75
    q1 = row(c, agency="A", question="q1")
    assert (q1["satisfied"], q1["valid"], q1["not_applicable"], q1["rate"]) == (3, 4, 0, 75.0)
    # q2 at A: 4, 2, (skipped), 5 -> 2 of 3 -> 66.67; the skipped answer is in neither count
    q2 = row(c, agency="A", question="q2")
    assert (q2["satisfied"], q2["valid"], q2["not_applicable"]) == (2, 3, 1)
    assert q2["rate"] == pytest.approx(200 / 3)
    # q3 at A: 3, "na", 5, 4 -> 2 of 3
    assert row(c, agency="A", question="q3")["rate"] == pytest.approx(200 / 3)
    # level counts of q1 at A: one 2, one 4, two 5
    assert q1[["level_1", "level_2", "level_3", "level_4", "level_5"]].tolist() == [0, 1, 0, 1, 2]


def test_factor_and_agency_index_are_equal_weight_means_of_rates_and_points_scale_to_10():
    res = score_satisfaction(small_answers(), CRITERIA, NO_BOOT)
    # f1 = (75 + 66.667) / 2 = 70.8333; f2 = 66.667 (q3 only)
    assert row(res.factors, agency="A", factor="f1")["index"] == pytest.approx((75 + 200 / 3) / 2)
    assert row(res.factors, agency="A", factor="f2")["index"] == pytest.approx(200 / 3)
    # index = (70.8333 + 66.6667) / 2 = 68.75; points = 68.75 / 100 * 10 = 6.875
    a = row(res.agencies, agency="A")
    assert a["index"] == pytest.approx(68.75)
    assert a["points"] == pytest.approx(6.875)
    assert (a["ballots"], a["empty_ballots"]) == (4, 0)
    assert (a["method"], a["method_version"]) == ("satisfied_share", "2017")


def test_mean_score_method_maps_levels_linearly_to_0_100():
    res = score_satisfaction(small_answers(), CRITERIA, SatisfactionMethod(method="mean_score", bootstrap_resamples=0))
    # q1: 5,4,2,5 -> 100,75,25,100 -> 75; q2: 4,2,5 -> 75,25,100 -> 66.667; q3: 3,5,4 -> 50,100,75 -> 75
    # f1 = (75 + 66.667)/2 = 70.8333; f2 = 75; index = (70.8333 + 75)/2 = 72.9167
    assert row(res.criteria, agency="A", question="q3")["rate"] == pytest.approx(75.0)
    assert row(res.agencies, agency="A")["index"] == pytest.approx((70.833333333 + 75) / 2)
    # the satisfied share is still reported next to the mean score: q3 2 of 3
    assert row(res.criteria, agency="A", question="q3")["satisfied_share"] == pytest.approx(200 / 3)


def test_factor_and_criterion_weights_change_the_means_as_configured():
    method = SatisfactionMethod(factor_weights={"f1": 2, "f2": 1}, bootstrap_resamples=0)
    res = score_satisfaction(small_answers(), CRITERIA, method)
    # (2 * 70.8333 + 66.6667) / 3 = 69.4444
    assert row(res.agencies, agency="A")["index"] == pytest.approx((2 * (75 + 200 / 3) / 2 + 200 / 3) / 3)
    method = SatisfactionMethod(criterion_weights={"1.1": 3}, bootstrap_resamples=0)
    res = score_satisfaction(small_answers(), CRITERIA, method)
    # f1 = (3 * 75 + 66.667) / 4 = 72.9167
    assert row(res.factors, agency="A", factor="f1")["index"] == pytest.approx((3 * 75 + 200 / 3) / 4)


def test_a_weight_column_in_the_criteria_table_is_used():
    criteria = CRITERIA.assign(weight=[3, 1, 1])
    res = score_satisfaction(small_answers(), criteria, NO_BOOT)
    assert row(res.factors, agency="A", factor="f1")["index"] == pytest.approx((3 * 75 + 200 / 3) / 4)


def test_satisfied_levels_are_configurable():
    res = score_satisfaction(
        small_answers(), CRITERIA, SatisfactionMethod(satisfied_levels=(5,), bootstrap_resamples=0)
    )
    # q1 at A with only 5 counting: 5, 4, 2, 5 -> 2 of 4 -> 50
    assert row(res.criteria, agency="A", question="q1")["rate"] == 50.0


def test_criteria_and_factors_nobody_answered_are_left_out_and_reported():
    res = score_satisfaction(small_answers(), CRITERIA, NO_BOOT)
    # B: b5 answers nothing, b6 answers only q1 = 1 -> q1 rate 0; q2, q3 no valid answers
    b = row(res.agencies, agency="B")
    assert (b["ballots"], b["empty_ballots"]) == (1, 1)
    assert b["index"] == 0.0  # f1 = 0 (q1 only), f2 left out
    assert np.isnan(row(res.criteria, agency="B", question="q2")["rate"])
    assert np.isnan(row(res.factors, agency="B", factor="f2")["index"])
    assert row(res.factors, agency="B", factor="f1")["criteria_without_answers"] == 1
    codes = {(w.code, w.agency, w.question, w.factor) for w in res.warnings}
    assert ("criterion_no_valid_answers", "B", "q2", "f1") in codes
    assert ("criterion_no_valid_answers", "B", "q3", "f2") in codes
    assert ("factor_no_valid_answers", "B", None, "f2") in codes


def test_an_agency_with_no_countable_ballots_is_flagged_not_silently_nan():
    answers = small_answers()
    answers = answers[~answers["ballot_id"].eq("b6")]  # B keeps only the all-n/a ballot
    res = score_satisfaction(answers, CRITERIA, NO_BOOT, agencies=["A", "B", "C"])
    flags = res.agencies.set_index("agency")
    assert flags.loc["B", "no_countable_ballots"] and flags.loc["C", "no_countable_ballots"]
    assert not flags.loc["A", "no_countable_ballots"]
    assert np.isnan(flags.loc["B", "index"]) and np.isnan(flags.loc["B", "points"])
    assert (flags.loc["C", "ballots"], flags.loc["C", "empty_ballots"]) == (0, 0)
    # every NaN index has its flag: no silent NaN
    assert (res.agencies["index"].isna() == res.agencies["no_countable_ballots"]).all()
    warned = {w.agency for w in res.warnings if w.code == "no_countable_ballots"}
    assert warned == {"B", "C"}


def test_agencies_below_the_minimum_sample_are_flagged():
    res = score_satisfaction(small_answers(), CRITERIA, SatisfactionMethod(min_ballots=4, bootstrap_resamples=0))
    flags = res.agencies.set_index("agency")["below_min_sample"]
    assert not flags["A"] and flags["B"]  # A has 4 countable ballots, B has 1
    assert [w.agency for w in res.warnings if w.code == "below_min_sample"] == ["B"]


def test_a_question_missing_from_the_data_is_reported_and_the_rest_scored():
    criteria = pd.concat([CRITERIA, pd.DataFrame({"question": ["q4"], "factor": ["f2"]})], ignore_index=True)
    res = score_satisfaction(small_answers(), criteria, NO_BOOT)
    assert row(res.agencies, agency="A")["index"] == pytest.approx(68.75)  # as without q4
    missing = [w for w in res.warnings if w.code == "question_missing_from_data"]
    assert [w.question for w in missing] == ["q4"]
    # not repeated as "no valid answers" per agency
    assert not [w for w in res.warnings if w.code == "criterion_no_valid_answers" and w.question == "q4"]


def test_all_ballots_satisfied_score_100_and_the_maximum_points():
    wide = synthetic_ballots(2_000, 7, seed=3)
    questions = synthetic_criteria()["question"].tolist()
    for q in questions:  # 4 or 5 everywhere an answer was given
        wide[q] = wide[q].where(wide[q].isna(), 4 + (wide[q] % 2))
    res = score_satisfaction(wide, synthetic_criteria(), SatisfactionMethod(bootstrap_resamples=100, max_points=10))
    assert (res.agencies["index"] == 100.0).all()
    assert (res.agencies["points"] == 10.0).all()
    # unanimous: every resample gives 100, so the interval is Wilson's on the ballots -- never [100, 100]
    assert (res.agencies["ci_method"] == "wilson_ballots").all()
    assert (res.agencies["ci_high"] == 100.0).all() and (res.agencies["ci_low"] < 100.0).all()
    n = res.agencies["ballots"].to_numpy(dtype=float)
    z2 = 1.959963984540054**2
    assert res.agencies["ci_low"].to_numpy() == pytest.approx(100 * n / (n + z2))  # Wilson's lower end at p = 1


# --- intervals -----------------------------------------------------------------------------------


def test_criterion_rates_carry_a_wilson_interval():
    res = score_satisfaction(small_answers(), CRITERIA, NO_BOOT)
    q1 = row(res.criteria, agency="A", question="q1")
    # Wilson, 3 of 4 at 95 %: z²/n = 3.8414588/4 = 0.9603647, denominator 1.9603647
    # centre = (0.75 + 0.4801824) / 1.9603647 = 0.6275273
    # half   = 1.9599640/1.9603647 * sqrt(0.75*0.25/4 + 3.8414588/64) = 0.9997956 * 0.3269523 = 0.3268854
    # -> (0.3006418, 0.9544127), reported in percent
    assert q1["wilson_low"] == pytest.approx(30.06418, abs=1e-4)
    assert q1["wilson_high"] == pytest.approx(95.44127, abs=1e-4)


@pytest.mark.parametrize(("groups", "ci_method"), [(None, "bootstrap"), (200, "bootstrap_random_groups")])
def test_bootstrap_interval_of_a_single_rate_is_close_to_the_normal_interval(groups, ci_method):
    # one criterion, 400 ballots, 360 satisfied: p = 0.9, se = sqrt(.9*.1/400) = 0.015
    # normal interval 90 ± 1.96*1.5 = (87.06, 92.94); the percentile bootstrap should agree within 0.5
    values = [5] * 360 + [2] * 40
    answers = pd.DataFrame({"ballot_id": range(400), "agency": "A", "question": "q", "value": values})
    method = SatisfactionMethod(bootstrap_resamples=4000, bootstrap_groups=groups)
    res = score_satisfaction(answers, [{"question": "q", "factor": "f"}], method)
    a = row(res.agencies, agency="A")
    assert a["index"] == 90.0
    assert a["ci_low"] == pytest.approx(87.06, abs=0.5)
    assert a["ci_high"] == pytest.approx(92.94, abs=0.5)
    assert a["ci_method"] == ci_method  # 400 ballots: exact, or dealt into 200 groups of 2
    assert row(res.factors, agency="A", factor="f")["ci_low"] == pytest.approx(a["ci_low"])


def test_random_group_bootstrap_gives_nearly_the_same_interval_as_the_exact_ballot_bootstrap():
    wide = synthetic_ballots(6_000, 1, seed=11)
    exact = score_satisfaction(wide, synthetic_criteria(), SatisfactionMethod(bootstrap_groups=None))
    grouped = score_satisfaction(wide, synthetic_criteria(), SatisfactionMethod(bootstrap_groups=200))
    e, g = exact.agencies.iloc[0], grouped.agencies.iloc[0]
    assert (e["ci_method"], g["ci_method"]) == ("bootstrap", "bootstrap_random_groups")
    # widths agree to within 15 % (Monte Carlo error of 1,000 resamples is about 5 %)
    assert (g["ci_high"] - g["ci_low"]) == pytest.approx(e["ci_high"] - e["ci_low"], rel=0.15)
    assert g["ci_low"] < g["index"] < g["ci_high"]


def test_bootstrap_is_reproducible_with_the_seed_and_changes_with_another_seed():
    wide = synthetic_ballots(3_000, 5, seed=2)
    one = score_satisfaction(wide, synthetic_criteria(), FAST)
    two = score_satisfaction(wide, synthetic_criteria(), FAST)
    pd.testing.assert_frame_equal(one.agencies, two.agencies)
    other = score_satisfaction(wide, synthetic_criteria(), SatisfactionMethod(bootstrap_resamples=200, seed=1))
    assert not np.allclose(one.agencies["ci_low"], other.agencies["ci_low"])
    pd.testing.assert_series_equal(one.agencies["index"], other.agencies["index"])


def test_an_agencys_interval_does_not_depend_on_the_other_agencies():
    wide = synthetic_ballots(3_000, 5, seed=2)
    full = score_satisfaction(wide, synthetic_criteria(), FAST).agencies.set_index("agency")
    first = wide["agency"].iloc[0]
    alone = score_satisfaction(wide[wide["agency"] == first], synthetic_criteria(), FAST).agencies
    assert alone["ci_low"].iloc[0] == full.loc[first, "ci_low"]
    assert alone["ci_high"].iloc[0] == full.loc[first, "ci_high"]


def test_intervals_contain_the_estimates():
    res = score_satisfaction(synthetic_ballots(5_000, 20, seed=4), synthetic_criteria(), FAST)
    a = res.agencies
    assert ((a["ci_low"] <= a["index"]) & (a["index"] <= a["ci_high"])).all()
    c = res.criteria.dropna(subset=["rate"])
    assert ((c["wilson_low"] <= c["satisfied_share"]) & (c["satisfied_share"] <= c["wilson_high"])).all()


# --- invariants ----------------------------------------------------------------------------------


def test_permuting_rows_changes_nothing_including_the_intervals():
    answers = answers_from_wide(synthetic_ballots(800, 6, seed=8), synthetic_criteria()["question"])
    base = score_satisfaction(answers, synthetic_criteria(), FAST)
    shuffled = answers.sample(frac=1.0, random_state=1).reset_index(drop=True)
    again = score_satisfaction(shuffled, synthetic_criteria(), FAST)
    pd.testing.assert_frame_equal(base.agencies, again.agencies)
    pd.testing.assert_frame_equal(base.factors, again.factors)
    pd.testing.assert_frame_equal(base.criteria, again.criteria)


def test_adding_not_applicable_answers_changes_nothing():
    answers = small_answers()
    base = score_satisfaction(answers, CRITERIA, FAST)
    # an all-n/a ballot for A and an n/a answer row dropped from b2 then re-added as None
    extra = pd.DataFrame(
        {"ballot_id": ["b9", "b9", "b9"], "agency": "A", "question": ["q1", "q2", "q3"], "value": ["na", None, np.nan]}
    )
    more = pd.concat([answers[answers["value"].ne("na")], extra], ignore_index=True)
    res = score_satisfaction(more, CRITERIA, FAST)
    for col in ["index", "points", "ci_low", "ci_high", "ballots"]:
        pd.testing.assert_series_equal(base.agencies[col], res.agencies[col])
    pd.testing.assert_frame_equal(base.criteria, res.criteria)
    assert row(res.agencies, agency="A")["empty_ballots"] == 1  # the extra ballot is counted, not scored


def test_the_input_table_is_not_modified():
    answers = small_answers()
    before = answers.copy()
    score_satisfaction(answers, CRITERIA, FAST)
    pd.testing.assert_frame_equal(answers, before)
    wide = synthetic_ballots(500, 3, seed=1)
    before = wide.copy()
    criteria = synthetic_criteria()
    criteria_before = criteria.copy()
    score_satisfaction(wide, criteria, FAST)
    pd.testing.assert_frame_equal(wide, before)
    pd.testing.assert_frame_equal(criteria, criteria_before)


def test_wide_and_long_layouts_score_identically():
    wide = synthetic_ballots(1_500, 8, seed=6)
    questions = synthetic_criteria()["question"]
    from_wide = score_satisfaction(wide, synthetic_criteria(), FAST)
    from_long = score_satisfaction(answers_from_wide(wide, questions, dropna=True), synthetic_criteria(), FAST)
    pd.testing.assert_frame_equal(from_wide.agencies, from_long.agencies)
    pd.testing.assert_frame_equal(from_wide.criteria, from_long.criteria)


def test_answers_to_wide_and_back_round_trips():
    long = small_answers()
    wide = answers_to_wide(long, ["q1", "q2", "q3"])
    assert wide.columns.tolist() == ["ballot_id", "agency", "q1", "q2", "q3"]
    assert wide.set_index("ballot_id").loc["b2", "q2"] == 2
    assert pd.isna(wide.set_index("ballot_id").loc["b2", "q3"])
    back = answers_from_wide(wide, ["q1", "q2", "q3"])
    assert len(back) == 18
    pd.testing.assert_frame_equal(
        score_satisfaction(back, CRITERIA, NO_BOOT).agencies, score_satisfaction(long, CRITERIA, NO_BOOT).agencies
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    levels=st.lists(st.lists(st.sampled_from([1, 2, 3, 4, 5, None]), min_size=3, max_size=3), min_size=1, max_size=25),
    agencies=st.lists(st.sampled_from(["A", "B", "C"]), min_size=25, max_size=25),
    seed=st.integers(0, 10_000),
)
def test_scores_do_not_depend_on_row_order_for_any_data(levels, agencies, seed):
    rows = [
        (f"b{i}", agencies[i], q, v)
        for i, ballot in enumerate(levels)
        for q, v in zip(["q1", "q2", "q3"], ballot, strict=True)
    ]
    answers = pd.DataFrame(rows, columns=["ballot_id", "agency", "question", "value"])
    method = SatisfactionMethod(bootstrap_resamples=30)
    base = score_satisfaction(answers, CRITERIA, method)
    shuffled = score_satisfaction(answers.sample(frac=1.0, random_state=seed), CRITERIA, method)
    pd.testing.assert_frame_equal(base.agencies, shuffled.agencies)
    pd.testing.assert_frame_equal(base.factors, shuffled.factors)
    # and: index is NaN exactly when flagged, and lies in [0, 100] otherwise
    a = base.agencies
    assert (a["index"].isna() == a["no_countable_ballots"]).all()
    assert a["index"].dropna().between(0, 100).all()


# --- input forms ---------------------------------------------------------------------------------


def test_numeric_strings_and_na_spellings_are_accepted():
    answers = small_answers().assign(value=lambda d: d["value"].map(lambda v: str(v) if isinstance(v, int) else v))
    answers.loc[answers["value"].eq("na"), "value"] = " N/A "
    res = score_satisfaction(answers, CRITERIA, NO_BOOT)
    assert row(res.agencies, agency="A")["index"] == pytest.approx(68.75)


def test_criteria_may_be_a_list_of_dicts():
    criteria = CRITERIA.to_dict("records")
    res = score_satisfaction(small_answers(), criteria, NO_BOOT)
    assert row(res.agencies, agency="A")["index"] == pytest.approx(68.75)


def test_agency_names_in_nfd_and_nfc_are_one_agency_reported_in_nfc():
    name = "Sở Tư pháp"
    answers = small_answers()
    # rows alternate between the two encodings, even within one ballot
    answers["agency"] = [unicodedata.normalize("NFD" if i % 2 else "NFC", name) for i in range(len(answers))]
    assert answers["agency"].nunique() == 2
    res = score_satisfaction(answers, CRITERIA, NO_BOOT)
    assert res.agencies["agency"].tolist() == [unicodedata.normalize("NFC", name)]


def test_vietnamese_labels_keep_their_diacritics():
    res = score_satisfaction(synthetic_ballots(300, 2, seed=1), synthetic_criteria(), NO_BOOT)
    assert "Tiếp cận dịch vụ" in synthetic_criteria()["factor_label"].tolist()
    assert res.factors["factor"].iloc[0] == "access"
    labels = synthetic_criteria()["label"]
    assert (labels == labels.map(lambda s: unicodedata.normalize("NFC", s))).all()


def test_the_method_is_stored_with_the_result():
    method = SatisfactionMethod(version="2023", bootstrap_resamples=0)
    res = score_satisfaction(small_answers(), CRITERIA, method)
    assert res.method is method
    assert set(res.agencies["method_version"]) == {"2023"}
    assert method.as_dict()["satisfied_levels"] == [4, 5]


# --- errors --------------------------------------------------------------------------------------


def error_code(call) -> str:
    with pytest.raises(ScoringError) as err:
        call()
    assert err.value.code in ERROR_CODES
    return err.value.code


def test_empty_or_malformed_tables_raise_clear_errors():
    empty = small_answers().iloc[:0]
    assert error_code(lambda: score_satisfaction(empty, CRITERIA)) == "empty_input"
    no_agency = small_answers().drop(columns="agency")
    assert error_code(lambda: score_satisfaction(no_agency, CRITERIA, layout="long")) == "missing_columns"
    assert error_code(lambda: score_satisfaction(small_answers(), CRITERIA.iloc[:0])) == "empty_input"
    bad_crit = CRITERIA.drop(columns="factor")
    assert error_code(lambda: score_satisfaction(small_answers(), bad_crit)) == "missing_columns"


@pytest.mark.parametrize("bad", [0, 6, -1, 3.5, "abc", "4.5"])
def test_levels_outside_1_to_5_are_invalid_values(bad):
    answers = small_answers()
    answers.loc[0, "value"] = bad
    with pytest.raises(ScoringError) as err:
        score_satisfaction(answers, CRITERIA)
    assert err.value.code == "invalid_value"
    assert err.value.details["count"] == 1


def test_integer_columns_out_of_range_are_invalid_values():
    wide = pd.DataFrame({"ballot_id": [1, 2], "agency": ["A", "A"], "q1": [5, 7], "q2": [1, 2], "q3": [3, 3]})
    assert error_code(lambda: score_satisfaction(wide, CRITERIA)) == "invalid_value"


def test_structural_problems_in_answers_have_their_own_codes():
    answers = small_answers()
    unknown = pd.concat([answers, pd.DataFrame([["b1", "A", "age", 40]], columns=answers.columns)])
    assert error_code(lambda: score_satisfaction(unknown, CRITERIA)) == "unknown_question"
    dup = pd.concat([answers, answers.iloc[[0]]])
    assert error_code(lambda: score_satisfaction(dup, CRITERIA)) == "duplicate_answer"
    clash = answers.copy()
    clash.loc[1, "agency"] = "B"
    assert error_code(lambda: score_satisfaction(clash, CRITERIA)) == "inconsistent_ballot"
    wide = answers_to_wide(answers, ["q1", "q2", "q3"])
    wide_dup = pd.concat([wide, wide.iloc[[0]]])
    assert error_code(lambda: score_satisfaction(wide_dup, CRITERIA)) == "duplicate_ballot"
    no_question_columns = wide[["ballot_id", "agency"]]
    assert error_code(lambda: score_satisfaction(no_question_columns, CRITERIA)) == "missing_columns"
    no_agency = answers.copy()
    no_agency.loc[0, "agency"] = None
    assert error_code(lambda: score_satisfaction(no_agency, CRITERIA)) == "invalid_value"


def test_bad_criteria_and_methods_have_their_own_codes():
    dup = pd.concat([CRITERIA, CRITERIA.iloc[[0]]])
    assert error_code(lambda: score_satisfaction(small_answers(), dup)) == "duplicate_question"
    zero = CRITERIA.assign(weight=[1, 0, 1])
    assert error_code(lambda: score_satisfaction(small_answers(), zero)) == "invalid_criteria"
    assert error_code(lambda: SatisfactionMethod(method="median")) == "invalid_method"
    assert error_code(lambda: SatisfactionMethod(satisfied_levels=(6,))) == "invalid_method"
    assert error_code(lambda: SatisfactionMethod(confidence=1.5)) == "invalid_method"
    assert error_code(lambda: SatisfactionMethod(bootstrap_groups=1)) == "invalid_method"
    assert error_code(lambda: SatisfactionMethod(max_points=0)) == "invalid_method"
    partial = SatisfactionMethod(factor_weights={"f1": 1})
    assert error_code(lambda: score_satisfaction(small_answers(), CRITERIA, partial)) == "invalid_method"
    unknown = SatisfactionMethod(criterion_weights={"9.9": 2})
    assert error_code(lambda: score_satisfaction(small_answers(), CRITERIA, unknown)) == "invalid_method"


def test_errors_are_value_errors_with_a_stable_code_and_a_dict_form():
    with pytest.raises(ValueError) as err:
        score_satisfaction(small_answers().iloc[:0], CRITERIA)
    data = err.value.to_dict()
    assert data["code"] == "empty_input" and "no rows" in data["message"]
    assert str(err.value).startswith("[empty_input]")


def test_warnings_are_available_as_a_table():
    res = score_satisfaction(small_answers(), CRITERIA, NO_BOOT)
    table = res.warnings_table()
    assert table.columns.tolist() == ["code", "message", "agency", "factor", "question", "details"]
    assert len(table) == len(res.warnings) > 0


def test_agencies_are_listed_in_sorted_order_numbers_numerically():
    wide = pd.DataFrame({"ballot_id": [1, 2, 3, 4], "agency": [10, 2, 10, 1], "q1": [5, 4, 3, 2]})
    res = score_satisfaction(wide, [{"question": "q1", "factor": "f"}], NO_BOOT)
    assert res.agencies["agency"].tolist() == [1, 2, 10]
    # agency 10: 5 and 3 -> 1 of 2 satisfied -> 50
    assert res.agencies["index"].tolist() == [0.0, 100.0, 50.0]


def test_an_expected_agency_given_in_nfd_matches_its_nfc_ballots():
    name = "Sở Tư pháp"
    answers = small_answers().assign(agency=unicodedata.normalize("NFC", name))
    res = score_satisfaction(answers, CRITERIA, NO_BOOT, agencies=[unicodedata.normalize("NFD", name)])
    assert len(res.agencies) == 1 and not res.agencies["no_countable_ballots"].iloc[0]


# --- small samples: the interval never collapses (scoring.intervals, "Which interval an index gets") -----

Z2 = 1.959963984540054**2


def wilson_by_hand(p: float, n: int) -> tuple[float, float]:
    """Wilson (1927) written out: centre ± half over 1 + z²/n, in percent."""
    denom = 1 + Z2 / n
    centre = (p + Z2 / (2 * n)) / denom
    half = (Z2**0.5) / denom * ((p * (1 - p) / n + Z2 / (4 * n * n)) ** 0.5)
    return 100 * max(centre - half, 0.0), 100 * min(centre + half, 1.0)


FIVE = [{"question": f"q{f}", "factor": f"F{f}"} for f in range(1, 6)]


def test_one_ballot_at_100_should_get_a_wilson_interval_from_20_65_to_100_not_a_point():
    answers = pd.DataFrame({"ballot_id": 1, "agency": "A", "question": [f"q{f}" for f in range(1, 6)], "value": 5})
    a = row(score_satisfaction(answers, FIVE).agencies, agency="A")
    assert a["index"] == 100.0 and a["ballots"] == 1
    # p = 1, n = 1: the lower end is 1 / (1 + z²) = 1 / 4.8414588 = 0.2065494
    assert a["ci_low"] == pytest.approx(20.65494, abs=1e-4) and a["ci_high"] == 100.0
    assert a["ci_method"] == "wilson_ballots" and bool(a["below_min_sample"])


def test_three_identical_ballots_at_20_should_get_wilson_not_the_bootstraps_20_to_20():
    # each ballot: F1 satisfied, F2-F5 dissatisfied -> index (100 + 0 + 0 + 0 + 0) / 5 = 20 on every resample
    values = [5, 2, 2, 2, 2]
    answers = pd.DataFrame(
        {
            "ballot_id": np.repeat([1, 2, 3], 5),
            "agency": "A",
            "question": [f"q{f}" for f in range(1, 6)] * 3,
            "value": values * 3,
        }
    )
    res = score_satisfaction(answers, FIVE, SatisfactionMethod(min_ballots=0))  # bootstrap allowed from 1 ballot
    a = row(res.agencies, agency="A")
    assert a["index"] == pytest.approx(20.0)
    # p = 0.2, n = 3: centre 0.3684491, half 0.3438235 -> [2.46256, 71.22727]
    low, high = wilson_by_hand(0.2, 3)
    assert (low, high) == pytest.approx((2.46256, 71.22727), abs=1e-5)
    assert a["ci_low"] == pytest.approx(low) and a["ci_high"] == pytest.approx(high)
    assert a["ci_method"] == "wilson_ballots"  # the bootstrap had no width
    f1 = row(res.factors, agency="A", factor="F1")
    assert f1["index"] == 100.0 and f1["ballots"] == 3 and f1["ci_method"] == "wilson_ballots"
    assert f1["ci_low"] == pytest.approx(100 * 3 / (3 + Z2))


def test_the_bootstrap_should_be_used_from_the_minimum_sample_and_wilson_below_it():
    values = [5] * 20 + [2] * 10  # 30 ballots, one criterion, index 66.67
    answers = pd.DataFrame({"ballot_id": range(30), "agency": "A", "question": "q1", "value": values})
    crit = [{"question": "q1", "factor": "F1"}]
    at = row(score_satisfaction(answers, crit, SatisfactionMethod(min_ballots=30)).agencies, agency="A")
    assert at["ci_method"] == "bootstrap"
    below = row(score_satisfaction(answers, crit, SatisfactionMethod(min_ballots=31)).agencies, agency="A")
    assert below["ci_method"] == "wilson_ballots"
    assert (below["ci_low"], below["ci_high"]) == pytest.approx(wilson_by_hand(20 / 30, 30))
    floor = SatisfactionMethod(min_ballots=31, bootstrap_min_ballots=10)
    assert row(score_satisfaction(answers, crit, floor).agencies, agency="A")["ci_method"] == "bootstrap"


def test_a_factor_nobody_answered_should_be_listed_on_the_agency_row():
    answers = pd.DataFrame(
        {"ballot_id": [1, 1, 1, 1, 2, 2, 2, 2], "agency": "A", "question": ["q1", "q2", "q3", "q4"] * 2, "value": 5}
    )
    res = score_satisfaction(answers, FIVE, NO_BOOT)
    a = row(res.agencies, agency="A")
    assert a["index"] == 100.0  # the mean of the four factors answered
    assert a["factors_without_answers"] == ["F5"]
    assert (a["factors_scored"], a["factors_total"]) == (4, 5)
    assert [w.factor for w in res.warnings if w.code == "factor_no_valid_answers"] == ["F5"]
    assert row(res.factors, agency="A", factor="F5")["ballots"] == 0
