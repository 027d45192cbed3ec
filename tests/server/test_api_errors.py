"""Every API error has one shape, {"code", "message", "errors"}, with a registered code."""

from __future__ import annotations

import json

from sync.codes import ERROR_CODES


def assert_envelope(response, status: int, code: str):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == code
    assert code in ERROR_CODES and ERROR_CODES[code].status == status
    assert body["message"]
    return body


def test_should_answer_malformed_json_with_malformed_json(client, admin):
    response = client.post("/api/v1/agencies", data=b'{"code": "X",', headers=admin, content_type="application/json")
    assert_envelope(response, 400, "malformed_json")


def test_should_answer_a_wrong_content_type_with_415(client, admin):
    response = client.post("/api/v1/agencies", data="code=X", headers=admin, content_type="text/plain")
    assert_envelope(response, 415, "unsupported_media_type")


def test_should_answer_an_oversized_body_with_413_before_reading_it(app, client, admin):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = json.dumps({"code": "X", "name": "x" * limit})
    response = client.post("/api/v1/agencies", data=body, headers=admin, content_type="application/json")
    assert_envelope(response, 413, "payload_too_large")


def test_should_list_unknown_and_missing_fields_per_field(client, admin):
    response = client.post("/api/v1/agencies", json={"code": "X", "colour": "red"}, headers=admin)
    body = assert_envelope(response, 422, "invalid_request")
    assert body["errors"]["colour"] == ["Unknown field."]
    assert "name" in body["errors"] and "group" in body["errors"]


def test_should_answer_an_unknown_url_and_a_wrong_method_in_the_envelope(client, admin):
    assert_envelope(client.get("/api/v1/nothing-here", headers=admin), 404, "not_found")
    assert_envelope(client.delete("/api/v1/agencies", headers=admin), 405, "method_not_allowed")


def test_should_store_nothing_when_a_request_fails_half_way(client, admin):
    round_body = {
        "code": "2030",
        "year": 2030,
        "window_start": "2030-01-01",
        "window_end": "2030-10-31",
        "method_version": "2017",
        "participants": [{"agency_code": "A1"}, {"agency_code": "NO_SUCH_AGENCY"}],
    }
    client.post("/api/v1/agencies", json={"code": "A1", "name": "Sở Nội vụ", "group": "department"}, headers=admin)
    assert_envelope(client.post("/api/v1/rounds", json=round_body, headers=admin), 404, "not_found")
    assert client.get("/api/v1/rounds", headers=admin).get_json() == []


def test_every_registered_code_should_have_a_status_and_an_action():
    for code, entry in ERROR_CODES.items():
        assert entry.code == code and 400 <= entry.status < 600 and entry.description
