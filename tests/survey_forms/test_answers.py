"""validate_answers: every error code, skip logic, ordering and robustness."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from survey_forms import ANSWER_ERROR_CODES, AnswerError, validate_answers


def codes(form, answers, **kwargs) -> list[tuple[str, str]]:
    return [(e.path, e.code) for e in validate_answers(form, answers, **kwargs)]


def test_should_accept_a_complete_valid_answer_set(mini_form, mini_answers):
    assert validate_answers(mini_form, mini_answers) == []


def test_should_accept_unanswered_optional_questions(mini_form):
    answers = {"sex": "male", "gave_feedback": "no", "c1_1": "na"}
    assert validate_answers(mini_form, answers) == []


@pytest.mark.parametrize("blank", [None, "", []])
def test_should_treat_none_empty_text_and_empty_list_as_unanswered(mini_form, mini_answers, blank):
    mini_answers["channels"] = blank
    mini_answers["fee"] = blank
    mini_answers["thanks"] = blank
    assert validate_answers(mini_form, mini_answers) == []
    mini_answers["sex"] = blank
    assert codes(mini_form, mini_answers) == [("profile/sex", "missing_required")]


def test_should_report_an_answer_to_a_question_not_in_the_form(mini_form, mini_answers):
    mini_answers["shoe_size"] = 42
    mini_answers["an_unknown"] = "x"
    assert codes(mini_form, mini_answers) == [("an_unknown", "unknown_question"), ("shoe_size", "unknown_question")]


def test_should_report_a_missing_required_answer_with_its_path(mini_form, mini_answers):
    del mini_answers["sex"]
    del mini_answers["c5_1"]
    del mini_answers["praise"]  # only relevant when c5_1 >= 4
    assert codes(mini_form, mini_answers) == [
        ("profile/sex", "missing_required"),
        ("feedback/c5_1", "missing_required"),
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("sex", 1),
        ("sex", ["male"]),
        ("channels", "phone"),
        ("channels", ["phone", 3]),
        ("channels", ["phone", "phone"]),
        ("age", 30.0),
        ("age", True),
        ("age", "30"),
        ("fee", "12.5"),
        ("fee", False),
        ("praise", 5),
        ("visit_date", 20220915),
        ("visit_date", "15/09/2022"),
        ("visit_date", "2022-9-15"),
        ("visit_date", "２０２２-０９-１５"),
        ("c1_1", 4.0),
        ("c1_1", True),
        ("c1_1", "4"),
        ("c1_1", {"level": 4}),
    ],
)
def test_should_reject_an_answer_of_the_wrong_type(mini_form, mini_answers, name, value):
    mini_answers[name] = value
    assert codes(mini_form, mini_answers) == [(mini_form.path_of(name), "wrong_type")]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("c1_1", 0),
        ("c1_1", 6),
        ("c1_1", -1),
        ("c5_1", "na"),
        ("visit_date", "2022-02-30"),
        ("visit_date", "2022-13-01"),
        ("fee", math.inf),
        ("fee", math.nan),
    ],
)
def test_should_reject_an_answer_out_of_range(mini_form, mini_answers, name, value):
    mini_answers[name] = value
    del mini_answers["praise"]  # its relevance reads c5_1, which would now count as unanswered
    assert codes(mini_form, mini_answers) == [(mini_form.path_of(name), "out_of_range")]


def test_should_accept_not_applicable_only_where_allowed(mini_form, mini_answers):
    mini_answers["c1_1"] = "na"
    assert validate_answers(mini_form, mini_answers) == []
    mini_answers["c5_1"] = "na"
    del mini_answers["praise"]
    [error] = validate_answers(mini_form, mini_answers)
    assert (error.path, error.code) == ("feedback/c5_1", "out_of_range")


def test_should_accept_integers_and_floats_for_decimals(mini_form, mini_answers):
    for value in (0, 3, 2.75, 10**30):
        mini_answers["fee"] = value
        assert validate_answers(mini_form, mini_answers) == []


def test_should_reject_a_value_that_is_not_a_choice(mini_form, mini_answers):
    mini_answers["sex"] = "unknown"
    mini_answers["channels"] = ["phone", "fax", "email"]
    errors = validate_answers(mini_form, mini_answers)
    assert [(e.path, e.code) for e in errors] == [
        ("profile/sex", "unknown_choice"),
        ("feedback/channels", "unknown_choice"),
    ]
    assert "'fax'" in errors[1].message and "'email'" in errors[1].message


def test_should_report_a_failed_constraint_with_the_vietnamese_message(mini_form, mini_answers):
    mini_answers["age"] = 15
    [error] = validate_answers(mini_form, mini_answers)
    assert (error.path, error.code) == ("profile/age", "constraint_failed")
    assert error.message == "Tuổi phải từ 18 đến 120"


def test_should_explain_a_failed_constraint_that_has_no_message(mini_form, mini_answers):
    mini_answers["fee"] = -1
    [error] = validate_answers(mini_form, mini_answers)
    assert (error.path, error.code) == ("fee", "constraint_failed")
    assert ". >= 0" in error.message


def test_should_check_constraints_against_the_injected_date(mini_dict, mini_answers):
    from survey_forms import Form

    mini_dict["children"][6]["constraint"] = ". <= today()"
    form = Form.from_dict(mini_dict)
    assert codes(form, mini_answers, today=dt.date(2022, 9, 14)) == [("visit_date", "constraint_failed")]
    assert codes(form, mini_answers, today=dt.date(2022, 9, 15)) == []
    assert codes(form, mini_answers, today="2023-01-01") == []


def test_should_give_jr_choice_name_the_labels_of_the_forms_choices(mini_dict, mini_answers):
    from survey_forms import Form

    mini_dict["children"][3]["constraint"] = "jr:choice-name(${sex}, '${sex}') = 'Nữ'"
    form = Form.from_dict(mini_dict)
    assert codes(form, {**mini_answers, "sex": "female"}) == []
    assert codes(form, {**mini_answers, "sex": "male"}) == [("praise", "constraint_failed")]


def test_should_reject_an_answer_to_a_question_hidden_by_skip_logic(mini_form, mini_answers):
    mini_answers["gave_feedback"] = "no"
    assert codes(mini_form, mini_answers) == [
        ("feedback/c5_1", "not_relevant"),
        ("feedback/channels", "not_relevant"),
        ("praise", "not_relevant"),
    ]


def test_should_not_require_a_required_question_that_is_not_relevant(mini_form, mini_answers):
    mini_answers["gave_feedback"] = "no"
    for name in ("c5_1", "channels", "praise"):
        del mini_answers[name]
    assert validate_answers(mini_form, mini_answers) == []


def test_should_treat_an_irrelevant_referenced_answer_as_unanswered(mini_form, mini_answers):
    # praise is relevant when ${c5_1} >= 4, but c5_1 sits in a hidden group: its 5 does not count.
    mini_answers["gave_feedback"] = "no"
    del mini_answers["channels"]
    result = codes(mini_form, mini_answers)
    assert ("praise", "not_relevant") in result
    assert result == [("feedback/c5_1", "not_relevant"), ("praise", "not_relevant")]


def test_should_treat_an_invalid_referenced_answer_as_unanswered(mini_form, mini_answers):
    mini_answers["c5_1"] = "5"
    assert codes(mini_form, mini_answers) == [("feedback/c5_1", "wrong_type"), ("praise", "not_relevant")]


def test_should_follow_a_question_level_relevance(mini_form, mini_answers):
    mini_answers["c5_1"] = 3
    assert codes(mini_form, mini_answers) == [("praise", "not_relevant")]
    del mini_answers["praise"]
    assert validate_answers(mini_form, mini_answers) == []


def test_should_reject_answers_to_notes_and_groups(mini_form, mini_answers):
    mini_answers["thanks"] = "ok"
    mini_answers["profile"] = {"sex": "male"}
    assert codes(mini_form, mini_answers) == [("profile", "not_answerable"), ("thanks", "not_answerable")]


def test_should_report_every_error_in_document_order(mini_form):
    answers = {
        "visit_date": "2022-02-31",
        "fee": "free",
        "c1_1": 9,
        "gave_feedback": "maybe",
        "age": 200,
        "zzz": 1,
    }
    assert codes(mini_form, answers) == [
        ("profile/sex", "missing_required"),
        ("profile/age", "constraint_failed"),
        ("gave_feedback", "unknown_choice"),
        ("c1_1", "out_of_range"),
        ("fee", "wrong_type"),
        ("visit_date", "out_of_range"),
        ("zzz", "unknown_question"),
    ]


def test_should_produce_every_documented_error_code(mini_form, mini_answers):
    answers = {
        "ghost": 1,
        "age": "old",
        "c1_1": 7,
        "gave_feedback": "never",
        "fee": -5,
        "c5_1": 3,
        "thanks": "x",
    }
    produced = [e.code for e in validate_answers(mini_form, answers)]
    assert sorted(produced) == sorted(set(ANSWER_ERROR_CODES) - {"invalid_character"})
    produced = [e.code for e in validate_answers(mini_form, {**mini_answers, "c5_1": 5, "praise": "tốt\x00"})]
    assert produced == ["invalid_character"]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_should_refuse_control_characters_in_text_but_not_tabs_or_line_breaks(mini_form, mini_answers, char):
    answers = {**mini_answers, "c5_1": 5}
    assert validate_answers(mini_form, {**answers, "praise": "Cán bộ\ttận tình,\r\nchu đáo."}) == []
    errors = validate_answers(mini_form, {**answers, "praise": f"tận tình{char}"})
    assert [(e.path, e.code) for e in errors] == [("praise", "invalid_character")]
    assert f"U+{ord(char):04X}" in errors[0].message


def test_should_answer_wrong_type_when_the_answers_are_not_an_object(mini_form):
    for bad in (None, [], "answers", 3):
        assert codes(mini_form, bad) == [("", "wrong_type")]


def test_should_report_non_string_keys_as_unknown_questions(mini_form, mini_answers):
    mini_answers[7] = "x"
    assert codes(mini_form, mini_answers) == [("7", "unknown_question")]


def test_should_serialise_an_answer_error():
    error = AnswerError("feedback/c5_1", "out_of_range", "9 is not a satisfaction level 1 to 5")
    assert error.to_dict() == {
        "path": "feedback/c5_1",
        "code": "out_of_range",
        "message": "9 is not a satisfaction level 1 to 5",
    }


def test_should_hide_every_question_of_a_hidden_group_whatever_its_own_relevance(mini_dict, mini_answers):
    from survey_forms import Form

    mini_dict["children"][2]["children"][1]["relevant"] = "true()"
    form = Form.from_dict(mini_dict)
    mini_answers["gave_feedback"] = "no"
    assert ("feedback/channels", "not_relevant") in codes(form, mini_answers)


def test_should_evaluate_a_long_chain_of_skip_logic_without_recursion():
    from survey_forms import Form

    size = 1500
    children = [{"type": "integer", "name": "q0", "label": {"vi": "Câu 0"}}]
    for i in range(1, size):
        children.append(
            {"type": "integer", "name": f"q{i}", "label": {"vi": f"Câu {i}"}, "relevant": f"${{q{i - 1}}} > 0"}
        )
    children.reverse()  # dependencies point forward in the document, the hardest order
    form = Form.from_dict({"form_id": "chain", "version": "1", "title": {"vi": "Chuỗi"}, "children": children})
    answers = {f"q{i}": 1 for i in range(size)}
    assert validate_answers(form, answers) == []
    answers["q0"] = 0
    assert len(validate_answers(form, answers)) == size - 1


def test_should_not_hang_on_a_hand_built_form_with_circular_skip_logic():
    from survey_forms import Form, Question

    form = Form(
        form_id="loop",
        version="1",
        title={"vi": "Vòng"},
        children=(
            Question("integer", "a", {"vi": "A"}, relevant="${b} > 0"),
            Question("integer", "b", {"vi": "B"}, relevant="${a} > 0"),
            Question("integer", "c", {"vi": "C"}),
        ),
    )
    assert form.relevance_order == ("c", "a", "b")
    assert codes(form, {"a": 1, "b": 1, "c": 1}) == [("a", "not_relevant"), ("b", "not_relevant")]
