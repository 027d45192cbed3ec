"""The envelope contract, property-tested: make_envelope output always checks clean, any change is caught."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.protocol import check_batch, check_envelope, envelope_hash, make_envelope

json_leaf = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=20)
json_values = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
PARADATA = {"started_at": "2022-09-20T08:00:00+07:00", "completed_at": "2022-09-20T08:10:00+07:00"}


@given(
    answers=st.dictionaries(st.text(min_size=1, max_size=12), json_values, max_size=8),
    agency=st.text(st.characters().filter(str.isprintable), min_size=1, max_size=32),
    enumerator=st.text(st.characters().filter(str.isprintable), min_size=1, max_size=64),
)
@settings(max_examples=150, deadline=None)
def test_every_envelope_made_by_the_device_should_check_clean(answers, agency, enumerator):
    envelope = make_envelope(
        form_id="satisfaction",
        form_version="2022.1",
        agency=agency,
        enumerator=enumerator,
        answers=answers,
        paradata=PARADATA,
    )
    assert check_envelope(envelope) == {}
    assert envelope["content_hash"] == envelope_hash(envelope)


@given(key=st.sampled_from(["agency", "form_version", "answers", "paradata"]), junk=json_leaf)
@settings(max_examples=100, deadline=None)
def test_any_change_after_hashing_should_be_caught(key, junk):
    envelope = make_envelope(
        form_id="satisfaction",
        form_version="2022.1",
        agency="SNV",
        enumerator="e1",
        answers={"c1_1": 4},
        paradata=PARADATA,
    )
    changed = dict(envelope)
    changed[key] = (
        {"changed": junk} if key in ("answers",) else (junk if key != "paradata" else {**PARADATA, "app_version": "x"})
    )
    if changed[key] == envelope[key]:
        return
    assert check_envelope(changed) != {}


@given(
    st.one_of(
        json_values,
        st.dictionaries(
            st.sampled_from(
                [
                    "kind",
                    "instance_id",
                    "form_id",
                    "form_version",
                    "agency",
                    "enumerator",
                    "answers",
                    "paradata",
                    "content_hash",
                    "extra",
                ]
            ),
            json_values,
        ),
    )
)
@settings(max_examples=200, deadline=None)
def test_checking_arbitrary_json_should_never_raise(value):
    assert isinstance(check_envelope(value), dict)
    assert isinstance(check_batch(value), dict)


def test_should_name_each_problem_of_a_bad_envelope():
    problems = check_envelope(
        {
            "instance_id": "not-a-uuid",
            "form_id": "",
            "colour": "red",
            "paradata": {"started_at": "yesterday", "completed_at": "2022-09-20T08:00:00"},
        }
    )
    assert problems["instance_id"] == ["Must be a UUID in its canonical lower-case form."]
    assert problems["colour"] == ["Unknown field."]
    assert "paradata.started_at" in problems and "paradata.completed_at" in problems  # naive time refused
    assert "agency" in problems and "answers" in problems


def test_an_upper_case_uuid_should_be_refused_so_one_ballot_has_one_id():
    envelope = make_envelope(
        form_id="f",
        form_version="1",
        agency="A",
        enumerator="e",
        answers={},
        paradata=PARADATA,
        instance_id=str(uuid.uuid4()).upper(),
    )
    assert "instance_id" in check_envelope(envelope)


def test_a_ballot_keyed_in_later_may_have_no_start_time_but_must_have_a_completion_time():
    keyed = make_envelope(
        form_id="f",
        form_version="1",
        agency="A",
        enumerator="e",
        answers={},
        paradata={"started_at": None, "completed_at": "2022-09-20T08:10:00+07:00"},
    )
    assert check_envelope(keyed) == {}
    missing = make_envelope(
        form_id="f",
        form_version="1",
        agency="A",
        enumerator="e",
        answers={},
        paradata={"started_at": None, "completed_at": None},
    )
    assert "paradata.completed_at" in check_envelope(missing)


@pytest.mark.parametrize("field", ["agency", "enumerator", "form_id"])
def test_identifiers_with_control_characters_should_be_refused(field):
    envelope = make_envelope(
        form_id="satisfaction", form_version="1", agency="SNV", enumerator="enumerator1", answers={}, paradata=PARADATA
    )
    envelope[field] = "SNV\x00"
    assert "printable" in check_envelope(envelope)[field][0]
