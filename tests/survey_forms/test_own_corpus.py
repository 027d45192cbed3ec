"""Our own corpus of XLSForms (tests/survey_forms/own_xlsforms.py, one per feature class public forms use):
the share parsurvey imports of those pyxform converts stays at 90 % or more, and what each feature means
once imported is checked on a few answers."""

from __future__ import annotations

import warnings as python_warnings
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from survey_forms import FormDefinitionError, form_from_xlsform, validate_answers
from tests.survey_forms.own_xlsforms import CORPUS, write_corpus

#: Forms known not to import yet, and why (none today: a form added here that fails names a gap).
NOT_YET: set[str] = set()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return {path.stem: path for path in write_corpus(tmp_path_factory.mktemp("own_xlsforms"))}


def imported(path: Path, notes: list | None = None):
    with python_warnings.catch_warnings():
        python_warnings.simplefilter("ignore")  # openpyxl's own warnings about workbook extensions
        return form_from_xlsform(path, warnings=notes)


def test_at_least_nine_in_ten_of_the_forms_pyxform_converts_should_import(corpus):
    converted, failed = [], {}
    for name, path in corpus.items():
        with python_warnings.catch_warnings():
            python_warnings.simplefilter("ignore")
            convert(xlsform=str(path), validate=False)  # every form of ours is one pyxform converts
        converted.append(name)
        try:
            imported(path)
        except FormDefinitionError as exc:
            failed[name] = exc.errors
    share = (len(converted) - len(failed)) / len(converted)
    print(f"\nown corpus: {len(converted) - len(failed)} of {len(converted)} import ({share:.1%})")
    assert len(converted) == len(CORPUS) >= 20
    assert share >= 0.9, failed
    assert set(failed) == NOT_YET, failed  # a form that newly fails is a regression, one that passes a gain


def test_cascading_and_external_choices_should_keep_their_columns_and_filter_answers(corpus):
    form = imported(corpus["cascading_selects"])
    assert form.question("xa").choice_filter == "huyen=${huyen} and name != ''"
    assert validate_answers(form, {"tinh": "ha_nam", "huyen": "ly_nhan", "xa": "nhan_hau"}) == []
    codes = {(e.path, e.code) for e in validate_answers(form, {"tinh": "ha_nam", "huyen": "y_yen"})}
    assert codes == {("huyen", "unknown_choice")}
    external = imported(corpus["external_choices"])
    assert external.question("xa").choices[0].columns == {"tinh": "ha_nam"}
    assert validate_answers(external, {"tinh": "ha_nam", "xa": "nhan_hau"}) == []


def test_repeats_should_import_with_their_count_and_relative_references(corpus):
    form = imported(corpus["repeat_household"])
    group = form.element("nguoi")
    assert group.repeat and group.repeat_count == "${so_nguoi}"
    assert form.question("truong").relevant == "${tuoi} < 18"
    answers = {"so_nguoi": 2, "nguoi": [{"ho_ten": "Lan", "tuoi": 40}, {"ho_ten": "Minh", "tuoi": 9, "truong": "A"}]}
    assert validate_answers(form, answers) == []
    nested = imported(corpus["nested_repeats_and_node_sets"])
    assert nested.repeats_of("ghi_chu") == ("lan", "buoc")


def test_a_dynamic_required_should_apply_only_when_true(corpus):
    form = imported(corpus["dynamic_required"])
    assert [(e.path, e.code) for e in validate_answers(form, {"co_con": "yes"})] == [("so_con", "missing_required")]
    assert validate_answers(form, {"co_con": "no"}) == []


def test_widgets_should_import_with_odk_meaning(corpus):
    notes: list = []
    form = imported(corpus["widgets_without_media"], notes)
    assert form.question("dong_y").choice_values == ("OK",) and form.question("da_doc").choice_values == ("OK",)
    assert form.question("diem").type == "integer" and form.question("muc").type == "decimal"
    assert {(e.path, e.code) for e in validate_answers(form, {"diem": 5, "muc": 3.0})} == {
        ("diem", "constraint_failed"),  # step 2 from 0
        ("muc", "constraint_failed"),  # above the end
    }
    assert validate_answers(form, {"diem": 4, "muc": 2.5, "dong_y": "OK"}) == []
    assert form.question("an").type == "calculate"


def test_display_columns_pulldata_metadata_and_files_should_import_with_warnings(corpus):
    for name, expected in (
        ("display_columns", "appearance"),
        ("pulldata_lookup", "pulldata"),
        ("metadata_rows", "deviceid"),
        ("choices_from_file", "co_quan.csv"),
        ("entities_sheet", "entities"),
        ("table_list", "table-list"),
    ):
        notes: list = []
        imported(corpus[name], notes)
        assert any(expected in n["message"] for n in notes), (name, notes)
        assert {n["code"] for n in notes} == {"ignored_construct"}


def test_languages_loops_and_diacritics_should_import(corpus):
    french = imported(corpus["language_columns"])
    assert french.default_language == "fr" and french.question("age").label == {"fr": "Âge", "en": "Age"}
    loop = imported(corpus["loop_over_list"])
    assert loop.question("dien_tich_lua").label == {"vi": "Diện tích trồng Lúa"}
    assert "dien_tich_ngo" in [q.name for q in loop.questions()]
    values = imported(corpus["diacritic_choice_values"]).question("noi").choice_values
    assert values == ("ủy_ban", "bưu_điện", "thuế")


def test_a_repeat_count_that_is_a_number_should_be_kept_as_the_count(tmp_path):
    path = tmp_path / "fixed_count.md"
    path.write_text(
        "| survey |\n| | type | name | label | repeat_count |\n| | begin repeat | lan | Lần | 3 |\n"
        "| | text | ghi_chu | Ghi chú | |\n| | end repeat | | | |\n",
        encoding="utf-8",
    )
    form = imported(path)  # pyxform adds a calculation lan_count for it; the count is read back from it
    assert form.element("lan").repeat_count == "3" and [q.name for q in form.questions()] == ["ghi_chu"]
    assert [(e.path, e.code) for e in validate_answers(form, {"lan": [{}, {}]})] == [("lan", "out_of_range")]


def test_hyphenated_names_should_import_and_be_read_by_their_references(corpus):
    form = imported(corpus["hyphenated_names"])
    assert form.question("co-bao-hiem").relevant == "${so-nguoi} > 0"
    assert validate_answers(form, {"so-nguoi": 2, "co-bao-hiem": ["no"], "ghi-chu": "x"}) == []
    codes = {(e.path, e.code) for e in validate_answers(form, {"so-nguoi": 0, "co-bao-hiem": ["no"]})}
    assert ("so-nguoi", "constraint_failed") in codes and ("co-bao-hiem", "not_relevant") in codes


def test_a_photo_question_should_import_with_max_pixels_ignored_and_named_in_a_warning(corpus):
    notes: list[dict[str, str]] = []
    form = imported(corpus["photo_max_pixels"], notes)
    assert form.question("anh_so_ho").type == "image"
    assert any("max-pixels" in str(note) for note in notes), notes


def test_an_osm_question_should_import_as_a_file_question_warned_on_its_row(corpus):
    notes: list[dict[str, str]] = []
    form = imported(corpus["osm_building"], notes)
    assert form.question("toa_nha").type == "file"
    assert any(n["path"] == "survey[2].type" and "'osm nha'" in n["message"] for n in notes), notes


def test_a_question_without_a_label_should_show_its_hint_or_its_name(corpus):
    notes: list[dict[str, str]] = []
    form = imported(corpus["hint_without_label"], notes)
    assert form.question("ma_ho").label == {"vi": "Mã hộ ghi trên phiếu"} and not form.question("ma_ho").hint
    assert form.question("so_do").label == {"vi": "so_do"}
    assert {"survey[2].label", "survey[3].label"} <= {n["path"] for n in notes}


def test_a_text_missing_in_the_default_language_should_show_a_dash_as_odk_does(corpus):
    notes: list[dict[str, str]] = []
    form = imported(corpus["hint_in_one_language"], notes)
    assert form.question("dia_chi").hint == {"vi": "-", "en": "Street and number"}
    assert any("'-' is shown" in n["message"] for n in notes)
