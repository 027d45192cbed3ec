"""Form.from_dict: every structural rule, every error code, and the round trip."""

from __future__ import annotations

import unicodedata

import pytest

from survey_forms import FORM_ERROR_CODES, Choice, Form, FormDefinitionError, Group, Question


def errors_of(data) -> list[dict[str, str]]:
    with pytest.raises(FormDefinitionError) as info:
        Form.from_dict(data)
    assert info.value.errors, "a FormDefinitionError must list at least one problem"
    for error in info.value.errors:
        assert set(error) == {"path", "code", "message"}
        assert error["code"] in FORM_ERROR_CODES
    return info.value.errors


def pairs(data) -> set[tuple[str, str]]:
    return {(e["path"], e["code"]) for e in errors_of(data)}


# --------------------------------------------------------------------------- a valid form


def test_should_build_the_model_from_a_valid_definition(mini_form):
    assert mini_form.form_id == "mini"
    assert mini_form.version == "1.0"
    assert mini_form.title == {"vi": "Phiếu thử nghiệm", "en": "Test form"}
    assert [q.name for q in mini_form.questions()] == [
        "sex", "age", "gave_feedback", "c5_1", "channels", "praise", "c1_1", "fee", "visit_date", "thanks",
    ]  # fmt: skip
    assert isinstance(mini_form.children[0], Group)
    assert mini_form.question("sex").choices[1] == Choice("female", {"vi": "Nữ", "en": "Female"})


def test_should_give_question_paths_through_groups(mini_form):
    assert mini_form.path_of("sex") == "profile/sex"
    assert mini_form.path_of("c5_1") == "feedback/c5_1"
    assert mini_form.path_of("feedback") == "feedback"
    assert mini_form.path_of("fee") == "fee"


def test_should_walk_groups_before_their_children_in_document_order(mini_form):
    names = [element.name for element in mini_form.elements()]
    assert names[:4] == ["profile", "sex", "age", "gave_feedback"]
    assert names.index("feedback") < names.index("c5_1") < names.index("praise")
    assert [group.name for group in mini_form.ancestors("channels")] == ["feedback"]
    assert mini_form.ancestors("fee") == ()
    assert mini_form.element("feedback").relevant == "${gave_feedback} = 'yes'"


def test_should_order_skip_logic_after_what_it_reads(mini_form):
    order = mini_form.relevance_order
    assert sorted(order) == sorted(element.name for element in mini_form.elements())
    assert order.index("gave_feedback") < order.index("feedback") < order.index("c5_1") < order.index("praise")


def test_should_raise_key_error_for_an_unknown_or_group_name(mini_form):
    with pytest.raises(KeyError):
        mini_form.question("nope")
    with pytest.raises(KeyError):
        mini_form.question("profile")
    with pytest.raises(KeyError):
        mini_form.path_of("nope")


def test_should_list_scored_questions_and_factors(mini_form):
    assert [q.name for q in mini_form.scored_questions()] == ["c5_1", "c1_1"]
    assert mini_form.question("c1_1").scoring.factor == "F1"
    assert mini_form.question("c1_1").scoring.criterion == "1.1"
    assert mini_form.factors == [{"id": "F1", "label": {"vi": "Tiếp cận dịch vụ", "en": "Access"}}]


def test_should_return_fresh_factor_dicts_so_callers_cannot_change_the_form(mini_form):
    mini_form.factors[0]["id"] = "changed"
    assert mini_form.factors[0]["id"] == "F1"


def test_should_round_trip_through_to_dict(mini_form):
    again = Form.from_dict(mini_form.to_dict())
    assert again == mini_form
    assert again.content_hash == mini_form.content_hash


def test_should_drop_default_values_in_to_dict_so_equivalent_forms_hash_alike(mini_dict):
    explicit = Form.from_dict(mini_dict)
    mini_dict["children"][-1]["relevant"] = "true()"
    different = Form.from_dict(mini_dict)
    mini_dict["children"][-1].pop("relevant")
    mini_dict["children"][-2]["required"] = False
    mini_dict.pop("default_language")
    same = Form.from_dict(mini_dict)
    assert same == explicit
    assert same.content_hash == explicit.content_hash
    assert different.content_hash != explicit.content_hash


def test_should_normalise_text_to_nfc(mini_dict):
    mini_dict["title"]["vi"] = unicodedata.normalize("NFD", mini_dict["title"]["vi"])
    form = Form.from_dict(mini_dict)
    assert form.title["vi"] == "Phiếu thử nghiệm"
    assert unicodedata.is_normalized("NFC", form.title["vi"])


def test_should_make_model_objects_immutable_and_hashable(mini_form):
    with pytest.raises(AttributeError):
        mini_form.version = "2"  # type: ignore[misc]
    assert hash(mini_form) == hash(Form.from_dict(mini_form.to_dict()))
    assert len({mini_form.question("sex"), mini_form.question("sex")}) == 1


def test_should_allow_a_form_without_scoring_factors(mini_dict):
    mini_dict.pop("scoring")
    for child in mini_dict["children"]:
        child.pop("scoring", None)
        for grandchild in child.get("children", []):
            grandchild.pop("scoring", None)
    form = Form.from_dict(mini_dict)
    assert form.factors == []
    assert form.scored_questions() == []
    assert "scoring" not in form.to_dict()


def test_should_build_an_equal_form_from_model_constructors(mini_form):
    built = Form(
        form_id=mini_form.form_id,
        version=mini_form.version,
        title=dict(mini_form.title),
        children=list(mini_form.children),
        scoring_factors=list(mini_form.scoring_factors),
    )
    assert built == mini_form
    assert isinstance(built.question("thanks"), Question)
    assert built.question("thanks").answerable is False


# --------------------------------------------------------------------------- error codes


def test_should_reject_unknown_keys_at_every_level(mini_dict):
    mini_dict["colour"] = "blue"
    mini_dict["children"][0]["children"][0]["choices"][1]["score"] = 1
    mini_dict["children"][1]["appearance"] = "minimal"
    mini_dict["scoring"]["factors"][0]["weight"] = 2
    assert pairs(mini_dict) == {
        ("colour", "unknown_key"),
        ("children[0].children[0].choices[1].score", "unknown_key"),
        ("children[1].appearance", "unknown_key"),
        ("scoring.factors[0].weight", "unknown_key"),
    }


def test_should_reject_keys_that_do_not_belong_to_the_element_type(mini_dict):
    mini_dict["children"][-1]["required"] = True  # a note is never answered
    mini_dict["children"][-2]["allow_na"] = True  # only likert5 has "not applicable"
    mini_dict["children"][-3]["choices"] = []  # a decimal has no choices
    mini_dict["children"][3]["scoring"] = {"factor": "F1", "criterion": "9.9"}  # only likert5 is scored
    assert pairs(mini_dict) == {
        ("children[7].required", "unknown_key"),
        ("children[6].allow_na", "unknown_key"),
        ("children[5].choices", "unknown_key"),
        ("children[3].scoring", "unknown_key"),
    }


def test_should_report_missing_keys(mini_dict):
    del mini_dict["version"]
    del mini_dict["title"]["vi"]
    del mini_dict["children"][1]["choices"]
    del mini_dict["children"][4]["label"]
    del mini_dict["children"][0]["children"][0]["choices"][0]["label"]
    del mini_dict["children"][2]["children"][0]["scoring"]["criterion"]
    del mini_dict["children"][5]["type"]
    assert pairs(mini_dict) == {
        ("version", "missing_key"),
        ("title.vi", "missing_key"),
        ("children[1].choices", "missing_key"),
        ("children[4].label", "missing_key"),
        ("children[0].children[0].choices[0].label", "missing_key"),
        ("children[2].children[0].scoring.criterion", "missing_key"),
        ("children[5].type", "missing_key"),
    }


def test_should_require_vietnamese_in_every_text(mini_dict):
    mini_dict["children"][0]["children"][1]["constraint_message"] = {"en": "Age must be 18 to 120"}
    mini_dict["scoring"]["factors"][0]["label"] = {"en": "Access"}
    assert pairs(mini_dict) == {
        ("children[0].children[1].constraint_message.vi", "missing_key"),
        ("scoring.factors[0].label.vi", "missing_key"),
    }


def test_should_report_values_of_the_wrong_type(mini_dict):
    mini_dict["title"] = "Phiếu"
    mini_dict["children"][0]["children"][0]["required"] = 1  # true, false or an expression (a string)
    mini_dict["children"][1]["choices"] = {"yes": "Có"}
    mini_dict["children"][3]["relevant"] = 1
    mini_dict["children"][4]["allow_na"] = 1
    mini_dict["children"][5]["type"] = "geotrace"
    mini_dict["children"][6]["label"]["en"] = 3
    mini_dict["children"][2]["children"].append("not an object")
    assert pairs(mini_dict) == {
        ("title", "invalid_type"),
        ("children[0].children[0].required", "invalid_type"),
        ("children[1].choices", "invalid_type"),
        ("children[3].relevant", "invalid_type"),
        ("children[4].allow_na", "invalid_type"),
        ("children[5].type", "invalid_type"),
        ("children[6].label.en", "invalid_type"),
        ("children[2].children[2]", "invalid_type"),
    }


def test_should_reject_a_definition_that_is_not_an_object():
    assert pairs(["not", "a", "form"]) == {("", "invalid_type")}


def test_should_reject_children_that_are_not_a_list(mini_dict):
    mini_dict["children"] = {"sex": {}}
    assert pairs(mini_dict) == {("children", "invalid_type")}


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("form_id", "a" * 65),
        ("form_id", "a/b"),
        ("form_id", "survey.xlsx"),
        ("form_id", " padded"),
        ("form_id", "tab\there"),
        ("form_id", ""),
        ("name", "has space"),
        ("name", "tuổi"),
        ("name", "9lives"),
        ("choice", "two words"),
        ("choice", ""),
        ("language", "Vietnamese"),
        ("factor", "F 1"),
    ],
)
def test_should_reject_invalid_names(mini_dict, where, value):
    if where == "form_id":
        mini_dict["form_id"] = value
        expected = ("form_id", "invalid_name")
    elif where == "name":
        mini_dict["children"][4]["name"] = value
        expected = ("children[4].name", "invalid_name")
    elif where == "choice":
        mini_dict["children"][1]["choices"][0]["value"] = value
        expected = ("children[1].choices[0].value", "invalid_name")
    elif where == "language":
        mini_dict["children"][4]["label"][value] = "x"
        expected = (f"children[4].label.{value}", "invalid_name")
    else:
        mini_dict["scoring"]["factors"][0]["id"] = value
        expected = ("scoring.factors[0].id", "invalid_name")
    assert expected in pairs(mini_dict)


def test_should_accept_a_name_with_a_hyphen_and_its_reference(mini_dict):
    mini_dict["children"][4]["name"] = "label-test"
    mini_dict["children"].append(
        {"type": "note", "name": "after", "label": {"vi": "x"}, "relevant": "${label-test} != ''"}
    )
    form = Form.from_dict(mini_dict)
    assert form.question("after").relevant == "${label-test} != ''"


@pytest.mark.parametrize("form_id", ["Spec test", "1form", "Phiếu hài lòng (2022)"])
def test_should_take_any_form_id_and_version_pyxform_writes_and_odk_central_takes(mini_dict, form_id):
    """pyxform writes the settings' form_id and version into the XForm as they are, and Central takes any
    text (a version typed as a spreadsheet date is written as Python prints a datetime)."""
    mini_dict["form_id"], mini_dict["version"] = form_id, "2022-04-11 16:26:28.971000"
    form = Form.from_dict(mini_dict)
    assert (form.form_id, form.version) == (form_id, "2022-04-11 16:26:28.971000")


def test_should_reject_invalid_values(mini_dict):
    mini_dict["version"] = "2022/1"
    mini_dict["children"][4]["label"]["vi"] = "   "
    assert pairs(mini_dict) == {("version", "invalid_value"), ("children[4].label.vi", "invalid_value")}


def test_every_text_should_be_given_in_the_default_language(mini_dict):
    mini_dict["default_language"] = "fr"
    found = pairs(mini_dict)
    assert ("title.fr", "missing_key") in found and ("children[1].label.fr", "missing_key") in found
    assert not any(path.endswith(".vi") for path, _ in found), "Vietnamese is not required then"
    mini_dict["default_language"] = "Vietnamese"
    assert ("default_language", "invalid_type") in pairs(mini_dict)


def test_a_form_in_english_only_should_be_valid_when_its_default_language_is_english():
    form = Form.from_dict(
        {
            "form_id": "english_only",
            "version": "1",
            "title": {"en": "Household survey"},
            "default_language": "en",
            "children": [{"type": "text", "name": "head", "label": {"en": "Head of household"}, "required": True}],
        }
    )
    assert form.question("head").label == {"en": "Head of household"}


def test_should_reject_duplicate_names_across_the_whole_form_including_groups(mini_dict):
    mini_dict["children"][2]["children"][1]["name"] = "sex"
    mini_dict["children"][6]["name"] = "profile"
    errors = errors_of(mini_dict)
    assert {(e["path"], e["code"]) for e in errors} == {
        ("children[2].children[1].name", "duplicate_name"),
        ("children[6].name", "duplicate_name"),
    }
    message = next(e["message"] for e in errors if e["path"] == "children[2].children[1].name")
    assert "children[0].children[0].name" in message


def test_should_reject_duplicate_factors_and_criteria(mini_dict):
    mini_dict["scoring"]["factors"].append({"id": "F1", "label": {"vi": "Lặp"}})
    mini_dict["children"][4]["scoring"]["criterion"] = "5.1"
    assert pairs(mini_dict) == {
        ("scoring.factors[1].id", "duplicate_name"),
        ("children[4].scoring.criterion", "duplicate_name"),
    }


def test_should_reject_references_to_missing_questions_and_groups_but_read_a_note_as_empty(mini_dict):
    mini_dict["children"][3]["relevant"] = "${nobody} = 1"
    mini_dict["children"][5]["constraint"] = ". > ${profile}"
    mini_dict["children"][6]["relevant"] = "${thanks} = ''"  # ODK: a note is an empty read-only node
    assert pairs(mini_dict) == {
        ("children[3].relevant", "unknown_reference"),
        ("children[5].constraint", "unknown_reference"),
    }


def test_should_reject_unparsable_expressions_with_the_position(mini_dict):
    mini_dict["children"][3]["relevant"] = "${c5_1} >="
    mini_dict["children"][5]["constraint"] = "eval('1')"
    mini_dict["children"][6]["relevant"] = ". = '2022-01-01'"
    errors = errors_of(mini_dict)
    assert {(e["path"], e["code"]) for e in errors} == {
        ("children[3].relevant", "invalid_expression"),
        ("children[5].constraint", "invalid_expression"),
        ("children[6].relevant", "invalid_expression"),
    }
    assert "position 10" in errors[0]["message"]


def test_should_reject_skip_logic_that_depends_on_itself(mini_dict):
    mini_dict["children"][3]["relevant"] = "${c1_1} >= 4"
    mini_dict["children"][4]["relevant"] = "${praise} != ''"
    errors = errors_of(mini_dict)
    assert [(e["path"], e["code"]) for e in errors] == [("children[3].relevant", "circular_reference")]
    assert "${praise}" in errors[0]["message"] and "${c1_1}" in errors[0]["message"]


def test_should_reject_a_group_whose_relevance_reads_its_own_questions(mini_dict):
    mini_dict["children"][2]["relevant"] = "${c5_1} > 2"
    assert pairs(mini_dict) == {("children[2].relevant", "circular_reference")}


def test_should_allow_a_constraint_to_read_its_own_question(mini_dict):
    mini_dict["children"][5]["constraint"] = "${fee} >= 0 and . < 1000000"
    assert Form.from_dict(mini_dict).question("fee").constraint_expression.references == {"fee"}


def test_should_reject_a_scoring_factor_that_is_not_declared(mini_dict):
    mini_dict["children"][4]["scoring"]["factor"] = "F9"
    assert pairs(mini_dict) == {("children[4].scoring.factor", "unknown_factor")}


def test_should_reject_select_questions_without_choices(mini_dict):
    mini_dict["children"][1]["choices"] = []
    assert pairs(mini_dict) == {("children[1].choices", "empty_choices")}


def test_should_reject_duplicate_choice_values(mini_dict):
    mini_dict["children"][2]["children"][1]["choices"][2]["value"] = "phone"
    assert pairs(mini_dict) == {("children[2].children[1].choices[2].value", "duplicate_choice")}


def test_should_reject_groups_nested_too_deeply(mini_dict):
    node = mini_dict
    for depth in range(20):
        group = {"type": "group", "name": f"g{depth}", "children": []}
        node["children"].append(group)
        node = group
    assert pairs(mini_dict) == {("children[8]" + ".children[0]" * 16, "invalid_value")}


def test_should_list_every_problem_in_one_error(mini_dict):
    mini_dict["form_id"] = "Bad/Id"
    mini_dict["children"][1]["choices"] = []
    mini_dict["children"][3]["relevant"] = "${ghost} = 1"
    mini_dict["children"][4]["scoring"]["factor"] = "F7"
    mini_dict["children"][5]["extra"] = True
    with pytest.raises(FormDefinitionError) as info:
        Form.from_dict(mini_dict)
    assert sorted(info.value.codes()) == sorted(
        ["invalid_name", "empty_choices", "unknown_reference", "unknown_factor", "unknown_key"]
    )
    assert "Bad/Id" in str(info.value)


def test_should_refuse_keys_that_collide_after_nfc_normalisation(mini_dict):
    mini_dict["children"][4]["label"] = {"vi": "a", "e\u0301": "b", "é": "c"}
    assert ("", "invalid_value") in pairs(mini_dict)
