"""Who is calling: bearer-token authentication and role checks for views."""

from __future__ import annotations

from functools import wraps

from flask import request

from ..errors import ApiError
from .models import ApiToken, User
from .service import authenticate

_AUTH_KEY = "parsurvey.auth"  # cached on the request itself, which (unlike g) is never shared


def _authenticated() -> tuple[User, ApiToken] | tuple[None, None]:
    if _AUTH_KEY not in request.environ:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        found = authenticate(secret.strip()) if scheme.lower() == "bearer" and secret else None
        request.environ[_AUTH_KEY] = found or (None, None)
    return request.environ[_AUTH_KEY]


def current_user() -> User:
    """The authenticated user of this request; 401 if there is none."""
    user, _ = _authenticated()
    if user is None:
        raise ApiError("unauthenticated", "Send 'Authorization: Bearer <token>' with a valid, unrevoked token.")
    return user


def current_token() -> ApiToken:
    current_user()
    return _authenticated()[1]


def require_roles(*roles: str):
    """Decorate a view so only the given roles reach it (401 without a token, 403 for another role)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user.role not in roles:
                raise ApiError("forbidden", f"This needs the role {' or '.join(roles)}; you are {user.role}.")
            return view(*args, **kwargs)

        wrapper._parsurvey_roles = roles  # read by tests that check every endpoint declares its roles
        return wrapper

    return decorator
