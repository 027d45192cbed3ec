"""Internal consistency of the questionnaire: Cronbach's alpha per factor.

For ``k`` items (criteria of one factor) answered on the 1..5 scale, over the ``n`` ballots that
answered all of them (listwise deletion of not-applicable answers)::

    alpha = k / (k - 1) · (1 - Σ_j s²_j / s²_T)

where ``s²_j`` is the sample variance of item j and ``s²_T`` the variance of the total score
``T = Σ_j x_j``. Alpha is undefined (NaN) for fewer than two items, fewer than two complete ballots,
or a total score with no variance (everyone gave the same answers); it is then reported as NaN with
its ``n``, never raised.

Reference: Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
Psychometrika 16(3), 297-334. (Same estimator as ``pingouin.cronbach_alpha(nan_policy="listwise")``.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.answers import BallotMatrix, detect_layout, matrix_from_long, matrix_from_wide
from scoring.criteria import Criteria, parse_criteria
from scoring.errors import ScoringError


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with the number of complete ballots ``n`` and of ``items`` it rests on."""

    alpha: float
    n: int
    items: int


def alpha_from_sums(
    k: int,
    n: np.ndarray,
    sum_x: np.ndarray,
    sum_x2: np.ndarray,
    sum_t: np.ndarray,
    sum_t2: np.ndarray,
) -> np.ndarray:
    """Vectorised alpha from sufficient statistics of complete ballots.

    ``sum_x`` and ``sum_x2`` have the items on their last axis; ``n``, ``sum_t``, ``sum_t2`` are the
    count, sum and sum of squares of the total score. Uses ``n·Σx² - (Σx)²``, proportional to the
    variance; the factor ``1 / (n (n - 1))`` cancels in the ratio.
    """
    n = np.asarray(n, dtype=np.float64)
    item_var = n[..., None] * np.asarray(sum_x2, dtype=np.float64) - np.asarray(sum_x, dtype=np.float64) ** 2
    total_var = n * np.asarray(sum_t2, dtype=np.float64) - np.asarray(sum_t, dtype=np.float64) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = k / (k - 1) * (1.0 - item_var.sum(axis=-1) / total_var) if k > 1 else np.full(n.shape, np.nan)
    return np.where((n >= 2) & (total_var > 0), alpha, np.nan)


def cronbach_alpha(data: pd.DataFrame | np.ndarray) -> AlphaResult:
    """Cronbach's alpha of a ballots × items table of levels, with listwise deletion of missing values.

    Parameters
    ----------
    data : DataFrame or 2-D array
        One row per ballot, one column per item; missing / not-applicable as NaN or None.

    Returns
    -------
    AlphaResult
        ``alpha`` (NaN when undefined), ``n`` complete rows, ``items``.

    Examples
    --------
    Three ballots, two items answered identically: the items agree perfectly, alpha = 1.

    >>> cronbach_alpha(np.array([[1, 1], [3, 3], [5, 5]])).alpha
    1.0
    """
    try:
        x = np.asarray(
            data.to_numpy(dtype=np.float64, na_value=np.nan) if isinstance(data, pd.DataFrame) else data,
            dtype=np.float64,
        )
    except (TypeError, ValueError) as exc:
        raise ScoringError("invalid_value", f"cronbach_alpha needs numbers: {exc}") from exc
    if x.ndim != 2:
        raise ScoringError("invalid_value", f"cronbach_alpha needs a 2-D table, got {x.ndim} dimension(s)")
    complete = x[~np.isnan(x).any(axis=1)]
    n, k = complete.shape
    t = complete.sum(axis=1)
    alpha = alpha_from_sums(
        k,
        np.array(n),
        complete.sum(axis=0),
        (complete**2).sum(axis=0),
        np.array(t.sum()),
        np.array((t**2).sum()),
    )
    return AlphaResult(float(alpha), int(n), int(k))


def factor_sums(
    levels: np.ndarray, agency_code: np.ndarray, n_agencies: int, criteria: Criteria
) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per factor, per agency sufficient statistics of complete ballots (internal, vectorised).

    Returns one ``(k, n, sum_x, sum_x2, sum_t, sum_t2)`` tuple per factor, each array with agencies
    on the first axis. Built from integer ``bincount`` of ``agency × level`` keys, no per-row Python.
    """
    out = []
    code = agency_code.astype(np.int64)
    lv = np.arange(6, dtype=np.float64)
    for f in range(len(criteria.factors)):
        cols = np.flatnonzero(criteria.factor_of == f)
        k = len(cols)
        complete = np.ones(len(code), dtype=bool)
        total = np.zeros(len(code), dtype=np.int64)
        for j in cols:
            complete &= levels[:, j] > 0
            total += levels[:, j]
        sum_x = np.zeros((n_agencies, k))
        sum_x2 = np.zeros((n_agencies, k))
        for i, j in enumerate(cols):
            key = code * 6 + np.where(complete, levels[:, j], 0)
            cnt = np.bincount(key, minlength=n_agencies * 6).reshape(n_agencies, 6).astype(np.float64)
            sum_x[:, i] = cnt @ lv
            sum_x2[:, i] = cnt @ lv**2
        span = 5 * k + 1
        key = code * span + np.where(complete, total, 0)
        cnt = np.bincount(key, minlength=n_agencies * span).reshape(n_agencies, span).astype(np.float64)
        tv = np.arange(span, dtype=np.float64)
        n = cnt[:, 1:].sum(axis=1) if k else np.zeros(n_agencies)
        out.append((k, n, sum_x, sum_x2, cnt @ tv, cnt @ tv**2))
    return out


def factor_reliability(
    answers: pd.DataFrame,
    criteria: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    by_agency: bool = False,
    layout: str = "auto",
) -> pd.DataFrame:
    """Cronbach's alpha of each factor's criteria, over all ballots or per agency.

    Parameters
    ----------
    answers : DataFrame
        Long (``ballot_id, agency, question, value``) or wide (one column per question) answers.
    criteria : DataFrame or list of dicts
        ``question, factor`` (see :func:`scoring.criteria.parse_criteria`).
    by_agency : bool
        One row per agency and factor instead of one per factor.
    layout : {"auto", "long", "wide"}

    Returns
    -------
    DataFrame
        ``[agency,] factor, items, n, alpha`` -- ``n`` is the number of ballots that answered every
        criterion of the factor.
    """
    crit = parse_criteria(criteria)
    matrix = _matrix(answers, crit, layout)
    return reliability_table(matrix, crit, by_agency=by_agency)


def _matrix(answers: pd.DataFrame, crit: Criteria, layout: str) -> BallotMatrix:
    if layout not in ("auto", "long", "wide"):
        raise ScoringError("invalid_value", f"layout must be 'auto', 'long' or 'wide', not {layout!r}")
    if isinstance(answers, pd.DataFrame) and layout == "auto":
        layout = detect_layout(answers)
    build = matrix_from_long if layout == "long" else matrix_from_wide
    return build(answers, crit.questions)


def reliability_table(matrix: BallotMatrix, crit: Criteria, *, by_agency: bool) -> pd.DataFrame:
    """Alpha table from an already-built ballot matrix (internal)."""
    sums = factor_sums(matrix.levels, matrix.agency_code, len(matrix.agencies), crit)
    rows = []
    for f, (k, n, sx, sx2, st, st2) in enumerate(sums):
        if by_agency:
            alpha = alpha_from_sums(k, n, sx, sx2, st, st2)
            for a, label in enumerate(matrix.agencies):
                rows.append((label, crit.factors[f], k, int(n[a]), float(alpha[a])))
        else:
            alpha = alpha_from_sums(k, n.sum(), sx.sum(axis=0), sx2.sum(axis=0), st.sum(), st2.sum())
            rows.append((crit.factors[f], k, int(n.sum()), float(alpha)))
    columns = ["factor", "items", "n", "alpha"]
    return pd.DataFrame(rows, columns=(["agency", *columns] if by_agency else columns))
