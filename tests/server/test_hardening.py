"""Answers that keep personal data out of caches, and a database that is down answered 503, not 500,
with nothing about the request in the log."""

from __future__ import annotations

import logging

from server import create_app
from tests.server.test_api_errors import assert_envelope


def test_api_answers_should_not_be_stored_by_caches_or_sniffed(client, admin, demo):
    for path in ("/api/v1/ballots?limit=1", "/api/v1/rounds/2022", "/api/v1/me", "/api/v1/nowhere"):
        response = client.get(path, headers=admin)
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
    forms = client.get("/api/v1/forms", headers=admin).get_json()
    definition = client.get(forms[0]["download_url"], headers=admin)
    assert definition.headers["Cache-Control"] == "private, no-cache", "a definition keeps its ETag caching"


def test_a_database_that_is_down_should_be_answered_503_with_retry_after_and_logged_without_data(tmp_path, caplog):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2",
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        signed_in = client.post(
            "/api/v1/auth/tokens", json={"username": "người-dùng-bí-mật", "password": "mật-khẩu-bí-mật"}
        )
        listed = client.get("/api/v1/forms", headers={"Authorization": "Bearer pst_secret-token-value"})
    for response in (signed_in, listed):
        assert_envelope(response, 503, "service_unavailable")
        assert response.headers["Retry-After"] == "5"
    assert "database unavailable" in caplog.text
    for secret in ("người-dùng-bí-mật", "mật-khẩu-bí-mật", "pst_secret-token-value"):
        assert secret not in caplog.text


def test_deeply_nested_json_should_be_refused_400_not_a_recursion_error(client, admin, demo):
    deep = "[" * 100_000 + "]" * 100_000
    deep_object = '{"a":' * 50_000 + "1" + "}" * 50_000
    for path, body in (
        ("/api/v1/auth/tokens", deep),
        ("/api/v1/sync/batches", deep),
        ("/api/v1/sync/batches", '{"ballots": ' + deep_object + "}"),
    ):
        response = client.post(path, data=body, headers={**admin, "Content-Type": "application/json"})
        assert_envelope(response, 400, "malformed_json")
        assert "nested" in response.get_json()["message"] or "lồng" in response.get_json()["message"]
    # brackets inside strings do not count as nesting
    shallow = '{"username": "x", "password": "' + '[\\"' * 100 + '"}'
    assert client.post("/api/v1/auth/tokens", data=shallow, content_type="application/json").status_code == 401


def test_query_integers_out_of_range_or_not_numbers_should_be_422(client, admin, demo):
    for path in ("/api/v1/ballots", "/api/v1/forms", "/api/v1/users"):
        for query in ("page=abc", "page=1.5", "page_size=99999999999999999999", "page=-99999999999999999999"):
            response = client.get(f"{path}?{query}", headers=admin)
            assert_envelope(response, 422, "invalid_request")
        # a page past the last is empty, however far (the paging convention), never a database overflow
        for page in ("2147483648", "99999999999999999999"):
            assert client.get(f"{path}?page={page}", headers=admin).status_code == 200, (path, page)


def test_ballot_filters_at_the_ends_of_the_calendar_or_past_a_float_should_be_422(client, admin, demo):
    for query in ("date_to=9999-12-31", "date_from=0001-01-01", "min_seconds=1e400", "max_seconds=nan"):
        response = client.get(f"/api/v1/ballots?{query}", headers=admin)
        assert_envelope(response, 422, "invalid_request")
    assert client.get("/api/v1/ballots?date_from=2000-01-01&date_to=2100-12-31", headers=admin).status_code == 200


NUMBERS_TOO_LARGE = ("1e308", "-1e308", "1e400", "Infinity", "-Infinity", "NaN", "1" + "0" * 400)


def test_huge_or_non_finite_numbers_should_be_refused_and_never_stored(client, supervisor, demo, db):
    from server.registry.models import RoundAgency, SurveyRound

    writes = [
        ("put", "/api/v1/rounds/2022/agencies/SNV", "max_points"),
        ("put", "/api/v1/rounds/2022/agencies/SNV", "ballot_quota"),
        ("patch", "/api/v1/rounds/2022/quality-settings", "min_interview_seconds"),
        ("patch", "/api/v1/rounds/2022/quality-settings", "location_threshold_m"),
        ("patch", "/api/v1/rounds/2022/quality-settings", "quarantine_min_decided"),
        ("post", "/api/v1/rounds", "survey_max_points"),
    ]
    before = client.get("/api/v1/rounds/2022/quality-settings", headers=supervisor).get_json()
    for method, path, field in writes:
        for number in NUMBERS_TOO_LARGE:
            body = f'{{"{field}": {number}}}'
            if path == "/api/v1/rounds":
                body = (
                    '{"code": "2031", "year": 2031, "window_start": "2031-01-01", "window_end": "2031-06-30", '
                    f'"method_version": "2017", "survey_max_points": {number}}}'
                )
            response = getattr(client, method)(path, data=body, content_type="application/json", headers=supervisor)
            expected = (
                (400, "malformed_json") if number.lstrip("-") in ("Infinity", "NaN") else (422, "invalid_request")
            )
            assert_envelope(response, *expected)
    assert client.get("/api/v1/rounds/2022/quality-settings", headers=supervisor).get_json() == before
    assert db.session.query(SurveyRound).filter_by(code="2031").count() == 0
    assert all(p.max_points <= 99_999 for p in db.session.query(RoundAgency))


def _strings_without_a_bound(spec: dict) -> list[str]:
    """Every string a request may send (query parameter or body field) that the document gives no maxLength,
    no enum and no fixed-length format (date, UUID, file)."""

    def resolve(schema):
        while "$ref" in schema:
            node = spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    found: list[str] = []

    def walk(schema, where):
        schema = resolve(schema)
        if schema.get("readOnly"):
            return
        kinds = schema.get("type")
        kinds = [kinds] if isinstance(kinds, str) else kinds or []
        free = "maxLength" not in schema and "enum" not in schema
        if "string" in kinds and free and schema.get("format") not in ("date", "date-time", "binary", "uuid"):
            found.append(where)
        for name, inner in (schema.get("properties") or {}).items():
            walk(inner, f"{where}.{name}")
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                walk(schema[key], f"{where}[]")

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                parameter = resolve(parameter)
                if parameter.get("in") == "query":
                    walk(parameter.get("schema", {}), f"{method.upper()} {path} ?{parameter['name']}")
            for content in resolve(operation.get("requestBody") or {}).get("content", {}).values():
                walk(content.get("schema", {}), f"{method.upper()} {path} body")
    return found


def test_every_string_a_request_sends_should_have_a_maximum_length(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert _strings_without_a_bound(spec) == []


def test_an_oversized_string_should_be_422_not_a_database_error(client, supervisor, demo, db):
    from server.registry.models import SurveyRound

    body = {
        "code": "2031",
        "year": 2031,
        "window_start": "2031-01-01",
        "window_end": "2031-06-30",
        "method_version": "2017",
        "title": "Chỉ số hài lòng " * 40,  # 640 characters; the column holds 300
    }
    assert_envelope(client.post("/api/v1/rounds", json=body, headers=supervisor), 422, "invalid_request")
    too_long = "x" * 100
    for path, field in (("/api/v1/rounds/2022/quarantines", "enumerator"), ("/api/v1/agencies", "code")):
        response = client.post(path, json={field: too_long, "name": "Sở", "group": "department"}, headers=supervisor)
        assert_envelope(response, 422, "invalid_request")
        assert field in response.get_json()["errors"]
    assert db.session.query(SurveyRound).filter_by(code="2031").count() == 0
