"""Display rounding: half-up and half-even on the decimal value a float stands for."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from scoring import ScoringError, present, round_decimal, round_half_even, round_half_up, round_values
from scoring.rounding import Rounding


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        # 94.575 printed; a person rounding half-up writes 94.58 (stored as 94.57500000000000284...).
        (94.575, 2, 94.58),
        # 94.565 is stored as 94.56499999999999773...; round() gives 94.56, a person 94.57.
        (94.565, 2, 94.57),
        # 2.675 is stored as 2.67499999999999982236...; round() gives 2.67, a person 2.68.
        (2.675, 2, 2.68),
        # 1.005 is stored as 1.00499999999999989...; round() gives 1.0, a person 1.01.
        (1.005, 2, 1.01),
        # below and above a tie: plain rounding
        (94.574, 2, 94.57),
        (94.576, 2, 94.58),
        # ties at other places
        (0.5, 0, 1.0),
        (2.5, 0, 3.0),
        (84.58333333333333, 2, 84.58),  # 50.75 / 60 × 100 from the Hà Nam table, published 84.58
        (123456789.125, 2, 123456789.13),
        # negative decimals round to tens: 1234.5 -> 1230, 1235 -> 1240
        (1234.5, -1, 1230.0),
        (1235, -1, 1240.0),
    ],
)
def test_round_half_up_rounds_the_printed_decimal_as_a_person_does(value, decimals, expected):
    assert round_half_up(value, decimals) == expected


def test_python_round_disagrees_with_a_person_on_binary_ties_and_round_half_up_does_not():
    # The reason this module exists: Python rounds the binary value.
    assert round(2.675, 2) == 2.67
    assert round_half_up(2.675, 2) == 2.68


def test_round_half_up_rounds_a_negative_tie_away_from_zero():
    # -1.255 -> -1.26 (ROUND_HALF_UP in decimal is "away from zero")
    assert round_half_up(-1.255, 2) == -1.26
    assert round_half_up(-2.5, 0) == -3.0


def test_round_half_up_absorbs_arithmetic_noise_in_the_last_binary_digits():
    total = 50.01 + 0.035
    assert repr(total) == "50.044999999999995"  # the sum a person writes as 50.045
    assert round_half_up(total, 2) == 50.05
    # without snapping, the repr itself is rounded: 50.0449... -> 50.04
    assert round_half_up(total, 2, snap_digits=None) == 50.04


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.125, 2, 0.12),  # tie, 2 is even
        (0.135, 2, 0.14),  # tie, 4 is even
        (2.5, 0, 2.0),
        (3.5, 0, 4.0),
        (2.675, 2, 2.68),  # tie on the decimal 2.675; 8 is even
        (2.665, 2, 2.66),
        (0.126, 2, 0.13),  # not a tie
    ],
)
def test_round_half_even_is_bankers_rounding_on_the_decimal_value(value, decimals, expected):
    assert round_half_even(value, decimals) == expected


def test_round_decimal_takes_the_rule_as_a_parameter():
    assert round_decimal(0.125, 2, "half_up") == 0.13
    assert round_decimal(0.125, 2, "half_even") == 0.12


def test_missing_values_round_to_nan_and_infinities_stay():
    assert np.isnan(round_half_up(None, 2))
    assert np.isnan(round_half_up(float("nan"), 2))
    assert np.isnan(round_half_up(pd.NA, 2))
    assert round_half_up(float("inf"), 2) == float("inf")


def test_numpy_scalars_and_decimals_round_on_their_own_shortest_repr():
    # float32(94.575) is 94.57499694...; its own shortest repr is '94.575'.
    assert round_half_up(np.float32(94.575), 2) == 94.58
    assert round_half_up(np.float64(2.675), 2) == 2.68
    assert round_half_up(Decimal("2.675"), 2) == 2.68
    assert round_half_up(np.int64(7), 2) == 7.0


def test_unknown_rule_or_bad_decimals_is_an_invalid_rounding_error():
    with pytest.raises(ScoringError) as err:
        round_decimal(1.0, 2, "truncate")
    assert err.value.code == "invalid_rounding"
    with pytest.raises(ScoringError) as err:
        round_half_up(1.0, 1.5)
    assert err.value.code == "invalid_rounding"
    with pytest.raises(ScoringError) as err:
        Rounding(2, "up")
    assert err.value.code == "invalid_rounding"


def test_rounding_a_non_number_is_an_invalid_value_error():
    with pytest.raises(ScoringError) as err:
        round_half_up("94.575", 2)
    assert err.value.code == "invalid_value"
    with pytest.raises(ScoringError) as err:
        round_half_up(True, 2)
    assert err.value.code == "invalid_value"


def test_round_values_rounds_each_element_and_keeps_the_shape():
    out = round_values(np.array([[2.675, 1.005], [np.nan, 0.125]]), 2)
    np.testing.assert_array_equal(out, np.array([[2.68, 1.01], [np.nan, 0.13]]))


def test_present_returns_a_rounded_copy_and_leaves_the_input_unchanged():
    df = pd.DataFrame({"agency": ["A", "B"], "index": [94.575, 84.58333333333333], "rank": [1, 2]})
    before = df.copy()
    shown = present(df)
    pd.testing.assert_frame_equal(df, before)
    assert shown["index"].tolist() == [94.58, 84.58]
    assert shown["rank"].tolist() == [1, 2]  # integer columns are not touched
    assert shown is not df


def test_present_rounds_only_the_columns_asked_with_their_own_decimals_and_rule():
    df = pd.DataFrame({"a": [0.125, 2.5], "b": [0.125, 2.5]})
    shown = present(df, decimals={"a": 2}, rule="half_even")
    assert shown["a"].tolist() == [0.12, 2.5]
    assert shown["b"].tolist() == [0.125, 2.5]
    shown = present(df, columns=["b"], decimals=0)
    assert shown["b"].tolist() == [0.0, 3.0]  # 0.125 -> 0; 2.5 -> 3 half-up


def test_present_refuses_a_column_that_does_not_exist():
    with pytest.raises(ScoringError) as err:
        present(pd.DataFrame({"a": [1.0]}), columns=["b"])
    assert err.value.code == "missing_columns"
