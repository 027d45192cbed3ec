"""Checking a ballot's answers against its form.

The same check runs on the device (to guide the enumerator) and on the server (because devices
can be old, buggy or forged), so it must be deterministic and must never raise, whatever JSON
arrives. It reports every problem, in document order, each with a stable code.

Answer values: the answers are a dict keyed by question name (plain groups do not nest answers). A
repeat group's answer is a list of instances, each a dict of the answers inside it (and of its nested
repeats), checked on its own: its relevance, requirements and constraints read the same instance's
answers (errors name it ``household[2]/age``, counting from 1); with a ``repeat_count`` the list must
have that many instances. A select with a ``choice_filter`` accepts only the choices the filter offers
given the other answers.

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
from .expressions import VIETNAM_TIME, to_number
from .likert import NOT_APPLICABLE
from .model import MEDIA_TYPES, Form, Group, Question

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


def _descend(scope: _Scope, path: tuple[str, ...]) -> Iterator[_Scope]:
    """The instances at the end of ``path`` (repeat names, outermost first) below ``scope``, in document order."""
    if not path:
        yield scope
        return
    for child in scope.instances(path[0]):
        yield from _descend(child, path[1:])


class _Scope(Mapping[str, Any]):
    """The answers as expressions see them: irrelevant or invalid answers read as unanswered.

    A scope is the ballot's top level or one instance of a repeat group (``repeat``, number ``index``
    from 1), inside its parent scope. ``${name}`` reads the answer in this instance when ``name`` is
    in it, else in the enclosing instance or the top level (JavaRosa's relative references), else, for
    a question inside a repeat this scope is not in, its first answer in document order (XPath's value of a
    node-set, as Enketo reads it; JavaRosa refuses a repeated field there); ``nodes`` gives every
    instance's (``count()``, ``sum()``), ``indexed`` the n-th (``indexed-repeat()``).

    Relevance is computed once per element and instance, in :attr:`Form.relevance_order`, so every
    expression only reads questions whose relevance is already known (no recursion, however long the chain).
    """

    def __init__(
        self,
        form: Form,
        answers: Mapping[Any, Any],
        today: Any,
        parent: _Scope | None = None,
        repeat: str | None = None,
        index: int = 1,
        repeat_relevant: bool = True,
    ):
        self.form = form
        self.answers = answers
        self.today = today
        self.parent = parent
        self.repeat = repeat
        self.index = index
        self.chain: tuple[str, ...] = () if repeat is None else (*form.repeats_of(repeat), repeat)
        self.choices = parent.choices if parent is not None else _ChoiceLabels(form)
        self._instances: dict[str, list[_Scope]] = {}
        self.children = form.scope_children(repeat)
        mine = {element.name for element in self.children}
        self._relevant: dict[str, bool] = {}
        for name in form.relevance_order:
            if name not in mine:
                continue
            ancestors = form.ancestors(name)
            if not ancestors:
                relevant = True
            elif ancestors[-1].name == repeat:
                relevant = repeat_relevant
            else:
                relevant = self._relevant.get(ancestors[-1].name, False)
            expression = form.element(name).relevant_expression
            if relevant and expression is not None:
                relevant = expression.evaluate_boolean(self, today=today, choices=self.choices)
            self._relevant[name] = relevant

    @property
    def prefix(self) -> str:
        """The path of this instance, ending with ``/`` (``""`` at the top): ``household[2]/``."""
        if self.parent is None or self.repeat is None:
            return ""
        return f"{self.parent.prefix}{self.parent.relative_path(self.repeat)}[{self.index}]/"

    def relative_path(self, name: str) -> str:
        path = self.form.path_of(name)
        if self.repeat is None:
            return path
        return path[len(self.form.path_of(self.repeat)) + 1 :]

    def is_relevant(self, name: str) -> bool:
        return self._relevant.get(name, False)

    def instances(self, repeat: str) -> list[_Scope]:
        """This scope's instances of the repeat group ``repeat`` (one of its children), if relevant."""
        if repeat not in self._instances:
            raw = self.answers.get(repeat)
            found: list[_Scope] = []
            if self.is_relevant(repeat) and isinstance(raw, list | tuple):
                for i, item in enumerate(raw, start=1):
                    if isinstance(item, Mapping):
                        found.append(_Scope(self.form, item, self.today, self, repeat, i, True))
            self._instances[repeat] = found
        return self._instances[repeat]

    def _up_to(self, depth: int) -> _Scope:
        scope = self
        while len(scope.chain) > depth and scope.parent is not None:
            scope = scope.parent
        return scope

    def _common(self, target: tuple[str, ...]) -> int:
        k = 0
        while k < len(target) and k < len(self.chain) and target[k] == self.chain[k]:
            k += 1
        return k

    def own_value(self, name: str) -> Any:
        element = self.form.element(name)
        if not isinstance(element, Question) or not element.answerable:
            return None
        value = self.answers.get(name)
        if is_blank(value) or not self.is_relevant(name) or value_problem(element, value) is not None:
            return None
        return value

    def _target(self, name: str) -> tuple[str, ...]:
        element = self.form.element(name)
        chain = self.form.repeats_of(name)
        return (*chain, name) if isinstance(element, Group) and element.repeat else chain

    def __getitem__(self, name: str) -> Any:
        values = self.nodes(name, first_only=True)
        return values[0] if values else None

    def nodes(self, name: str, first_only: bool = False) -> list[Any]:
        """Every answer ``${name}`` names from here: one outside repeats, one per instance inside them."""
        try:
            self.form.element(name)
        except KeyError:
            return []
        target = self._target(name)
        k = self._common(self.form.repeats_of(name))
        start = self._up_to(k)
        if first_only:  # XPath's value of a node-set: its first node in document order, maybe deep in a later instance
            first = next(_descend(start, target[k:]), None)
            scopes = [] if first is None else [first]
        else:
            scopes = [start]
            for repeat in target[k:]:
                scopes = [child for scope in scopes for child in scope.instances(repeat)]
        element = self.form.element(name)
        if isinstance(element, Group):
            return [None for _ in scopes] if element.repeat else []
        return [scope.own_value(name) for scope in scopes]

    def indexed(self, name: str, steps: list[tuple[str, int]]) -> Any:
        """``indexed-repeat(${name}, ${repeat}, n, ...)``: the answer in the given instances, outermost first."""
        scope = self._up_to(0)
        for repeat, index in steps:
            try:
                found = scope.instances(repeat)
            except KeyError:
                return None
            if not 1 <= index <= len(found):
                return None
            scope = found[index - 1]
        return scope[name]

    def position(self) -> int:
        return self.index

    def __iter__(self) -> Iterator[str]:
        return (q.name for q in self.form.questions())

    def __len__(self) -> int:
        return len(self.form.questions())


def answer_scope(form: Form, answers: Mapping[str, Any], *, today: Any = None, instance: tuple[int, ...] = ()) -> Any:
    """The answers as expressions read them at the top level, or in ``instance``: the numbers (from 1) of
    the instances of nested repeats, outermost first (``(2,)``: the second instance of the form's first
    repeat on the way). Evaluate an expression on it to get ODK's value there (relevance applied)."""
    scope = _Scope(form, answers, today)
    for number in instance:
        repeats = [e.name for e in scope.children if isinstance(e, Group) and e.repeat]
        found = scope.instances(repeats[0]) if repeats else []
        if not 1 <= number <= len(found):
            raise IndexError(f"no instance {number}")
        scope = found[number - 1]
    return scope


def offered_choices(question: Question, scope: Mapping[str, Any], *, today: Any = None) -> tuple[str, ...]:
    """The values of ``question``'s choices its ``choice_filter`` offers given the answers in ``scope``."""
    expression = question.choice_filter_expression
    if expression is None:
        return question.choice_values
    labels = getattr(scope, "choices", None)
    return tuple(
        choice.value
        for choice in question.choices
        if expression.evaluate_boolean(
            scope, today=today, choices=labels, choice={**choice.columns, "name": choice.value}
        )
    )


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
    errors: list[AnswerError] = []
    _validate_scope(_Scope(form, answers, today), today, errors)
    return errors


def _validate_scope(scope: _Scope, today: Any, errors: list[AnswerError]) -> None:
    answers, prefix = scope.answers, scope.prefix
    for element in scope.children:
        name = element.name
        path = prefix + scope.relative_path(name)
        value = answers.get(name)
        if isinstance(element, Group) and element.repeat:
            _validate_repeat(scope, element, path, value, today, errors)
            continue
        if not isinstance(element, Question) or not element.answerable:
            if not is_blank(value):
                errors.append(AnswerError(path, "not_answerable", f"{element.type} {name!r} takes no answer"))
            continue
        if not scope.is_relevant(name):
            if not is_blank(value):
                errors.append(AnswerError(path, "not_relevant", "answered although skip logic hides this question"))
            continue
        if is_blank(value):
            required = element.required
            if isinstance(required, str):
                required = element.required_expression.evaluate_boolean(scope, today=today, choices=scope.choices)
            if required:
                given = _shown(element.required_message)
                errors.append(AnswerError(path, "missing_required", given or "an answer is required"))
            continue
        problem = value_problem(element, value)
        if problem is None and element.choice_filter is not None:
            offered = offered_choices(element, scope, today=today)
            hidden = [v for v in ([value] if isinstance(value, str) else value) if v not in offered]
            if hidden:
                shown = ", ".join(map(repr, hidden))
                problem = ("unknown_choice", f"not among the choices the filter offers with these answers: {shown}")
        if problem is not None:
            errors.append(AnswerError(path, *problem))
            continue
        constraint = element.constraint_expression
        if constraint is not None and not constraint.evaluate_boolean(scope, value, today=today, choices=scope.choices):
            given = _shown(element.constraint_message)
            message = given or f"the answer must satisfy {element.constraint}"
            errors.append(AnswerError(path, "constraint_failed", message))

    known = {element.name for element in scope.children}
    unknown = [key for key in answers if not (isinstance(key, str) and key in known)]
    for key in sorted(unknown, key=str):
        where = "the form" if scope.repeat is None else f"repeat {scope.repeat!r}"
        errors.append(AnswerError(prefix + str(key), "unknown_question", f"{where} has no question {str(key)!r}"))


def _validate_repeat(scope: _Scope, group: Group, path: str, value: Any, today: Any, errors: list[AnswerError]) -> None:
    """A repeat's answer: a list of instances (objects of the answers inside), each checked on its own."""
    if not scope.is_relevant(group.name):
        if not is_blank(value):
            errors.append(AnswerError(path, "not_relevant", "answered although skip logic hides this repeat"))
        return
    if is_blank(value):
        value = []
    if not isinstance(value, list | tuple) or not all(isinstance(item, Mapping) for item in value):
        errors.append(AnswerError(path, "wrong_type", "expected a list of instances (objects of answers)"))
        return
    count = group.repeat_count_expression
    if count is not None:
        wanted = to_number(count.evaluate(scope, today=today, choices=scope.choices))
        if math.isfinite(wanted) and len(value) != max(0, int(wanted)):
            errors.append(
                AnswerError(path, "out_of_range", f"expected {max(0, int(wanted))} instances, got {len(value)}")
            )
    for instance in scope.instances(group.name):
        _validate_scope(instance, today, errors)
