"""Confidence intervals: Wilson score and bootstrap percentile."""

import numpy as np
import pytest
from scipy.stats import binomtest

from scoring import ScoringError, percentile_interval, wilson_interval, z_value


def test_z_value_for_95_percent_is_1_96():
    # Φ⁻¹(0.975) = 1.959963984540054 (standard normal table)
    assert z_value(0.95) == pytest.approx(1.959963984540054, abs=1e-12)


def test_wilson_interval_of_8_out_of_10_matches_a_hand_computation():
    # p = 0.8, n = 10, z = 1.9599640, z² = 3.8414588, z²/n = 0.38414588
    # centre = (0.8 + 0.38414588/2) / 1.38414588 = 0.99207294 / 1.38414588 = 0.71674016
    # half   = 1.9599640 / 1.38414588 * sqrt(0.8*0.2/10 + 3.8414588/400)
    #        = 1.41600969 * sqrt(0.016 + 0.00960365) = 1.41600969 * 0.16001140 = 0.22657769
    # -> (0.4901625, 0.9433178); statsmodels' proportion_confint(8, 10, method="wilson") agrees
    low, high = wilson_interval(8, 10)
    assert float(low) == pytest.approx(0.4901625, abs=1e-7)
    assert float(high) == pytest.approx(0.9433178, abs=1e-7)


@pytest.mark.parametrize(("k", "n"), [(0, 5), (3, 7), (98, 100), (100, 100), (480, 500)])
def test_wilson_interval_agrees_with_scipy_binomtest(k, n):
    # independent implementation: scipy.stats.binomtest(...).proportion_ci(method="wilson")
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n, 0.95)
    assert float(low) == pytest.approx(ci.low, abs=1e-12)
    assert float(high) == pytest.approx(ci.high, abs=1e-12)


def test_wilson_interval_is_vectorised_and_nan_where_there_are_no_answers():
    low, high = wilson_interval(np.array([0, 10, 0]), np.array([10, 10, 0]))
    assert low[0] == 0.0 and high[1] == 1.0
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_wilson_interval_rejects_more_successes_than_trials():
    with pytest.raises(ScoringError) as err:
        wilson_interval(11, 10)
    assert err.value.code == "invalid_value"


def test_confidence_outside_0_1_is_an_invalid_method_error():
    with pytest.raises(ScoringError) as err:
        z_value(1.0)
    assert err.value.code == "invalid_method"


def test_percentile_interval_equals_numpy_quantiles_and_skips_nan_replicates():
    rng = np.random.default_rng(7)
    samples = rng.normal(size=(3, 999))
    samples[1, :400] = np.nan
    samples[2] = np.nan
    low, high = percentile_interval(samples, 0.9, axis=1)
    # reference: numpy's linear-interpolation quantiles on the finite replicates
    assert low[0] == pytest.approx(np.quantile(samples[0], 0.05))
    assert high[0] == pytest.approx(np.quantile(samples[0], 0.95))
    assert low[1] == pytest.approx(np.nanquantile(samples[1], 0.05))
    assert high[1] == pytest.approx(np.nanquantile(samples[1], 0.95))
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_percentile_interval_of_1_to_101_is_the_3rd_and_99th_values():
    # 101 values 1..101: quantile q sits at position q*100; 0.025 -> 2.5 -> 3.5; 0.975 -> 97.5 -> 98.5
    low, high = percentile_interval(np.arange(1, 102, dtype=float))
    assert float(low) == pytest.approx(3.5)
    assert float(high) == pytest.approx(98.5)
