"""Citizen satisfaction index (Chỉ số hài lòng) of each agency from survey answers.

Default method (the national method; every parameter is set per year in :class:`SatisfactionMethod`):

* criterion rate (tỷ lệ hài lòng) = (satisfied + very satisfied answers) / valid answers × 100,
  where not-applicable and skipped answers count in neither;
* factor index = weighted mean of its criteria rates (equal weights by default; a criterion nobody at
  the agency answered is left out of the mean and reported);
* agency index = weighted mean of its factor indexes (a factor with no valid answer is left out and
  reported); satisfaction points = index / 100 × ``max_points`` (10).

The ``mean_score`` alternative scores each answer on 0..100 as ``(level - 1) / 4 × 100`` and takes
the mean over valid answers as the criterion rate.

Uncertainty is reported next to every figure: a Wilson score interval for each criterion's satisfied
share (:func:`scoring.intervals.wilson_interval`) and, for every factor and agency index, a seeded
percentile bootstrap over ballots (:mod:`scoring.bootstrap`) when the agency has enough ballots for it
(``bootstrap_min_ballots``) and the bootstrap interval has a width, else a Wilson score interval on the
ballots (:func:`scoring.intervals.index_interval`) -- so an interval never collapses to a point for one
ballot or unanimous answers; ``ci_method`` says which. Each agency row also says which factors had no
valid answer (``factors_without_answers``): its index is then the mean of the others. Cronbach's
alpha per factor and agency comes with the number of complete ballots.

Fast path: answers become one ``int8`` ballots × questions matrix (0 = not applicable) -- directly
from a wide table, or by one scatter from a long table -- and every count is an integer
``numpy.bincount`` over ``group × level`` keys, one pass per question: no per-row Python, no
groupby on strings. 1,000,000 ballots × 22 criteria × 500 agencies, including 1,000 bootstrap
resamples, takes about a second on two cores; see ``synthetic_ballots`` for benchmark data.

Reference: Ministry of Home Affairs (Bộ Nội vụ), Decision 2640/QĐ-BNV (2017) on the scheme for
measuring satisfaction with public administrative services (the 2017-2021 method, five factors and
22 criteria); Wilson (1927); Efron & Tibshirani (1993).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from scoring.answers import BallotMatrix, detect_layout, matrix_from_long, matrix_from_wide
from scoring.bootstrap import agency_stream, ballot_hash, deal_groups, replicate_sums
from scoring.criteria import Criteria, parse_criteria
from scoring.errors import ScoringError, ScoringWarning
from scoring.intervals import index_interval, percentile_interval, wilson_interval, z_value
from scoring.reliability import alpha_from_sums, factor_sums

METHODS = ("satisfied_share", "mean_score")
_CHUNK = 32


@dataclass(frozen=True)
class SatisfactionMethod:
    """How a year's survey is scored; stored with every result (``method``, ``version``).

    Parameters
    ----------
    method : {"satisfied_share", "mean_score"}
        Criterion rate: share of satisfied answers (default, the national method) or mean level
        mapped to 0..100.
    version : str
        Label of the method's version (e.g. the year it was adopted); year-on-year comparisons across
        different versions are flagged.
    satisfied_levels : tuple of int
        Levels counted as satisfied (default 4 "satisfied" and 5 "very satisfied").
    max_points : float
        Satisfaction points for an index of 100 (10 in the PAR index).
    factor_weights, criterion_weights : mapping, optional
        Weights by factor and by criterion label (default equal; see
        :func:`scoring.criteria.parse_criteria`).
    min_ballots : int
        Agencies with fewer countable ballots are flagged ``below_min_sample``.
    confidence : float
        Level of every interval (default 0.95).
    bootstrap_resamples : int
        Bootstrap resamples for factor and agency intervals; 0 skips the bootstrap.
    bootstrap_groups : int or None
        Agencies with more ballots resample this many random groups of ballots instead of single
        ballots (see :mod:`scoring.bootstrap`); None always resamples single ballots.
    seed : int
        Seed of the bootstrap; fixed by default so results are reproducible.
    bootstrap_min_ballots : int or None
        Agencies (and factors) with fewer ballots get the Wilson interval on ballots instead of the
        bootstrap (see :mod:`scoring.intervals`); None (default) uses ``min_ballots``.
    """

    method: str = "satisfied_share"
    version: str = "2017"
    satisfied_levels: tuple[int, ...] = (4, 5)
    max_points: float = 10.0
    factor_weights: Mapping[Any, float] | None = None
    criterion_weights: Mapping[Any, float] | None = None
    min_ballots: int = 30
    confidence: float = 0.95
    bootstrap_resamples: int = 1000
    bootstrap_groups: int | None = 200
    seed: int = 20170101
    bootstrap_min_ballots: int | None = None

    def __post_init__(self) -> None:
        def bad(message: str) -> ScoringError:
            return ScoringError("invalid_method", message)

        if self.method not in METHODS:
            raise bad(f"method must be one of {list(METHODS)}, not {self.method!r}")
        levels = tuple(sorted(set(self.satisfied_levels)))
        if not levels or any(isinstance(v, bool) or v not in (1, 2, 3, 4, 5) for v in levels):
            raise bad(f"satisfied_levels must be levels among 1..5, not {self.satisfied_levels!r}")
        object.__setattr__(self, "satisfied_levels", tuple(int(v) for v in levels))
        if not isinstance(self.max_points, int | float) or not math.isfinite(self.max_points) or self.max_points <= 0:
            raise bad(f"max_points must be a positive number, not {self.max_points!r}")
        for name in ("min_ballots", "bootstrap_resamples", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
                raise bad(f"{name} must be a non-negative integer, not {value!r}")
        floor = self.bootstrap_min_ballots
        if floor is not None and (isinstance(floor, bool) or not isinstance(floor, Integral) or floor < 0):
            raise bad(f"bootstrap_min_ballots must be a non-negative integer or None, not {floor!r}")
        groups = self.bootstrap_groups
        if groups is not None and (isinstance(groups, bool) or not isinstance(groups, Integral) or groups < 2):
            raise bad(f"bootstrap_groups must be an integer of at least 2 or None, not {groups!r}")
        z_value(self.confidence)  # validates 0 < confidence < 1

    @property
    def bootstrap_floor(self) -> int:
        """Fewest ballots for which the bootstrap interval is used."""
        return self.min_ballots if self.bootstrap_min_ballots is None else int(self.bootstrap_min_ballots)

    def as_dict(self) -> dict[str, Any]:
        """The method as plain data, to store with a result."""
        data = asdict(self)
        data["satisfied_levels"] = list(self.satisfied_levels)
        for key in ("factor_weights", "criterion_weights"):
            data[key] = dict(data[key]) if data[key] else None
        return data


@dataclass(frozen=True)
class SatisfactionResult:
    """Scores of one survey, all unrounded.

    Attributes
    ----------
    agencies : DataFrame
        ``agency, ballots, empty_ballots, index, points, ci_low, ci_high, ci_method,
        below_min_sample, no_countable_ballots, factors_total, factors_scored,
        factors_without_answers, method, method_version`` -- ``ballots`` counts ballots with at
        least one valid criterion answer; ``empty_ballots`` those with none (not scored); the
        interval bounds are on the index scale (0..100); ``ci_method`` is ``bootstrap``,
        ``bootstrap_random_groups`` or ``wilson_ballots`` (None without ballots);
        ``factors_without_answers`` lists the factors nobody at the agency answered (left out of
        its index).
    factors : DataFrame
        ``agency, factor, weight, index, ci_low, ci_high, ci_method, ballots, valid,
        criteria_scored, criteria_without_answers, alpha, alpha_n`` -- ``ballots`` counts the
        agency's ballots with a valid answer in the factor.
    criteria : DataFrame
        ``agency, factor, criterion, question, weight, valid, not_applicable, satisfied,
        satisfied_share, rate, wilson_low, wilson_high, level_1 .. level_5``; the Wilson interval is
        for the satisfied share (× 100).
    reliability : DataFrame
        ``factor, items, n, alpha`` over all agencies' ballots.
    warnings : tuple of ScoringWarning
        Every agency without countable ballots or below the minimum sample, every criterion or
        factor without a valid answer at an agency, every question missing from the data.
    method : SatisfactionMethod
    """

    agencies: pd.DataFrame
    factors: pd.DataFrame
    criteria: pd.DataFrame
    reliability: pd.DataFrame
    warnings: tuple[ScoringWarning, ...]
    method: SatisfactionMethod = field(default_factory=SatisfactionMethod)

    def warnings_table(self) -> pd.DataFrame:
        """The warnings as a DataFrame (``code, message, agency, factor, question, details``)."""
        columns = ["code", "message", "agency", "factor", "question", "details"]
        return pd.DataFrame([w.to_dict() for w in self.warnings], columns=columns)


def composite_index(
    valid: np.ndarray, score: np.ndarray, criteria: Criteria
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Criterion rates, factor indexes and agency index from per-question sums (vectorised).

    ``valid`` and ``score`` have questions on the last axis (any leading axes: agencies,
    resamples); ``score`` is Σ of each valid answer's score on 0..100, so ``rate = score / valid``.
    Then ``factor = Σ w_j rate_j / Σ w_j`` over its criteria with ``valid > 0`` and
    ``index = Σ W_f factor_f / Σ W_f`` over factors with a defined index; NaN where nothing is left.
    """
    member = criteria.membership
    has = valid > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(has, score / np.where(has, valid, 1), np.nan)
        num = np.where(has, rate, 0.0) @ member
        den = has.astype(np.float64) @ member
        factor = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
        fhas = den > 0
        fw = criteria.factor_weights
        fden = fhas.astype(np.float64) @ fw
        index = np.where(fden > 0, (np.where(fhas, factor, 0.0) @ fw) / np.where(fden > 0, fden, 1), np.nan)
    return rate, factor, index


def _answer_scores(method: SatisfactionMethod) -> tuple[np.ndarray, np.ndarray]:
    """Per level 0..5: the answer's score on 0..100 under the method, and whether it is 'satisfied'."""
    satisfied = np.zeros(6)
    satisfied[list(method.satisfied_levels)] = 1.0
    if method.method == "mean_score":
        score = np.array([0.0, 0.0, 25.0, 50.0, 75.0, 100.0])
    else:
        score = satisfied * 100.0
    return score, satisfied


def score_satisfaction(
    answers: pd.DataFrame,
    criteria: pd.DataFrame | Iterable[Mapping[str, Any]],
    method: SatisfactionMethod | None = None,
    *,
    layout: str = "auto",
    agencies: Iterable[Any] | None = None,
) -> SatisfactionResult:
    """Score a satisfaction survey: criterion rates, factor and agency indexes, points, intervals.

    Parameters
    ----------
    answers : DataFrame
        Long layout ``ballot_id, agency, question, value`` (one row per answer) or wide layout
        ``ballot_id, agency, <question columns...>`` (one row per ballot; the faster one). Only
        ballots that count (valid and not failed re-check) should be passed; see
        :mod:`scoring.answers` for accepted values.
    criteria : DataFrame or list of dicts
        ``question, factor[, criterion][, weight]``.
    method : SatisfactionMethod, optional
        Default: the national method with equal weights.
    layout : {"auto", "long", "wide"}
        "auto" reads a table with ``question`` and ``value`` columns as long, any other as wide.
    agencies : iterable, optional
        Agencies that were meant to be surveyed: any with no ballot at all still gets a row,
        flagged ``no_countable_ballots``.

    Returns
    -------
    SatisfactionResult

    Raises
    ------
    ScoringError
        ``empty_input``, ``missing_columns``, ``invalid_value`` (a level outside 1..5),
        ``unknown_question``, ``duplicate_answer``, ``duplicate_ballot``, ``inconsistent_ballot``,
        ``duplicate_question``, ``invalid_criteria``, ``invalid_method``.

    Notes
    -----
    With ``p_j = satisfied_j / valid_j`` for each criterion j of factor f and weights ``w_j``,
    ``W_f``::

        rate_j  = 100 · p_j
        F_f     = Σ_j w_j rate_j / Σ_j w_j           (criteria with valid_j > 0)
        index   = Σ_f W_f F_f / Σ_f W_f               (factors with a defined F_f)
        points  = index / 100 · max_points

    The input is never modified.

    Examples
    --------
    >>> answers = pd.DataFrame({"ballot_id": [1, 1, 2, 2], "agency": "A",
    ...                         "question": ["q1", "q2", "q1", "q2"], "value": [5, 4, 2, "na"]})
    >>> criteria = [{"question": "q1", "factor": "f1"}, {"question": "q2", "factor": "f2"}]
    >>> res = score_satisfaction(answers, criteria, SatisfactionMethod(bootstrap_resamples=0))
    >>> float(res.agencies["index"][0]), float(res.agencies["points"][0])
    (75.0, 7.5)
    """
    method = SatisfactionMethod() if method is None else method
    if not isinstance(method, SatisfactionMethod):
        raise ScoringError("invalid_method", "method must be a SatisfactionMethod")
    crit = parse_criteria(criteria, method.criterion_weights, method.factor_weights)
    if layout not in ("auto", "long", "wide"):
        raise ScoringError("invalid_value", f"layout must be 'auto', 'long' or 'wide', not {layout!r}")
    if layout == "auto" and isinstance(answers, pd.DataFrame):
        layout = detect_layout(answers)
    build = matrix_from_long if layout == "long" else matrix_from_wide
    matrix = build(answers, crit.questions, agencies)
    return _score_matrix(matrix, crit, method)


def _score_matrix(matrix: BallotMatrix, crit: Criteria, method: SatisfactionMethod) -> SatisfactionResult:
    levels, code = matrix.levels, matrix.agency_code
    n_agencies, n_questions = len(matrix.agencies), len(matrix.questions)
    resamples = method.bootstrap_resamples

    countable = np.zeros(len(code), dtype=bool)
    for j in range(n_questions):
        countable |= levels[:, j] > 0
    idx = np.flatnonzero(countable)
    n_all = np.bincount(code, minlength=n_agencies)
    ballots = np.bincount(code[idx], minlength=n_agencies)

    # resampling groups: one per agency without bootstrap, else dealt in canonical order
    if resamples > 0:
        gid_c, offsets, groups = deal_groups(
            code[idx], ballot_hash(matrix.ballot_ids[idx]), n_agencies, method.bootstrap_groups
        )
    else:
        groups = (ballots > 0).astype(np.int64)
        offsets = np.concatenate([[0], np.cumsum(groups)])
        gid_c = offsets[code[idx]]
    n_groups = int(offsets[-1])
    gid = np.full(len(code), n_groups, dtype=np.int64)  # non-countable ballots: a dropped extra group
    gid[idx] = gid_c
    nonempty = np.flatnonzero(groups > 0)

    answer_score, answer_satisfied = _answer_scores(method)
    features = np.zeros((n_groups, 2 * n_questions))
    counts = np.zeros((n_agencies, n_questions, 6), dtype=np.int64)
    key_base = gid * 6
    for j in range(n_questions):
        cnt = np.bincount(key_base + levels[:, j], minlength=(n_groups + 1) * 6).reshape(n_groups + 1, 6)
        cnt = cnt[:n_groups]
        features[:, j] = cnt[:, 1:].sum(axis=1)
        features[:, n_questions + j] = cnt @ answer_score
        if n_groups:
            counts[nonempty, j] = np.add.reduceat(cnt, offsets[nonempty], axis=0)

    valid = counts[:, :, 1:].sum(axis=2)
    satisfied = counts @ answer_satisfied
    score = counts @ answer_score
    rate, factor_index, index = composite_index(valid.astype(np.float64), score, crit)

    n_factors = len(crit.factors)
    ci = np.full((n_agencies, 2), np.nan)
    factor_ci = np.full((n_agencies, n_factors, 2), np.nan)
    if resamples > 0:
        for start in range(0, len(nonempty), _CHUNK):
            chunk = nonempty[start : start + _CHUNK]
            reps = np.empty((len(chunk), resamples, 2 * n_questions))
            for i, a in enumerate(chunk):
                rng = agency_stream(method.seed, matrix.agencies[a])
                reps[i] = replicate_sums(features, int(offsets[a]), int(groups[a]), resamples, rng)
            _, rep_factor, rep_index = composite_index(reps[..., :n_questions], reps[..., n_questions:], crit)
            ci[chunk, 0], ci[chunk, 1] = percentile_interval(rep_index, method.confidence, axis=1)
            lo, hi = percentile_interval(rep_factor, method.confidence, axis=1)
            factor_ci[chunk, :, 0], factor_ci[chunk, :, 1] = lo, hi

    factor_ballots = _factor_ballots(levels, code, n_agencies, crit)
    ci, ci_wilson = _small_sample_rule(ci, index, ballots, method)
    factor_ci, factor_wilson = _small_sample_rule(factor_ci, factor_index, factor_ballots, method)

    w_low, w_high = wilson_interval(satisfied, valid, method.confidence)
    alpha_sums = factor_sums(levels, code, n_agencies, crit)

    agencies_df = _agencies_table(matrix, crit, method, ballots, n_all, index, ci, ci_wilson, groups, factor_index)
    factors_df = _factors_table(
        matrix,
        crit,
        valid,
        factor_index,
        factor_ci,
        alpha_sums,
        factor_ballots,
        factor_wilson,
        groups < ballots,
        method,
    )
    criteria_df = _criteria_table(matrix, crit, counts, valid, satisfied, ballots, rate, w_low, w_high)
    reliability_df = pd.DataFrame(
        [
            (
                crit.factors[f],
                k,
                int(n.sum()),
                float(alpha_from_sums(k, n.sum(), sx.sum(0), sx2.sum(0), st.sum(), st2.sum())),
            )
            for f, (k, n, sx, sx2, st, st2) in enumerate(alpha_sums)
        ],
        columns=["factor", "items", "n", "alpha"],
    )
    warnings = _warnings(matrix, crit, method, ballots, valid, factor_index)
    return SatisfactionResult(agencies_df, factors_df, criteria_df, reliability_df, warnings, method)


def _factor_ballots(levels: np.ndarray, code: np.ndarray, n_agencies: int, crit: Criteria) -> np.ndarray:
    """Ballots per agency and factor with at least one valid answer in the factor (agencies × factors)."""
    out = np.zeros((n_agencies, len(crit.factors)), dtype=np.int64)
    for f in range(len(crit.factors)):
        answered = (levels[:, np.flatnonzero(crit.factor_of == f)] > 0).any(axis=1)
        out[:, f] = np.bincount(code[answered], minlength=n_agencies)
    return out


def _small_sample_rule(
    ci: np.ndarray, index: np.ndarray, n: np.ndarray, method: SatisfactionMethod
) -> tuple[np.ndarray, np.ndarray]:
    """Keep the bootstrap interval where there are enough ballots and it has a width; elsewhere use the
    Wilson interval on ballots (:func:`scoring.intervals.index_interval`). Returns the intervals and
    where Wilson was used. ``ci`` is (..., 2), ``index`` and ``n`` match its leading axes."""
    low, high = ci[..., 0], ci[..., 1]
    with np.errstate(invalid="ignore"):
        boot_ok = (
            (method.bootstrap_resamples > 0)
            & (n >= max(method.bootstrap_floor, 1))
            & np.isfinite(low)
            & np.isfinite(high)
            & (high - low > 1e-9)
        )
    w_low, w_high = index_interval(index, n, method.confidence)
    wilson = ~boot_ok & np.isfinite(w_low)
    out = np.stack([np.where(boot_ok, low, w_low), np.where(boot_ok, high, w_high)], axis=-1)
    return out, wilson


def _ci_method(n: np.ndarray, wilson: np.ndarray, random_groups: np.ndarray, method: SatisfactionMethod) -> pd.Series:
    boot = np.where(random_groups, "bootstrap_random_groups", "bootstrap") if method.bootstrap_resamples else "none"
    return pd.Series(np.where(n == 0, None, np.where(wilson, "wilson_ballots", boot)).ravel(), dtype=object)


def _agencies_table(
    matrix: BallotMatrix,
    crit: Criteria,
    method: SatisfactionMethod,
    ballots: np.ndarray,
    n_all: np.ndarray,
    index: np.ndarray,
    ci: np.ndarray,
    wilson: np.ndarray,
    groups: np.ndarray,
    factor_index: np.ndarray,
) -> pd.DataFrame:
    none = ballots == 0
    factors = np.asarray(crit.factors, dtype=object)
    missing = np.isnan(factor_index)
    without = [[] if none[a] else [str(f) for f in factors[missing[a]]] for a in range(len(ballots))]
    return pd.DataFrame(
        {
            "agency": pd.Series(matrix.agencies, dtype=object),
            "ballots": ballots,
            "empty_ballots": n_all - ballots,
            "index": index,
            "points": index / 100.0 * float(method.max_points),
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "ci_method": _ci_method(ballots, wilson, groups < ballots, method),
            "below_min_sample": ballots < method.min_ballots,
            "no_countable_ballots": none,
            "factors_total": len(factors),
            "factors_scored": np.where(none, 0, (~missing).sum(axis=1)).astype(np.int64),
            "factors_without_answers": pd.Series(without, dtype=object),
            "method": method.method,
            "method_version": str(method.version),
        }
    )


def _factors_table(
    matrix: BallotMatrix,
    crit: Criteria,
    valid: np.ndarray,
    factor_index: np.ndarray,
    factor_ci: np.ndarray,
    alpha_sums: list,
    factor_ballots: np.ndarray,
    factor_wilson: np.ndarray,
    random: np.ndarray,
    method: SatisfactionMethod,
) -> pd.DataFrame:
    n_agencies, n_factors = factor_index.shape
    member = np.zeros((len(crit.questions), n_factors))
    member[np.arange(len(crit.questions)), crit.factor_of] = 1.0
    alpha = np.column_stack([alpha_from_sums(k, n, sx, sx2, st, st2) for k, n, sx, sx2, st, st2 in alpha_sums])
    alpha_n = np.column_stack([s[1] for s in alpha_sums]).astype(np.int64)
    scored = (valid > 0) @ member
    return pd.DataFrame(
        {
            "agency": pd.Series(np.repeat(np.asarray(matrix.agencies, dtype=object), n_factors), dtype=object),
            "factor": pd.Series(np.tile(np.asarray(crit.factors, dtype=object), n_agencies), dtype=object),
            "weight": np.tile(crit.factor_weights, n_agencies),
            "index": factor_index.ravel(),
            "ci_low": factor_ci[:, :, 0].ravel(),
            "ci_high": factor_ci[:, :, 1].ravel(),
            "ci_method": _ci_method(
                factor_ballots, factor_wilson, np.repeat(random[:, None], n_factors, axis=1), method
            ),
            "ballots": factor_ballots.ravel(),
            "valid": (valid @ member).astype(np.int64).ravel(),
            "criteria_scored": scored.astype(np.int64).ravel(),
            "criteria_without_answers": (member.sum(axis=0) - scored).astype(np.int64).ravel(),
            "alpha": alpha.ravel(),
            "alpha_n": alpha_n.ravel(),
        }
    )


def _criteria_table(
    matrix: BallotMatrix,
    crit: Criteria,
    counts: np.ndarray,
    valid: np.ndarray,
    satisfied: np.ndarray,
    ballots: np.ndarray,
    rate: np.ndarray,
    w_low: np.ndarray,
    w_high: np.ndarray,
) -> pd.DataFrame:
    n_agencies, n_questions = valid.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(valid > 0, satisfied / np.where(valid > 0, valid, 1) * 100.0, np.nan)
    data: dict[str, Any] = {
        "agency": pd.Series(np.repeat(np.asarray(matrix.agencies, dtype=object), n_questions), dtype=object),
        "factor": pd.Series(np.tile(np.asarray(crit.factors, dtype=object)[crit.factor_of], n_agencies), dtype=object),
        "criterion": pd.Series(np.tile(np.asarray(crit.criteria, dtype=object), n_agencies), dtype=object),
        "question": pd.Series(np.tile(np.asarray(crit.questions, dtype=object), n_agencies), dtype=object),
        "weight": np.tile(crit.weights, n_agencies),
        "valid": valid.ravel(),
        "not_applicable": (ballots[:, None] - valid).ravel(),
        "satisfied": satisfied.astype(np.int64).ravel(),
        "satisfied_share": share.ravel(),
        "rate": rate.ravel(),
        "wilson_low": (w_low * 100.0).ravel(),
        "wilson_high": (w_high * 100.0).ravel(),
    }
    for level in range(1, 6):
        data[f"level_{level}"] = counts[:, :, level].ravel()
    return pd.DataFrame(data)


def _warnings(
    matrix: BallotMatrix,
    crit: Criteria,
    method: SatisfactionMethod,
    ballots: np.ndarray,
    valid: np.ndarray,
    factor_index: np.ndarray,
) -> tuple[ScoringWarning, ...]:
    out: list[ScoringWarning] = []
    for j in np.flatnonzero(~matrix.present):
        q = matrix.questions[j]
        out.append(
            ScoringWarning(
                "question_missing_from_data",
                f"question {q!r} of the criteria table does not occur in the answers",
                factor=crit.factors[crit.factor_of[j]],
                question=q,
            )
        )
    for a, agency in enumerate(matrix.agencies):
        if ballots[a] == 0:
            out.append(
                ScoringWarning(
                    "no_countable_ballots",
                    f"agency {agency!r} has no ballot with a valid answer; its index is not computed",
                    agency=agency,
                )
            )
            continue
        if ballots[a] < method.min_ballots:
            out.append(
                ScoringWarning(
                    "below_min_sample",
                    f"agency {agency!r} has {int(ballots[a])} countable ballots, fewer than the"
                    f" minimum of {method.min_ballots}",
                    agency=agency,
                    details={"ballots": int(ballots[a]), "min_ballots": method.min_ballots},
                )
            )
        for j in np.flatnonzero((valid[a] == 0) & matrix.present):
            out.append(
                ScoringWarning(
                    "criterion_no_valid_answers",
                    f"no valid answer to question {matrix.questions[j]!r} at agency {agency!r};"
                    " the criterion is left out of its factor's mean",
                    agency=agency,
                    factor=crit.factors[crit.factor_of[j]],
                    question=matrix.questions[j],
                )
            )
        for f in np.flatnonzero(np.isnan(factor_index[a])):
            out.append(
                ScoringWarning(
                    "factor_no_valid_answers",
                    f"no valid answer to any criterion of factor {crit.factors[f]!r} at agency"
                    f" {agency!r}; the factor is left out of the agency index",
                    agency=agency,
                    factor=crit.factors[f],
                )
            )
    return tuple(out)
