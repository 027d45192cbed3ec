"""The one place that commits.

A request is one transaction: views and use-case functions add, change and flush, but never commit.
``register_transaction`` commits after a successful response (before it is sent, so an acknowledged
write is durable) and rolls back after an error. CLI commands use :func:`unit_of_work`, the same rule.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from .audit import UNSEALED, seal, seal_due
from .caching import forget_committed
from .errors import ApiError
from .extensions import db, write_intent

log = logging.getLogger(__name__)


def commit() -> None:
    """Commit the session, translating database failures into API errors and leaving nothing half-way.

    Audit entries recorded in the transaction are sealed into the hash chain first, if this worker has
    not sealed in the last moment and the chain head is free (see ``server.audit``); otherwise the next
    sealer links them.
    """
    try:
        if db.session.info.pop(UNSEALED, False) and seal_due(current_app.config["AUDIT_SEAL_SECONDS"]):
            seal(wait=False)
        db.session.commit()
        forget_committed()
    except IntegrityError as exc:
        db.session.rollback()
        log.info("integrity error at commit: %s", exc.orig)
        raise ApiError("already_exists", "The change conflicts with data already stored.") from exc
    except OperationalError as exc:
        db.session.rollback()
        log.warning("database unavailable at commit: %s", exc.orig)
        raise ApiError("service_unavailable") from exc


@contextmanager
def unit_of_work():
    """Run a block as one transaction: commit if it finishes, roll back if it raises."""
    db.session.rollback()  # start clean, so the transaction begins (and locks) as a write
    marker = write_intent.set(True)
    try:
        try:
            yield db.session
        except BaseException:
            db.session.rollback()
            raise
        commit()
    finally:
        write_intent.reset(marker)


def register_transaction(app: Flask) -> None:
    @app.after_request
    def _commit_or_rollback(response):
        if not db.session.registry.has():  # the request never touched the database (e.g. all cached)
            return response
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            commit()
        except ApiError as exc:
            return app.make_response(exc.response())
        return response
