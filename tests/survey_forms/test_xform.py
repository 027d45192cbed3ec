"""XForms written by pyxform from a form, and filled instances read back: the same answers come out."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from survey_forms import Form, builtin_satisfaction_form, validate_answers
from survey_forms.xform import AGENCY_FIELD, InstanceError, form_to_xform, parse_instance, read_instance
from tests.sample_ballots import answers

XF = "{http://www.w3.org/2002/xforms}"
FORM = builtin_satisfaction_form()
AGENCIES = [("SNV", "Sở Nội vụ"), ("STC", "Sở Tài chính")]


def primary_instance(xform: str) -> ET.Element:
    root = ET.fromstring(xform)
    return root.find(f".//{XF}model/{XF}instance")[0]


def filled(template: ET.Element, values: dict, instance_id: str) -> bytes:
    """Fill the XForm's own instance template as a client would, leaves by name."""
    for node in template.iter():
        name = node.tag.rsplit("}", 1)[-1]
        if name in values:
            value = values[name]
            node.text = " ".join(value) if isinstance(value, list) else str(value)
        elif name == "instanceID":
            node.text = f"uuid:{instance_id}"
        elif name in ("start", "end"):
            node.text = "2022-09-20T08:00:00.000+07:00"
    return ET.tostring(template, encoding="utf-8")


def test_the_xform_should_bind_every_question_with_its_rules_and_both_languages():
    document = form_to_xform(FORM, AGENCIES)
    root = ET.fromstring(document)
    binds = {b.get("nodeset").rsplit("/", 1)[-1]: b for b in root.iter(f"{XF}bind")}
    for question in FORM.questions():
        assert question.name in binds, question.name
        assert (binds[question.name].get("required") == "true()") == question.required, question.name
    assert "gave_feedback" in binds["c5_1"].get("relevant")
    assert "regex(" in binds["respondent_phone"].get("constraint")
    languages = [t.get("lang") for t in root.iter(f"{XF}translation")]
    assert languages == ["Tiếng Việt (vi)", "English (en)"]
    assert "Rất hài lòng" in document and "Very satisfied" in document
    assert all(b.get("nodeset") for b in root.iter(f"{XF}bind"))
    template = primary_instance(document)
    assert template.get("id") == FORM.form_id and template.get("version") == FORM.version
    assert [n.tag.rsplit("}", 1)[-1] for n in template][:3] == ["start", "end", "deviceid"]


@pytest.mark.parametrize("seed", range(25))
def test_a_filled_xform_instance_should_read_back_as_the_same_answers(seed):
    rng = random.Random(seed)
    values = answers("SNV", rng, gave_feedback=rng.random() < 0.5)
    data = filled(primary_instance(form_to_xform(FORM, AGENCIES)), values, "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")
    instance = read_instance(FORM, parse_instance(data))
    assert instance.answers == values
    assert instance.agency == "SNV" and instance.instance_id == "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
    assert instance.meta["start"] == "2022-09-20T08:00:00.000+07:00"
    assert validate_answers(FORM, instance.answers) == []


def test_a_form_without_an_agency_question_should_ask_for_the_agency_first():
    form = Form.from_dict(
        {
            "form_id": "short",
            "version": "1",
            "title": {"vi": "Ngắn"},
            "children": [{"type": "integer", "name": "age", "label": {"vi": "Tuổi"}, "required": True}],
        }
    )
    template = primary_instance(form_to_xform(form, AGENCIES))
    assert [n.tag.rsplit("}", 1)[-1] for n in template][3] == AGENCY_FIELD
    instance = read_instance(form, parse_instance(filled(template, {AGENCY_FIELD: "STC", "age": 40}, "x")))
    assert instance.agency == "STC" and instance.answers == {"age": 40}


def test_unreadable_instances_should_be_refused():
    with pytest.raises(InstanceError):
        parse_instance(b"<data><open></data>")
    with pytest.raises(InstanceError):
        parse_instance(b'<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><data>&e;</data>')
    with pytest.raises(InstanceError, match="instanceID"):
        read_instance(FORM, parse_instance(b'<data id="satisfaction" version="2022.1"><sex>male</sex></data>'))
    unknown = read_instance(
        FORM, parse_instance(b"<data><extra>1</extra><meta><instanceID>uuid:a</instanceID></meta></data>")
    )
    assert [e.code for e in validate_answers(FORM, unknown.answers) if e.path == "extra"] == ["unknown_question"]
