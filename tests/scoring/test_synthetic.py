"""Synthetic benchmark data."""

import pandas as pd

from scoring import SatisfactionMethod, score_satisfaction, synthetic_ballots, synthetic_criteria


def test_synthetic_criteria_have_22_criteria_in_five_factors():
    criteria = synthetic_criteria()
    assert len(criteria) == 22 and criteria["question"].is_unique
    assert criteria["factor"].unique().tolist() == ["access", "procedures", "civil_servants", "results", "feedback"]


def test_synthetic_ballots_are_reproducible_from_the_seed():
    pd.testing.assert_frame_equal(synthetic_ballots(500, 5, seed=3), synthetic_ballots(500, 5, seed=3))
    assert not synthetic_ballots(500, 5, seed=3).equals(synthetic_ballots(500, 5, seed=4))


def test_synthetic_ballots_have_levels_1_to_5_or_missing_and_the_requested_size():
    wide = synthetic_ballots(2_000, 10, seed=1)
    questions = synthetic_criteria()["question"].tolist()
    assert wide.columns.tolist() == ["ballot_id", "agency", *questions]
    assert len(wide) == 2_000 and wide["ballot_id"].is_unique
    assert wide["agency"].nunique() <= 10
    values = wide[questions].stack()  # stack drops missing answers
    assert values.between(1, 5).all()
    # feedback criteria are answered only by the ~25 % who gave feedback; others by ~99 %
    assert 0.2 < wide["q20"].notna().mean() < 0.3
    assert wide["q01"].notna().mean() > 0.97


def test_synthetic_data_scores_to_a_high_satisfaction_with_intervals():
    res = score_satisfaction(synthetic_ballots(20_000, 40, seed=9), synthetic_criteria(), SatisfactionMethod())
    a = res.agencies
    assert a["index"].between(50, 100).all()
    assert ((a["ci_low"] <= a["index"]) & (a["index"] <= a["ci_high"])).all()
    assert a["ballots"].sum() == 20_000
    assert res.reliability["alpha"].between(0.5, 1).all()
