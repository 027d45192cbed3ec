"""Use cases for users and tokens. They flush but never commit (see ``server.transaction``)."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..caching import PRINCIPALS, forget_when_committed
from ..errors import ApiError
from ..extensions import db
from ..registry.service import get_agency
from ..timeutil import utcnow
from .models import ApiToken, EnrolmentCode, User
from .roles import ADMIN, ORGANISATIONS, REVIEWER, ROLES

TOKEN_PREFIX = "pst_"
# scrypt (werkzeug's default KDF): memory-hard, in the standard library, no native build needed.
PASSWORD_METHOD = "scrypt"


def hash_token(secret: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 is enough (no KDF needed, unlike passwords)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(
    username: str,
    role: str,
    *,
    organisation: str | None = None,
    full_name: str = "",
    password: str | None = None,
    home_agency: str | None = None,
) -> User:
    """Create a user; ``home_agency`` (an agency code) is a reviewer's own agency, whose ballots they
    are never given to re-check."""
    username = username.strip()
    errors = {}
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = ["Use 1 to 64 letters, digits, '.' or '_'."]
    if role not in ROLES:
        errors["role"] = [f"Must be one of: {', '.join(ROLES)}."]
    if role == REVIEWER and organisation not in ORGANISATIONS:
        errors["organisation"] = [f"A reviewer needs an organisation: {', '.join(ORGANISATIONS)}."]
    if role != REVIEWER and organisation is not None:
        errors["organisation"] = ["Only reviewers belong to an organisation."]
    if password is not None and len(password) < 8:
        errors["password"] = ["Use at least 8 characters."]
    if home_agency is not None and role != REVIEWER:
        errors["home_agency"] = ["Only reviewers have a home agency (it keeps them off its re-checks)."]
    if errors:
        raise ApiError("invalid_request", "The user cannot be created.", errors)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ApiError("already_exists", f"A user named {username!r} already exists.")
    user = User(
        username=username,
        role=role,
        organisation=organisation,
        full_name=unicodedata.normalize("NFC", full_name),
        password_hash=generate_password_hash(password, method=PASSWORD_METHOD) if password else None,
        home_agency_id=get_agency(home_agency).id if home_agency else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.id)))


def get_user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise ApiError("not_found", f"No user named {username!r}.")
    return user


def issue_token(user: User, label: str = "", lifetime: timedelta | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and cannot be shown again.
    With a ``lifetime`` (web sessions) it stops working then; without, it lasts until revoked."""
    if not user.active:
        raise ApiError("state_conflict", f"User {user.username!r} is deactivated.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        label=label,
        token_hash=hash_token(secret),
        prefix=secret[:10],
        expires_at=utcnow() + lifetime if lifetime else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def login(username: str, password: str, label: str = "", lifetime: timedelta | None = None) -> tuple[ApiToken, str]:
    """Exchange a username and password for a new token (a device's, or with a lifetime a web session's)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.password_hash:
        # Spend the same time as a real check so usernames cannot be probed by timing.
        check_password_hash(_DUMMY_HASH, password)
        raise ApiError("invalid_credentials")
    if not check_password_hash(user.password_hash, password):
        raise ApiError("invalid_credentials")
    if not user.active:
        # Only whoever knows the password learns that the account is locked; a wrong password gets the
        # same answer as an unknown user, after the same work.
        raise ApiError("account_locked")
    return issue_token(user, label, lifetime)


def revoke_token(token: ApiToken) -> None:
    """Revoke a token. This worker forgets it at once; other workers within ``CACHE_SECONDS``."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    forget_when_committed(PRINCIPALS, token.token_hash)
    forget_when_committed(PRINCIPALS, ("digest", token.user.username))  # its OpenRosa app password, if any


def revoke_tokens_by_prefix(username: str, prefix: str | None = None) -> int:
    """Revoke one token (by its shown prefix) or all of a user's tokens; return how many."""
    user = get_user(username)
    count = 0
    for token in user.tokens:
        if token.revoked_at is None and (prefix is None or token.prefix == prefix):
            revoke_token(token)
            count += 1
    return count


def set_active(user: User, active: bool) -> User:
    """Deactivate a user (sign-in refused, every token revoked; their ballots and findings stay) or
    reactivate one (they sign in again for new tokens). The last active admin stays active."""
    if not active and user.role == ADMIN and user.active:
        others = db.session.scalar(
            select(func.count()).where(User.role == ADMIN, User.active.is_(True), User.id != user.id)
        )
        if not others:
            raise ApiError("state_conflict", f"{user.username!r} is the last active admin; make another first.")
    user.active = active
    if not active:
        for token in user.tokens:
            revoke_token(token)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < 8:
        raise ApiError("invalid_request", "The password is too short.", {"password": ["Use at least 8 characters."]})
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    db.session.flush()


def update_user(user: User, changes: dict) -> User:
    """Change a user's name, role, organisation, home agency or password (an admin's reset). The rules of
    ``create_user`` hold afterwards; the last active admin keeps the admin role."""
    role = changes.get("role", user.role)
    organisation = changes["organisation"] if "organisation" in changes else user.organisation
    home = changes["home_agency"] if "home_agency" in changes else (user.home_agency.code if user.home_agency else None)
    if role != REVIEWER:
        organisation = organisation if "organisation" in changes else None
        home = home if "home_agency" in changes else None
    errors = {}
    if role not in ROLES:
        errors["role"] = [f"Must be one of: {', '.join(ROLES)}."]
    if role == REVIEWER and organisation not in ORGANISATIONS:
        errors["organisation"] = [f"A reviewer needs an organisation: {', '.join(ORGANISATIONS)}."]
    if role != REVIEWER and organisation is not None:
        errors["organisation"] = ["Only reviewers belong to an organisation."]
    if home is not None and role != REVIEWER:
        errors["home_agency"] = ["Only reviewers have a home agency (it keeps them off its re-checks)."]
    password = changes.get("password")
    if password is not None and len(password) < 8:
        errors["password"] = ["Use at least 8 characters."]
    if errors:
        raise ApiError("invalid_request", "The user cannot be changed.", errors)
    if user.role == ADMIN and role != ADMIN and user.active:
        others = db.session.scalar(
            select(func.count()).where(User.role == ADMIN, User.active.is_(True), User.id != user.id)
        )
        if not others:
            raise ApiError("state_conflict", f"{user.username!r} is the last active admin; make another first.")
    user.role = role
    user.organisation = organisation
    user.home_agency_id = get_agency(home).id if home else None
    if "full_name" in changes:
        user.full_name = unicodedata.normalize("NFC", changes["full_name"].strip())
    if password is not None:
        user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    db.session.flush()
    return user


def list_tokens(username: str | None = None, include_revoked: bool = False) -> list[ApiToken]:
    """Tokens (devices, scripts and web sessions), newest first; expired sessions are left out."""
    query = select(ApiToken).join(ApiToken.user).order_by(ApiToken.id.desc())
    if username:
        query = query.where(User.username == username)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    now = utcnow()
    return [t for t in db.session.scalars(query) if t.expires_at is None or t.expires_at > now]


def get_token(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise ApiError("not_found", f"No token {token_id}.")
    return token


def record_sync(token: ApiToken) -> None:
    """Remember when this token's device last sent a sync batch."""
    token.last_sync_at = utcnow()
    db.session.flush()


ENROLMENT_MINUTES = 10


def start_enrolment(user: User, label: str, created_by: str) -> tuple[EnrolmentCode, str]:
    """A one-time code, valid ``ENROLMENT_MINUTES``, that signs a phone in as ``user`` (shown as a QR code)."""
    if not user.active:
        raise ApiError("state_conflict", f"User {user.username!r} is deactivated.")
    code = secrets.token_urlsafe(18)
    enrolment = EnrolmentCode(
        user=user,
        code_hash=hash_token(code),
        label=label,
        created_by=created_by,
        expires_at=utcnow() + timedelta(minutes=ENROLMENT_MINUTES),
    )
    db.session.add(enrolment)
    db.session.flush()
    return enrolment, code


def redeem_enrolment(code: str, lifetime: timedelta) -> tuple[ApiToken, str]:
    """Exchange an enrolment code for a session token, once; unknown, used or expired codes are refused."""
    enrolment = db.session.scalar(select(EnrolmentCode).where(EnrolmentCode.code_hash == hash_token(code)))
    if enrolment is None or enrolment.used_at is not None or enrolment.expires_at <= utcnow():
        raise ApiError("invalid_enrolment")
    if not enrolment.user.active:
        raise ApiError("invalid_enrolment")
    enrolment.used_at = utcnow()
    return issue_token(enrolment.user, enrolment.label or "enrolled device", lifetime)


def needs_first_admin() -> bool:
    """A new installation: no admin exists yet, so the web app offers to create the first one."""
    return db.session.scalar(select(User.id).where(User.role == ADMIN).limit(1)) is None


def create_first_admin(username: str, password: str, full_name: str = "") -> User:
    """The first admin of a new installation, made from the browser; refused once any admin exists."""
    if not needs_first_admin():
        raise ApiError("state_conflict", "This installation already has an admin; sign in instead.")
    if not password:
        raise ApiError("invalid_request", "The user cannot be created.", {"password": ["Use at least 8 characters."]})
    return create_user(username, ADMIN, full_name=full_name, password=password)


_DUMMY_HASH = generate_password_hash("parsurvey-timing-equaliser", method=PASSWORD_METHOD)
