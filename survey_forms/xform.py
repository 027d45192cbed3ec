"""ODK XForms: a form as the XForm that ODK Collect and Enketo fill, and their filled instances back as answers.

The XForm is written by pyxform (the reference XLSForm-to-XForm converter) from the form's definition, so
its binds, itext translations and select lists are exactly what ODK clients expect:

* every type maps to its XLSForm type; ``likert5`` becomes a ``select_one`` of the values 1-5 with the
  standard labels (plus ``na`` when allowed); texts become itext translations named ``Language (code)``,
  and a language a text lacks shows the form's default-language text (pyxform would show ``-``);
* ``start``, ``end`` and ``deviceid`` metadata are added, so a submission carries the interview's
  times and the device, which become the ballot's paradata;
* the agency a ballot is for: the form's ``agency_code`` question, or a first question added when the
  form has none (:data:`AGENCY_FIELD`), becomes a ``select_one`` of the agencies given (the user's
  assignments), so ODK users pick the agency instead of typing its code.

:func:`read_instance` turns a submitted instance (``<data id= version=>…</data>``) into the answer values
``validate_answers`` checks, with the metadata (``instanceID``, ``deprecatedID``, start, end, device).
Reading uses defusedxml: a submission cannot expand entities or reach files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree
from pyxform.builder import create_survey_element_from_dict

from .likert import LIKERT_LEVELS, NOT_APPLICABLE, NOT_APPLICABLE_LABEL
from .model import Form, Group, Question

AGENCY_QUESTION = "agency_code"
#: The question added to a form that has no ``agency_code`` question; never part of the answers.
AGENCY_FIELD = "parsurvey_agency"
AGENCY_LABEL = {"vi": "Cơ quan, đơn vị giải quyết thủ tục", "en": "Agency that handled the procedure"}
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
XLSFORM_TYPES = {
    "select_one": "select one",
    "select_multiple": "select all that apply",
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "barcode": "barcode",
    "geopoint": "geopoint",
    "image": "image",
    "audio": "audio",
    "video": "video",
    "file": "file",
    "calculate": "calculate",
    "note": "note",
    "likert5": "select one",
}
METADATA = ("start", "end", "deviceid")
MAX_INSTANCE_BYTES = 2 * 1024 * 1024


class InstanceError(ValueError):
    """A submission that is not a readable instance of a form."""


def _language(code: str) -> str:
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


class _Writer:
    def __init__(self, form: Form, agencies: list[tuple[str, str]]):
        self.form = form
        self.agencies = agencies
        self.languages = sorted(
            {lang for element in form.elements() for text in self.texts_of(element) for lang in text},
            key=lambda lang: (lang != form.default_language, lang),
        ) or [form.default_language]
        self.lists: dict[str, list[dict[str, Any]]] = {}

    @staticmethod
    def texts_of(element) -> list[dict[str, str]]:
        texts = [element.label or {}, element.hint or {}]
        if isinstance(element, Question):
            texts += [element.constraint_message or {}, element.required_message or {}]
            texts += [choice.label for choice in element.choices]
        return [t for t in texts if t]

    def text(self, value: dict[str, str] | None) -> dict[str, str] | None:
        if not value:
            return None
        fallback = value.get(self.form.default_language) or next(iter(value.values()))
        return {_language(lang): value.get(lang, fallback) for lang in self.languages}

    def choices(self, name: str, items: list[tuple[str, dict[str, str]]]) -> dict[str, Any]:
        choices = [{"name": value, "label": self.text(label)} for value, label in items]
        self.lists[name] = choices
        return {"itemset": name, "list_name": name, "choices": choices}

    def agency_choices(self, name: str) -> dict[str, Any]:
        language = self.form.default_language
        return self.choices(
            name, [(code, {language: title}) for code, title in self.agencies] or [("-", {language: "-"})]
        )

    def element(self, element) -> dict[str, Any]:
        out: dict[str, Any] = {"name": element.name}
        if element.label:
            out["label"] = self.text(element.label)
        if element.hint:
            out["hint"] = self.text(element.hint)
        bind: dict[str, Any] = {}
        if element.relevant:
            bind["relevant"] = element.relevant
        if isinstance(element, Group):
            out["type"] = "repeat" if element.repeat else "group"
            if element.repeat_count:
                out["control"] = {"jr:count": element.repeat_count}
            out["children"] = [self.element(child) for child in element.children]
        else:
            out["type"] = XLSFORM_TYPES[element.type]
            if element.name == AGENCY_QUESTION:  # a code typed by hand becomes a pick from the user's agencies
                out.update(type="select one", **self.agency_choices(element.name))
            if element.required:
                bind["required"] = "yes" if element.required is True else element.required
            if element.constraint:
                bind["constraint"] = element.constraint
            if element.constraint_message:
                bind["jr:constraintMsg"] = self.text(element.constraint_message)
            if element.required_message:
                bind["jr:requiredMsg"] = self.text(element.required_message)
            if element.calculation:
                bind["calculate"] = element.calculation
            if element.type == "likert5":
                items = [(str(level), LIKERT_LEVELS[level]) for level in (5, 4, 3, 2, 1)]
                if element.allow_na:
                    items.append((NOT_APPLICABLE, NOT_APPLICABLE_LABEL))
                out.update(self.choices(element.name, items))
            elif element.type in ("select_one", "select_multiple"):
                out.update(self.choices(element.name, [(c.value, c.label) for c in element.choices]))
                if element.choice_filter:  # cascading: the choices' columns go with them into the itemset
                    for choice, item in zip(element.choices, out["choices"], strict=True):
                        item.update(choice.columns)
                    out["choice_filter"] = element.choice_filter
        if bind:
            out["bind"] = bind
        return out

    def survey(self) -> dict[str, Any]:
        children: list[dict[str, Any]] = [{"type": kind, "name": kind} for kind in METADATA]
        if AGENCY_QUESTION not in {question.name for question in self.form.questions()}:
            label = self.text(AGENCY_LABEL)
            agency = {"type": "select one", "name": AGENCY_FIELD, "label": label, "bind": {"required": "yes"}}
            children.append({**agency, **self.agency_choices(AGENCY_FIELD)})
        children += [self.element(child) for child in self.form.children]
        children.append(  # what pyxform's XLSForm reader adds: the instance id ODK clients fill in
            {
                "name": "meta",
                "type": "group",
                "control": {"bodyless": True},
                "children": [
                    {"name": "instanceID", "type": "calculate", "bind": {"readonly": "true()", "jr:preload": "uid"}}
                ],
            }
        )
        return {
            "type": "survey",
            "name": "data",
            "id_string": self.form.form_id,
            "title": self.form.title.get(self.form.default_language) or next(iter(self.form.title.values())),
            "version": self.form.version,
            "default_language": _language(self.languages[0]),
            "children": children,
            "choices": self.lists,
        }


def form_to_xform(form: Form, agencies: list[tuple[str, str]] | None = None) -> str:
    """The XForm of ``form`` (XML text), offering ``agencies`` (``(code, name)`` pairs) as the ballot's agency."""
    writer = _Writer(form, agencies or [])
    survey = writer.survey()
    return create_survey_element_from_dict(survey).to_xml(validate=False, pretty_print=False)


@dataclass
class Instance:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str | None
    agency: str | None
    answers: dict[str, Any]
    meta: dict[str, str] = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _value(question: Question, text: str) -> Any:
    if question.type == "select_multiple":
        return text.split()
    if question.type in ("integer", "likert5"):
        try:
            return int(text)
        except ValueError:
            return text  # validate_answers reports it (or it is "na")
    if question.type == "decimal":
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _strip_uuid(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    return value[5:] if value.lower().startswith("uuid:") else value


def parse_instance(data: bytes):
    """The root element of a submitted instance (``root.get("id")``, ``"version"`` name its form).
    Raises :class:`InstanceError` for anything but a well-formed, entity-free XML document."""
    if len(data) > MAX_INSTANCE_BYTES:
        raise InstanceError(f"the instance is larger than {MAX_INSTANCE_BYTES} bytes")
    try:
        return ElementTree.fromstring(data)
    except Exception as exc:  # noqa: BLE001 - defusedxml raises several kinds, all mean "not readable"
        raise InstanceError(f"the instance is not well-formed XML: {exc}") from None


def read_instance(form: Form, root) -> Instance:
    """The answers and metadata of a parsed instance of ``form`` (see :func:`parse_instance`)."""
    answers: dict[str, Any] = {}
    meta: dict[str, str] = {}
    agency = None
    questions = {question.name: question for question in form.questions()}
    repeats = {e.name for e in form.elements() if isinstance(e, Group) and e.repeat}

    def walk(node, depth: int, answers: dict[str, Any] = answers) -> None:
        nonlocal agency
        if depth > 32:
            raise InstanceError("the instance is nested too deep")
        for child in node:
            name = _local(child.tag)
            text = (child.text or "").strip()
            if name == "meta" or name in METADATA:
                if name == "meta":
                    meta.update({_local(m.tag): (m.text or "").strip() for m in child})
                else:
                    meta[name] = text
                continue
            if name == AGENCY_FIELD:
                agency = text or None
                continue
            question = questions.get(name)
            if name in repeats:  # each node of a repeat is one instance, its answers nested
                instance: dict[str, Any] = {}
                instances = answers.setdefault(name, [])
                if isinstance(instances, list):
                    instances.append(instance)
                walk(child, depth + 1, instance)
            elif len(child):
                walk(child, depth + 1, answers)
            elif question is not None:
                if text and question.answerable:
                    answers[name] = _value(question, text)
            elif text:
                answers[name] = text  # unknown: validate_answers reports it

    walk(root, 0)
    instance_id = _strip_uuid(meta.get("instanceID"))
    if not instance_id:
        raise InstanceError("the instance has no meta/instanceID")
    if agency is None:
        agency = answers.get(AGENCY_QUESTION)
    return Instance(
        form_id=root.get("id") or "",
        version=root.get("version") or "",
        instance_id=instance_id,
        deprecated_id=_strip_uuid(meta.get("deprecatedID")),
        agency=agency if isinstance(agency, str) else None,
        answers=answers,
        meta=meta,
    )
