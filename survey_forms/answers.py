"""Checking a ballot's answers against its form.

The same check runs on the device (to guide the enumerator) and on the server (because devices
can be old, buggy or forged), so it must be deterministic and must never raise, whatever JSON
arrives. It reports every problem, in document order, each with a stable code.

Answer values: the answers are a flat dict keyed by question name (groups do not nest answers).

* ``select_one``: a choice value (string); ``select_multiple``: a list of distinct choice values;
* ``integer``: an int (``bool`` is not accepted); ``decimal``: a finite int or float;
* ``text``, ``barcode``: a string; ``date``: ``"YYYY-MM-DD"`` naming a real date;
* ``time``: ``"HH:MM"`` or ``"HH:MM:SS(.ffffff)"``, with an optional UTC offset; ``datetime``:
  ``"YYYY-MM-DDTHH:MM(:SS(.ffffff))"`` with its UTC offset (``+07:00`` or ``Z``), as ODK clients write them;
* ``geopoint``: ``"latitude longitude [altitude [accuracy]]"`` (degrees, metres), ODK's form;
* ``image``, ``audio``, ``video``, ``file``: the name of the file sent beside the ballot (an attachment),
  as ODK clients write it: :data:`FILE_NAME` (letters, digits, ``.``, ``_``, ``-``; no folder);
* ``likert5``: an int 1..5, or ``"na"`` (:data:`~survey_forms.likert.NOT_APPLICABLE`) when the
  question has ``allow_na``.

A missing key, ``None``, ``""`` or ``[]`` means unanswered (ODK treats empty the same way).

Skip logic: a question is relevant when its own ``relevant`` and those of all its groups are
true, evaluated against the submitted answers; an answer to a question that is itself irrelevant,
or that is not a valid value, counts as unanswered while doing so. A required question that is
not relevant is not missing, and an answer to an irrelevant question is an error (``not_relevant``):
it would otherwise be scored although the respondent should never have been asked.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import AnswerError
from .expressions import VIETNAM_TIME
from .likert import NOT_APPLICABLE
from .model import MEDIA_TYPES, Form, Question

#: A media answer: a plain file name, no folder, not hidden (ODK Collect writes ``1700000000000.jpg``).
FILE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OFFSET = r"(Z|[+-][0-9]{2}:[0-9]{2})"
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?" + _OFFSET + "?")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?" + _OFFSET)


def is_blank(value: Any) -> bool:
    """True when ``value`` means "unanswered"."""
    return (
        value is None
        or (isinstance(value, str) and value == "")
        or (isinstance(value, list | tuple) and len(value) == 0)
    )


def value_problem(question: Question, value: Any) -> tuple[str, str] | None:
    """``(code, message)`` if a non-blank ``value`` is not a valid answer to ``question``."""
    kind = question.type
    if kind == "select_one":
        if not isinstance(value, str):
            return "wrong_type", "expected one choice value (a string)"
        if value not in question.choice_values:
            return "unknown_choice", f"{value!r} is not a choice of this question"
        return None
    if kind == "select_multiple":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return "wrong_type", "expected a list of choice values (strings)"
        if len(set(value)) != len(value):
            return "wrong_type", "the same choice is given more than once"
        unknown = [v for v in value if v not in question.choice_values]
        if unknown:
            return "unknown_choice", f"not choices of this question: {', '.join(map(repr, unknown))}"
        return None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return "wrong_type", "expected a whole number"
        return None
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "wrong_type", "expected a number"
        if isinstance(value, float) and not math.isfinite(value):
            return "out_of_range", "expected a finite number"
        return None
    if kind in ("text", "barcode"):
        if not isinstance(value, str):
            return "wrong_type", "expected text"
        return _characters_problem(value)
    if kind == "time":
        if not isinstance(value, str) or not _TIME.fullmatch(value):
            return "wrong_type", "expected a time written HH:MM or HH:MM:SS"
        try:
            _dt.time.fromisoformat(value)
        except ValueError:
            return "out_of_range", f"{value} is not a real time"
        return None
    if kind == "datetime":
        return _datetime_problem(value)
    if kind == "calculate":  # the device's result, as ODK keeps it: any text or number
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return "wrong_type", "expected the text or number the calculation gave"
        if isinstance(value, float) and not math.isfinite(value):
            return "out_of_range", "expected a finite number"
        return _characters_problem(value) if isinstance(value, str) else None
    if kind == "geopoint":
        return _geopoint_problem(value)
    if kind in MEDIA_TYPES:
        if not isinstance(value, str) or not FILE_NAME.fullmatch(value):
            return "wrong_type", "expected a file name (letters, digits, '.', '_', '-'; at most 128)"
        return None
    if kind == "date":
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            return "wrong_type", "expected a date written YYYY-MM-DD"
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            return "out_of_range", f"{value} is not a real date"
        return None
    if kind == "likert5":
        if value == NOT_APPLICABLE and isinstance(value, str):
            if question.allow_na:
                return None
            return "out_of_range", "'not applicable' is not allowed for this question"
        if isinstance(value, bool) or not isinstance(value, int):
            return "wrong_type", "expected a satisfaction level 1 to 5"
        if not 1 <= value <= 5:
            return "out_of_range", f"{value} is not a satisfaction level 1 to 5"
        return None
    return "not_answerable", "this element is not answered"


class _ChoiceLabels(Mapping[str, Mapping[str, str]]):
    """Question name -> choice value -> label in the form's default language, for ``jr:choice-name()``.

    Built only for the questions an expression asks about, so forms that never call it pay nothing.
    """

    def __init__(self, form: Form):
        self.form = form
        self._built: dict[str, dict[str, str]] = {}

    def __getitem__(self, name: str) -> Mapping[str, str]:
        if name not in self._built:
            try:
                element = self.form.element(name)
            except KeyError:
                raise KeyError(name) from None
            language = self.form.default_language
            self._built[name] = {
                choice.value: choice.label.get(language) or next(iter(choice.label.values()), "")
                for choice in getattr(element, "choices", ())
            }
        return self._built[name]

    def __iter__(self):
        return iter(element.name for element in self.form.questions())

    def __len__(self) -> int:
        return len(self.form.questions())


def _datetime_problem(value: Any) -> tuple[str, str] | None:
    """A date and time as ODK clients write it: ISO 8601 with its UTC offset."""
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        return "wrong_type", "expected a date and time written YYYY-MM-DDTHH:MM(:SS) with its UTC offset"
    try:
        _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return "out_of_range", f"{value} is not a real date and time"
    return None


def _geopoint_problem(value: Any) -> tuple[str, str] | None:
    """A location as ODK writes it: ``"latitude longitude [altitude [accuracy]]"`` in degrees and metres."""
    parts = value.split() if isinstance(value, str) else []
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if not 2 <= len(numbers) <= 4 or not all(math.isfinite(n) for n in numbers):
        return "wrong_type", "expected a location written 'latitude longitude [altitude [accuracy]]'"
    if not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180) or (len(numbers) == 4 and numbers[3] < 0):
        return "out_of_range", f"{value} is not a place on Earth (latitude -90..90, longitude -180..180)"


def _characters_problem(text: str) -> tuple[str, str] | None:
    """Text holds no control characters but tab and line breaks: a NUL (U+0000) cannot be stored by
    PostgreSQL's JSON functions, and no person types the others."""
    for char in text:
        if char not in "\t\n\r" and unicodedata.category(char) == "Cc":
            return "invalid_character", f"the text holds the control character U+{ord(char):04X}"
    return None


class _Ballot(Mapping[str, Any]):
    """The answers as expressions see them: irrelevant or invalid answers read as unanswered.

    Relevance is computed once per element, in :attr:`Form.relevance_order`, so every expression
    only reads questions whose relevance is already known (no recursion, however long the chain).
    """

    def __init__(self, form: Form, answers: Mapping[Any, Any], today: Any):
        self.form = form
        self.answers = answers
        self.choices = _ChoiceLabels(form)
        self._relevant: dict[str, bool] = {}
        for name in form.relevance_order:
            ancestors = form.ancestors(name)
            relevant = not ancestors or self._relevant.get(ancestors[-1].name, False)
            expression = form.element(name).relevant_expression
            if relevant and expression is not None:
                relevant = expression.evaluate_boolean(self, today=today, choices=self.choices)
            self._relevant[name] = relevant

    def is_relevant(self, name: str) -> bool:
        return self._relevant.get(name, False)

    def __getitem__(self, name: str) -> Any:
        try:
            element = self.form.element(name)
        except KeyError:
            return None
        if not isinstance(element, Question) or not element.answerable:
            return None
        value = self.answers.get(name)
        if is_blank(value) or not self.is_relevant(name) or value_problem(element, value) is not None:
            return None
        return value

    def __iter__(self) -> Iterator[str]:
        return (q.name for q in self.form.questions())

    def __len__(self) -> int:
        return len(self.form.questions())


def _shown(text: dict[str, str] | None) -> str | None:
    """The text of a form's message as the server reports it: Vietnamese, else the first language given."""
    if not text:
        return None
    return text.get("vi") or next(iter(text.values()))


def validate_answers(form: Form, answers: Any, *, today: Any = None) -> list[AnswerError]:
    """Every problem with ``answers`` for ``form``, in document order; empty means valid.

    ``today`` (a date or ISO string) fixes the date used by ``today()`` in expressions, so a ballot
    can be re-checked later as of the day it was collected; by default it is today in Vietnam.
    """
    if not isinstance(answers, Mapping):
        return [AnswerError("", "wrong_type", "answers must be an object keyed by question name")]
    if today is None:
        today = _dt.datetime.now(VIETNAM_TIME).date()  # one date for the whole ballot, even at midnight
    ballot = _Ballot(form, answers, today)
    errors: list[AnswerError] = []
    for element in form.elements():
        name = element.name
        path = form.path_of(name)
        value = answers.get(name)
        if not isinstance(element, Question) or not element.answerable:
            if not is_blank(value):
                errors.append(AnswerError(path, "not_answerable", f"{element.type} {name!r} takes no answer"))
            continue
        if not ballot.is_relevant(name):
            if not is_blank(value):
                errors.append(AnswerError(path, "not_relevant", "answered although skip logic hides this question"))
            continue
        if is_blank(value):
            if element.required:
                given = _shown(element.required_message)
                errors.append(AnswerError(path, "missing_required", given or "an answer is required"))
            continue
        problem = value_problem(element, value)
        if problem is not None:
            errors.append(AnswerError(path, *problem))
            continue
        constraint = element.constraint_expression
        if constraint is not None and not constraint.evaluate_boolean(
            ballot, value, today=today, choices=ballot.choices
        ):
            given = _shown(element.constraint_message)
            message = given or f"the answer must satisfy {element.constraint}"
            errors.append(AnswerError(path, "constraint_failed", message))

    known = {element.name for element in form.elements()}
    unknown = [key for key in answers if not (isinstance(key, str) and key in known)]
    for key in sorted(unknown, key=str):
        errors.append(AnswerError(str(key), "unknown_question", f"the form has no question {str(key)!r}"))
    return errors
