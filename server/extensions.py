"""Every Flask extension, created unbound; ``create_app`` binds them to an app."""

from __future__ import annotations

from contextvars import ContextVar

from apispec import BasePlugin
from flask_babel import Babel
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

from .errors import ErrorEnvelopeSchema

# Stable constraint names so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Set by ``transaction.unit_of_work``: the transaction about to begin will write.
write_intent: ContextVar[bool] = ContextVar("parsurvey_write_intent", default=False)
#: An execution option of a connection that only reads, even within a write request (on SQLite, it begins
#: DEFERRED and never takes the write lock).
READ_ONLY = "parsurvey_read_only"

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True, compare_type=True)  # batch: SQLite can alter tables


class HttpServerAnswers(BasePlugin):
    """Answers the HTTP server in front of the app gives before any Flask code runs, documented on every
    operation: gunicorn (and nginx, by default) refuse a request line longer than about 4 KB with
    ``414 URI Too Long`` as an HTML page. A client that builds long filter URLs meets it."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            operation.setdefault("responses", {})["414"] = {
                "description": "The URL is too long (over about 4 KB); answered by the HTTP server as HTML",
                "content": {"text/html": {"schema": {"type": "string"}}},
            }


class ParsurveyApi(Api):
    """flask-smorest's Api, documenting parsurvey's own error envelope instead of the library's."""

    ERROR_SCHEMA = ErrorEnvelopeSchema

    def _register_pagination_header(self):
        # A header's value is a string: X-Pagination holds the paging object as JSON text (flask-smorest
        # documents it as the object itself, which no header value can be).
        self.spec.components.header(
            "PAGINATION",
            {
                "description": 'Paging, as JSON: {"total", "total_pages", "first_page", "last_page", "page", '
                '"previous_page"?, "next_page"?}',
                "schema": {"type": "string"},
            },
            lazy=True,
        )


api = ParsurveyApi(spec_kwargs={"extra_plugins": [HttpServerAnswers()]})
babel = Babel()  # the API's messages in the caller's language (server.i18n)


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, write-ahead log for concurrent readers, full fsync so an
    acknowledged commit survives power loss, wait on locks. SQLAlchemy, not the driver, begins
    transactions (see ``_sqlite_begin``)."""
    if not _is_sqlite(dbapi_connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """SQLite: a write request takes the write lock when its transaction begins.

    In WAL mode a transaction that reads and later writes fails at once with "database is locked" if
    another writer committed in between (the busy timeout cannot help a lock upgrade). Writes
    (POST, PUT, PATCH and DELETE requests, and units of work such as CLI commands) therefore begin
    IMMEDIATE and queue for the lock; reads begin DEFERRED and never block a writer.
    """
    if connection.dialect.name != "sqlite":
        return
    from flask import has_request_context, request

    if connection.get_execution_options().get(READ_ONLY):
        writing = False
    else:
        writing = write_intent.get() or (has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS"))
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
