"""App passwords and the two ways ODK clients present them: HTTP Basic and HTTP Digest.

An app password is a device token of ``server.auth`` (revoked, listed and expired like any other), plus
the Digest HA1 of its secret. ODK Collect sends it as the password of the user's name:

* **Basic** (``Authorization: Basic base64(username:password)``): accepted over https, and over plain
  http only from the loopback address (development), since Basic sends the password itself;
* **Digest** (RFC 7616 with MD5 and ``qop=auth``, what ODK clients speak): the password never travels.
  Nonces are ``<unix time>.<random>``: fresh for :data:`NONCE_SECONDS`, then answered ``stale=true`` so
  the client retries with a new one. They are not remembered: a captured request could be replayed
  within that time, which for OpenRosa (listing forms, a submission that is stored once) changes nothing.

Each worker remembers the caller behind a Basic app password (``server.auth.access.principal_for``) and a
user's live Digest HA1s (:func:`digest_key`) for ``CACHE_SECONDS``, as it does bearer tokens: revoking an
app password forgets both in the worker that revoked it at once, in the others within that time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time

from flask import request
from sqlalchemy import or_, select

from ..auth.access import Principal, principal_for
from ..auth.models import ApiToken, User
from ..auth.service import issue_token
from ..caching import PRINCIPALS, forget_when_committed, worker_cache
from ..extensions import db
from ..timeutil import utcnow
from .models import DigestCredential

REALM = "parsurvey"
NONCE_SECONDS = 300
LOOPBACK = ("127.0.0.1", "::1")
_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def issue_app_password(user: User, label: str = "") -> tuple[ApiToken, str]:
    """A new app password for ``user`` (shown once): a device token with its Digest HA1."""
    token, secret = issue_token(user, label or "ODK")
    db.session.add(DigestCredential(token_id=token.id, ha1=md5(f"{user.username}:{REALM}:{secret}")))
    db.session.flush()
    forget_when_committed(PRINCIPALS, digest_key(user.username))
    return token, secret


def new_nonce() -> str:
    return f"{int(time.time())}.{secrets.token_hex(12)}"


def nonce_fresh(nonce: str) -> bool:
    issued, _, _ = nonce.partition(".")
    return issued.isdigit() and 0 <= time.time() - int(issued) <= NONCE_SECONDS


def challenges(stale: bool = False) -> list[tuple[str, str]]:
    """The ``WWW-Authenticate`` headers of a 401: Digest first (what ODK clients prefer), then Basic."""
    digest = f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{new_nonce()}"'
    if stale:
        digest += ", stale=true"
    return [("WWW-Authenticate", digest), ("WWW-Authenticate", f'Basic realm="{REALM}", charset="UTF-8"')]


def basic_allowed() -> bool:
    return request.is_secure or request.remote_addr in LOOPBACK


def authenticate() -> tuple[Principal | None, bool]:
    """The caller by Basic or Digest, and whether a Digest nonce was merely stale."""
    header = request.headers.get("Authorization", "")
    scheme, _, rest = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "basic" and basic_allowed():
        return _basic(rest.strip()), False
    if scheme == "digest":
        params = {
            m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _PARAM.finditer(rest)
        }
        if not nonce_fresh(params.get("nonce", "")):
            return None, True
        return _digest(params), False
    return None, False


def claimed_username() -> str | None:
    """The username a Basic or Digest Authorization header claims (for the sign-in limits), if any."""
    scheme, _, rest = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(rest.strip(), validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return None
    if scheme.lower() == "digest":
        for m in _PARAM.finditer(rest):
            if m.group(1).lower() == "username":
                return m.group(2) if m.group(2) is not None else m.group(3)
    return None


def _basic(encoded: str) -> Principal | None:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep:
        return None
    principal = principal_for(password)
    return principal if principal is not None and principal.username == username else None


def digest_key(username: str) -> tuple[str, str]:
    """Where a worker remembers a user's live app passwords (``server.caching``): a revoked one, or a
    deactivated user, stops working in this worker at once and in the others within ``CACHE_SECONDS``,
    as bearer tokens do."""
    return ("digest", username)


def _digest_rows(username: str) -> tuple[tuple, ...]:
    """The principal fields and HA1 of each live app password of ``username``."""
    return tuple(
        tuple(row)
        for row in db.session.execute(
            select(User.id, ApiToken.id, User.username, User.role, User.organisation, DigestCredential.ha1)
            .join(ApiToken.user)
            .join(DigestCredential, DigestCredential.token_id == ApiToken.id)
            .where(
                User.username == username,
                User.active.is_(True),
                ApiToken.revoked_at.is_(None),
                or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
            )
        )
    )


def _digest(params: dict[str, str]) -> Principal | None:
    needed = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    if any(not params.get(key) for key in needed) or params["realm"] != REALM or params["qop"] != "auth":
        return None
    if params.get("algorithm", "MD5").upper() != "MD5" or params["uri"] not in (
        request.full_path.rstrip("?"),
        request.path,
    ):
        return None
    rows = worker_cache(PRINCIPALS).get(digest_key(params["username"]))
    if rows is None:
        rows = _digest_rows(params["username"])
        if rows:  # unknown names are not remembered: anyone can send them
            worker_cache(PRINCIPALS).put(digest_key(params["username"]), rows)
    ha2 = md5(f"{request.method}:{params['uri']}")
    for *fields, ha1 in rows:
        expected = md5(f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:{params['qop']}:{ha2}")
        if hmac.compare_digest(expected, params["response"].lower()):
            return Principal(*fields)
    return None
