"""Edges of the HTTP API a first-time client runs into: bodies without a length, unsupported methods,
text that is not Unicode, numbers too large to travel, and the charset of CSV exports."""

from __future__ import annotations

import copy
import io
import json

import pytest

from sync.protocol import envelope_hash
from tests.sample_ballots import batch, envelope
from tests.server.test_api_errors import assert_envelope
from tests.server.test_forms import SMALL


@pytest.fixture
def enumerator1(demo, client):
    response = client.post("/api/v1/auth/tokens", json={"username": "enumerator1", "password": "demo-password"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def post_chunked(client, path: str, body: bytes, headers: dict):
    """POST ``body`` with ``Transfer-Encoding: chunked`` and no Content-Length, as a streaming client does."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        headers={**headers, "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
    )


def test_a_chunked_body_over_the_limit_should_be_413_payload_too_large_not_malformed_json(app, client, enumerator1):
    body = b" " * (20 * 1024 * 1024) + json.dumps(batch(envelope("SNV"))).encode()
    body_too_large = assert_envelope(
        post_chunked(client, "/api/v1/sync/batches", body, enumerator1), 413, "payload_too_large"
    )
    assert f"{app.config['MAX_CONTENT_LENGTH']:,}" in body_too_large["message"]


def test_a_chunked_body_within_the_limit_should_be_read_whole(client, enumerator1):
    sent = envelope("SNV")
    response = post_chunked(client, "/api/v1/sync/batches", json.dumps(batch(sent)).encode(), enumerator1)
    assert response.status_code == 200, response.get_json()
    assert [(r["instance_id"], r["status"]) for r in response.get_json()["results"]] == [
        (sent["instance_id"], "accepted")
    ]


@pytest.mark.parametrize("method", ["TRACE", "DELETE", "PATCH"])
def test_an_unsupported_method_should_answer_405_with_an_allow_header(client, admin, method):
    response = client.open("/api/v1/agencies", method=method, headers=admin)
    assert_envelope(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS", "POST"}


def send_raw(client, headers, items: list) -> dict:
    """Send envelopes as JSON text with every non-ASCII character escaped, so lone surrogates travel as \\udxxx."""
    body = json.dumps({"protocol": 1, "device_id": "tablet-1", "items": items}, ensure_ascii=True)
    response = client.post("/api/v1/sync/batches", data=body, headers=headers, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    [result] = response.get_json()["results"]
    return result


def test_a_lone_surrogate_in_an_envelope_should_be_named_as_such(client, enumerator1):
    sent = envelope("SNV")
    sent["answers"]["comment"] = "Cán bộ \ud800 tận tình"
    result = send_raw(client, enumerator1, [sent])
    assert (result["status"], result["code"]) == ("rejected", "invalid_envelope")
    assert result["errors"] == {
        "answers.comment": ["Holds a lone surrogate (U+D800): text must be valid Unicode (UTF-8)."]
    }


def test_a_lone_surrogate_in_an_instance_id_should_be_refused_without_echoing_it(client, enumerator1):
    sent = envelope("SNV")
    sent["instance_id"] = sent["instance_id"][:-1] + "\udc00"
    result = send_raw(client, enumerator1, [sent])
    assert (result["status"], result["instance_id"]) == ("rejected", None)
    assert "lone surrogate (U+DC00)" in result["errors"]["instance_id"][0]


def test_a_401_digit_integer_should_be_named_as_too_large_not_changed_in_transit(client, enumerator1):
    sent = envelope("SNV")
    # A browser reads 401 digits as Infinity and writes it as null: its hash is of that content.
    sent["answers"]["overall"] = None
    sent["content_hash"] = envelope_hash(sent)
    sent["answers"]["overall"] = 10**400
    result = send_raw(client, enumerator1, [sent])
    assert (result["status"], result["code"]) == ("rejected", "invalid_envelope")
    assert result["errors"] == {
        "answers.overall": ["Holds a 401-digit whole number; at most 9,007,199,254,740,991 can travel exactly."]
    }


def test_a_form_label_with_a_lone_surrogate_should_be_a_clear_422_on_upload(client, admin):
    definition = copy.deepcopy(SMALL)
    definition["children"][1]["label"]["vi"] = "Ý kiến \udfff"
    body = json.dumps(definition, ensure_ascii=True)
    response = client.post("/api/v1/forms", data=body, headers=admin, content_type="application/json")
    answer = assert_envelope(response, 422, "invalid_form")
    assert answer["errors"] == [
        {
            "path": "children[1].label.vi",
            "code": "invalid_value",
            "message": "holds a lone surrogate (U+DFFF), which is not Unicode text; save the file as UTF-8",
        }
    ]


@pytest.mark.parametrize("run_id", [2**31, 2**64])
def test_a_path_id_past_the_integer_column_should_be_404_not_500(client, admin, run_id):
    # 2^31 overflows PostgreSQL's integer, 2^64 SQLite's: the URL does not name a row either way
    assert_envelope(client.get(f"/api/v1/score-runs/{run_id}/ranking", headers=admin), 404, "not_found")
    decided = client.post(f"/api/v1/quarantines/{run_id}/decision", json={"decision": "release"}, headers=admin)
    assert_envelope(decided, 404, "not_found")
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/score-runs/{run_id}/ranking"]
    parameter = next(p for p in documented["parameters"] if p["name"] == "run_id")
    assert parameter["schema"]["maximum"] == 2**31 - 1


@pytest.fixture
def supervisor(client, demo):
    response = client.post("/api/v1/auth/tokens", json={"username": "supervisor", "password": "demo-password"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.mark.parametrize("seed", [-1, 2**31, 2**63 - 2, 2**63, 2**80])
def test_a_recheck_seed_outside_its_integer_column_should_be_a_clear_422(client, supervisor, seed):
    # 2^63 - 2 was once let through as a bigint and failed on PostgreSQL's integer column (500)
    response = client.post("/api/v1/rounds/2022/recheck-samples", json={"seed": seed}, headers=supervisor)
    body = assert_envelope(response, 422, "invalid_request")
    assert "seed" in body["errors"]


def test_the_largest_recheck_seed_should_be_stored_and_read_back(client, supervisor, db):
    from server.recheck.models import RecheckSample

    response = client.post("/api/v1/rounds/2022/recheck-samples", json={"seed": 2**31 - 1}, headers=supervisor)
    assert response.status_code == 201, response.get_json()
    db.session.rollback()
    assert db.session.get(RecheckSample, response.get_json()["sample_id"]).seed == 2**31 - 1
    documented = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["SampleRequest"]
    assert documented["properties"]["seed"]["maximum"] == 2**31 - 1


def test_assignment_ids_past_the_integer_column_should_be_a_clear_422(client, supervisor):
    body = {"username": "mttq1", "assignments": [2**31, 2**70, -5]}
    response = client.post("/api/v1/rounds/2022/rechecks/reviewer", json=body, headers=supervisor)
    assert_envelope(response, 422, "invalid_request")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conflicts?round=%04%C3%93%7B%00%C3%88",  # schemathesis's, a 500 on PostgreSQL
        "/api/v1/ballots?agency=SNV%00",
        "/api/v1/agencies/SNV%00",
    ],
)
def test_a_nul_character_in_the_url_should_be_a_clear_422_on_every_database(client, admin, path):
    body = assert_envelope(client.get(path, headers=admin), 422, "invalid_request")
    assert "NUL" in body["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ballots?round=2022&round=2023",  # one of them was taken silently
        "/api/v1/ballots?status=valid&status=invalid",  # a list is comma-separated: status=valid,invalid
        "/api/v1/agencies?page=1&page=2",
    ],
)
def test_a_query_parameter_given_twice_should_be_a_clear_422_naming_it(client, admin, demo, path):
    body = assert_envelope(client.get(path, headers=admin), 422, "invalid_request")
    repeated = path.split("?")[1].split("=")[0]
    assert list(body["errors"]) == [repeated]
    once = client.get(path.rsplit("&", 1)[0], headers=admin)
    assert once.status_code == 200, once.get_json()
    listed = client.get("/api/v1/ballots?status=valid,invalid&page_size=5", headers=admin)
    assert listed.status_code == 200 and listed.get_json()


@pytest.mark.parametrize("position", [-1, 1_000_001, -48651766983341, 2**31])
def test_an_agency_group_position_past_its_bounds_should_be_a_clear_422(client, admin, position):
    # -48651766983341 was schemathesis's: past PostgreSQL's integer, a 500
    created = client.post(
        "/api/v1/agency-groups", json={"code": "g1", "name": "Nhóm", "position": position}, headers=admin
    )
    assert_envelope(created, 422, "invalid_request")
    patched = client.patch("/api/v1/agency-groups/special_zone", json={"position": position}, headers=admin)
    body = assert_envelope(patched, 422, "invalid_request")
    assert "position" in body["errors"]


def test_a_group_added_after_one_at_the_last_position_should_stay_within_the_documented_bound(client, admin):
    last = client.post(
        "/api/v1/agency-groups", json={"code": "g1", "name": "Cuối", "position": 1_000_000}, headers=admin
    )
    assert last.status_code == 201, last.get_json()
    created = client.post("/api/v1/agency-groups", json={"code": "g2", "name": "Nhóm"}, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["position"] == 1_000_000  # schemathesis saw 1,000,001, past the documented maximum
    listed = [g["code"] for g in client.get("/api/v1/agency-groups?page_size=100", headers=admin).get_json()]
    assert listed[-2:] == ["g1", "g2"]


def test_a_nul_character_in_a_json_body_should_be_a_clear_422_on_every_database(client, admin, enumerator1):
    # schemathesis's instance ids held one: a 500 on PostgreSQL
    status = client.post("/api/v1/sync/status", json={"instance_ids": ["E\u001a&\u0000"]}, headers=enumerator1)
    assert "NUL" in assert_envelope(status, 422, "invalid_request")["message"]
    agency = {"code": "X1", "name": "Sở\u0000", "group": "department"}
    assert_envelope(client.post("/api/v1/agencies", json=agency, headers=admin), 422, "invalid_request")
    # a backslash before "u0000" is text, and is stored as such
    agency["name"] = "Sở \\u0000"
    created = client.post("/api/v1/agencies", json=agency, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["name"] == "Sở \\u0000"


def test_a_fixed_word_beside_a_path_parameter_should_allow_only_its_own_methods(client, admin):
    # Flask listed every route matching the URL: /agencies/import also matched /agencies/<code> (GET, PATCH)
    for path, methods in [
        ("/api/v1/agencies/import", {"POST"}),
        ("/api/v1/rounds/2022/criteria/copy", {"POST"}),
        ("/api/v1/rounds/2022/criteria/changes", {"GET"}),
        ("/api/v1/agencies/SNV", {"GET", "PATCH"}),
    ]:
        allowed = set(client.options(path, headers=admin).headers["Allow"].replace(" ", "").split(","))
        assert allowed - {"HEAD", "OPTIONS"} == methods, path
    assert_envelope(client.get("/api/v1/agencies/import", headers=admin), 405, "method_not_allowed")
    taken = {"code": "import", "name": "Nhập", "group": "department"}
    body = assert_envelope(client.post("/api/v1/agencies", json=taken, headers=admin), 422, "invalid_request")
    assert "code" in body["errors"]


@pytest.mark.parametrize("count", [-1, 2**31, 1869545492691149903626240])
def test_a_minimum_sample_past_its_integer_column_should_be_a_clear_422(client, admin, demo, count):
    # schemathesis's 1869545492691149903626240 overflowed the column (500)
    settings = {"min_ballots": count, "below_min_sample": "rank_marked", "band_basis": "displayed"}
    response = client.put("/api/v1/rounds/2022/scoring-settings", json=settings, headers=admin)
    assert "min_ballots" in assert_envelope(response, 422, "invalid_request")["errors"]
