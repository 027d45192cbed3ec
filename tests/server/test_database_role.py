"""The production recipe's less-privileged database role (docs/production/app-role.sql, README "Production"):
the app runs as it, while the database refuses it any UPDATE, DELETE or TRUNCATE of the audit log and any
change to the audit trigger. PostgreSQL only: SQLite has no roles."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.sample_ballots import batch, envelope

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "production" / "app-role.sql"


def statements(role: str) -> list[str]:
    text = re.sub(r"--[^\n]*", "", SCRIPT.read_text(encoding="utf-8")).replace(':"app_role"', f'"{role}"')
    return [part.strip() for part in text.split(";") if part.strip()]


@pytest.fixture
def app_role(app, db, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no database roles (CI runs this on PostgreSQL)")
    owner = make_url(database_url)
    role = f"parsurvey_app_{owner.database}"[:63]
    conninfo = owner.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP OWNED BY "{role}"') if _exists(connection, role) else None
        connection.execute(f'DROP ROLE IF EXISTS "{role}"')
        connection.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'app-role-password'")
        for statement in statements(role):
            connection.execute(statement)
    yield owner.set(username=role, password="app-role-password")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'")
        connection.execute(f'DROP OWNED BY "{role}"')
        connection.execute(f'DROP ROLE "{role}"')


def _exists(connection, role: str) -> bool:
    return connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def test_the_app_should_work_as_the_app_role_which_cannot_touch_the_audit_log(app, demo, app_role):
    from server import create_app
    from server.audit import seal, verify_chain
    from server.extensions import db

    url = app_role.render_as_string(hide_password=False)
    served = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": app.config["INSTANCE_PATH"]})
    client = served.test_client()
    signed = client.post("/api/v1/auth/tokens", json={"username": "enumerator1", "password": "demo-password"})
    assert signed.status_code == 201, signed.get_json()
    headers = {"Authorization": f"Bearer {signed.get_json()['token']}"}
    sent = client.post("/api/v1/sync/batches", json=batch(envelope("SNV"), envelope("STC")), headers=headers)
    assert [r["status"] for r in sent.get_json()["results"]] == ["accepted", "accepted"]
    wrong = client.post("/api/v1/auth/tokens", json={"username": "enumerator1", "password": "sai"})
    assert wrong.status_code == 401, "the sign-in counters are written as the app role too"
    with served.app_context():
        seal()
        db.session.commit()
        report = verify_chain()
        assert report.ok and report.unsealed == 0 and report.entries > 0, report
        db.session.remove()
        db.engine.dispose()

    conninfo = app_role.set(drivername="postgresql").render_as_string(hide_password=False)
    refused = {
        "update": "UPDATE audit_log SET actor = 'someone else'",
        "reseal": "UPDATE audit_log SET position = position + 100000 WHERE position IS NOT NULL",
        "delete": "DELETE FROM audit_log",
        "truncate": "TRUNCATE audit_log",
        "disable trigger": "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "drop trigger": "DROP TRIGGER audit_log_append_only ON audit_log",
        "replica mode": "SET session_replication_role = replica",
    }
    for statement in refused.values():
        with psycopg.connect(conninfo) as connection:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(statement)
            connection.rollback()
    with psycopg.connect(conninfo) as connection:
        assert connection.execute("SELECT count(*) FROM audit_log").fetchone()[0] == report.entries
