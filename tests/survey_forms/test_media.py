"""Media questions (image, audio, video, file): imported from XLSForm with ODK's names, answered by a file
name, written into the XForm as ODK's upload controls, and read back from a submitted instance."""

from __future__ import annotations

import pytest

from survey_forms import MEDIA_TYPES, Form, form_from_xlsform, validate_answers
from survey_forms.xform import form_to_xform, parse_instance, read_instance
from tests.survey_forms.test_xlsform import survey_with, write_workbook

SETTINGS = [["form_id", "version", "form_title"], ["media_check", "1", "Phiếu có ảnh"]]


def media_form() -> Form:
    return Form.from_dict(
        {
            "form_id": "media_check",
            "version": "1",
            "title": {"vi": "Phiếu có tệp"},
            "children": [{"type": kind, "name": f"a_{kind}", "label": {"vi": kind}} for kind in MEDIA_TYPES],
        }
    )


def test_an_xlsform_with_photo_image_audio_video_and_file_questions_imports_with_odk_types(tmp_path):
    survey = survey_with(
        ["photo", "receipt", "Ảnh biên nhận"],
        ["image", "face", "Ảnh"],
        ["audio", "voice", "Ghi âm"],
        ["video", "clip", "Video"],
        ["file", "scan", "Tệp quét"],
    )
    form = form_from_xlsform(write_workbook(tmp_path, survey=survey, choices=None, settings=SETTINGS))
    assert [(q.name, q.type) for q in form.questions()] == [
        ("receipt", "image"),
        ("face", "image"),
        ("voice", "audio"),
        ("clip", "video"),
        ("scan", "file"),
    ]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1700000000000.jpg", None),
        ("receipt-1.PNG", None),
        ("a_b.c.m4a", None),
        ("../etc/passwd", "wrong_type"),
        ("dir/photo.jpg", "wrong_type"),
        (".hidden", "wrong_type"),
        ("ảnh.jpg", "wrong_type"),
        ("x" * 129, "wrong_type"),
        (12, "wrong_type"),
    ],
)
def test_a_media_answer_is_a_plain_file_name(value, code):
    errors = validate_answers(media_form(), {"a_image": value})
    assert [e.code for e in errors] == ([code] if code else [])


def test_the_xform_has_upload_controls_and_an_instance_gives_back_the_file_names():
    form = media_form()
    xform = form_to_xform(form, [("SNV", "Sở Nội vụ")])
    for kind, mediatype in (
        ("image", "image/*"),
        ("audio", "audio/*"),
        ("video", "video/*"),
        ("file", "application/*"),
    ):
        assert f'<upload ref="/data/a_{kind}" mediatype="{mediatype}">' in xform
        assert f'<bind nodeset="/data/a_{kind}" type="binary"/>' in xform
    root = parse_instance(
        b'<data id="media_check" version="1"><parsurvey_agency>SNV</parsurvey_agency>'
        b"<a_image>1700000000000.jpg</a_image><a_audio/><a_video>clip.mp4</a_video><a_file/>"
        b"<meta><instanceID>uuid:0f9d7c1e-2b1a-4c3d-9e8f-7a6b5c4d3e2f</instanceID></meta></data>"
    )
    instance = read_instance(form, root)
    assert instance.answers == {"a_image": "1700000000000.jpg", "a_video": "clip.mp4"}
    assert validate_answers(form, instance.answers) == []
