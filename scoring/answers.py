"""Answer tables, long and wide, and their conversion to one ballots × questions matrix of levels.

Two layouts are accepted:

* **long** -- one row per answer: ``ballot_id, agency, question, value``. Convenient from a database
  or a JSON export; 1,000,000 ballots × 22 criteria is 22 million rows.
* **wide** -- one row per ballot: ``ballot_id, agency`` and one column per question (other columns,
  such as the respondent's profile, are ignored). This is the fast path: each question column
  becomes one column of an ``int8`` matrix without any reshaping.

A value is a level 1..5 (very dissatisfied .. very satisfied) or "not applicable / skipped":
``None``, ``NaN``, ``pd.NA``, the string ``"na"`` (any case) or the empty string. Integers,
integral floats and numeric strings are accepted; anything else, or a level outside 1..5, is an
``invalid_value`` error. Inside the matrix, 0 means not applicable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import ScoringError
from scoring.text import nfc

NA_TOKENS = frozenset({"na", "n/a", ""})
LONG_COLUMNS = ("ballot_id", "agency", "question", "value")
WIDE_KEY_COLUMNS = ("ballot_id", "agency")
_EXAMPLES = 5


@dataclass(frozen=True)
class BallotMatrix:
    """Ballots as a matrix: ``levels[i, j]`` is ballot i's level for ``questions[j]`` (0 = n/a).

    ``agency_code[i]`` indexes ``agencies`` (sorted labels); ``ballot_ids[i]`` is the ballot's id;
    ``present[j]`` says whether question j occurs in the input at all.
    """

    ballot_ids: np.ndarray
    agency_code: np.ndarray
    agencies: tuple[Any, ...]
    questions: tuple[Any, ...]
    levels: np.ndarray
    present: np.ndarray


def _invalid(values: pd.Series, bad: np.ndarray, where: str) -> ScoringError:
    examples = pd.unique(values.to_numpy(dtype=object)[bad])[:_EXAMPLES].tolist()
    return ScoringError(
        "invalid_value",
        f"{where}: {int(bad.sum())} value(s) are not a level 1..5 or not-applicable, e.g. {examples!r}",
        count=int(bad.sum()),
        examples=examples,
    )


def coerce_levels(values: pd.Series, where: str = "answers") -> np.ndarray:
    """Answer values → ``int8`` levels, 0 for not applicable; raises ``invalid_value`` on bad values."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise ScoringError("invalid_value", f"{where}: answers are booleans, expected levels 1..5")
    if pd.api.types.is_integer_dtype(dtype):
        na = values.isna().to_numpy()
        v = values.to_numpy(dtype=np.int64, na_value=0)
        bad = ~na & ((v < 1) | (v > 5))
        if bad.any():
            raise _invalid(values, bad, where)
        return v.astype(np.int8)
    if pd.api.types.is_float_dtype(dtype):
        v = values.to_numpy(dtype=np.float64, na_value=np.nan)
        na = np.isnan(v)
        bad = ~na & ~np.isin(v, (1.0, 2.0, 3.0, 4.0, 5.0))
        if bad.any():
            raise _invalid(values, bad, where)
        return np.where(na, 0, v).astype(np.int8)
    # object, string or categorical: numbers and numeric strings, plus the NA tokens
    obj = values.astype(object)
    num = pd.to_numeric(obj, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    unparsed = np.isnan(num)
    if unparsed.any():
        # check the distinct unparsed values only: a long table may hold millions of "na"
        codes, uniques = pd.factorize(obj[unparsed], use_na_sentinel=True)
        ok = np.array(
            [isinstance(u, str) and u.strip().lower() in NA_TOKENS for u in uniques.tolist()] + [True],
            dtype=bool,
        )
        good = ok[codes]  # code -1 (a missing value) picks the trailing True
        if not good.all():
            bad = np.zeros(len(values), dtype=bool)
            bad[np.flatnonzero(unparsed)[~good]] = True
            raise _invalid(values, bad, where)
    bad = ~unparsed & ~np.isin(num, (1.0, 2.0, 3.0, 4.0, 5.0))
    if bad.any():
        raise _invalid(values, bad, where)
    return np.where(unparsed, 0, num).astype(np.int8)


def _factorize_agencies(values: pd.Series, expected: Iterable[Any] | None) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Agency codes into a sorted, NFC-normalised label list (plus expected agencies with no rows)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if (codes < 0).any():
        raise ScoringError(
            "invalid_value", f"{int((codes < 0).sum())} answer row(s) have no agency", count=int((codes < 0).sum())
        )
    labels = [nfc(u) for u in uniques.tolist()]
    extra = [nfc(a) for a in (expected or ())]
    distinct = list(dict.fromkeys(labels + extra))
    try:
        ordered = sorted(distinct)
    except TypeError:  # mixed label types: order by type name, then text
        ordered = sorted(distinct, key=lambda x: (type(x).__name__, str(x)))
    position = {label: i for i, label in enumerate(ordered)}
    remap = np.array([position[label] for label in labels], dtype=np.int32)
    return remap[codes], tuple(ordered)


def _check_columns(df: pd.DataFrame, required: Iterable[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ScoringError("invalid_value", f"{what} must be a pandas DataFrame, not {type(df).__name__}")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ScoringError("missing_columns", f"{what} lacks column(s) {missing}", columns=missing)
    if len(df) == 0:
        raise ScoringError("empty_input", f"{what} has no rows")


def detect_layout(answers: pd.DataFrame) -> str:
    """``"long"`` when the table has ``question`` and ``value`` columns, else ``"wide"``."""
    return "long" if {"question", "value"} <= set(answers.columns) else "wide"


def matrix_from_long(
    answers: pd.DataFrame, questions: tuple[Any, ...], agencies: Iterable[Any] | None = None
) -> BallotMatrix:
    """Build a :class:`BallotMatrix` from a long answer table (one row per answer)."""
    _check_columns(answers, LONG_COLUMNS, "the answer table")
    raw_code, raw_questions = pd.factorize(answers["question"], use_na_sentinel=True)
    position = {q: j for j, q in enumerate(questions)}
    lookup = np.array([position.get(nfc(q), -1) for q in raw_questions.tolist()] + [-1], dtype=np.int64)
    qcode = lookup[raw_code]
    if (qcode < 0).any():
        unknown = pd.unique(answers["question"].to_numpy(dtype=object)[qcode < 0])[:_EXAMPLES].tolist()
        raise ScoringError(
            "unknown_question",
            f"{int((qcode < 0).sum())} answer row(s) refer to questions not in the criteria table,"
            f" e.g. {unknown!r}; pass only the scored (likert) answers",
            examples=unknown,
        )
    bcode, bids = pd.factorize(answers["ballot_id"], use_na_sentinel=True)
    if (bcode < 0).any():
        raise ScoringError("invalid_value", f"{int((bcode < 0).sum())} answer row(s) have no ballot_id")
    acode_row, labels = _factorize_agencies(answers["agency"], agencies)
    nb, nq = len(bids), len(questions)
    acode = np.empty(nb, dtype=np.int32)
    acode[bcode] = acode_row
    clash = acode[bcode] != acode_row
    if clash.any():
        ids = pd.unique(np.asarray(bids, dtype=object)[bcode[clash]])[:_EXAMPLES].tolist()
        raise ScoringError(
            "inconsistent_ballot", f"ballot(s) {ids!r} are recorded against more than one agency", ballots=ids
        )
    key = bcode.astype(np.int64) * nq + qcode
    if np.bincount(key, minlength=nb * nq).max() > 1:
        dup = pd.Series(key).duplicated(keep=False).to_numpy()
        ids = pd.unique(np.asarray(bids, dtype=object)[bcode[dup]])[:_EXAMPLES].tolist()
        raise ScoringError(
            "duplicate_answer", f"ballot(s) {ids!r} answer the same question more than once", ballots=ids
        )
    levels = np.zeros((nb, nq), dtype=np.int8, order="F")
    levels[bcode, qcode] = coerce_levels(answers["value"], "the value column")
    present = np.bincount(qcode, minlength=nq) > 0
    return BallotMatrix(np.asarray(bids), acode, labels, tuple(questions), levels, present)


def matrix_from_wide(
    ballots: pd.DataFrame, questions: tuple[Any, ...], agencies: Iterable[Any] | None = None
) -> BallotMatrix:
    """Build a :class:`BallotMatrix` from a wide table (one row per ballot, one column per question)."""
    _check_columns(ballots, WIDE_KEY_COLUMNS, "the ballot table")
    columns = {nfc(c): c for c in ballots.columns}
    present = np.array([q in columns for q in questions], dtype=bool)
    if not present.any():
        raise ScoringError(
            "missing_columns",
            "the ballot table has none of the criteria questions as columns; for one row per answer"
            " use the long layout (ballot_id, agency, question, value)",
            columns=[str(q) for q in questions],
        )
    ids = ballots["ballot_id"]
    if ids.isna().any():
        raise ScoringError("invalid_value", f"{int(ids.isna().sum())} ballot(s) have no ballot_id")
    if ids.duplicated().any():
        dup = pd.unique(ids[ids.duplicated()].to_numpy(dtype=object))[:_EXAMPLES].tolist()
        raise ScoringError("duplicate_ballot", f"ballot id(s) {dup!r} occur more than once", ballots=dup)
    acode, labels = _factorize_agencies(ballots["agency"], agencies)
    levels = np.zeros((len(ballots), len(questions)), dtype=np.int8, order="F")
    for j, q in enumerate(questions):
        if present[j]:
            levels[:, j] = coerce_levels(ballots[columns[q]], f"question {q!r}")
    return BallotMatrix(ids.to_numpy(), acode, labels, tuple(questions), levels, present)


def answers_from_wide(ballots: pd.DataFrame, questions: Iterable[Any], *, dropna: bool = False) -> pd.DataFrame:
    """Reshape a wide table (one row per ballot) to the long layout ``ballot_id, agency, question, value``.

    ``value`` is a nullable ``Int8`` column (``<NA>`` for not applicable); with ``dropna=True`` the
    not-applicable rows are left out, which scores the same. Rows come ballot by ballot, questions
    in the order given. The input is not modified.
    """
    questions = list(questions)
    _check_columns(ballots, (*WIDE_KEY_COLUMNS, *questions), "the ballot table")
    n, q = len(ballots), len(questions)
    levels = np.column_stack([coerce_levels(ballots[c], f"question {c!r}") for c in questions])
    long = pd.DataFrame(
        {
            "ballot_id": np.repeat(ballots["ballot_id"].to_numpy(dtype=object), q),
            "agency": np.repeat(ballots["agency"].to_numpy(dtype=object), q),
            "question": np.tile(np.asarray(questions, dtype=object), n),
            "value": pd.arrays.IntegerArray(levels.ravel(), levels.ravel() == 0),
        }
    )
    if dropna:
        long = long[long["value"].notna()].reset_index(drop=True)
    return long


def answers_to_wide(answers: pd.DataFrame, questions: Iterable[Any]) -> pd.DataFrame:
    """Reshape a long answer table to one row per ballot (``ballot_id, agency`` + ``Int8`` questions)."""
    m = matrix_from_long(answers, tuple(nfc(q) for q in questions))
    data: dict[Any, Any] = {
        "ballot_id": m.ballot_ids,
        "agency": np.asarray(m.agencies, dtype=object)[m.agency_code],
    }
    for j, q in enumerate(m.questions):
        col = m.levels[:, j]
        data[q] = pd.arrays.IntegerArray(col.copy(), col == 0)
    return pd.DataFrame(data)
