"""Canonical JSON and content hashes: stable identity of a form version."""

from __future__ import annotations

import json
import math
import unicodedata

import pytest

from survey_forms import Form, canonical_json, content_hash


def test_should_encode_sorted_compact_utf8_json():
    assert canonical_json({"b": 1, "a": [1, "Huế"], "c": {"y": None, "x": True}}) == (
        '{"a":[1,"Huế"],"b":1,"c":{"x":true,"y":null}}'.encode()
    )


def test_should_keep_vietnamese_as_utf8_rather_than_escapes():
    encoded = canonical_json({"vi": "Rất hài lòng"})
    assert "Rất hài lòng".encode() in encoded
    assert b"\\u" not in encoded


def test_should_hash_the_canonical_bytes_with_sha256():
    # printf '%s' '{"form_id":"x","version":"1"}' | sha256sum  (more vectors: test_hash_vectors.py)
    assert content_hash({"version": "1", "form_id": "x"}) == (
        "009d6676245a3f3ca567aa9447c7231974563827d9cbfbf73f58c75cd3cdf618"
    )


def test_should_ignore_key_order():
    first = {"a": 1, "b": {"c": 2, "d": [3, {"e": 4, "f": 5}]}}
    second = {"b": {"d": [3, {"f": 5, "e": 4}], "c": 2}, "a": 1}
    assert canonical_json(first) == canonical_json(second)
    assert content_hash(first) == content_hash(second)


def test_should_hash_nfc_and_nfd_text_the_same():
    text = "Phiếu khảo sát sự hài lòng"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert content_hash({"title": nfd, nfd: [nfd]}) == content_hash({"title": text, text: [text]})
    assert canonical_json({"t": nfd}) == json.dumps({"t": text}, ensure_ascii=False, separators=(",", ":")).encode()


def test_should_treat_tuples_like_lists():
    assert canonical_json({"a": (1, 2)}) == canonical_json({"a": [1, 2]})


def test_should_change_the_hash_when_content_changes():
    assert content_hash({"a": 1}) != content_hash({"a": 2})
    assert content_hash({"a": "1"}) != content_hash({"a": 1})


def test_should_refuse_values_that_are_not_json():
    with pytest.raises(ValueError):
        canonical_json({"x": math.nan})
    with pytest.raises(ValueError):
        canonical_json({"x": math.inf})
    with pytest.raises(ValueError, match="collide"):
        canonical_json({"é": 1, "e\u0301": 2})


def test_should_identify_a_form_by_the_hash_of_its_definition(mini_form, mini_dict):
    assert mini_form.content_hash == content_hash(mini_form.to_dict())
    reordered = json.loads(json.dumps(mini_dict, sort_keys=True))
    assert Form.from_dict(reordered).content_hash == mini_form.content_hash
    nfd = json.loads(unicodedata.normalize("NFD", json.dumps(mini_dict, ensure_ascii=False)))
    assert Form.from_dict(nfd).content_hash == mini_form.content_hash
    mini_dict["version"] = "1.1"
    assert Form.from_dict(mini_dict).content_hash != mini_form.content_hash
