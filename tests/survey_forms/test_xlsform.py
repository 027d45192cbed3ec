"""XLSForm import through pyxform: supported constructs convert, anything else is refused by row."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest

from survey_forms import Form, FormDefinitionError, form_from_xlsform, validate_answers

SETTINGS = [
    ["form_id", "version", "form_title::Vietnamese (vi)", "form_title::English (en)"],
    ["mini_xls", "2024.1", "Phiếu khảo sát thử", "Trial survey"],
]
SURVEY_HEADER = [
    "type", "name", "label::Vietnamese (vi)", "label::English (en)", "hint::Vietnamese (vi)", "required",
    "relevant", "constraint", "constraint_message::Vietnamese (vi)", "scoring_factor", "scoring_criterion",
]  # fmt: skip
SURVEY = [
    SURVEY_HEADER,
    ["begin group", "respondent", "Người trả lời", "Respondent"],
    ["select_one sex", "sex", "Giới tính", "Sex", None, "yes"],
    ["integer", "age", "Tuổi", "Age", "Tính theo năm", None, None, ". >= 18", "Phải từ 18 tuổi"],
    [],  # blank rows are allowed and keep the row numbers honest
    ["end group"],
    ["select_one yes_no", "gave_feedback", "Có góp ý không?", "Gave feedback?", None, "TRUE"],
    ["begin group", "factor_5", "Yếu tố 5", "Factor 5", None, None, "${gave_feedback} = 'yes'"],
    ["select_one level", "c5_1", "Tiếp nhận góp ý", "Feedback received", None, "yes", None, None, None, "F5", "5.1"],
    ["select_multiple channel", "channels", "Kênh", "Channels"],
    ["end group"],
    ["select_one level_na", "c1_1", "Nơi ngồi chờ", "Waiting area", None, "yes", None, None, None, "F1", "1.1"],
    ["select_one level", "overall", "Đánh giá chung", "Overall"],
    ["decimal", "fee", "Lệ phí", "Fee"],
    ["text", "comment", "Ý kiến", "Comment"],
    ["date", "result_date", "Ngày nhận kết quả", "Result date", None, "no", None, ". <= today()"],
    ["note", "thanks", "Xin cảm ơn", "Thank you"],
]
CHOICES = [
    ["list_name", "name", "label::Vietnamese (vi)", "label::English (en)"],
    ["sex", "male", "Nam", "Male"],
    ["sex", "female", "Nữ", "Female"],
    ["yes_no", "yes", "Có", "Yes"],
    ["yes_no", "no", "Không", "No"],
    *[["level", str(n), f"Mức {n}", f"Level {n}"] for n in range(1, 6)],
    *[["level_na", str(n), f"Mức {n}", f"Level {n}"] for n in (5, 4, 3, 2, 1)],
    ["level_na", "na", "Không áp dụng", "Not applicable"],
    ["channel", "phone", "Điện thoại", "Phone"],
    ["channel", "web", "Cổng thông tin", "Web portal"],
    ["scoring_factors", "F1", "Tiếp cận dịch vụ", "Access to the service"],
    ["scoring_factors", "F5", "Tiếp nhận, giải quyết góp ý", "Handling feedback"],
]


def _text(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


EXPECTED = {
    "form_id": "mini_xls",
    "version": "2024.1",
    "title": _text("Phiếu khảo sát thử", "Trial survey"),
    "scoring": {
        "factors": [
            {"id": "F1", "label": _text("Tiếp cận dịch vụ", "Access to the service")},
            {"id": "F5", "label": _text("Tiếp nhận, giải quyết góp ý", "Handling feedback")},
        ]
    },
    "children": [
        {
            "type": "group",
            "name": "respondent",
            "label": _text("Người trả lời", "Respondent"),
            "children": [
                {
                    "type": "select_one",
                    "name": "sex",
                    "label": _text("Giới tính", "Sex"),
                    "required": True,
                    "choices": [
                        {"value": "male", "label": _text("Nam", "Male")},
                        {"value": "female", "label": _text("Nữ", "Female")},
                    ],
                },
                {
                    "type": "integer",
                    "name": "age",
                    "label": _text("Tuổi", "Age"),
                    "hint": {"vi": "Tính theo năm"},
                    "constraint": ". >= 18",
                    "constraint_message": {"vi": "Phải từ 18 tuổi"},
                },
            ],
        },
        {
            "type": "select_one",
            "name": "gave_feedback",
            "label": _text("Có góp ý không?", "Gave feedback?"),
            "required": True,
            "choices": [{"value": "yes", "label": _text("Có", "Yes")}, {"value": "no", "label": _text("Không", "No")}],
        },
        {
            "type": "group",
            "name": "factor_5",
            "label": _text("Yếu tố 5", "Factor 5"),
            "relevant": "${gave_feedback} = 'yes'",
            "children": [
                {
                    "type": "likert5",
                    "name": "c5_1",
                    "label": _text("Tiếp nhận góp ý", "Feedback received"),
                    "required": True,
                    "scoring": {"factor": "F5", "criterion": "5.1"},
                },
                {
                    "type": "select_multiple",
                    "name": "channels",
                    "label": _text("Kênh", "Channels"),
                    "choices": [
                        {"value": "phone", "label": _text("Điện thoại", "Phone")},
                        {"value": "web", "label": _text("Cổng thông tin", "Web portal")},
                    ],
                },
            ],
        },
        {
            "type": "likert5",
            "name": "c1_1",
            "label": _text("Nơi ngồi chờ", "Waiting area"),
            "required": True,
            "allow_na": True,
            "scoring": {"factor": "F1", "criterion": "1.1"},
        },
        {"type": "likert5", "name": "overall", "label": _text("Đánh giá chung", "Overall")},
        {"type": "decimal", "name": "fee", "label": _text("Lệ phí", "Fee")},
        {"type": "text", "name": "comment", "label": _text("Ý kiến", "Comment")},
        {
            "type": "date",
            "name": "result_date",
            "label": _text("Ngày nhận kết quả", "Result date"),
            "constraint": ". <= today()",
        },
        {"type": "note", "name": "thanks", "label": _text("Xin cảm ơn", "Thank you")},
    ],
}


def workbook_bytes(survey=SURVEY, choices=CHOICES, settings=SETTINGS, extra_sheets=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for name, rows in (("choices", choices), ("settings", settings), *(extra_sheets or {}).items()):
        if rows is None:
            continue
        extra = book.create_sheet(name)
        for row in rows:
            extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_workbook(tmp_path: Path, name: str = "form.xlsx", **kwargs) -> Path:
    path = tmp_path / name
    path.write_bytes(workbook_bytes(**kwargs))
    return path


def refusal(tmp_path: Path, **kwargs) -> list[dict[str, str]]:
    with pytest.raises(FormDefinitionError) as info:
        form_from_xlsform(write_workbook(tmp_path, **kwargs))
    return info.value.errors


def survey_with(*rows, header=("type", "name", "label")) -> list[list]:
    return [list(header), *[list(row) for row in rows]]


# --------------------------------------------------------------------------- supported workbook


def test_should_convert_a_supported_workbook_to_the_expected_form(tmp_path):
    form = form_from_xlsform(write_workbook(tmp_path))
    assert form == Form.from_dict(EXPECTED)
    assert form.content_hash == Form.from_dict(EXPECTED).content_hash


def test_should_validate_answers_against_an_imported_form(tmp_path):
    form = form_from_xlsform(write_workbook(tmp_path))
    valid = {"sex": "male", "age": 30, "gave_feedback": "yes", "c5_1": 4, "channels": ["web"], "c1_1": "na"}
    assert validate_answers(form, valid, today="2024-06-01") == []
    invalid = {"sex": "male", "age": 12, "gave_feedback": "no", "c5_1": 4, "c1_1": 6, "result_date": "2024-07-01"}
    assert [(e.path, e.code) for e in validate_answers(form, invalid, today="2024-06-01")] == [
        ("respondent/age", "constraint_failed"),
        ("factor_5/c5_1", "not_relevant"),
        ("c1_1", "out_of_range"),
        ("result_date", "constraint_failed"),
    ]


def test_should_read_a_path_string_bytes_or_a_file_object(tmp_path):
    path = write_workbook(tmp_path)
    expected = Form.from_dict(EXPECTED)
    assert form_from_xlsform(str(path)) == expected
    assert form_from_xlsform(path.read_bytes(), filename="upload.xlsx") == expected
    assert form_from_xlsform(path.read_bytes()) == expected
    with path.open("rb") as handle:
        assert form_from_xlsform(handle) == expected
    assert form_from_xlsform(io.BytesIO(path.read_bytes()), filename="x.XLSX") == expected


def test_should_map_a_list_of_the_values_1_to_5_to_likert5(tmp_path):
    form = form_from_xlsform(write_workbook(tmp_path))
    assert form.question("overall").type == "likert5"
    assert form.question("overall").allow_na is False
    assert form.question("c1_1").allow_na is True
    assert [q.name for q in form.scored_questions()] == ["c5_1", "c1_1"]


def test_should_keep_a_list_that_is_not_exactly_1_to_5_as_select_one(tmp_path):
    choices = [CHOICES[0], *[["four", str(n), f"Mức {n}"] for n in range(1, 5)]]
    survey = survey_with(["select_one four", "q", "Câu hỏi"])
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=choices))
    assert form.question("q").type == "select_one"
    assert form.question("q").choice_values == ("1", "2", "3", "4")


def test_should_derive_factors_from_the_scoring_column_when_no_factor_list_is_given(tmp_path):
    choices = [row for row in CHOICES if row[0] != "scoring_factors"]
    form = form_from_xlsform(write_workbook(tmp_path, choices=choices))
    assert form.factors == [{"id": "F5", "label": {"vi": "F5"}}, {"id": "F1", "label": {"vi": "F1"}}]


def test_should_read_a_plain_label_as_vietnamese(tmp_path):
    survey = survey_with(["text", "name_given", "Họ tên"], ["integer", "n", "Số"])
    settings = [["form_id", "version", "form_title"], ["plain", "1", "Phiếu"]]
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=None, settings=settings))
    assert form.title == {"vi": "Phiếu"}
    assert form.question("name_given").label == {"vi": "Họ tên"}


def test_should_read_bare_language_codes_and_language_names(tmp_path):
    header = ("type", "name", "label::vi", "label::English")
    survey = survey_with(["text", "t", "Chữ", "Text"], header=header)
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=None))
    assert form.question("t").label == {"vi": "Chữ", "en": "Text"}


# --------------------------------------------------------------------------- refused constructs


@pytest.mark.parametrize(
    ("rows", "row_number", "construct"),
    [
        ([["text", "a", "A"], ["geotrace", "where", "Đường đi"]], 3, "geotrace"),
        ([["background-audio", "recording"]], 2, "background-audio"),
        ([["audit", "audit"]], 2, "audit"),
        ([["rank sex", "r", "Xếp hạng"]], 2, "rank"),
    ],
)
def test_should_refuse_an_unsupported_question_type_naming_its_row(tmp_path, rows, row_number, construct):
    survey = survey_with(*rows, header=("type", "name", "label", "hint"))
    errors = refusal(tmp_path, survey=survey)
    assert {e["code"] for e in errors} == {"unsupported_construct"}
    assert any(f"row {row_number}" in e["message"] and construct in e["message"] for e in errors), errors


@pytest.mark.parametrize(
    "column",
    [
        "disabled",
        "bind::jr:preload",
    ],
)
def test_should_refuse_an_unsupported_survey_column_naming_its_row(tmp_path, column):
    survey = survey_with(["text", "a", "A", None], ["text", "b", "B", "x"], header=("type", "name", "label", column))
    errors = refusal(tmp_path, survey=survey)
    assert [(e["code"], e["path"]) for e in errors] == [("unsupported_construct", f"survey[3].{column}")]
    assert "row 3" in errors[0]["message"] and column in errors[0]["message"]


def test_should_import_columns_parsurvey_does_not_use_with_a_warning_as_odk_ignores_them(tmp_path):
    choices = [[*CHOICES[0], "filter"], [*CHOICES[1], "x"], *CHOICES[2:]]
    width = len(SURVEY_HEADER)
    survey = [[*SURVEY_HEADER, "default", "read_only", "tutorial notes"]]
    survey += [[*row, *[None] * (width - len(row))] if row else row for row in SURVEY[1:]]
    survey[2] = [*survey[2], "female", "yes", "Hỏi nhẹ nhàng"]
    warnings = []
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=choices), warnings=warnings)
    assert form == Form.from_dict(EXPECTED)
    found = {w["path"]: w["message"] for w in warnings}
    assert set(found) == {"choices[2].filter", "survey[3].default", "survey[3].read_only", "survey[3].tutorial notes"}
    assert "not filled in beforehand" in found["survey[3].default"]
    assert all(w["code"] == "ignored_construct" for w in warnings)


@pytest.mark.parametrize("setting", ["instance_name", "submission_url", "style", "public_key"])
def test_should_import_odk_only_settings_with_a_warning(tmp_path, setting):
    settings = [[*SETTINGS[0], setting], [*SETTINGS[1], "x"]]
    warnings = []
    form = form_from_xlsform(write_workbook(tmp_path, settings=settings), warnings=warnings)
    assert form == Form.from_dict(EXPECTED)
    assert [(w["code"], w["path"]) for w in warnings] == [("ignored_construct", f"settings[2].{setting}")]


def test_should_refuse_a_setting_that_is_not_an_odk_setting(tmp_path):
    settings = [[*SETTINGS[0], "colour"], [*SETTINGS[1], "x"]]
    errors = refusal(tmp_path, settings=settings)
    assert [(e["code"], e["path"]) for e in errors] == [("unsupported_construct", "settings[2].colour")]


@pytest.mark.parametrize("column", ["appearance", "media::image", "image::English (en)", "guidance_hint", "audio"])
def test_should_import_display_columns_with_a_warning(tmp_path, column):
    survey = survey_with(["text", "a", "A", None], ["text", "b", "B", "x"], header=("type", "name", "label", column))
    warnings = []
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=None), warnings=warnings)
    assert [q.name for q in form.questions()] == ["a", "b"]
    assert [(w["code"], w["path"]) for w in warnings] == [("ignored_construct", f"survey[3].{column}")]


def test_should_keep_required_messages_per_language(tmp_path):
    messages = ("required_message::Vietnamese (vi)", "required_message::English (en)")
    header = ("type", "name", "label", "required", *messages)
    survey = survey_with(["text", "a", "A", "yes", "Hãy nhập tên", "Please give the name"], header=header)
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=None))
    assert form.question("a").required_message == {"vi": "Hãy nhập tên", "en": "Please give the name"}
    assert [e.message for e in validate_answers(form, {})] == ["Hãy nhập tên"]


def test_should_read_or_other_as_odk_does(tmp_path):
    survey = survey_with(["select_one sex or_other", "s", "Giới tính"], ["select one from sex", "s2", "Lần nữa"])
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey))
    assert form.question("s").choice_values == ("male", "female", "other")
    other = form.question("s_other")
    assert other.type == "text" and other.relevant == "selected(${s}, 'other')"
    assert validate_answers(form, {"s": "other", "s_other": "Không muốn nói"}) == []
    assert [e.code for e in validate_answers(form, {"s": "male", "s_other": "x"})] == ["not_relevant"]


def test_should_import_odk_metadata_rows_as_what_parsurvey_records(tmp_path):
    rows = [[kind, kind] for kind in ("start", "end", "today", "deviceid", "username", "phonenumber")]
    survey = survey_with(*rows, ["text", "a", "A"])
    warnings = []
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=None), warnings=warnings)
    assert [q.name for q in form.questions()] == ["a"]
    messages = {w["path"]: w["message"] for w in warnings}
    assert "paradata.started_at" in messages["survey[2].type"]
    assert "paradata.completed_at" in messages["survey[3].type"]
    assert "not recorded" in messages["survey[7].type"]


def test_should_read_older_and_aliased_type_names_as_pyxform_does(tmp_path):
    rows = [["phone number", "phone", "Điện thoại", None], ["string", "s", "Chữ", None], ["gps", "g", "Vị trí", None]]
    rows += [["select one from sex or specify other", "x", "Giới tính", None], ["uri:deviceid", "dev", None, None]]
    rows += [["phone number", "mobile", "Di động", "string-length(.) = 10"]]
    survey = survey_with(*rows, header=("type", "name", "label", "constraint"))
    settings = [[*SETTINGS[0], "omit_instanceID", "xml_root"], [*SETTINGS[1], "yes", "survey"]]
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, settings=settings))
    types = {q.name: q.type for q in form.questions()}
    assert types == {
        "phone": "text",
        "s": "text",
        "g": "geopoint",
        "x": "select_one",
        "x_other": "text",
        "mobile": "text",
    }
    assert form.question("phone").hint == {"vi": "Chỉ nhập chữ số.", "en": "Enter numbers only."}
    assert [e.code for e in validate_answers(form, {"phone": "09x"})] == ["constraint_failed"]
    assert validate_answers(form, {"phone": "0912345678", "mobile": "0912345678"}) == []
    assert [e.code for e in validate_answers(form, {"mobile": "091234"})] == ["constraint_failed"]


def test_should_skip_a_row_without_a_type_as_pyxform_does_and_say_so(tmp_path):
    survey = survey_with(
        ["text", "a", "A"], [None, None, None, "chỉ có gợi ý"], header=("type", "name", "label", "hint")
    )
    warnings = []
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=None), warnings=warnings)
    assert [q.name for q in form.questions()] == ["a"]
    assert [(w["path"], w["code"]) for w in warnings] == [("survey[3]", "ignored_construct")]


def test_should_read_xpath_paths_as_references(tmp_path):
    survey = survey_with(
        ["begin group", "g", "G"],
        ["integer", "age", "Tuổi", None],
        ["text", "job", "Nghề", "/data/g/age >= 18 and ../age < 99"],
        ["end group"],
        header=("type", "name", "label", "relevant"),
    )
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=None))
    assert form.question("job").relevant == "${age} >= 18 and ${age} < 99"


def test_should_accept_choice_values_with_diacritics(tmp_path):
    choices = [*CHOICES, ["channel", "bưu_điện", "Bưu điện", "Post"]]
    form = form_from_xlsform(write_workbook(tmp_path, choices=choices))
    assert "bưu_điện" in form.question("channels").choice_values
    errors = validate_answers(form, {"channels": ["web", "bưu_điện"], "gave_feedback": "yes"})
    assert not [e for e in errors if "channels" in e.path], errors


def test_should_import_an_osm_sheet_no_question_reads_with_a_warning(tmp_path):
    warnings: list[dict[str, str]] = []
    path = write_workbook(tmp_path, extra_sheets={"osm": [["list_name", "name", "label"], ["x", "a", "A"]]})
    form_from_xlsform(path, warnings=warnings)
    assert ("osm", "ignored_construct") in {(w["path"], w["code"]) for w in warnings}


def test_should_take_an_osm_question_as_a_file_question_with_a_warning_on_its_row(tmp_path):
    # ODK Collect stores the .osm file OpenMapKit returns: the answer is that file; the tags are not asked.
    survey = survey_with(["text", "ten", "Tên"], ["OSM building", "nha", "Nhà"])
    warnings: list[dict[str, str]] = []
    path = write_workbook(
        tmp_path, survey=survey, extra_sheets={"osm": [["list_name", "name", "label"], ["building", "a", "A"]]}
    )
    form = form_from_xlsform(path, warnings=warnings)
    assert form.question("nha").type == "file"
    osm_warnings = [w for w in warnings if w["path"] == "survey[3].type"]
    assert [w["code"] for w in osm_warnings] == ["ignored_construct"]
    assert "survey sheet row 3" in osm_warnings[0]["message"] and ".osm" in osm_warnings[0]["message"]


def test_should_import_a_form_with_an_entities_sheet_with_a_warning(tmp_path):
    warnings: list[dict[str, str]] = []
    path = write_workbook(tmp_path, extra_sheets={"entities": [["dataset", "label"], ["people", "${age}"]]})
    form_from_xlsform(path, warnings=warnings)
    assert ("entities", "ignored_construct") in {(w["path"], w["code"]) for w in warnings}


def test_should_take_a_dynamic_required_expression_as_odk_does(tmp_path):
    survey = [SURVEY_HEADER, ["text", "a", "A", "A", None, "${b} = 'x'"], ["text", "b", "B", "B"]]
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey))
    assert form.question("a").required == "${b} = 'x'"
    assert [(e.path, e.code) for e in validate_answers(form, {"b": "x"})] == [("a", "missing_required")]
    assert validate_answers(form, {"b": "y"}) == []


def test_should_refuse_a_required_that_is_neither_yes_no_nor_an_expression(tmp_path):
    survey = [SURVEY_HEADER, ["text", "a", "A", "A", None, "maybe so"]]
    errors = refusal(tmp_path, survey=survey)
    assert [(e["code"], e["path"]) for e in errors] == [("unsupported_construct", "survey[2].required")]


def test_should_refuse_an_expression_outside_the_supported_subset(tmp_path):
    survey = survey_with(["text", "a", "A", "random() = 1"], ["text", "b", "B"],
                         header=("type", "name", "label", "relevant"))  # fmt: skip
    errors = refusal(tmp_path, survey=survey)
    assert [(e["code"], e["path"]) for e in errors] == [("unsupported_construct", "survey[2].relevant")]
    assert "random" in errors[0]["message"]


def test_should_refuse_scoring_columns_on_a_question_that_is_not_likert(tmp_path):
    survey = [SURVEY_HEADER, ["select_one sex", "sex", "Giới tính", "Sex", *[None] * 5, "F1", "1.1"]]
    errors = refusal(tmp_path, survey=survey)
    assert [(e["code"], e["path"]) for e in errors] == [("unsupported_construct", "survey[2].scoring_factor")]


def test_should_read_language_names_and_keep_unknown_ones_with_a_private_code(tmp_path):
    header = ("type", "name", "label::vi", "label::Français", "label::Klingon")
    survey = survey_with(["text", "t", "Chữ", "Texte", "Ghitlh"], header=header)
    warnings = []
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=None), warnings=warnings)
    assert form.question("t").label == {"vi": "Chữ", "fr": "Texte", "und-Klingon": "Ghitlh"}
    assert len(warnings) == 1 and "Klingon" in warnings[0]["message"]


def test_should_take_pyxform_defaults_when_the_settings_sheet_is_silent(tmp_path):
    path = write_workbook(tmp_path, name="Khảo sát 2024.xlsx", settings=None)
    form = form_from_xlsform(path)
    assert form.form_id == "Khảo sát 2024" and form.title == {"vi": "Khảo sát 2024"}  # the file's name, as pyxform
    assert form.version.startswith("auto-") and len(form.version) == 17
    assert form_from_xlsform(path).version == form.version, "the same content gives the same version"
    changed = [*SURVEY, ["text", "extra", "Thêm", "Extra"]]
    other = form_from_xlsform(write_workbook(tmp_path, name="Khảo sát 2024.xlsx", survey=changed, settings=None))
    assert other.version != form.version, "new content, new version"
    given = form_from_xlsform(write_workbook(tmp_path, settings=[["form_title"], ["Phiếu"]]))
    assert given.form_id == "form" and given.title == {"vi": "Phiếu"}


@pytest.mark.parametrize(
    ("cell", "version"),
    [
        (datetime.datetime(2022, 4, 11, 16, 26, 28, 971000), "2022-04-11 16:26:28.971000"),
        (datetime.datetime(2024, 5, 1), "2024-05-01 00:00:00"),
        ("2024 bản 2", "2024 bản 2"),
    ],
)
def test_should_read_a_form_id_with_spaces_and_a_date_version_as_pyxform_writes_them(tmp_path, cell, version):
    """pyxform takes the settings' form_id as it is (its own test forms say ``Spec test``) and writes a date
    cell's version as Python prints the datetime; ODK Central takes both."""
    settings = [["form_id", "version", "form_title"], ["Spec test", cell, "Phiếu"]]
    form = form_from_xlsform(write_workbook(tmp_path, settings=settings))
    assert (form.form_id, form.version) == ("Spec test", version)
    refused = refusal(tmp_path, settings=[["form_id", "version"], ["thử/nghiệm", "1"]])
    assert [(e["path"], e["code"]) for e in refused] == [("form_id", "invalid_name")]


# --------------------------------------------------------------------------- errors from later stages


def test_should_locate_form_rule_violations_by_sheet_row(tmp_path):
    survey = [row[:] for row in SURVEY]
    survey[8] = [*survey[8][:9], "F9", "5.1"]  # c5_1 scored against an undeclared factor
    choices = [*CHOICES, ["channel", "post", None, "Post"]]  # no Vietnamese label
    errors = refusal(tmp_path, survey=survey, choices=choices)
    assert {(e["path"], e["code"]) for e in errors} == {
        ("children[2].children[0].scoring.factor", "unknown_factor"),
        ("children[2].children[1].choices[2].label.vi", "missing_key"),
    }
    messages = " | ".join(e["message"] for e in errors)
    assert "survey sheet row 9" in messages
    assert f"choices sheet row {len(choices)}" in messages


def test_should_report_a_missing_vietnamese_label_by_row(tmp_path):
    header = ("type", "name", "label::Vietnamese (vi)", "label::English (en)")
    survey = survey_with(["text", "a", "Có", "Yes"], ["text", "b", None, "Only English"], header=header)
    errors = refusal(tmp_path, survey=survey, choices=None)
    assert [(e["path"], e["code"]) for e in errors] == [("children[1].label.vi", "missing_key")]
    assert errors[0]["message"].startswith("survey sheet row 3:")


def test_a_workbook_in_one_other_language_should_import_with_that_default_language(tmp_path):
    survey = survey_with(["text", "a", "Only English"], header=("type", "name", "label::English (en)"))
    form = form_from_xlsform(
        write_workbook(tmp_path, name="household.xlsx", survey=survey, choices=None, settings=None)
    )
    assert form.default_language == "en"
    assert form.title == {"en": "household"} and form.question("a").label == {"en": "Only English"}


@pytest.mark.parametrize(
    "survey",
    [
        survey_with(["text", "a", "A"], ["end group"]),
        survey_with(["text", "same", "A"], ["text", "same", "B"]),
        survey_with(["select_one nowhere", "a", "A"]),
        survey_with(["text", "a", "A", "${missing} = 1"], header=("type", "name", "label", "relevant")),
    ],
)
def test_should_turn_pyxform_errors_into_invalid_xlsform(tmp_path, survey):
    errors = refusal(tmp_path, survey=survey)
    assert [e["code"] for e in errors] == ["invalid_xlsform"]
    assert errors[0]["message"]


def test_should_refuse_bytes_that_are_not_a_workbook():
    with pytest.raises(FormDefinitionError) as info:
        form_from_xlsform(b"\x00\x01 not a spreadsheet", filename="form.xlsx")
    assert info.value.codes() == ["invalid_xlsform"]


def _broken_xlsx() -> bytes:
    """A real workbook with a byte changed inside a compressed part (zlib fails when it is read)."""
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    data = bytearray(buffer.getvalue())
    data[len(data) // 3] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"\xdb\xa7\x80p", "file"),  # no suffix: pyxform guesses Markdown, which is not UTF-8
        (b"type,name\n\xff\xfe", "form.csv"),
        (b"| survey |\n| \xff |", "form.md"),
        (b"PK\x03\x04 a broken zip", "form.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 600, "form.xls"),  # a compound document's header only
        (_broken_xlsx(), "form.xlsx"),
    ],
)
def test_should_refuse_a_file_its_readers_cannot_read_as_invalid_xlsform(data, filename):
    with pytest.raises(FormDefinitionError) as info:
        form_from_xlsform(data, filename=filename)
    assert info.value.codes() == ["invalid_xlsform"]
    assert info.value.errors[0]["message"]


def test_should_refuse_an_unsupported_file_type():
    with pytest.raises(FormDefinitionError) as info:
        form_from_xlsform(b"{}", filename="form.json")
    assert info.value.codes() == ["invalid_xlsform"]
    assert ".json" in info.value.errors[0]["message"]


def test_should_refuse_a_source_that_is_neither_path_bytes_nor_file():
    with pytest.raises(TypeError):
        form_from_xlsform(12345)  # type: ignore[arg-type]


def test_should_report_row_and_conversion_problems_in_one_answer(tmp_path):
    survey = survey_with(
        ["text", "a", "A", "yes", None],
        ["select_one sex", "b", "B", None, "sex = = 1"],
        header=("type", "name", "label", "disabled", "choice_filter"),
    )
    errors = refusal(tmp_path, survey=survey)
    assert [(e["path"], e["code"]) for e in errors] == [
        ("survey[2].disabled", "unsupported_construct"),
        ("survey[3].choice_filter", "unsupported_construct"),
    ]
