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
