"""Errors and warnings raised or returned by :mod:`scoring`.

Every error is a :class:`ScoringError` carrying a stable machine ``code`` listed once in
:data:`ERROR_CODES`; callers (the server, a CLI, a notebook) decide what to do from the code, never
from the message text. Conditions that are not errors but must not pass silently (an agency with no
countable ballots, a criterion nobody answered) are returned as :class:`ScoringWarning` records next
to the result, and flagged in the result's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR_CODES: dict[str, str] = {
    "empty_input": "a table that must have rows has none",
    "missing_columns": "a table lacks one or more required columns",
    "invalid_value": "a value has the wrong type or is out of range (e.g. an answer level outside 1..5)",
    "unknown_question": "an answer refers to a question that is not in the criteria table",
    "duplicate_question": "the criteria table lists a question more than once",
    "duplicate_answer": "a ballot answers the same question more than once",
    "duplicate_ballot": "a ballot id occurs more than once in a wide answer table",
    "inconsistent_ballot": "one ballot id is recorded against more than one agency",
    "invalid_criteria": "the criteria table is malformed (missing factor, bad weight ...)",
    "invalid_method": "a scoring-method parameter is invalid",
    "invalid_bands": "a band specification is malformed",
    "invalid_rounding": "an unknown rounding rule or a bad number of decimals",
    "invalid_max_points": "an agency's maximum points are missing, zero or negative",
    "missing_satisfaction": "a surveyed agency (or one whose maximum needs survey points) has none",
    "points_above_maximum": "points obtained exceed the maximum that applies",
    "appraisal_above_maximum": "appraisal points exceed the appraisal maximum",
    "satisfaction_above_maximum": "satisfaction points exceed the survey maximum",
    "negative_points": "an agency's total points are negative",
    "duplicate_agency": "an agency occurs more than once in a table that needs one row per agency",
    "unknown_group": "an agency's group is missing or not one of the allowed groups",
    "unknown_area": "area points refer to an area that is not in the area table",
    "duplicate_area": "an area is listed twice, or an agency has two rows for one area",
    "invalid_appraisal": "a table of points has rows the server's import of appraisal points refuses"
    " (``details['problems']``: line, column, code, message; see scoring.par_input)",
}


class ScoringError(ValueError):
    """Bad input to a scoring function.

    Attributes
    ----------
    code : str
        Stable machine code, one of :data:`ERROR_CODES`.
    message : str
        Human sentence saying what is wrong and, where possible, what to do.
    details : dict
        Machine-readable specifics (offending columns, agencies, values ...).
    """

    def __init__(self, code: str, message: str, **details: Any) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unregistered scoring error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The error as a plain dict (``code``, ``message``, ``details``) for an API envelope."""
        return {"code": self.code, "message": self.message, "details": dict(self.details)}


WARNING_CODES: dict[str, str] = {
    "no_countable_ballots": "an agency has no ballot with a valid answer to any criterion",
    "below_min_sample": "an agency has fewer countable ballots than the method's minimum",
    "criterion_no_valid_answers": "nobody gave a valid answer to a criterion at an agency",
    "factor_no_valid_answers": "no criterion of a factor has a valid answer at an agency",
    "question_missing_from_data": "a question of the criteria table does not occur in the answers",
}


@dataclass(frozen=True)
class ScoringWarning:
    """A condition that does not stop scoring but must be reported, never silently absorbed.

    ``code`` is one of :data:`WARNING_CODES`; ``agency``, ``factor`` and ``question`` say where,
    when that applies.
    """

    code: str
    message: str
    agency: Any = None
    factor: Any = None
    question: Any = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "agency": self.agency,
            "factor": self.factor,
            "question": self.question,
            "details": dict(self.details),
        }
