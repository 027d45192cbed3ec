"""parsurvey backup and restore, as an operator runs them: a copy of a live database restored into a fresh
one holds the same ballots and an audit log that passes 'audit verify'."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.sample_ballots import batch, envelope

PARSURVEY = Path(sys.executable).parent / "parsurvey"
pytestmark = pytest.mark.slow  # runs the parsurvey command line four times


def cli(database_url: str, *args: str, instance: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PARSURVEY_DATABASE_URL": database_url, "PARSURVEY_INSTANCE_PATH": str(instance)}
    return subprocess.run([str(PARSURVEY), *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def fresh_database(database_url: str, tmp_path: Path):
    """An empty database to restore into: a new SQLite file, or ``<test database>_restored`` on PostgreSQL,
    dropped again after the test (it was left behind on the server)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{url.database}_restored"
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def test_a_backup_restored_into_a_fresh_database_holds_everything_and_its_audit_log_verifies(
    database_url, client, demo, db, tmp_path, fresh_database
):
    token = client.post("/api/v1/auth/tokens", json={"username": "enumerator1", "password": "demo-password"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    synced = client.post("/api/v1/sync/batches", json=batch(*[envelope("SNV") for _ in range(5)]), headers=headers)
    assert [r["status"] for r in synced.get_json()["results"]] == ["accepted"] * 5
    db.session.remove()

    archive = tmp_path / "parsurvey.backup"
    made = cli(database_url, "backup", str(archive), instance=tmp_path)
    assert made.returncode == 0, made.stderr
    assert archive.stat().st_size > 10_000

    target = fresh_database
    restored = cli(target, "restore", str(archive), instance=tmp_path)
    assert restored.returncode == 0, restored.stderr
    verified = cli(target, "audit", "verify", instance=tmp_path)
    assert verified.returncode == 0 and "audit log intact" in verified.stdout, verified.stdout + verified.stderr
    engine = create_engine(target)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballots")).scalar() == 5
        assert connection.execute(text("SELECT count(*) FROM agencies")).scalar() == 25
    engine.dispose()
    again = cli(target, "restore", str(archive), instance=tmp_path)
    assert again.returncode == 1 and "not empty" in again.stderr, "a restore never overwrites data by accident"
    forced = cli(target, "restore", "--force", str(archive), instance=tmp_path)
    assert forced.returncode == 0, forced.stderr
