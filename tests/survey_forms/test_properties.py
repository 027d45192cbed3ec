"""Property tests: robustness of validation and parsing, invariance of hashes."""

from __future__ import annotations

import copy
import random
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from survey_forms import (
    ANSWER_ERROR_CODES,
    AnswerError,
    Form,
    builtin_satisfaction_form,
    canonical_json,
    content_hash,
    validate_answers,
)
from survey_forms.expressions import ExpressionError, parse

BUILTIN = builtin_satisfaction_form()
BUILTIN_NAMES = [element.name for element in BUILTIN.elements()]

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=10,
)
answer_like = (
    st.none()
    | st.integers(min_value=-3, max_value=8)
    | st.sampled_from(["na", "yes", "no", "male", "individual", "2022-09-15", "2099-01-01", "0912345678", ""])
    | st.lists(st.sampled_from(["male", "female", "x"]), max_size=3)
    | json_values
)
answer_sets = st.dictionaries(st.sampled_from(BUILTIN_NAMES) | st.text(max_size=8), answer_like, max_size=30)


@settings(max_examples=300, deadline=None)
@given(answer_sets)
def test_should_never_raise_on_arbitrary_json_like_answers(answers):
    errors = validate_answers(BUILTIN, answers, today="2022-10-01")
    paths = {BUILTIN.path_of(name) for name in BUILTIN_NAMES}
    for error in errors:
        assert isinstance(error, AnswerError)
        assert error.code in ANSWER_ERROR_CODES
        assert error.path in paths or error.path in answers
        assert error.message


@settings(max_examples=100, deadline=None)
@given(answer_sets, st.randoms(use_true_random=False))
def test_should_not_depend_on_the_order_of_the_answers(answers, rng):
    items = list(answers.items())
    rng.shuffle(items)
    assert validate_answers(BUILTIN, dict(items), today="2022-10-01") == validate_answers(
        BUILTIN, answers, today="2022-10-01"
    )


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.text(), st.lists(json_scalars), json_values))
def test_should_never_raise_whatever_is_passed_as_answers(answers):
    errors = validate_answers(BUILTIN, answers)
    assert all(error.code in ANSWER_ERROR_CODES for error in errors)


def shuffled(value, rng: random.Random):
    if isinstance(value, dict):
        items = [(key, shuffled(item, rng)) for key, item in value.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        return [shuffled(item, rng) for item in value]
    return value


finite_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(alphabet="abcdefgh", max_size=6), finite_json, max_size=6), st.randoms())
def test_should_hash_the_same_whatever_the_key_order(obj, rng):
    assert content_hash(shuffled(obj, rng)) == content_hash(obj)
    assert canonical_json(shuffled(obj, rng)) == canonical_json(obj)


vietnamese = st.text(
    alphabet="aăâeêioôơuưyđAĂÂĐàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ,.", max_size=30
)


@settings(max_examples=200, deadline=None)
@given(st.lists(vietnamese, min_size=1, max_size=5))
def test_should_hash_nfc_and_nfd_vietnamese_the_same(texts):
    nfc = {"labels": texts, "title": {"vi": texts[0]}}
    nfd = {
        "labels": [unicodedata.normalize("NFD", t) for t in texts],
        "title": {"vi": unicodedata.normalize("NFD", texts[0])},
    }
    assert content_hash(nfd) == content_hash(nfc)


expression_alphabet = st.sampled_from(
    ["${a}", "${b}", ".", "1", "2.5", "'x'", '"na"', "(", ")", ",", " and ", " or ", "=", "!=", "<", "<=", ">",
     ">=", "+", "-", "*", " div ", " mod ", "not(", "selected(", "count-selected(", "string-length(", "today()",
     "regex(", "number(", "coalesce(", "true()", "false()", " ", "$", "'", "{", "__class__", "foo"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(expression_alphabet, max_size=25).map("".join) | st.text(max_size=40))
def test_should_parse_or_raise_expression_error_and_then_evaluate_without_raising(source):
    try:
        expression = parse(source)
    except ExpressionError as error:
        assert 0 <= error.position <= len(source)
        return
    for values, current in (({}, None), ({"a": 3, "b": ["x", "y"]}, "na"), ({"a": "", "b": 10**500}, 2.5)):
        result = expression.evaluate(values, current, today="2022-01-01")
        assert isinstance(result, bool | float | str)


name_strategy = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
label_strategy = st.builds(
    lambda vi, en: {"vi": vi, "en": en}, vietnamese.filter(str.strip), st.text(min_size=1).filter(str.strip)
)


@st.composite
def question_dicts(draw, name: str):
    kind = draw(
        st.sampled_from(["text", "integer", "decimal", "date", "likert5", "select_one", "select_multiple", "note"])
    )
    question = {"type": kind, "name": name, "label": draw(label_strategy)}
    if kind != "note" and draw(st.booleans()):
        question["required"] = True
    if kind in ("select_one", "select_multiple"):
        values = draw(st.lists(st.from_regex(r"[a-z0-9_]{1,6}", fullmatch=True), min_size=1, max_size=4, unique=True))
        question["choices"] = [{"value": value, "label": draw(label_strategy)} for value in values]
    if kind == "likert5" and draw(st.booleans()):
        question["allow_na"] = True
    return question


@st.composite
def form_dicts(draw):
    names = draw(st.lists(name_strategy, min_size=1, max_size=6, unique=True))
    return {
        "form_id": draw(name_strategy),
        "version": draw(st.from_regex(r"[A-Za-z0-9._-]{1,8}", fullmatch=True)),
        "title": draw(label_strategy),
        "children": [draw(question_dicts(name)) for name in names],
    }


@settings(max_examples=100, deadline=None)
@given(form_dicts())
def test_should_round_trip_any_valid_form_definition(definition):
    form = Form.from_dict(copy.deepcopy(definition))
    again = Form.from_dict(form.to_dict())
    assert again == form
    assert again.content_hash == form.content_hash
    missing = validate_answers(form, {})
    assert [(e.path, e.code) for e in missing] == [(q.name, "missing_required") for q in form.questions() if q.required]
