"""Who is calling: a bearer token or the web app's session cookie, and role checks for views.

The caller of a request is a :class:`Principal`, the few facts a role check needs, found from the hash
of the token. Each worker remembers a token's principal for ``CACHE_SECONDS`` (see
``server.caching``), so most requests need no query to know who is calling; the ORM ``User`` is loaded
only by views that use it (:func:`current_user`).

The web app signs in with a session cookie (HttpOnly, SameSite=Strict) that carries a token like a
device's. Because browsers send cookies by themselves, a request authenticated by the cookie that
changes anything must also send the session's CSRF token in ``X-CSRF-Token``, which a page of another
site cannot read.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from functools import wraps

from flask import request
from sqlalchemy import or_, select

from ..caching import PRINCIPALS, worker_cache
from ..errors import ApiError
from ..extensions import db
from ..timeutil import utcnow
from .models import ApiToken, User
from .service import TOKEN_PREFIX, hash_token

SESSION_COOKIE = "parsurvey_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_AUTH_KEY = "parsurvey.auth"  # cached on the request itself, which (unlike g) is never shared
_USER_KEY = "parsurvey.user"


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    token_id: int
    username: str
    role: str
    organisation: str | None


def csrf_token(secret: str) -> str:
    """The CSRF token of a session: derived from its secret, so only who holds the secret knows it."""
    return hmac.new(secret.encode(), b"parsurvey-csrf", "sha256").hexdigest()


def _lookup(token_hash: str) -> Principal | None:
    row = db.session.execute(
        select(User.id, ApiToken.id, User.username, User.role, User.organisation)
        .join(ApiToken.user)
        .where(
            ApiToken.token_hash == token_hash,
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
            User.active.is_(True),
        )
    ).first()
    return Principal(*row) if row else None


def principal_for(secret: str) -> Principal | None:
    """The principal behind a token secret, or None if it is unknown, revoked, expired or its user
    deactivated. Each worker remembers a found principal for ``CACHE_SECONDS``; see ``server.caching``."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token_hash = hash_token(secret)
    cache = worker_cache(PRINCIPALS)
    principal = cache.get(token_hash)
    if principal is None:
        principal = _lookup(token_hash)
        if principal is not None:  # unknown secrets are not remembered: anyone can send random ones
            cache.put(token_hash, principal)
    return principal


def signed_by_cookie() -> bool:
    """Whether this request is authenticated by the session cookie (a bearer header takes precedence)."""
    return "Authorization" not in request.headers and bool(request.cookies.get(SESSION_COOKIE))


def _authenticate() -> Principal | None:
    if not signed_by_cookie():
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        return principal_for(secret.strip()) if scheme.lower() == "bearer" and secret else None
    secret = request.cookies[SESSION_COOKIE]
    principal = principal_for(secret)
    if principal is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), csrf_token(secret).encode()):
            raise ApiError("csrf_failed", f"A change made with the session cookie must send its {CSRF_HEADER} header.")
    return principal


def authenticated_as(principal: Principal) -> None:
    """Record the caller that another scheme found (OpenRosa's Basic or Digest) for this request."""
    request.environ[_AUTH_KEY] = principal


def current_principal() -> Principal:
    """Who is calling; 401 if nobody valid is."""
    if _AUTH_KEY not in request.environ:
        request.environ[_AUTH_KEY] = _authenticate()
    principal = request.environ[_AUTH_KEY]
    if principal is None:
        raise ApiError(
            "unauthenticated", "Send 'Authorization: Bearer <token>' with a valid, unrevoked token, or sign in."
        )
    return principal


def current_user() -> User:
    """The calling user's database record (loaded once per request, only when a view needs it)."""
    principal = current_principal()
    if _USER_KEY not in request.environ:
        request.environ[_USER_KEY] = _still_there(db.session.get(User, principal.user_id))
    return request.environ[_USER_KEY]


def current_token() -> ApiToken:
    return _still_there(db.session.get(ApiToken, current_principal().token_id))


def _still_there(record):
    # A remembered principal may outlive its rows by up to CACHE_SECONDS.
    if record is None:
        raise ApiError("unauthenticated", "This token's user or token no longer exists; sign in again.")
    return record


def require_roles(*roles: str):
    """Decorate a view so only the given roles reach it (401 without a token, 403 for another role)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal.role not in roles:
                raise ApiError("forbidden", f"This needs the role {' or '.join(roles)}; you are {principal.role}.")
            return view(*args, **kwargs)

        wrapper._parsurvey_roles = roles  # read by tests that check every endpoint declares its roles
        return wrapper

    return decorator
