"""``parsurvey backup FILE`` and ``parsurvey restore FILE``: the whole database, while the app runs.

* SQLite: SQLite's online backup API copies a consistent snapshot into FILE (itself a SQLite file);
  restore copies it back over the configured database file, which must be empty or given ``--force``.
* PostgreSQL: ``pg_dump --format=custom`` into FILE; restore runs ``pg_restore`` into the configured
  database, which must be empty (a new database: ``createdb``) or given ``--force`` (its tables are
  dropped first). The PostgreSQL client tools must be installed (``apt-get install postgresql-client``)
  and of the server's major version or newer.

A backup holds the audit log but not the audit key (``PARSURVEY_AUDIT_KEY`` or its file): keep the key
too, apart from the backups; ``parsurvey audit verify`` after a restore proves the log came back whole.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from .extensions import db


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq(url) -> tuple[str, dict]:
    """A libpq connection string (without the password) and the environment that carries the password."""
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {"PGPASSWORD": url.password} if url.password else {}
    return plain, env


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise click.ClickException(f"{command[0]} is missing: install the PostgreSQL client tools (postgresql-client)")
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise click.ClickException(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def backup(target: Path) -> str:
    url = _url()
    if url.get_backend_name() == "sqlite":
        db.session.remove()
        source = sqlite3.connect(url.database)
        try:
            destination = sqlite3.connect(target)
            with destination:
                source.backup(destination)
            destination.close()
        finally:
            source.close()
        return "sqlite"
    connection, env = _libpq(url)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", connection], env)
    return "postgresql"


def _empty() -> bool:
    return not inspect(db.engine).get_table_names()


def restore(source: Path, force: bool) -> str:
    url = _url()
    if not force and not _empty():
        raise click.ClickException(
            "the configured database is not empty; restore into a new database, or give --force to replace it"
        )
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        backup_copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            destination = sqlite3.connect(url.database)
            with destination:
                backup_copy.backup(destination)
            destination.close()
        finally:
            backup_copy.close()
        return "sqlite"
    connection, env = _libpq(url)
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={connection}"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, str(source)], env)
    return "postgresql"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path):
    """Write a consistent copy of the whole database to FILE (the app may keep running)."""
    kind = backup(file)
    click.echo(f"{kind} database backed up to {file} ({file.stat().st_size:,} bytes); keep the audit key apart from it")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds tables.")
def restore_command(file: Path, force: bool):
    """Load a backup made by 'parsurvey backup' into the configured database (stop the app first)."""
    kind = restore(file, force)
    click.echo(f"{kind} database restored from {file}; run 'parsurvey audit verify' to check its audit log")
