"""Repeat groups and choice_filter: answers kept nested per instance, checked per instance as ODK does."""

from __future__ import annotations

from typing import Any

import pytest

from survey_forms import Form, FormDefinitionError, validate_answers
from survey_forms.answers import offered_choices
from survey_forms.expressions import ExpressionError, parse

TODAY = "2024-06-01"


def household_form(**changes: Any) -> Form:
    form: dict[str, Any] = {
        "form_id": "household",
        "version": "1",
        "title": {"vi": "Hộ gia đình"},
        "children": [
            {"type": "integer", "name": "members", "label": {"vi": "Số người"}, "required": True},
            {
                "type": "group",
                "name": "person",
                "label": {"vi": "Thành viên"},
                "repeat": True,
                "repeat_count": "${members}",
                "children": [
                    {"type": "text", "name": "pname", "label": {"vi": "Họ tên"}, "required": True},
                    {
                        "type": "group",
                        "name": "details",
                        "label": {"vi": "Chi tiết"},
                        "children": [
                            {
                                "type": "integer",
                                "name": "age",
                                "label": {"vi": "Tuổi"},
                                "constraint": ". < 120",
                            },
                            {
                                "type": "text",
                                "name": "school",
                                "label": {"vi": "Trường"},
                                "relevant": "${age} < 18",
                            },
                            {
                                "type": "text",
                                "name": "second_note",
                                "label": {"vi": "Chỉ từ người thứ hai"},
                                "relevant": "position(..) > 1",
                            },
                        ],
                    },
                ],
            },
            {
                "type": "integer",
                "name": "adults",
                "label": {"vi": "Số người lớn"},
                "constraint": ". <= count(${person}) and . <= sum(${age})",
            },
            {
                "type": "text",
                "name": "first_name_again",
                "label": {"vi": "Tên người đầu"},
                "constraint": ". = indexed-repeat(${pname}, ${person}, 1)",
            },
        ],
    }
    form.update(changes)
    return Form.from_dict(form)


def problems(form: Form, answers: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e.path, e.code) for e in validate_answers(form, answers, today=TODAY)}


def test_should_accept_nested_instances_that_follow_every_rule():
    answers = {
        "members": 2,
        "person": [
            {"pname": "Lan", "age": 40},
            {"pname": "Minh", "age": 12, "school": "THCS Lý Nhân", "second_note": "x"},
        ],
        "adults": 1,
        "first_name_again": "Lan",
    }
    assert problems(household_form(), answers) == set()


def test_should_check_each_instance_with_its_own_answers():
    answers = {
        "members": 2,
        "person": [
            {"pname": "Lan", "age": 40, "school": "not asked of adults", "second_note": "hidden in the first"},
            {"age": 130},
        ],
    }
    assert problems(household_form(), answers) == {
        ("person[1]/details/school", "not_relevant"),
        ("person[1]/details/second_note", "not_relevant"),
        ("person[2]/pname", "missing_required"),
        ("person[2]/details/age", "constraint_failed"),
    }


def test_should_want_as_many_instances_as_repeat_count_says():
    answers = {"members": 3, "person": [{"pname": "Lan"}]}
    assert problems(household_form(), answers) == {("person", "out_of_range")}


def test_should_read_count_sum_and_indexed_repeat_over_the_instances():
    base = {"members": 2, "person": [{"pname": "Lan", "age": 40}, {"pname": "Minh", "age": 12, "school": "A"}]}
    assert problems(household_form(), {**base, "adults": 3}) == {("adults", "constraint_failed")}  # count = 2
    assert problems(household_form(), {**base, "adults": 2}) == set()
    assert problems(household_form(), {**base, "first_name_again": "Minh"}) == {
        ("first_name_again", "constraint_failed")
    }


def test_should_refuse_instances_that_are_not_objects_and_answers_outside_their_instance():
    form = household_form()
    assert problems(form, {"members": 1, "person": ["Lan"]}) == {("person", "wrong_type")}
    assert problems(form, {"members": 1, "person": [{"pname": "Lan", "members": 2}], "pname": "x"}) == {
        ("person[1]/members", "unknown_question"),
        ("pname", "unknown_question"),
    }


def test_should_keep_a_repeat_in_the_definition_and_its_hash():
    form = household_form()
    again = Form.from_dict(form.to_dict())
    assert again == form and again.content_hash == form.content_hash
    assert form.to_dict()["children"][1]["repeat"] is True
    assert form.repeats_of("age") == ("person",)


def test_should_refuse_a_scored_question_inside_a_repeat():
    data = household_form().to_dict()
    data["scoring"] = {"factors": [{"id": "F1", "label": {"vi": "Yếu tố 1"}}]}
    data["children"][1]["children"].append(
        {"type": "likert5", "name": "sat", "label": {"vi": "Hài lòng"}, "scoring": {"factor": "F1", "criterion": "1"}}
    )
    with pytest.raises(FormDefinitionError) as info:
        Form.from_dict(data)
    assert ("children[1].children[2].scoring", "invalid_value") in {(e["path"], e["code"]) for e in info.value.errors}


def test_should_allow_position_only_on_the_parent_step():
    assert parse("position(..)").evaluate({}) == 1.0
    with pytest.raises(ExpressionError):
        parse("position(${a})")
    with pytest.raises(ExpressionError):
        parse("count('a')")


# --------------------------------------------------------------------------- choice_filter


def cascade_form() -> Form:
    return Form.from_dict(
        {
            "form_id": "cascade",
            "version": "1",
            "title": {"vi": "Chọn xã"},
            "children": [
                {
                    "type": "select_one",
                    "name": "district",
                    "label": {"vi": "Huyện"},
                    "choices": [
                        {"value": "ly_nhan", "label": {"vi": "Lý Nhân"}},
                        {"value": "kim_bang", "label": {"vi": "Kim Bảng"}},
                    ],
                },
                {
                    "type": "select_one",
                    "name": "commune",
                    "label": {"vi": "Xã"},
                    "choice_filter": "district = ${district} and name != 'closed'",
                    "choices": [
                        {"value": "nhân_hậu", "label": {"vi": "Nhân Hậu"}, "columns": {"district": "ly_nhan"}},
                        {"value": "khác", "label": {"vi": "Khác"}, "columns": {"district": "ly_nhan"}},
                        {"value": "ba_sao", "label": {"vi": "Ba Sao"}, "columns": {"district": "kim_bang"}},
                        {"value": "khác", "label": {"vi": "Khác"}, "columns": {"district": "kim_bang"}},
                        {"value": "closed", "label": {"vi": "Đã nhập"}, "columns": {"district": "kim_bang"}},
                    ],
                },
            ],
        }
    )


def test_should_offer_only_the_choices_the_filter_keeps():
    form = cascade_form()
    question = form.question("commune")
    assert offered_choices(question, {"district": "kim_bang"}) == ("ba_sao", "khác")
    assert offered_choices(question, {"district": "ly_nhan"}) == ("nhân_hậu", "khác")
    assert offered_choices(question, {}) == ()


def test_should_refuse_an_answer_the_filter_hides():
    form = cascade_form()
    assert problems(form, {"district": "kim_bang", "commune": "ba_sao"}) == set()
    assert problems(form, {"district": "kim_bang", "commune": "khác"}) == set()
    assert problems(form, {"district": "ly_nhan", "commune": "ba_sao"}) == {("commune", "unknown_choice")}
    assert problems(form, {"district": "kim_bang", "commune": "closed"}) == {("commune", "unknown_choice")}


def test_should_read_bare_names_only_in_a_choice_filter():
    with pytest.raises(ExpressionError):
        parse("district = ${district}")
    expression = parse("district = ${district}", choice_columns=True)
    assert expression.columns == {"district"} and expression.references == {"district"}
    assert expression.evaluate({"district": "a"}, choice={"district": "a"}) is True


# --------------------------------------------------------------------------- XForm out, instances in


def test_the_xform_should_carry_repeats_counts_and_choice_filters_and_read_instances_back_nested():
    from survey_forms.xform import form_to_xform, parse_instance, read_instance

    xform = form_to_xform(household_form())
    assert '<repeat nodeset="/data/person" jr:count=" /data/members ">' in xform
    assert "/root/item[district =  /data/district  and name != 'closed']" in form_to_xform(cascade_form())
    instance = (
        b'<data id="household" version="1"><members>2</members>'
        b"<person><pname>Lan</pname><details><age>40</age><school/></details></person>"
        b"<person><pname>Minh</pname><details><age>12</age><school>A</school></details></person>"
        b"<meta><instanceID>uuid:7</instanceID></meta></data>"
    )
    answers = read_instance(household_form(), parse_instance(instance)).answers
    assert answers == {
        "members": 2,
        "person": [{"pname": "Lan", "age": 40}, {"pname": "Minh", "age": 12, "school": "A"}],
    }
    assert validate_answers(household_form(), answers, today=TODAY) == []


def visits_form() -> Form:
    """Visits, each with steps; questions after the repeat read the answers inside it from outside."""
    text = lambda name, **more: {"type": "text", "name": name, "label": {"vi": name}, **more}  # noqa: E731
    return Form.from_dict(
        {
            "form_id": "visits",
            "version": "1",
            "title": {"vi": "Lần đến"},
            "children": [
                {
                    "type": "group",
                    "name": "visit",
                    "label": {"vi": "Lần đến"},
                    "repeat": True,
                    "children": [
                        text("place"),
                        {
                            "type": "group",
                            "name": "step",
                            "label": {"vi": "Bước"},
                            "repeat": True,
                            "children": [text("note")],
                        },
                    ],
                },
                text("first_place", constraint=". = ${place}"),
                text("first_note", constraint=". = ${note}"),
                text("all_notes", constraint=". = join('|', ${note})"),
                text("places", constraint=". = concat(${place})"),
                text("shown_if_first_is_ha_noi", relevant="${place} = 'Hà Nội'"),
            ],
        }
    )


def test_a_reference_from_outside_a_repeat_should_read_the_first_answer_in_document_order():
    """XPath's string value of a node-set is its first node's: the first visit's place, and the first step of
    any visit (here the second visit's, the first has none); join() and concat() take every node, as in ODK."""
    visits = [{"place": "Hà Nội"}, {"place": "Huế", "step": [{"note": "Nộp"}, {"note": "Nhận"}]}]
    answers = {
        "visit": visits,
        "first_place": "Hà Nội",
        "first_note": "Nộp",
        "all_notes": "Nộp|Nhận",
        "places": "Hà NộiHuế",
        "shown_if_first_is_ha_noi": "có",
    }
    assert problems(visits_form(), answers) == set()
    wrong = {**answers, "first_place": "Huế", "first_note": "Nhận", "all_notes": "Nộp"}
    assert problems(visits_form(), wrong) == {
        ("first_place", "constraint_failed"),
        ("first_note", "constraint_failed"),
        ("all_notes", "constraint_failed"),
    }
    later = [visits[1], visits[0]]
    assert ("shown_if_first_is_ha_noi", "not_relevant") in problems(visits_form(), {**answers, "visit": later})
    assert problems(visits_form(), {"first_note": "x"}) == {("first_note", "constraint_failed")}  # no node: ""
