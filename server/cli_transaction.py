"""``transactional``: a command of the ``parsurvey`` program run as one unit of work.

Kept apart from ``server.cli`` so the command modules of each area (``server.recheck.cli``, …) can use it
without importing the module that registers them (the import graph has no cycles).
"""

from __future__ import annotations

import json
from functools import wraps

import click
from flask.cli import with_appcontext

from .errors import ApiError
from .transaction import unit_of_work


def transactional(command):
    """Run a command in the app context as one unit of work; domain errors become a clean exit."""

    @with_appcontext
    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            with unit_of_work():
                return command(*args, **kwargs)
        except ApiError as exc:
            details = f"\n{json.dumps(exc.errors, ensure_ascii=False, indent=2)}" if exc.errors else ""
            raise click.ClickException(f"[{exc.code}] {exc.message}{details}") from exc

    return wrapper
