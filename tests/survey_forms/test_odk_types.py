"""ODK's time, datetime, barcode and geopoint questions: answer values as ODK clients write them, from an
XLSForm, and through the XForm and back."""

from __future__ import annotations

import pytest

from survey_forms import Form, FormDefinitionError, form_from_xlsform, validate_answers
from survey_forms.xform import form_to_xform, parse_instance, read_instance
from tests.survey_forms.test_xform import filled, primary_instance
from tests.survey_forms.test_xlsform import survey_with, write_workbook

FORM = Form.from_dict(
    {
        "form_id": "odk_types",
        "version": "1",
        "title": {"vi": "Kiểu ODK"},
        "children": [
            {"type": "time", "name": "arrived", "label": {"vi": "Giờ đến"}},
            {"type": "datetime", "name": "served", "label": {"vi": "Lúc được phục vụ"}},
            {"type": "barcode", "name": "receipt", "label": {"vi": "Mã biên nhận"}},
            {"type": "geopoint", "name": "where", "label": {"vi": "Vị trí"}},
        ],
    }
)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("arrived", "08:30"),
        ("arrived", "08:30:15"),
        ("arrived", "08:30:15.250+07:00"),
        ("served", "2022-09-20T08:45:00+07:00"),
        ("served", "2022-09-20T01:45:00.000Z"),
        ("served", "2022-09-20T08:45+07:00"),
        ("receipt", "8934567890123"),
        ("where", "20.5418 105.9122"),
        ("where", "20.5418 105.9122 12.5 4.8"),
        ("where", "-90 180 0 0"),
    ],
)
def test_values_as_odk_writes_them_should_be_accepted(name, value):
    assert validate_answers(FORM, {name: value}) == []


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("arrived", "8:30", "wrong_type"),
        ("arrived", "25:00", "out_of_range"),
        ("arrived", 830, "wrong_type"),
        ("served", "2022-09-20T08:45:00", "wrong_type"),  # no UTC offset: which 8:45?
        ("served", "2022-02-30T08:45:00+07:00", "out_of_range"),
        ("receipt", 8934567890123, "wrong_type"),
        ("where", "20.5418", "wrong_type"),
        ("where", "north east", "wrong_type"),
        ("where", "95 105", "out_of_range"),
        ("where", "20 190", "out_of_range"),
        ("where", "20 105 0 -1", "out_of_range"),
        ("where", "nan 105", "wrong_type"),
        ("where", [20.5, 105.9], "wrong_type"),
    ],
)
def test_wrong_values_should_be_refused_with_a_stable_code(name, value, code):
    assert [e.code for e in validate_answers(FORM, {name: value})] == [code]


def test_an_xlsform_with_these_types_should_import(tmp_path):
    rows = [["time", "arrived", "Giờ"], ["datetime", "served", "Lúc"], ["dateTime", "again", "Lúc nữa"]]
    rows += [["barcode", "receipt", "Mã"], ["geopoint", "where", "Vị trí"]]
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey_with(*rows), choices=None))
    assert [(q.name, q.type) for q in form.questions()] == [
        ("arrived", "time"),
        ("served", "datetime"),
        ("again", "datetime"),
        ("receipt", "barcode"),
        ("where", "geopoint"),
    ]


def test_the_xform_should_type_them_as_odk_does_and_read_them_back():
    document = form_to_xform(FORM, [("SNV", "Sở Nội vụ")])
    for name, kind in (("arrived", "time"), ("served", "dateTime"), ("receipt", "barcode"), ("where", "geopoint")):
        assert f'nodeset="/data/{name}" type="{kind}"' in document, name
    values = {
        "arrived": "08:30:00.000+07:00",
        "served": "2022-09-20T08:45:00.000+07:00",
        "receipt": "8934567890123",
        "where": "20.5418 105.9122 12.5 4.8",
        "parsurvey_agency": "SNV",
    }
    instance = read_instance(FORM, parse_instance(filled(primary_instance(document), values, "a-b")))
    assert instance.answers == {k: v for k, v in values.items() if k != "parsurvey_agency"}
    assert validate_answers(FORM, instance.answers) == []


def test_a_calculate_question_holds_the_device_result_of_its_calculation(tmp_path):
    header = ("type", "name", "label", "calculation")
    survey = survey_with(["integer", "adults", "Người lớn", None], ["integer", "kids", "Trẻ em", None],
                         ["calculate", "household", None, "${adults} + ${kids}"], header=header)  # fmt: skip
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=None))
    calculated = form.question("household")
    assert calculated.type == "calculate" and calculated.calculation == "${adults} + ${kids}"
    assert "label" not in calculated.to_dict()
    assert validate_answers(form, {"adults": 2, "kids": 1, "household": 3}) == []
    assert validate_answers(form, {"household": "3"}) == []
    assert [e.code for e in validate_answers(form, {"household": [3]})] == ["wrong_type"]
    document = form_to_xform(form, [("SNV", "Sở Nội vụ")])
    assert 'nodeset="/data/household" type="string" calculate=" /data/adults  +  /data/kids "' in document


@pytest.mark.parametrize(
    ("calculation", "code"),
    [(". + 1", "invalid_expression"), ("${nobody} * 2", "unknown_reference"), ("1 +", "invalid_expression")],
)
def test_a_calculation_is_checked_like_any_expression(calculation, code):
    definition = {
        "form_id": "calc",
        "version": "1",
        "title": {"vi": "Tính"},
        "children": [{"type": "calculate", "name": "c", "calculation": calculation}],
    }
    with pytest.raises(FormDefinitionError) as info:
        Form.from_dict(definition)
    assert info.value.codes() == [code]
    del definition["children"][0]["calculation"]
    with pytest.raises(FormDefinitionError) as info:
        Form.from_dict(definition)
    assert info.value.codes() == ["missing_key"]
