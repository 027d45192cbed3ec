"""The built-in satisfaction questionnaire (national method 2017-2021)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from survey_forms import (
    LIKERT_LEVELS,
    NOT_APPLICABLE,
    Form,
    Group,
    builtin_satisfaction_definition,
    builtin_satisfaction_form,
    validate_answers,
)

VIETNAMESE_DIACRITIC = re.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
TODAY = dt.date(2022, 10, 1)


@pytest.fixture
def form() -> Form:
    return builtin_satisfaction_form()


@pytest.fixture
def answers(form) -> dict:
    values = {
        "respondent_type": "individual",
        "sex": "female",
        "age_band": "35_49",
        "occupation": "farmer",
        "respondent_phone": "0912345678",
        "agency_code": "SNV",
        "procedure": "Cấp giấy chứng nhận quyền sử dụng đất",
        "result_date": "2022-09-15",
        "gave_feedback": "no",
        "overall": 4,
        "comment": "Cán bộ hướng dẫn tận tình.",
    }
    for question in form.scored_questions():
        if question.scoring.factor != "F5":
            values[question.name] = 5
    return values


def all_texts(node):
    """Every multilingual text object in a definition."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("label", "hint", "title", "constraint_message"):
                yield value
            else:
                yield from all_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from all_texts(item)


def test_should_identify_itself_as_satisfaction_2022_2(form):
    assert (form.form_id, form.version) == ("satisfaction", "2022.2")
    assert form.default_language == "vi"
    assert re.fullmatch("[0-9a-f]{64}", form.content_hash)


def test_should_have_22_scored_criteria_across_the_five_national_factors(form):
    scored = form.scored_questions()
    assert len(scored) == 22
    assert all(q.type == "likert5" for q in scored)
    assert [f["id"] for f in form.factors] == ["F1", "F2", "F3", "F4", "F5"]
    assert Counter(q.scoring.factor for q in scored) == {"F1": 4, "F2": 4, "F3": 6, "F4": 4, "F5": 4}
    assert len({(q.scoring.factor, q.scoring.criterion) for q in scored}) == 22


def test_should_name_the_factors_as_the_national_method_does(form):
    labels = {f["id"]: f["label"]["vi"] for f in form.factors}
    assert labels == {
        "F1": "Tiếp cận dịch vụ",
        "F2": "Thủ tục hành chính",
        "F3": "Công chức giải quyết công việc",
        "F4": "Kết quả dịch vụ",
        "F5": "Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị",
    }


def test_should_group_questions_by_section(form):
    groups = [child.name for child in form.children]
    assert all(isinstance(child, Group) for child in form.children)
    assert groups == ["respondent", "service", "factor_1", "factor_2", "factor_3", "factor_4", "factor_5",
                      "overall_rating"]  # fmt: skip
    for question in form.scored_questions():
        assert form.path_of(question.name).startswith(f"factor_{question.scoring.factor[1]}/")


def test_should_have_vietnamese_and_english_for_every_text(form):
    texts = list(all_texts(form.to_dict()))
    assert len(texts) > 60
    for text in texts:
        assert set(text) == {"vi", "en"}, text
        assert text["vi"].strip() and text["en"].strip()


def test_should_write_vietnamese_in_nfc_with_full_diacritics(form):
    raw = Path(__file__).resolve().parents[2] / "survey_forms" / "builtin" / "satisfaction.json"
    assert unicodedata.is_normalized("NFC", raw.read_text(encoding="utf-8"))
    for text in all_texts(form.to_dict()):
        assert unicodedata.is_normalized("NFC", text["vi"])
    labels = [q.label["vi"] for q in form.questions()] + [f["label"]["vi"] for f in form.factors]
    without = [label for label in labels if not VIETNAMESE_DIACRITIC.search(label)]
    assert without == []


def test_should_accept_a_full_valid_answer_set(form, answers):
    assert validate_answers(form, answers, today=TODAY) == []


def test_should_accept_feedback_criteria_when_feedback_was_given(form, answers):
    answers["gave_feedback"] = "yes"
    for number in range(1, 5):
        answers[f"c5_{number}"] = 4
    assert validate_answers(form, answers, today=TODAY) == []
    del answers["c5_2"]
    assert [(e.path, e.code) for e in validate_answers(form, answers, today=TODAY)] == [
        ("factor_5/c5_2", "missing_required")
    ]


def test_should_skip_feedback_criteria_for_respondents_who_gave_no_feedback(form, answers):
    f5 = [q for q in form.scored_questions() if q.scoring.factor == "F5"]
    assert all(q.relevant == "${gave_feedback} = 'yes'" for q in f5)
    assert all(q.required and not q.allow_na for q in f5)
    answers["c5_1"] = 5
    assert [(e.path, e.code) for e in validate_answers(form, answers, today=TODAY)] == [
        ("factor_5/c5_1", "not_relevant")
    ]


def test_should_allow_not_applicable_on_every_criterion_outside_factor_5(form, answers):
    others = [q for q in form.scored_questions() if q.scoring.factor != "F5"]
    assert all(q.allow_na and q.required for q in others)
    for question in others:
        answers[question.name] = NOT_APPLICABLE
    assert validate_answers(form, answers, today=TODAY) == []


def test_should_require_the_agency_and_the_result_date(form, answers):
    del answers["agency_code"]
    del answers["result_date"]
    assert [(e.path, e.code) for e in validate_answers(form, answers, today=TODAY)] == [
        ("service/agency_code", "missing_required"),
        ("service/result_date", "missing_required"),
    ]


def test_should_refuse_a_result_date_in_the_future(form, answers):
    answers["result_date"] = "2022-10-02"
    [error] = validate_answers(form, answers, today=TODAY)
    assert (error.path, error.code) == ("service/result_date", "constraint_failed")
    assert "hôm nay" in error.message


@pytest.mark.parametrize("phone", ["0912345678", "0356789012", "0701234567", "02263851234"])
def test_should_accept_vietnamese_phone_numbers(form, answers, phone):
    answers["respondent_phone"] = phone
    assert validate_answers(form, answers, today=TODAY) == []


@pytest.mark.parametrize(
    "phone",
    [
        "091234567",
        "09123456789",
        "1912345678",
        "0112345678",
        "+84912345678",
        "09x2345678",
        "số 0912345678",
        "0912345678\n",
    ],
)
def test_should_refuse_malformed_phone_numbers(form, answers, phone):
    answers["respondent_phone"] = phone
    assert [(e.path, e.code) for e in validate_answers(form, answers, today=TODAY)] == [
        ("respondent/respondent_phone", "constraint_failed")
    ]


def test_should_keep_contact_and_comment_optional(form, answers):
    del answers["respondent_phone"]
    del answers["comment"]
    assert validate_answers(form, answers, today=TODAY) == []


def test_should_profile_the_respondent_with_closed_choices(form):
    assert form.question("respondent_type").choice_values == ("individual", "organisation")
    assert form.question("sex").choice_values == ("male", "female")
    assert len(form.question("age_band").choices) == 5
    assert "other" in form.question("occupation").choice_values
    assert form.question("overall").type == "likert5" and form.question("overall").scoring is None


def test_should_expose_the_five_satisfaction_levels():
    assert sorted(LIKERT_LEVELS) == [1, 2, 3, 4, 5]
    assert LIKERT_LEVELS[1]["vi"] == "Rất không hài lòng"
    assert LIKERT_LEVELS[3] == {"vi": "Bình thường", "en": "Neutral"}
    assert LIKERT_LEVELS[5]["vi"] == "Rất hài lòng"
    assert NOT_APPLICABLE == "na"


def test_should_hand_out_independent_copies(form):
    form.title["vi"] = "đã sửa"
    assert builtin_satisfaction_form().title["vi"] != "đã sửa"
    assert builtin_satisfaction_definition() == builtin_satisfaction_form().to_dict()


def test_should_round_trip_and_keep_its_hash(form):
    assert Form.from_dict(form.to_dict()) == form
    assert builtin_satisfaction_form().content_hash == form.content_hash
