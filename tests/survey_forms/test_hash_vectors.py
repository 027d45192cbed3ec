"""Known test vectors for the two content hashes that leave the process: the form version's hash (its
identity and ETag) and the sync envelope's hash (checked by the server, computed by every device).

The expected digests were computed once, outside parsurvey, from the canonical bytes written out by hand
(NFC text, sorted keys, no spaces, numbers as Python writes them)::

    printf '%s' '<the CANONICAL bytes below>' | sha256sum

so a change to the canonical encoding (key order, Unicode form, separators, number format) fails here,
however the code that produces and the code that checks the hash change together.
"""

from __future__ import annotations

import hashlib
import unicodedata

from survey_forms import Form, canonical_json
from sync.protocol import envelope_hash, make_envelope

FORM_CANONICAL = (
    '{"children":[{"label":{"vi":"Tuổi"},"name":"age","type":"integer"}],"default_language":"vi",'
    '"form_id":"vector","title":{"vi":"Phiếu khảo sát"},"version":"2022.1"}'
)
FORM_SHA256 = "51f4ca7e87be5c4b3e328105c3aa8f353337baeaef56d9ee02b208be3246d977"

ENVELOPE_CANONICAL = (
    '{"agency":"SNV","answers":{"c1_1":5,"comment":"Cán bộ tận tình","weight":0.1},"enumerator":"enumerator1",'
    '"form_id":"satisfaction","form_version":"2022.1","instance_id":"0f8fad5b-d9cb-469f-a165-70867728950e",'
    '"kind":"ballot","paradata":{"app_version":"1.0","completed_at":"2022-09-20T08:12:30+07:00","started_at":null}}'
)
ENVELOPE_SHA256 = "9894355bb0eb59756d6c1c101ea67db6e5a0c42542fd2d071771918b8dad896f"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_the_vectors_written_by_hand_should_match_their_digests():
    assert hashlib.sha256(FORM_CANONICAL.encode("utf-8")).hexdigest() == FORM_SHA256
    assert hashlib.sha256(ENVELOPE_CANONICAL.encode("utf-8")).hexdigest() == ENVELOPE_SHA256


def test_a_form_typed_in_any_key_order_and_normal_form_should_have_the_known_hash():
    form = Form.from_dict(
        {
            "version": "2022.1",
            "title": {"vi": nfd("Phiếu khảo sát")},
            "children": [{"type": "integer", "label": {"vi": nfd("Tuổi")}, "name": "age"}],
            "form_id": "vector",
            "default_language": "vi",
        }
    )
    assert canonical_json(form.to_dict()) == FORM_CANONICAL.encode("utf-8")
    assert form.content_hash == FORM_SHA256


def test_an_envelope_should_have_the_known_hash():
    envelope = make_envelope(
        form_id="satisfaction",
        form_version="2022.1",
        agency="SNV",
        enumerator="enumerator1",
        answers={"weight": 0.1, "comment": nfd("Cán bộ tận tình"), "c1_1": 5},
        paradata={"started_at": None, "completed_at": "2022-09-20T08:12:30+07:00", "app_version": "1.0"},
        instance_id="0f8fad5b-d9cb-469f-a165-70867728950e",
    )
    assert envelope["content_hash"] == ENVELOPE_SHA256
    assert envelope_hash(envelope) == ENVELOPE_SHA256
