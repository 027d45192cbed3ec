"""The questionnaire model: a form is a tree of groups and questions.

The classes are frozen dataclasses because a form version is identified by its content hash:
once loaded it must not change underneath ballots that were collected against it. Labels stay
plain ``dict`` objects (language code -> text) so callers can serialise them directly; treat them
as read-only. Build forms with :meth:`Form.from_dict`, which checks every rule; the constructors
only index what they are given.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .canonical import canonical_json, content_hash
from .expressions import Expression, parse

#: Question types a form may contain (``group`` is the container, not a question).
QUESTION_TYPES: tuple[str, ...] = (
    "select_one",
    "select_multiple",
    "integer",
    "decimal",
    "text",
    "date",
    "time",
    "datetime",
    "barcode",
    "geopoint",
    "image",
    "audio",
    "video",
    "file",
    "likert5",
    "note",
    "calculate",
)
#: Types whose answer is the name of a file sent beside the ballot (an attachment), as in ODK.
MEDIA_TYPES: tuple[str, ...] = ("image", "audio", "video", "file")
#: Types that carry a list of choices.
SELECT_TYPES: tuple[str, ...] = ("select_one", "select_multiple")

Text = dict[str, str]


def _text_copy(text: Text | None) -> Text | None:
    return None if text is None else dict(text)


def _hash_of(obj: Any) -> int:
    return hash(canonical_json(obj.to_dict()))


@dataclass(frozen=True)
class Choice:
    """One option of a select question; ``value`` is what is stored in answers.

    ``columns`` holds the choices sheet's other columns (``state``, ``district`` ...) that a question's
    ``choice_filter`` reads by their bare name (cascading selects).
    """

    value: str
    label: Text
    columns: dict[str, str] = field(default_factory=dict, compare=True)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "label": dict(self.label)}
        if self.columns:
            out["columns"] = dict(self.columns)
        return out

    __hash__ = _hash_of


@dataclass(frozen=True)
class ScoringTag:
    """Marks a likert question as a criterion of a satisfaction factor (e.g. F3, criterion 3.2)."""

    factor: str
    criterion: str

    def to_dict(self) -> dict[str, str]:
        return {"factor": self.factor, "criterion": self.criterion}


@dataclass(frozen=True)
class Factor:
    """A scoring factor (yếu tố) declared in the form's ``scoring`` section."""

    id: str
    label: Text

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": dict(self.label)}

    __hash__ = _hash_of


@dataclass(frozen=True)
class Question:
    """A question (or a display-only ``note``) and the rules its answer must follow.

    ``relevant`` and ``constraint`` are kept as source text (what the author wrote and what is
    hashed); their parsed forms are available as :attr:`relevant_expression` and
    :attr:`constraint_expression`.
    """

    type: str
    name: str
    label: Text
    hint: Text | None = None
    #: True, or an expression: required when it is true (ODK's dynamic ``required``).
    required: bool | str = False
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Text | None = None
    required_message: Text | None = None
    #: ``calculate`` only: the expression whose value the device stores as the answer (never shown).
    calculation: str | None = None
    choices: tuple[Choice, ...] = ()
    #: select questions only: which choices are offered, an expression over the choice's columns (bare
    #: names, ``name`` being the value) and the answers (``state = ${state}``), as XLSForm's choice_filter.
    choice_filter: str | None = None
    allow_na: bool = False
    scoring: ScoringTag | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.choices, tuple):
            object.__setattr__(self, "choices", tuple(self.choices))

    @property
    def answerable(self) -> bool:
        """Notes are shown, never answered."""
        return self.type != "note"

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    @functools.cached_property
    def relevant_expression(self) -> Expression | None:
        return None if self.relevant is None else parse(self.relevant)

    @functools.cached_property
    def constraint_expression(self) -> Expression | None:
        return None if self.constraint is None else parse(self.constraint)

    @functools.cached_property
    def required_expression(self) -> Expression | None:
        return parse(self.required) if isinstance(self.required, str) else None

    @functools.cached_property
    def choice_filter_expression(self) -> Expression | None:
        return None if self.choice_filter is None else parse(self.choice_filter, choice_columns=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form; optional keys are left out when unset so equal forms hash equal."""
        out: dict[str, Any] = {"type": self.type, "name": self.name}
        if self.label or self.type != "calculate":
            out["label"] = dict(self.label)
        if self.hint is not None:
            out["hint"] = dict(self.hint)
        if self.required:
            out["required"] = self.required
        if self.relevant is not None:
            out["relevant"] = self.relevant
        if self.constraint is not None:
            out["constraint"] = self.constraint
        if self.constraint_message is not None:
            out["constraint_message"] = dict(self.constraint_message)
        if self.required_message is not None:
            out["required_message"] = dict(self.required_message)
        if self.calculation is not None:
            out["calculation"] = self.calculation
        if self.type in SELECT_TYPES:
            out["choices"] = [choice.to_dict() for choice in self.choices]
        if self.choice_filter is not None:
            out["choice_filter"] = self.choice_filter
        if self.allow_na:
            out["allow_na"] = True
        if self.scoring is not None:
            out["scoring"] = self.scoring.to_dict()
        return out

    __hash__ = _hash_of


@dataclass(frozen=True)
class Group:
    """A section of the questionnaire; its ``relevant`` hides every question inside it.

    A plain group only structures the form: its answers stay in the dict that holds the group. A
    ``repeat`` group (XLSForm's ``begin repeat``) is asked any number of times: its answer is a list of
    instances, each a dict of the answers inside it keyed by name; ``repeat_count`` (an expression)
    fixes that number, as ODK's ``jr:count``.
    """

    name: str
    label: Text | None = None
    hint: Text | None = None
    relevant: str | None = None
    children: tuple[Question | Group, ...] = ()
    repeat: bool = False
    repeat_count: str | None = None

    type = "group"

    def __post_init__(self) -> None:
        if not isinstance(self.children, tuple):
            object.__setattr__(self, "children", tuple(self.children))

    @property
    def answerable(self) -> bool:
        return False

    @functools.cached_property
    def relevant_expression(self) -> Expression | None:
        return None if self.relevant is None else parse(self.relevant)

    @functools.cached_property
    def repeat_count_expression(self) -> Expression | None:
        return None if self.repeat_count is None else parse(self.repeat_count)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "group", "name": self.name}
        if self.repeat:
            out["repeat"] = True
        if self.repeat_count is not None:
            out["repeat_count"] = self.repeat_count
        if self.label is not None:
            out["label"] = dict(self.label)
        if self.hint is not None:
            out["hint"] = dict(self.hint)
        if self.relevant is not None:
            out["relevant"] = self.relevant
        out["children"] = [child.to_dict() for child in self.children]
        return out

    __hash__ = _hash_of


Element = Question | Group


@dataclass(frozen=True)
class Form:
    """One version of a questionnaire.

    Identity is :attr:`content_hash`, not ``(form_id, version)``: two uploads that claim the same
    version but differ in content get different hashes, so the server can refuse the second.
    """

    form_id: str
    version: str
    title: Text
    children: tuple[Element, ...]
    default_language: str = "vi"
    scoring_factors: tuple[Factor, ...] = ()

    _elements: dict[str, Element] = field(init=False, repr=False, compare=False)
    _paths: dict[str, str] = field(init=False, repr=False, compare=False)
    _ancestors: dict[str, tuple[Group, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.children, tuple):
            object.__setattr__(self, "children", tuple(self.children))
        if not isinstance(self.scoring_factors, tuple):
            object.__setattr__(self, "scoring_factors", tuple(self.scoring_factors))
        elements: dict[str, Element] = {}
        paths: dict[str, str] = {}
        ancestors: dict[str, tuple[Group, ...]] = {}

        def index(children: tuple[Element, ...], prefix: str, parents: tuple[Group, ...]) -> None:
            for child in children:
                # The first occurrence wins; Form.from_dict refuses duplicates anyway.
                if child.name not in elements:
                    elements[child.name] = child
                    paths[child.name] = prefix + child.name
                    ancestors[child.name] = parents
                if isinstance(child, Group):
                    index(child.children, prefix + child.name + "/", (*parents, child))

        index(self.children, "", ())
        object.__setattr__(self, "_elements", elements)
        object.__setattr__(self, "_paths", paths)
        object.__setattr__(self, "_ancestors", ancestors)

    # ------------------------------------------------------------------ construction

    #: ``Form.from_dict(data)``: build a form from its JSON definition, checking every rule (raises
    #: :class:`~survey_forms.errors.FormDefinitionError` listing every problem found). Set by
    #: ``survey_forms.definition``, which holds the rules and builds on this module, so neither imports
    #: the other both ways; the package imports it.
    from_dict: ClassVar[Callable[[dict[str, Any]], Form]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable definition; ``Form.from_dict(form.to_dict()) == form``."""
        out: dict[str, Any] = {
            "form_id": self.form_id,
            "version": self.version,
            "title": dict(self.title),
            "default_language": self.default_language,
            "children": [child.to_dict() for child in self.children],
        }
        if self.scoring_factors:
            out["scoring"] = {"factors": [factor.to_dict() for factor in self.scoring_factors]}
        return out

    @property
    def content_hash(self) -> str:
        """SHA-256 hex of the canonical JSON of :meth:`to_dict`: the version's identity and ETag."""
        return content_hash(self.to_dict())

    def __hash__(self) -> int:
        return hash(self.content_hash)

    # ------------------------------------------------------------------ navigation

    def elements(self) -> Iterator[Element]:
        """Every group and question in document order (a group comes before its children)."""
        return iter(self._elements.values())

    def questions(self) -> list[Question]:
        """Every question in document order, flattened through groups (notes included)."""
        return [e for e in self._elements.values() if isinstance(e, Question)]

    def question(self, name: str) -> Question:
        """The question called ``name``; ``KeyError`` if there is none (groups are not questions)."""
        element = self._elements[name]
        if not isinstance(element, Question):
            raise KeyError(name)
        return element

    def element(self, name: str) -> Element:
        """The group or question called ``name``; ``KeyError`` if absent."""
        return self._elements[name]

    def path_of(self, name: str) -> str:
        """Slash-separated path through the groups, e.g. ``"respondent/sex"``; ``KeyError`` if absent."""
        return self._paths[name]

    def ancestors(self, name: str) -> tuple[Group, ...]:
        """The groups containing ``name``, outermost first."""
        return self._ancestors[name]

    def repeats_of(self, name: str) -> tuple[str, ...]:
        """The names of the repeat groups containing ``name``, outermost first (empty outside repeats)."""
        return tuple(group.name for group in self._ancestors[name] if group.repeat)

    def scope_children(self, repeat: str | None) -> list[Element]:
        """The elements whose answers sit directly in one instance of ``repeat`` (``None``: the ballot's
        top level), in document order: those inside no deeper repeat, nested repeat groups included."""
        return self._scopes.get(repeat, [])

    @functools.cached_property
    def _scopes(self) -> dict[str | None, list[Element]]:
        scopes: dict[str | None, list[Element]] = {None: []}
        for name, element in self._elements.items():
            repeats = self.repeats_of(name)
            scopes.setdefault(repeats[-1] if repeats else None, []).append(element)
        return scopes

    @property
    def has_repeats(self) -> bool:
        return any(isinstance(e, Group) and e.repeat for e in self._elements.values())

    @functools.cached_property
    def relevance_order(self) -> tuple[str, ...]:
        """Element names ordered so that each comes after its group and after every question its
        ``relevant`` reads: the order in which skip logic can be evaluated without recursion.

        Elements caught in a dependency cycle (which :meth:`from_dict` refuses, but a hand-built
        form might contain) come last, in document order.
        """
        names = list(self._elements)
        position = {name: i for i, name in enumerate(names)}
        waiting_on: dict[str, int] = {}
        dependents: dict[str, list[str]] = {name: [] for name in names}
        for name, element in self._elements.items():
            needs = set() if element.relevant_expression is None else set(element.relevant_expression.references)
            if self._ancestors[name]:
                needs.add(self._ancestors[name][-1].name)
            needs &= position.keys()
            waiting_on[name] = len(needs)
            for need in needs:
                dependents[need].append(name)
        # Kahn's algorithm, taking the earliest ready element in document order each time.
        ready = [position[name] for name in names if waiting_on[name] == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            name = names[heapq.heappop(ready)]
            order.append(name)
            for dependent in dependents[name]:
                waiting_on[dependent] -= 1
                if waiting_on[dependent] == 0:
                    heapq.heappush(ready, position[dependent])
        done = set(order)
        order.extend(name for name in self._elements if name not in done)
        return tuple(order)

    def scored_questions(self) -> list[Question]:
        """The questions carrying a scoring tag (the satisfaction criteria), in document order."""
        return [q for q in self.questions() if q.scoring is not None]

    @property
    def factors(self) -> list[dict[str, Any]]:
        """Declared scoring factors as ``{"id", "label"}`` dicts (fresh copies), maybe empty."""
        return [factor.to_dict() for factor in self.scoring_factors]
