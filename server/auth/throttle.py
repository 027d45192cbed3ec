"""Sign-in protection: failed sign-ins counted per client address and per username, refused with 429.

Every way of signing in (an API token, the web session, an enrolment code, OpenRosa's Basic and Digest)
is wrapped in :func:`sign_in_limits`. Only failures count (``failed_sign_in`` marks them), in layered
fixed windows (``PARSURVEY_SIGN_IN_LIMITS_PER_USER``, default 5 a minute, 20 an hour, 50 a day): each
layer locks the username out for longer, so guessing slows from seconds to a day per few tries, while a
person who mistypes twice waits for nothing. The client address has its own, looser limits (a whole office
may share one address). A refused attempt is answered ``429 too_many_attempts`` with ``Retry-After``
*before* the password is hashed, so a flood of wrong passwords costs the server a counter update each, not
a hash: signed-in users are not slowed (the hash cost is bounded by the limits).

The counters live in the app's own database by default (``parsurvey+db://``, table ``sign_in_counters``), so
every gunicorn worker and every app server share them with no other service to run; with Redis at hand set
``PARSURVEY_RATELIMIT_STORAGE_URI=redis://host:6379/0`` (any storage URI of the ``limits`` library). Keys hold
a digest of the username, never what was typed (a password typed into the username field stays unknown).
A request reads every counter its limits check in one query, outside any transaction (a sign-in is checked
against up to five windows, and an ODK client signs in with every submission), and answers the limits and
the ``X-RateLimit-*`` headers from what it read and what it added itself.
Failed sign-ins are logged with the way, the known username or "unknown user", and the client address,
never a password, token or code.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from functools import cache

from flask import current_app, g, has_request_context, request
from flask_limiter import Limiter
from limits import parse_many
from limits.storage import Storage
from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ApiError
from ..extensions import READ_ONLY, db
from .models import SignInCounter, User

log = logging.getLogger("parsurvey.sign_in")

#: Where a request keeps the counters it has read (on the request itself, never shared with another one).
_COUNTERS_READ = "parsurvey.sign_in_counters"

#: The scope of the counters every sign-in path shares.
SCOPE_ADDRESS = "sign-in-address"
SCOPE_USER = "sign-in-user"


def client_address() -> str:
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_address)


def username_key(username: str | None) -> str:
    """The counter key of a username: a digest of its case-folded form (what was typed is not kept)."""
    return "user:" + hashlib.sha256((username or "").strip().casefold().encode()).hexdigest()[:32]


def failed_sign_in(way: str, username: str | None = None) -> None:
    """Mark this request's sign-in as failed (it then counts against the limits) and log it without secrets."""
    g.sign_in_failed = True
    known = None
    if username:
        known = db.session.scalar(select(User.username).where(User.username == username))
    log.warning("sign-in failed: %s for %s from %s", way, known or "unknown user", client_address())


@contextmanager
def counting_failure(way: str, username: str | None = None, codes=("invalid_credentials", "invalid_enrolment")):
    """Run a sign-in; a refusal with one of ``codes`` is marked failed (and logged) before it goes on."""
    try:
        yield
    except ApiError as exc:
        if exc.code in codes:
            failed_sign_in(way, username)
        raise


def _failed(response) -> bool:
    return bool(g.get("sign_in_failed"))


def _address_key() -> str:
    return "address:" + client_address()


def sign_in_limits(username_of: Callable[[], str | None] | None = None):
    """Decorator of a sign-in view: the address limits, and the username limits when ``username_of``
    can tell the username the request tries (from its body or its Authorization header)."""

    def decorate(view):
        layers = [("SIGN_IN_LIMITS_PER_ADDRESS", SCOPE_ADDRESS, _address_key)]
        if username_of is not None:
            layers.append(("SIGN_IN_LIMITS_PER_USER", SCOPE_USER, lambda: username_key(username_of())))
        for setting, scope, key_func in layers:
            view = limiter.shared_limit(
                lambda setting=setting: current_app.config[setting], scope, key_func=key_func, deduct_when=_failed
            )(view)
        view._sign_in_layers = layers
        return view

    return decorate


def _counter_keys() -> list[str]:
    """The counter keys this request's limits will check, named as Flask-Limiter names them, so the storage
    reads them all at once. A key named otherwise is merely read on its own when asked for."""
    view = current_app.view_functions.get(request.endpoint or "")
    prefix = [current_app.config["RATELIMIT_KEY_PREFIX"]] if current_app.config.get("RATELIMIT_KEY_PREFIX") else []
    keys = []
    for setting, scope, key_func in getattr(view, "_sign_in_layers", ()):
        identity = key_func()
        if identity:
            keys += [item.key_for(*prefix, identity, scope) for item in parse_many(current_app.config[setting])]
    return keys


def username_in_body() -> str | None:
    body = request.get_json(silent=True)
    value = body.get("username") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


@cache
def _live_windows():
    """Built once: every sign-in (each OpenRosa request) reads its counters with it."""
    table = SignInCounter.__table__
    return select(table.c.key, table.c.count, table.c.expires_at).where(
        table.c.key.in_(bindparam("keys", expanding=True)), table.c.expires_at > bindparam("now")
    )


class DatabaseStorage(Storage):
    """The ``limits`` storage ``parsurvey+db://``: fixed-window counters in the app's own database.

    Each change is its own short transaction on a connection of its own (never the request's), one
    upsert that starts a new window when the old one has ended."""

    STORAGE_SCHEME = ["parsurvey+db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @staticmethod
    def _insert():
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - parsurvey runs on SQLite and PostgreSQL
            raise RuntimeError(f"parsurvey+db:// counts on SQLite or PostgreSQL, not {dialect}")
        return insert(SignInCounter.__table__)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        table = SignInCounter.__table__
        ended = table.c.expires_at <= now
        statement = (
            self._insert()
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": case((ended, amount), else_=table.c.count + amount),
                    "expires_at": case((ended, now + expiry), else_=table.c.expires_at),
                },
            )
            .returning(table.c.count, table.c.expires_at)
        )
        with db.engine.begin() as connection:
            count, expires_at = connection.execute(statement).one()
            if random.random() < 0.01:  # now and then, forget the windows that ended an hour ago
                connection.execute(delete(table).where(table.c.expires_at < now - 3600))
        if has_request_context():
            self._read_in_request()[key] = (count, expires_at)
        return count

    @staticmethod
    def _read_in_request() -> dict:
        """Key -> (count, expires_at), or None for no live window: what this request has read or written."""
        return request.environ.setdefault(_COUNTERS_READ, {})

    @staticmethod
    def _read(keys: list[str]) -> dict:
        """The live windows of these keys, in one query outside any transaction (nothing to roll back, and on
        SQLite no write lock, even in a POST request)."""
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT")
            else:
                connection.execution_options(**{READ_ONLY: True})
            rows = connection.execute(_live_windows(), {"keys": keys, "now": time.time()})
            return {key: (count, expires_at) for key, count, expires_at in rows}

    def _row(self, key: str):
        if not has_request_context():
            return self._read([key]).get(key)
        known = self._read_in_request()
        if key not in known:
            wanted = [key, *(k for k in _counter_keys() if k not in known and k != key)]
            found = self._read(wanted)
            known.update({k: found.get(k) for k in wanted})
        row = known[key]
        return row if row is not None and row[1] > time.time() else None

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(select(func.count()).select_from(SignInCounter.__table__))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        if has_request_context():
            request.environ.pop(_COUNTERS_READ, None)
        with db.engine.begin() as connection:
            return connection.execute(delete(SignInCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        if has_request_context():
            request.environ.pop(_COUNTERS_READ, None)
        with db.engine.begin() as connection:
            connection.execute(delete(SignInCounter.__table__).where(SignInCounter.__table__.c.key == key))
