"""Error types shared by every part of ``survey_forms``.

Two kinds of problems exist and they are kept apart on purpose:

* a *form definition* is wrong (an author's mistake in a questionnaire). That is an exception,
  :class:`FormDefinitionError`, because no ballot can be checked against a broken form. It lists
  every problem at once so an author can fix a whole upload in one round trip.
* a *set of answers* is wrong (an enumerator's or a device's mistake). That is ordinary data,
  a list of :class:`AnswerError`, because the server stores, reports and sends these back to
  devices; a bad ballot is an expected event, not an exceptional one.

Codes are stable strings: clients switch on them, so never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every code an :class:`AnswerError` can carry, so callers can translate or count them.
ANSWER_ERROR_CODES: tuple[str, ...] = (
    "unknown_question",
    "missing_required",
    "wrong_type",
    "out_of_range",
    "unknown_choice",
    "constraint_failed",
    "not_relevant",
    "not_answerable",
    "invalid_character",
)

#: Every code a :class:`FormDefinitionError` entry can carry.
FORM_ERROR_CODES: tuple[str, ...] = (
    "unknown_key",
    "missing_key",
    "invalid_type",
    "invalid_name",
    "invalid_value",
    "duplicate_name",
    "unknown_reference",
    "invalid_expression",
    "circular_reference",
    "unknown_factor",
    "empty_choices",
    "duplicate_choice",
    "unsupported_construct",
    "invalid_xlsform",
)


class FormDefinitionError(ValueError):
    """A questionnaire definition cannot be used; ``errors`` lists every problem found.

    Each entry is ``{"path": ..., "code": ..., "message": ...}`` where ``path`` points into the
    submitted definition (``children[3].choices[1].value``) so an editor can highlight it.
    """

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = [dict(e) for e in errors]
        shown = "; ".join(f"{e['path'] or '<form>'}: {e['message']}" for e in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"invalid form definition: {shown}{more}")

    def codes(self) -> list[str]:
        """The codes in order; handy for callers and tests that only care what went wrong."""
        return [e["code"] for e in self.errors]


@dataclass(frozen=True)
class AnswerError:
    """One problem in a submitted answer set.

    ``path`` is the question path (``factor_1/c1_1``), or the submitted key itself for
    ``unknown_question``, so the device can point the enumerator at the offending screen.
    """

    path: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form for API responses and stored validation reports."""
        return {"path": self.path, "code": self.code, "message": self.message}
