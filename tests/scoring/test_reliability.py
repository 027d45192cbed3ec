"""Cronbach's alpha per factor."""

import numpy as np
import pandas as pd
import pytest

from scoring import SatisfactionMethod, cronbach_alpha, factor_reliability, score_satisfaction, synthetic_ballots
from scoring.synthetic import synthetic_criteria


def test_alpha_of_two_items_matches_a_hand_computation():
    # items A = 1,2,3,4 and B = 2,2,4,4; totals T = 3,4,7,8
    # s²_A = (2.25+0.25+0.25+2.25)/3 = 5/3; s²_B = (1+1+1+1)/3 = 4/3
    # s²_T = (6.25+2.25+2.25+6.25)/3 = 17/3
    # alpha = 2/1 * (1 - (5/3 + 4/3) / (17/3)) = 2 * 8/17 = 16/17
    res = cronbach_alpha(np.array([[1, 2], [2, 2], [3, 4], [4, 4]]))
    assert res.alpha == pytest.approx(16 / 17)
    assert (res.n, res.items) == (4, 2)


def test_alpha_drops_ballots_with_a_missing_item_listwise():
    # the same four complete rows as above plus two incomplete ones: same alpha, n = 4
    data = pd.DataFrame({"A": [1, 2, 3, 4, 5, None], "B": [2, 2, 4, 4, None, 1]})
    res = cronbach_alpha(data)
    assert res.alpha == pytest.approx(16 / 17)
    assert res.n == 4


def test_alpha_is_nan_not_an_error_when_undefined():
    assert np.isnan(cronbach_alpha(np.array([[1], [2], [3]])).alpha)  # one item
    assert np.isnan(cronbach_alpha(np.array([[4, 4], [4, 4]])).alpha)  # no variance
    res = cronbach_alpha(np.array([[1, 2], [np.nan, 3]]))  # one complete ballot
    assert np.isnan(res.alpha) and res.n == 1


def test_alpha_of_identical_items_is_one():
    # every item equals the others: sum of item variances = s²_T / k, alpha = k/(k-1)(1 - 1/k) = 1
    x = np.array([1, 3, 4, 5, 2])
    assert cronbach_alpha(np.column_stack([x, x, x])).alpha == pytest.approx(1.0)


def test_factor_alpha_reported_with_scores_equals_cronbach_alpha_on_the_factor_columns():
    wide = synthetic_ballots(3_000, 4, seed=5)
    criteria = synthetic_criteria()
    res = score_satisfaction(wide, criteria, SatisfactionMethod(bootstrap_resamples=0))
    for factor, questions in criteria.groupby("factor")["question"]:
        cols = wide[list(questions)].astype("float64")
        expected = cronbach_alpha(cols)
        pooled = res.reliability.set_index("factor").loc[factor]
        assert pooled["alpha"] == pytest.approx(expected.alpha, rel=1e-10)
        assert pooled["n"] == expected.n
        agency = wide["agency"].iloc[0]
        per = res.factors.set_index(["agency", "factor"]).loc[(agency, factor)]
        exp_a = cronbach_alpha(cols[wide["agency"] == agency])
        assert per["alpha"] == pytest.approx(exp_a.alpha, rel=1e-10)
        assert per["alpha_n"] == exp_a.n


def test_factor_reliability_works_on_long_answers_and_by_agency():
    answers = pd.DataFrame(
        {
            "ballot_id": [1, 1, 2, 2, 3, 3, 4, 4],
            "agency": ["A"] * 8,
            "question": ["a", "b"] * 4,
            "value": [1, 2, 2, 2, 3, 4, 4, 4],
        }
    )
    criteria = [{"question": "a", "factor": "f"}, {"question": "b", "factor": "f"}]
    # the hand-computed two-item case above: 16/17
    table = factor_reliability(answers, criteria)
    assert table.loc[0, "alpha"] == pytest.approx(16 / 17)
    by_agency = factor_reliability(answers, criteria, by_agency=True)
    assert by_agency.columns.tolist() == ["agency", "factor", "items", "n", "alpha"]
    assert by_agency.loc[0, "n"] == 4
