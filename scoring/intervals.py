"""Confidence intervals: Wilson score intervals for rates and small samples, percentile intervals for bootstraps.

**Which interval an index gets** (agency and factor indexes, :mod:`scoring.satisfaction`):

* the seeded percentile bootstrap over ballots when the agency has at least ``bootstrap_min_ballots``
  countable ballots (default: the method's minimum sample, 30) *and* the bootstrap interval has a
  positive width;
* otherwise -- fewer ballots, bootstrap switched off, or every resample giving the same value (unanimous
  answers) -- the Wilson score interval of :func:`index_interval`, with the index read as a share
  ``p = index / 100`` and the number of ballots that answered as ``n``.

Why Wilson on ballots: every ballot contributes a value in [0, 1] (its share of satisfied answers, or its
mean score), and a variable in [0, 1] with mean p has variance at most ``p (1 - p)`` -- the Bernoulli
variance -- so the Wilson interval with n ballots is the interval of the most variable sample with
that mean: conservative, never of zero width while n is finite (one ballot at 100 gives [20.65, 100]),
inside [0, 100], and close to nominal coverage for shares near 0 or 1 (Brown, Cai & DasGupta 2001).
A bootstrap of a handful of ballots, by contrast, only resamples what was seen: one ballot gives
[100, 100], three identical ballots [20, 20].

Both are vectorised over numpy arrays and return NaN where an interval is undefined (no
observations), never raise for that.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from scoring.errors import ScoringError


def z_value(confidence: float) -> float:
    """Two-sided standard-normal critical value: ``z = Φ⁻¹(1 - (1 - confidence) / 2)``.

    ``z_value(0.95)`` is 1.959963984540054.
    """
    if not 0.0 < confidence < 1.0:
        raise ScoringError("invalid_method", f"confidence must be strictly between 0 and 1, not {confidence!r}")
    return float(norm.ppf(1.0 - (1.0 - confidence) / 2.0))


def wilson_interval(
    successes: np.ndarray | float, n: np.ndarray | float, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion, as proportions in [0, 1].

    With ``p = k / n`` and ``z`` from :func:`z_value`::

        centre    = (p + z² / (2n)) / (1 + z² / n)
        half      = z / (1 + z² / n) · sqrt(p (1 - p) / n + z² / (4 n²))
        interval  = centre ± half

    Unlike the Wald interval it stays inside [0, 1] and keeps near-nominal coverage for rates near 0
    or 1 -- the usual case for satisfaction rates of 90 % and more -- and small ``n``.

    Parameters
    ----------
    successes, n : array-like
        Counts of successes (satisfied answers) and trials (valid answers). ``n == 0`` gives NaN.
    confidence : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    (low, high) : tuple of float64 arrays

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22(158), 209-212. Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a
    binomial proportion. Statistical Science 16(2), 101-133.
    """
    z = z_value(confidence)
    k = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    if np.any(k < 0) or np.any(k > m):
        raise ScoringError("invalid_value", "successes must lie between 0 and n")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / m
        z2n = z * z / m
        denom = 1.0 + z2n
        centre = (p + z2n / 2.0) / denom
        half = z / denom * np.sqrt(p * (1.0 - p) / m + z2n / (4.0 * m))
        # exact ends: the interval of k = 0 starts at 0, that of k = n ends at 1
        low = np.where(m > 0, np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0)), np.nan)
        high = np.where(m > 0, np.where(k == m, 1.0, np.clip(centre + half, 0.0, 1.0)), np.nan)
    return low, high


def index_interval(
    index: np.ndarray | float, n: np.ndarray | float, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of an index on 0..100 from ``n`` ballots, on the index scale.

    ``p = index / 100`` is taken as the observed share of ``n`` trials (``successes = p · n``, which need
    not be whole): see the module docstring for why this is a conservative interval for a mean of
    per-ballot values in [0, 1]. NaN where ``n == 0`` or the index is NaN.

    >>> [round(float(v), 4) for v in index_interval(100.0, 1)]
    [20.6549, 100.0]
    """
    x = np.asarray(index, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    ok = np.isfinite(x) & (m > 0)
    p = np.where(ok, np.clip(x / 100.0, 0.0, 1.0), 0.0)
    low, high = wilson_interval(p * np.where(ok, m, 1.0), np.where(ok, m, 1.0), confidence)
    return np.where(ok, low * 100.0, np.nan), np.where(ok, high * 100.0, np.nan)


def percentile_interval(samples: np.ndarray, confidence: float = 0.95, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap percentile interval, ignoring NaN replicates.

    The interval is the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` empirical quantiles of
    the replicates (linear interpolation between order statistics, numpy's default "linear"
    method). Replicates that are NaN (a statistic undefined in that resample) are left out; an axis
    slice with no finite replicate gives NaN.

    Reference: Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap, ch. 13.
    """
    if not 0.0 < confidence < 1.0:
        raise ScoringError("invalid_method", f"confidence must be strictly between 0 and 1, not {confidence!r}")
    x = np.sort(np.moveaxis(np.asarray(samples, dtype=np.float64), axis, -1), axis=-1)  # NaN sort last
    count = np.sum(~np.isnan(x), axis=-1)
    bounds = []
    for q in ((1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0):
        pos = q * np.maximum(count - 1, 0)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
        frac = pos - lo
        v_lo = np.take_along_axis(x, lo[..., None], axis=-1)[..., 0]
        v_hi = np.take_along_axis(x, hi[..., None], axis=-1)[..., 0]
        with np.errstate(invalid="ignore"):
            value = v_lo + (v_hi - v_lo) * frac
        bounds.append(np.where(count > 0, value, np.nan))
    return bounds[0], bounds[1]
