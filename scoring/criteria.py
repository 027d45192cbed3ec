"""The criteria table: which question scores which criterion of which factor, and their weights.

A criteria table has one row per scored question with columns ``question`` and ``factor``, and
optionally ``criterion`` (a label; defaults to the question) and ``weight`` (default 1). In the
national method of 2017 there are 22 criteria (tiêu chí) across five factors (yếu tố): access to the
service, administrative procedures, civil servants, service results, feedback handling.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import ScoringError
from scoring.text import nfc


def _positive_weight(value: Any, what: str) -> float:
    try:
        w = float(value)
    except (TypeError, ValueError):
        w = math.nan
    if not math.isfinite(w) or w <= 0:
        raise ScoringError("invalid_criteria", f"{what} must be a positive number, not {value!r}", value=value)
    return w


@dataclass(frozen=True)
class Criteria:
    """A validated criteria table, in the order given.

    ``factor_of[j]`` is the index in ``factors`` of question ``questions[j]``; ``weights`` are the
    criterion weights (within a factor) and ``factor_weights`` the factor weights (within an agency).
    """

    questions: tuple[Any, ...]
    criteria: tuple[Any, ...]
    factors: tuple[Any, ...]
    factor_of: np.ndarray
    weights: np.ndarray
    factor_weights: np.ndarray

    @property
    def membership(self) -> np.ndarray:
        """``(questions × factors)`` matrix holding each criterion's weight in its factor's column."""
        m = np.zeros((len(self.questions), len(self.factors)))
        m[np.arange(len(self.questions)), self.factor_of] = self.weights
        return m


def parse_criteria(
    criteria: pd.DataFrame | Iterable[Mapping[str, Any]],
    criterion_weights: Mapping[Any, float] | None = None,
    factor_weights: Mapping[Any, float] | None = None,
) -> Criteria:
    """Validate a criteria table (DataFrame or list of dicts) into a :class:`Criteria`.

    ``criterion_weights`` (keyed by criterion label) override the table's ``weight`` column for the
    criteria they name; ``factor_weights`` (keyed by factor) must name every factor when given.
    The input is not modified.
    """
    table = criteria if isinstance(criteria, pd.DataFrame) else pd.DataFrame(list(criteria))
    if len(table) == 0:
        raise ScoringError("empty_input", "the criteria table has no rows")
    missing = [c for c in ("question", "factor") if c not in table.columns]
    if missing:
        raise ScoringError("missing_columns", f"the criteria table lacks column(s) {missing}", columns=missing)
    questions = [nfc(q) for q in table["question"].tolist()]
    factors_col = [nfc(f) for f in table["factor"].tolist()]
    if any(pd.isna(q) for q in questions):
        raise ScoringError("invalid_criteria", "a criteria row has no question")
    if any(pd.isna(f) for f in factors_col):
        raise ScoringError("invalid_criteria", "a criteria row has no factor")
    dup = sorted({str(q) for q in questions if questions.count(q) > 1})
    if dup:
        raise ScoringError(
            "duplicate_question", f"the criteria table lists question(s) {dup} more than once", questions=dup
        )
    if "criterion" in table.columns:
        labels = [nfc(c) if not pd.isna(c) else q for c, q in zip(table["criterion"].tolist(), questions, strict=True)]
    else:
        labels = list(questions)
    if "weight" in table.columns:
        weights = [
            _positive_weight(w, f"the weight of criterion {c!r}") for w, c in zip(table["weight"], labels, strict=True)
        ]
    else:
        weights = [1.0] * len(questions)
    if criterion_weights:
        given = {nfc(k): v for k, v in criterion_weights.items()}
        unknown = sorted(str(k) for k in given if k not in set(labels))
        if unknown:
            raise ScoringError("invalid_method", f"criterion_weights name unknown criteria {unknown}", criteria=unknown)
        weights = [
            _positive_weight(given[c], f"the weight of criterion {c!r}") if c in given else w
            for c, w in zip(labels, weights, strict=True)
        ]
    factors = list(dict.fromkeys(factors_col))
    if factor_weights:
        given_f = {nfc(k): v for k, v in factor_weights.items()}
        unknown = sorted(str(k) for k in given_f if k not in set(factors))
        absent = sorted(str(f) for f in factors if f not in given_f)
        if unknown or absent:
            raise ScoringError(
                "invalid_method",
                f"factor_weights must name exactly the factors {[str(f) for f in factors]}"
                f" (unknown: {unknown}, missing: {absent})",
                unknown=unknown,
                missing=absent,
            )
        fw = [_positive_weight(given_f[f], f"the weight of factor {f!r}") for f in factors]
    else:
        fw = [1.0] * len(factors)
    index = {f: i for i, f in enumerate(factors)}
    return Criteria(
        questions=tuple(questions),
        criteria=tuple(labels),
        factors=tuple(factors),
        factor_of=np.array([index[f] for f in factors_col], dtype=np.int64),
        weights=np.array(weights, dtype=np.float64),
        factor_weights=np.array(fw, dtype=np.float64),
    )
