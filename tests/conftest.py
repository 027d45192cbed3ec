"""Fixtures for tests that need the server and a real database.

The database is SQLite in a temporary file, or the one in PARSURVEY_TEST_DATABASE_URL (CI sets it to
PostgreSQL). The schema is built by the real Alembic migrations once per session; every test starts
from empty tables. Tests of the leaf packages (survey_forms, scoring) never touch these fixtures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

# Every process of a test run (the app fixture, live gunicorn servers, CLI subprocesses) shares one audit
# key, as the app servers of one installation do (README, "Configuration").
os.environ.setdefault("PARSURVEY_AUDIT_KEY", "5a" * 32)

#: Folders whose tests start a gunicorn server (and a browser): marked ``slow``, so that
#: ``pytest -m "not slow"`` leaves them out locally. CI and ``make test`` run everything.
SLOW_FOLDERS = ("live", "web")


def pytest_collection_modifyitems(config, items):
    tests = Path(__file__).resolve().parent
    slow = [tests / folder for folder in SLOW_FOLDERS]
    for item in items:
        if any(item.path.is_relative_to(folder) for folder in slow):
            item.add_marker(pytest.mark.slow)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("PARSURVEY_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'parsurvey-test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    from server import create_app

    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "SECRET_KEY": "test-secret",
            "AUDIT_SEAL_SECONDS": 0,  # seal on every write, so tests see a complete chain at once
        }
    )
    with application.app_context():
        upgrade()
    return application


@pytest.fixture
def db(app):
    """The database, emptied after the test."""
    from server.caching import forget_everything
    from server.extensions import db as database

    with app.app_context():
        yield database
        database.session.rollback()
        tables = database.metadata.sorted_tables
        if database.engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            # The audit log refuses TRUNCATE (a trigger); the test database's superuser may skip triggers.
            database.session.execute(text("SET LOCAL session_replication_role = replica"))
            database.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            database.session.execute(text("PRAGMA defer_foreign_keys = ON"))  # self-references
            for table in reversed(tables):
                database.session.execute(table.delete())
        database.session.commit()
        _seed_built_in_groups(database)
        database.session.remove()
        forget_everything()


def _seed_built_in_groups(database) -> None:
    """Put back the agency groups the migration creates (emptied with every table after a test)."""
    from server.registry.models import BUILT_IN_GROUPS, AgencyGroup

    for position, (code, name) in enumerate(BUILT_IN_GROUPS, start=1):
        database.session.add(AgencyGroup(code=code, name=name, position=position))
    database.session.commit()


@pytest.fixture
def documented_answers(app, monkeypatch):
    """Ask for it before ``client``: every JSON answer the client receives is then checked against the
    OpenAPI document, strictly (``tests.openapi_match.DocumentedClient``)."""
    from tests.openapi_match import DocumentedClient

    monkeypatch.setattr(app, "test_client_class", DocumentedClient)


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def make_user(app, db):
    """Create a user with a role and return ``(user, bearer headers)``."""
    from server.auth.service import create_user, issue_token
    from server.transaction import unit_of_work

    def factory(username: str, role: str, organisation: str | None = None, password: str | None = None):
        with unit_of_work():
            user = create_user(username, role, organisation=organisation, password=password)
            _, secret = issue_token(user, "test")
        return user, {"Authorization": f"Bearer {secret}"}

    return factory


@pytest.fixture
def admin(make_user):
    return make_user("test_admin", "admin")[1]


@pytest.fixture
def supervisor(make_user):
    return make_user("test_supervisor", "supervisor")[1]


@pytest.fixture
def enumerator(make_user):
    return make_user("test_enumerator", "enumerator")[1]


@pytest.fixture
def reviewer(make_user):
    return make_user("test_reviewer", "reviewer", "MTTQ")[1]


@pytest.fixture
def demo(app, db):
    """The demo province loaded through the same code as ``parsurvey demo load --no-fieldwork``."""
    from server.demo import load_demo
    from server.transaction import unit_of_work

    with unit_of_work():
        load_demo(with_fieldwork=False)
