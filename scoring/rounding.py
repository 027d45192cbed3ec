"""Rounding for display: half-up (as a person rounds by hand) or half-even (banker's), on decimals.

Scores are computed and stored unrounded; rounding happens only where a number is shown, exported or
(by an explicit, documented choice) compared as displayed -- see :func:`scoring.par.rank_par`.

Binary floats cannot hold most decimal fractions: ``2.675`` is stored as
``2.67499999999999982236...``, so ``round(2.675, 2)`` gives ``2.67`` while a person rounding the
printed number half-up writes ``2.68`` (whether a printed tie such as 94.575 goes up or down under
``round`` depends on the accident of its binary neighbour). This module rounds the *decimal* number
the float stands for: it takes the shortest repr that round-trips (``'2.675'``), first snaps away
arithmetic noise in the last binary digits (``50.01 + 0.035`` comes out as ``50.044999999999995``,
which is 50.045 on paper) by rounding to ``snap_digits`` significant digits, and then applies the
rule with :mod:`decimal`.

Reference: Python documentation, "Floating Point Arithmetic: Issues and Limitations", and the
:mod:`decimal` module (``ROUND_HALF_UP``, ``ROUND_HALF_EVEN``); IEEE 754-2019 §4.3 for the two
rounding-direction attributes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import ScoringError

#: Rounding rules by name. ``half_up`` rounds a tie away from zero (2.5 -> 3, -2.5 -> -3), which is
#: what a person does by hand and what published PAR reports do; ``half_even`` is banker's rounding
#: (2.5 -> 2, 3.5 -> 4), applied to the decimal number, not to its binary approximation.
RULES: dict[str, str] = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}

DEFAULT_SNAP_DIGITS = 12


def _check_rule(rule: str, decimals: int) -> None:
    if rule not in RULES:
        raise ScoringError(
            "invalid_rounding",
            f"unknown rounding rule {rule!r}; use one of {sorted(RULES)}",
            rule=rule,
        )
    if isinstance(decimals, bool) or not isinstance(decimals, Integral):
        raise ScoringError("invalid_rounding", f"decimals must be an integer, not {decimals!r}", decimals=decimals)


def _to_decimal(x: Any) -> Decimal | None:
    """The decimal number a value stands for, or None for a missing value."""
    if x is None or x is pd.NA:
        return None
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool | np.bool_):
        raise ScoringError("invalid_value", f"cannot round a boolean ({x!r})", value=x)
    if isinstance(x, Integral):
        return Decimal(int(x))
    if isinstance(x, np.floating):
        # str() of a numpy float is its shortest round-trip repr in its own precision
        # (str(np.float32(94.575)) == '94.575'); float(x) would expose float32 noise.
        text = str(x)
    elif isinstance(x, Real):
        text = repr(float(x))
    else:
        raise ScoringError("invalid_value", f"cannot round a non-number ({x!r})", value=x)
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - repr of a real is always parseable
        raise ScoringError("invalid_value", f"cannot round {x!r}", value=x) from exc


def round_decimal(
    x: Any, decimals: int = 2, rule: str = "half_up", *, snap_digits: int | None = DEFAULT_SNAP_DIGITS
) -> float:
    """Round ``x`` to ``decimals`` places under ``rule``, on its decimal value.

    Parameters
    ----------
    x : float, int, Decimal, numpy scalar, None or NaN
        Value to round. Missing values (None, NaN, ``pd.NA``) give NaN; infinities are returned as is.
    decimals : int
        Places after the decimal point (negative rounds to tens, hundreds ...).
    rule : {"half_up", "half_even"}
        How to break an exact tie; see :data:`RULES`.
    snap_digits : int or None
        Significant digits kept before rounding, to absorb binary arithmetic noise (default 12;
        float64 carries about 15.9). Never fewer than the digits the rounding itself needs. None
        rounds the shortest repr exactly as it stands.

    Returns
    -------
    float
        The rounded value, as the float nearest to the rounded decimal.

    Examples
    --------
    >>> round_decimal(2.675, 2), round(2.675, 2)
    (2.68, 2.67)
    >>> round_decimal(50.01 + 0.035, 2), round_decimal(50.01 + 0.035, 2, snap_digits=None)
    (50.05, 50.04)
    >>> round_decimal(0.125, 2, "half_even"), round_decimal(0.135, 2, "half_even")
    (0.12, 0.14)
    """
    _check_rule(rule, decimals)
    d = _to_decimal(x)
    if d is None or d.is_nan():
        return math.nan
    if d.is_infinite():
        return float(d)
    if snap_digits is not None and d != 0:
        needed = d.adjusted() + 1 + int(decimals) + 2
        d = Context(prec=max(int(snap_digits), needed, 1), rounding=ROUND_HALF_EVEN).plus(d)
    quantum = Decimal(1).scaleb(-int(decimals))
    return float(d.quantize(quantum, rounding=RULES[rule]))


def round_half_up(x: Any, decimals: int = 2, *, snap_digits: int | None = DEFAULT_SNAP_DIGITS) -> float:
    """Round half away from zero on the decimal value: ``round_half_up(2.675, 2) == 2.68``.

    See :func:`round_decimal` for the parameters and the treatment of binary noise.
    """
    return round_decimal(x, decimals, "half_up", snap_digits=snap_digits)


def round_half_even(x: Any, decimals: int = 2, *, snap_digits: int | None = DEFAULT_SNAP_DIGITS) -> float:
    """Banker's rounding on the decimal value: ``round_half_even(0.125, 2) == 0.12``."""
    return round_decimal(x, decimals, "half_even", snap_digits=snap_digits)


def round_values(values: Iterable[Any], decimals: int = 2, rule: str = "half_up") -> np.ndarray:
    """Element-wise :func:`round_decimal` over an array-like; returns a new float64 array."""
    _check_rule(rule, decimals)
    arr = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    out = np.array([round_decimal(v, decimals, rule) for v in arr.ravel()], dtype=np.float64)
    return out.reshape(arr.shape)


@dataclass(frozen=True)
class Rounding:
    """A display rounding: ``decimals`` places under ``rule`` ("half_up" or "half_even")."""

    decimals: int = 2
    rule: str = "half_up"

    def __post_init__(self) -> None:
        _check_rule(self.rule, self.decimals)

    def apply(self, values: Iterable[Any]) -> np.ndarray:
        """Round an array-like; returns a new float64 array."""
        return round_values(values, self.decimals, self.rule)


def present(
    df: pd.DataFrame,
    columns: Iterable[str] | None = None,
    decimals: int | Mapping[str, int] = 2,
    rule: str = "half_up",
) -> pd.DataFrame:
    """A copy of ``df`` with number columns rounded for display; ``df`` itself is not changed.

    Parameters
    ----------
    df : DataFrame
        Unrounded results (e.g. ``ParResult.agencies``).
    columns : iterable of str, optional
        Columns to round; default the keys of ``decimals`` when it is a mapping, else every float
        column.
    decimals : int or mapping of column -> int
        Places, for all columns or per column (default 2).
    rule : {"half_up", "half_even"}
        Tie-breaking rule, see :data:`RULES`.
    """
    if columns is None:
        if isinstance(decimals, Mapping):
            columns = list(decimals)
        else:
            columns = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])]
    columns = list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ScoringError("missing_columns", f"cannot round absent columns {missing}", columns=missing)
    out = df.copy()
    for col in columns:
        places = decimals.get(col, 2) if isinstance(decimals, Mapping) else decimals
        out[col] = round_values(df[col], places, rule)
    return out
