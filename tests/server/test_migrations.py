"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_migrations_should_match_the_models(app, db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_the_sqlite_connection_should_enforce_foreign_keys_and_use_wal(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PRAGMAs are SQLite settings; PostgreSQL always enforces foreign keys")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_openapi_document_should_describe_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["info"]["title"] == "parsurvey"
    assert "/api/v1/forms/{form_id}/versions/{version}" in spec["paths"]
    assert "AgencySchema" in str(spec["components"]["schemas"]) or "Agency" in spec["components"]["schemas"]
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer"}
    assert schemes["session"] == {"type": "apiKey", "in": "cookie", "name": "parsurvey_session"}
    assert "/api/v1/auth/session" in spec["paths"]
