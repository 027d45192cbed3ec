"""Checking a form's JSON definition and turning it into the model.

Authors upload questionnaires as JSON (or as XLSForm, converted to the same JSON). A broken form
would make every ballot collected with it unusable, so this module checks everything it can
before the form exists, and reports *every* problem with a path into the submitted document
(``children[3].choices[1].value``) rather than stopping at the first one.

The JSON format is documented in the package docstring (:mod:`survey_forms`).
"""

from __future__ import annotations

import re
from typing import Any

from .canonical import lone_surrogates, nfc
from .errors import FormDefinitionError
from .expressions import ExpressionError, parse
from .model import QUESTION_TYPES, SELECT_TYPES, Choice, Element, Factor, Form, Group, Question, ScoringTag

#: A form id and a version are any text, as pyxform writes them into the XForm (``Spec test``; a version typed
#: as a spreadsheet date is ``2022-04-11 16:26:28.971000``) and ODK Central takes them: not blank, no white
#: space at either end (pyxform strips cells), no control character, no ``/`` (each is one segment of a URL
#: path here) and, Central's rule, a form id does not end in ``.xls``, ``.xlsx`` or ``.xml``.
_ID_TEXT = r"[^\s/\x00-\x1f\x7f](?:[^/\x00-\x1f\x7f]*[^\s/\x00-\x1f\x7f])?"
FORM_ID = re.compile(r"(?!.*\.(?:xlsx?|xml)$)" + _ID_TEXT)
FORM_ID_MAX = 64
VERSION = re.compile(_ID_TEXT)
VERSION_MAX = 32
#: How an error words these patterns.
PATTERN_RULES = {
    FORM_ID: "any text without '/' or control characters, not ending in .xls, .xlsx or .xml",
    VERSION: "any text without '/' or control characters",
}
#: XML names (as ODK writes them) may hold a hyphen: ``label-test``, read as ``${label-test}``.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
NAME_MAX = 64
#: A choice's other columns (read by a choice_filter): names as question names, values short texts.
CHOICE_COLUMN_MAX = 200
#: Any value without white space (a select_multiple answer is its values joined by spaces), as in XLSForm.
CHOICE_VALUE = re.compile(r"\S+")
CHOICE_VALUE_MAX = 64
SCORING_ID = re.compile(r"[A-Za-z0-9_.-]+")
SCORING_ID_MAX = 32
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
MAX_GROUP_DEPTH = 16

FORM_KEYS = ("form_id", "version", "title", "default_language", "scoring", "children")
_COMMON = ("type", "name", "label", "hint", "relevant")
_ANSWERED = (*_COMMON, "required", "required_message", "constraint", "constraint_message")
ALLOWED_KEYS: dict[str, tuple[str, ...]] = {
    "group": (*_COMMON, "children", "repeat", "repeat_count"),
    "note": _COMMON,
    "select_one": (*_ANSWERED, "choices", "choice_filter"),
    "select_multiple": (*_ANSWERED, "choices", "choice_filter"),
    "integer": _ANSWERED,
    "decimal": _ANSWERED,
    "text": _ANSWERED,
    "date": _ANSWERED,
    "time": _ANSWERED,
    "datetime": _ANSWERED,
    "barcode": _ANSWERED,
    "geopoint": _ANSWERED,
    "image": _ANSWERED,
    "audio": _ANSWERED,
    "video": _ANSWERED,
    "file": _ANSWERED,
    "calculate": ("type", "name", "label", "hint", "relevant", "calculation"),
    "likert5": (*_ANSWERED, "allow_na", "scoring"),
}


class _Checker:
    """Walks a definition once, collecting errors and building model objects as it goes.

    The model objects built from a broken definition are never returned; they only let the walk
    continue so that later problems are reported too.
    """

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []
        self.names: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}
        self.parents: dict[str, str | None] = {}
        self.expressions: list[tuple[str, str, str, Any]] = []  # (owner, key, path, Expression)
        self.scoring_tags: list[tuple[str, ScoringTag]] = []
        self.repeats: set[str] = set()
        self.in_repeat = 0
        #: Every text must be given in the form's default language (Vietnamese unless the form says otherwise).
        self.language = "vi"

    def error(self, path: str, code: str, message: str) -> None:
        self.errors.append({"path": path, "code": code, "message": message})

    # ------------------------------------------------------------------ small values

    def keys(self, data: dict[str, Any], path: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                self.error(_join(path, str(key)), "unknown_key", f"unknown key {key!r}")
        for key in required:
            if key not in data:
                self.error(_join(path, key), "missing_key", f"{key!r} is required")

    def text(self, value: Any, path: str) -> dict[str, str]:
        """A multilingual text: language code -> non-empty string, the form's default language required."""
        if not isinstance(value, dict):
            self.error(path, "invalid_type", "must be an object of language code -> text")
            return {}
        out: dict[str, str] = {}
        for lang, text in value.items():
            if not isinstance(lang, str) or not LANGUAGE.fullmatch(lang):
                self.error(_join(path, str(lang)), "invalid_name", f"{lang!r} is not a language code like 'vi'")
            elif not isinstance(text, str):
                self.error(_join(path, lang), "invalid_type", "text must be a string")
            elif not text.strip():
                self.error(_join(path, lang), "invalid_value", "text must not be empty")
            else:
                out[lang] = text
        if self.language not in value:
            what = "a Vietnamese ('vi')" if self.language == "vi" else f"a {self.language!r} (the default language)"
            self.error(_join(path, self.language), "missing_key", f"{what} text is required")
        return out

    def pattern(self, value: Any, path: str, regex: re.Pattern[str], limit: int, code: str, what: str) -> str:
        if not isinstance(value, str):
            self.error(path, "invalid_type", f"{what} must be a string")
            return ""
        if len(value) > limit or not regex.fullmatch(value):
            rule = PATTERN_RULES.get(regex, regex.pattern)
            self.error(path, code, f"{value!r} is not a valid {what} ({rule}, at most {limit} characters)")
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            self.error(path, "invalid_type", "must be true or false")
            return False
        return value

    def expression(self, value: Any, path: str, owner: str, key: str) -> str | None:
        if not isinstance(value, str):
            self.error(path, "invalid_type", "an expression must be a string")
            return None
        try:
            parsed = parse(value, choice_columns=key == "choice_filter")
        except ExpressionError as exc:
            self.error(path, "invalid_expression", f"{exc.message} at position {exc.position} in {value!r}")
            return None
        if key in ("relevant", "calculation", "repeat_count", "choice_filter", "required") and parsed.uses_current:
            self.error(path, "invalid_expression", "'.' (the current answer) can only be used in a constraint")
            return None
        self.expressions.append((owner, key, path, parsed))
        return value

    # ------------------------------------------------------------------ structure

    def form(self, data: Any) -> Form | None:
        if not isinstance(data, dict):
            self.error("", "invalid_type", "a form definition must be a JSON object")
            return None
        self.keys(data, "", FORM_KEYS, ("form_id", "version", "title", "children"))
        form_id = version = ""
        title: dict[str, str] = {}
        if "form_id" in data:
            form_id = self.pattern(data["form_id"], "form_id", FORM_ID, FORM_ID_MAX, "invalid_name", "form id")
        if "version" in data:
            version = self.pattern(data["version"], "version", VERSION, VERSION_MAX, "invalid_value", "version")
        default_language = "vi"
        if "default_language" in data:
            value = data["default_language"]
            if not isinstance(value, str) or not LANGUAGE.fullmatch(value):
                self.error("default_language", "invalid_type", "must be a language code like 'vi'")
            else:
                default_language = self.language = value
        if "title" in data:
            title = self.text(data["title"], "title")
        factors = self.factors(data["scoring"], "scoring") if "scoring" in data else ()
        children = self.children(data.get("children", []), "children", None, 0) if "children" in data else ()
        self.cross_checks({factor.id for factor in factors})
        return Form(
            form_id=form_id,
            version=version,
            title=title,
            children=children,
            default_language=default_language,
            scoring_factors=factors,
        )

    def factors(self, value: Any, path: str) -> tuple[Factor, ...]:
        if not isinstance(value, dict):
            self.error(path, "invalid_type", "scoring must be an object with 'factors'")
            return ()
        self.keys(value, path, ("factors",), ("factors",))
        raw = value.get("factors", [])
        if not isinstance(raw, list):
            self.error(f"{path}.factors", "invalid_type", "factors must be a list")
            return ()
        out: list[Factor] = []
        seen: set[str] = set()
        for i, item in enumerate(raw):
            item_path = f"{path}.factors[{i}]"
            if not isinstance(item, dict):
                self.error(item_path, "invalid_type", "a factor must be an object with 'id' and 'label'")
                continue
            self.keys(item, item_path, ("id", "label"), ("id", "label"))
            factor_id = ""
            if "id" in item:
                factor_id = self.pattern(
                    item["id"], f"{item_path}.id", SCORING_ID, SCORING_ID_MAX, "invalid_name", "factor id"
                )
                if factor_id in seen:
                    self.error(f"{item_path}.id", "duplicate_name", f"factor {factor_id!r} is declared twice")
                seen.add(factor_id)
            label = self.text(item["label"], f"{item_path}.label") if "label" in item else {}
            out.append(Factor(id=factor_id, label=label))
        return tuple(out)

    def children(self, value: Any, path: str, parent: str | None, depth: int) -> tuple[Element, ...]:
        if not isinstance(value, list):
            self.error(path, "invalid_type", "children must be a list")
            return ()
        out: list[Element] = []
        for i, item in enumerate(value):
            element = self.element(item, f"{path}[{i}]", parent, depth)
            if element is not None:
                out.append(element)
        return tuple(out)

    def element(self, data: Any, path: str, parent: str | None, depth: int) -> Element | None:
        if not isinstance(data, dict):
            self.error(path, "invalid_type", "a form element must be an object")
            return None
        kind = data.get("type")
        if "type" not in data:
            self.error(f"{path}.type", "missing_key", "'type' is required")
            return None
        if not isinstance(kind, str) or kind not in ALLOWED_KEYS:
            known = ", ".join(("group", *QUESTION_TYPES))
            self.error(f"{path}.type", "invalid_type", f"unknown element type {kind!r}; expected one of {known}")
            return None
        required = ["type", "name"]
        if kind not in ("group", "calculate"):
            required.append("label")
        if kind == "calculate":
            required.append("calculation")
        if kind in SELECT_TYPES:
            required.append("choices")
        if kind == "group":
            required.append("children")
        self.keys(data, path, ALLOWED_KEYS[kind], tuple(required))

        name = ""
        if "name" in data:
            name = self.pattern(data["name"], f"{path}.name", NAME, NAME_MAX, "invalid_name", "name")
            if name:
                self.names.setdefault(name, []).append(f"{path}.name")
                if name not in self.kinds:
                    self.kinds[name] = kind
                    self.parents[name] = parent
        label = self.text(data["label"], f"{path}.label") if "label" in data else None
        hint = self.text(data["hint"], f"{path}.hint") if "hint" in data else None
        relevant = None
        if "relevant" in data:
            relevant = self.expression(data["relevant"], f"{path}.relevant", name, "relevant")

        if kind == "group":
            if depth >= MAX_GROUP_DEPTH:
                self.error(path, "invalid_value", f"groups are nested more than {MAX_GROUP_DEPTH} deep")
                return None
            repeat = self.boolean(data["repeat"], f"{path}.repeat") if "repeat" in data else False
            repeat_count = None
            if "repeat_count" in data:
                if not repeat:
                    self.error(f"{path}.repeat_count", "invalid_value", "repeat_count needs 'repeat': true")
                repeat_count = self.expression(data["repeat_count"], f"{path}.repeat_count", name, "repeat_count")
            if repeat and name:
                self.repeats.add(name)
            self.in_repeat += repeat
            children = self.children(data.get("children", []), f"{path}.children", name, depth + 1)
            self.in_repeat -= repeat
            return Group(
                name=name,
                label=label,
                hint=hint,
                relevant=relevant,
                children=children,
                repeat=repeat,
                repeat_count=repeat_count,
            )

        # Keys the type does not allow were reported as unknown_key above and are not checked further.
        allowed = ALLOWED_KEYS[kind]

        def given(key: str) -> bool:
            return key in data and key in allowed

        required_flag: bool | str = False
        if given("required") and isinstance(data["required"], str):  # ODK's dynamic required
            required_flag = self.expression(data["required"], f"{path}.required", name, "required") or False
        elif given("required"):
            required_flag = self.boolean(data["required"], f"{path}.required")
        constraint = None
        if given("constraint"):
            constraint = self.expression(data["constraint"], f"{path}.constraint", name, "constraint")
        constraint_message = None
        if given("constraint_message"):
            constraint_message = self.text(data["constraint_message"], f"{path}.constraint_message")
        required_message = None
        if given("required_message"):
            required_message = self.text(data["required_message"], f"{path}.required_message")
        calculation = None
        if given("calculation"):
            calculation = self.expression(data["calculation"], f"{path}.calculation", name, "calculation")
        choices = ()
        if given("choices"):
            # Cascading lists repeat a value under different parents ("other" in every province).
            choices = self.choices(data["choices"], f"{path}.choices", duplicates=given("choice_filter"))
        choice_filter = None
        if given("choice_filter"):
            choice_filter = self.expression(data["choice_filter"], f"{path}.choice_filter", name, "choice_filter")
        allow_na = self.boolean(data["allow_na"], f"{path}.allow_na") if given("allow_na") else False
        scoring = self.scoring(data["scoring"], f"{path}.scoring") if given("scoring") else None
        if scoring is not None and self.in_repeat:
            self.error(f"{path}.scoring", "invalid_value", "a scored question cannot be inside a repeat group")
        return Question(
            type=kind,
            name=name,
            label=label or {},
            hint=hint,
            required=required_flag,
            relevant=relevant,
            constraint=constraint,
            constraint_message=constraint_message,
            required_message=required_message,
            calculation=calculation,
            choices=choices,
            choice_filter=choice_filter,
            allow_na=allow_na,
            scoring=scoring,
        )

    def choices(self, value: Any, path: str, duplicates: bool = False) -> tuple[Choice, ...]:
        if not isinstance(value, list):
            self.error(path, "invalid_type", "choices must be a list")
            return ()
        if not value:
            self.error(path, "empty_choices", "a select question needs at least one choice")
            return ()
        out: list[Choice] = []
        seen: set[str] = set()
        for i, item in enumerate(value):
            item_path = f"{path}[{i}]"
            if not isinstance(item, dict):
                self.error(item_path, "invalid_type", "a choice must be an object with 'value' and 'label'")
                continue
            self.keys(item, item_path, ("value", "label", "columns"), ("value", "label"))
            choice_value = ""
            if "value" in item:
                choice_value = self.pattern(
                    item["value"],
                    f"{item_path}.value",
                    CHOICE_VALUE,
                    CHOICE_VALUE_MAX,
                    "invalid_name",
                    "choice value",
                )
                if choice_value in seen and not duplicates:
                    self.error(f"{item_path}.value", "duplicate_choice", f"choice {choice_value!r} appears twice")
                seen.add(choice_value)
            label = self.text(item["label"], f"{item_path}.label") if "label" in item else {}
            columns = self.choice_columns(item["columns"], f"{item_path}.columns") if "columns" in item else {}
            out.append(Choice(value=choice_value, label=label, columns=columns))
        return tuple(out)

    def choice_columns(self, value: Any, path: str) -> dict[str, str]:
        if not isinstance(value, dict):
            self.error(path, "invalid_type", "columns must be an object of column name -> text")
            return {}
        out: dict[str, str] = {}
        for key, text in value.items():
            if not isinstance(key, str) or not NAME.fullmatch(key) or key == "name":
                self.error(_join(path, str(key)), "invalid_name", f"{key!r} is not a valid column name")
            elif not isinstance(text, str) or len(text) > CHOICE_COLUMN_MAX:
                self.error(_join(path, key), "invalid_type", f"must be a text of at most {CHOICE_COLUMN_MAX}")
            else:
                out[key] = text
        return out

    def scoring(self, value: Any, path: str) -> ScoringTag | None:
        if not isinstance(value, dict):
            self.error(path, "invalid_type", "scoring must be an object with 'factor' and 'criterion'")
            return None
        self.keys(value, path, ("factor", "criterion"), ("factor", "criterion"))
        factor = criterion = ""
        if "factor" in value:
            factor = self.pattern(
                value["factor"], f"{path}.factor", SCORING_ID, SCORING_ID_MAX, "invalid_name", "factor id"
            )
        if "criterion" in value:
            criterion = self.pattern(
                value["criterion"],
                f"{path}.criterion",
                SCORING_ID,
                SCORING_ID_MAX,
                "invalid_name",
                "criterion id",
            )
        tag = ScoringTag(factor=factor, criterion=criterion)
        if "factor" in value and "criterion" in value:
            self.scoring_tags.append((path, tag))
        return tag

    # ------------------------------------------------------------------ whole-form rules

    def cross_checks(self, factor_ids: set[str]) -> None:
        for name, paths in self.names.items():
            for path in paths[1:]:
                self.error(path, "duplicate_name", f"name {name!r} is already used at {paths[0]}")

        for _owner, _key, path, parsed in self.expressions:
            for ref in sorted(parsed.references):
                kind = self.kinds.get(ref)
                if kind is None:
                    self.error(path, "unknown_reference", f"${{{ref}}} does not name a question of this form")
                elif kind == "group" and ref in self.repeats:
                    continue  # count(${repeat}) reads its instances
                elif kind == "group":
                    self.error(path, "unknown_reference", f"${{{ref}}} is a {kind}, which has no answer")
                # A note reads as "" (ODK's empty read-only node): pyxform's own examples compare notes.

        seen_tags: dict[tuple[str, str], str] = {}
        for path, tag in self.scoring_tags:
            if tag.factor and tag.factor not in factor_ids:
                self.error(f"{path}.factor", "unknown_factor", f"factor {tag.factor!r} is not declared in scoring")
            key = (tag.factor, tag.criterion)
            if key in seen_tags:
                self.error(
                    f"{path}.criterion",
                    "duplicate_name",
                    f"criterion {tag.factor}/{tag.criterion} is already used at {seen_tags[key]}",
                )
            else:
                seen_tags[key] = path
        self.relevance_cycles()

    def relevance_cycles(self) -> None:
        """Refuse skip logic that depends on itself.

        A question's relevance depends on the relevance of every question its ``relevant`` reads
        (an irrelevant answer counts as unanswered) and on its groups' relevance. A cycle there has
        no meaning, so it is refused here instead of being guessed at when checking answers.
        """
        depends: dict[str, set[str]] = {name: set() for name in self.kinds}
        relevant_path: dict[str, str] = {}
        for owner, key, path, parsed in self.expressions:
            if key == "relevant" and owner in depends:
                depends[owner].update(ref for ref in parsed.references if ref in depends)
                relevant_path.setdefault(owner, path)
        for name, parent in self.parents.items():
            if parent is not None and parent in depends:
                depends[name].add(parent)

        state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
        reported: set[frozenset[str]] = set()
        for start in depends:
            if state.get(start):
                continue
            stack: list[tuple[str, list[str]]] = [(start, sorted(depends[start]))]
            trail = [start]
            state[start] = 1
            while stack:
                node, pending = stack[-1]
                if not pending:
                    state[node] = 2
                    stack.pop()
                    trail.pop()
                    continue
                nxt = pending.pop()
                if state.get(nxt) == 1:
                    cycle = trail[trail.index(nxt) :]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        where = next((relevant_path[n] for n in cycle if n in relevant_path), "")
                        shown = " -> ".join(f"${{{n}}}" for n in [*cycle, nxt])
                        self.error(where, "circular_reference", f"relevance depends on itself: {shown}")
                elif not state.get(nxt):
                    state[nxt] = 1
                    trail.append(nxt)
                    stack.append((nxt, sorted(depends[nxt])))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def form_from_dict(data: Any) -> Form:
    """Check ``data`` and build the :class:`Form`; raise :class:`FormDefinitionError` if invalid.

    All strings are normalised to NFC first, so the same questionnaire typed with decomposed
    Vietnamese diacritics yields the same form and the same content hash.
    """
    broken = [
        {
            "path": path,
            "code": "invalid_value",
            "message": f"holds a lone surrogate ({char}), which is not Unicode text; save the file as UTF-8",
        }
        for path, char in lone_surrogates(data)
    ]
    if broken:
        raise FormDefinitionError(broken)
    try:
        data = nfc(data)
    except ValueError as exc:
        raise FormDefinitionError([{"path": "", "code": "invalid_value", "message": str(exc)}]) from None
    checker = _Checker()
    form = checker.form(data)
    if checker.errors or form is None:
        raise FormDefinitionError(checker.errors)
    return form


Form.from_dict = staticmethod(form_from_dict)
