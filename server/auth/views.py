"""HTTP endpoints for sign-in, tokens and users. Thin: parse, call the service, dump."""

from __future__ import annotations

from datetime import timedelta

from flask import after_this_request, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from ..paging import LIST, Page
from . import service
from .access import SESSION_COOKIE, csrf_token, current_token, current_user, require_roles, signed_by_cookie
from .roles import ADMIN, ROLES
from .schemas import LoginSchema, NewTokenSchema, SessionSchema, TokenSchema, UserSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Sign-in, tokens and users")


def _token_body(token, secret):
    return {"token": secret, "prefix": token.prefix, "label": token.label, "user": token.user}


@blp.route("/auth/tokens", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(201, TokenSchema)
def login(args):
    """Exchange a username and password for a device token (shown once)."""
    token, secret = service.login(args["username"], args["password"], args["label"])
    return _token_body(token, secret)


@blp.route("/auth/tokens/current", methods=["DELETE"])
@require_roles(*ROLES)
@blp.response(204)
def revoke_current():
    """Revoke the token this request is signed with (sign out a device)."""
    service.revoke_token(current_token())


def _session_body(user, secret: str | None) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "organisation": user.organisation,
        "full_name": user.full_name,
        "csrf_token": csrf_token(secret) if secret else None,
    }


@blp.route("/auth/session", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(201, SessionSchema)
def start_session(args):
    """Sign in the web app: the answer sets an HttpOnly, SameSite=Strict session cookie and gives the
    CSRF token to send with every change."""
    lifetime = timedelta(days=current_app.config["SESSION_DAYS"])
    token, secret = service.login(args["username"], args["password"], args["label"] or "web session", lifetime)

    @after_this_request
    def _set_cookie(response):
        if response.status_code < 400:
            response.set_cookie(
                SESSION_COOKIE,
                secret,
                max_age=lifetime,
                path="/",
                secure=request.is_secure,  # behind an https proxy, set PARSURVEY_PROXY_COUNT
                httponly=True,
                samesite="Strict",
            )
        return response

    return _session_body(token.user, secret)


@blp.route("/auth/session", methods=["GET"])
@require_roles(*ROLES)
@blp.response(200, SessionSchema)
def session():
    """The signed-in user and, for the session cookie, its CSRF token."""
    return _session_body(current_user(), request.cookies[SESSION_COOKIE] if signed_by_cookie() else None)


@blp.route("/auth/session", methods=["DELETE"])
@require_roles(*ROLES)
@blp.response(204)
def end_session():
    """Sign out: revoke the session's token and clear the cookie."""
    service.revoke_token(current_token())

    @after_this_request
    def _clear_cookie(response):
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Strict")
        return response


@blp.route("/me")
@require_roles(*ROLES)
@blp.response(200, UserSchema)
def me():
    """The signed-in user."""
    return current_user()


@blp.route("/users")
class Users(MethodView):
    @require_roles(ADMIN)
    @blp.response(200, UserSchema(many=True))
    @blp.paginate(Page, **LIST)
    def get(self):
        """Every user (admin)."""
        return service.list_users()

    @require_roles(ADMIN)
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, args):
        """Create a user (admin)."""
        return service.create_user(
            args["username"],
            args["role"],
            organisation=args["organisation"],
            full_name=args["full_name"],
            password=args["password"],
            home_agency=args.get("home_agency"),
        )


@blp.route("/users/<username>/tokens", methods=["POST"])
@require_roles(ADMIN)
@blp.arguments(NewTokenSchema)
@blp.response(201, TokenSchema)
def create_token(args, username):
    """Issue a token for a user, e.g. to provision a device (admin)."""
    token, secret = service.issue_token(service.get_user(username), args["label"])
    return _token_body(token, secret)


@blp.route("/users/<username>/deactivate", methods=["POST"])
@require_roles(ADMIN)
@blp.response(200, UserSchema)
def deactivate(username):
    """Deactivate a user: sign-in is refused and every token revoked; what they recorded stays (admin)."""
    return service.set_active(service.get_user(username), False)


@blp.route("/users/<username>/activate", methods=["POST"])
@require_roles(ADMIN)
@blp.response(200, UserSchema)
def activate(username):
    """Let a deactivated user sign in again (admin)."""
    return service.set_active(service.get_user(username), True)
