"""HTTP endpoints for sign-in, tokens and users. Thin: parse, call the service, dump."""

from __future__ import annotations

from datetime import timedelta

from flask import after_this_request, current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from ..paging import LIST, Page
from . import service
from .access import SESSION_COOKIE, csrf_token, current_token, current_user, require_roles, signed_by_cookie
from .roles import ADMIN, ROLES
from .schemas import (
    EnrolmentRequestSchema,
    EnrolmentSchema,
    FirstAdminSchema,
    LoginSchema,
    NewTokenSchema,
    RedeemSchema,
    SessionSchema,
    TokenInfoSchema,
    TokenQuerySchema,
    TokenSchema,
    UserPatchSchema,
    UserSchema,
)
from .throttle import counting_failure, sign_in_limits, username_in_body

#: The operations that take no token (signing in, the first admin): a 401 there refuses the credentials sent.
PUBLIC: list = []
blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Sign-in, tokens and users")


def _token_body(token, secret):
    return {"token": secret, "prefix": token.prefix, "label": token.label, "user": token.user}


@blp.route("/auth/tokens", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(429, description="Too many failed sign-ins (too_many_attempts); see Retry-After")
@sign_in_limits(username_in_body)
@blp.doc(security=PUBLIC)
def login(args):
    """Exchange a username and password for a device token (shown once)."""
    with counting_failure("token", args["username"]):
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
@blp.alt_response(429, description="Too many failed sign-ins (too_many_attempts); see Retry-After")
@sign_in_limits(username_in_body)
@blp.doc(security=PUBLIC)
def start_session(args):
    """Sign in the web app: the answer sets an HttpOnly, SameSite=Strict session cookie and gives the
    CSRF token to send with every change."""
    lifetime = timedelta(days=current_app.config["SESSION_DAYS"])
    with counting_failure("web session", args["username"]):
        token, secret = service.login(args["username"], args["password"], args["label"] or "web session", lifetime)
    return _signed_in(token, secret, lifetime)


def _signed_in(token, secret: str, lifetime: timedelta) -> dict:
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


@blp.route("/users/<username>", methods=["PATCH"])
@require_roles(ADMIN)
@blp.arguments(UserPatchSchema)
@blp.response(200, UserSchema)
def update_user(args, username):
    """Change a user's name, role, organisation, home agency, or reset the password (admin)."""
    return service.update_user(service.get_user(username), args)


@blp.route("/tokens", methods=["GET"])
@require_roles(ADMIN)
@blp.arguments(TokenQuerySchema, location="query")
@blp.response(200, TokenInfoSchema(many=True))
@blp.paginate(Page, **LIST)
def list_tokens(args):
    """Devices, scripts and web sessions that may sign in, with when each device last synced (admin)."""
    return service.list_tokens(args.get("user"), args["include_revoked"])


@blp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@require_roles(ADMIN)
@blp.response(200, TokenInfoSchema)
def revoke_token(token_id):
    """Revoke one token: its device or session stops working at once (admin)."""
    token = service.get_token(token_id)
    service.revoke_token(token)
    return token


@blp.route("/users/<username>/enrolments", methods=["POST"])
@require_roles(ADMIN)
@blp.arguments(EnrolmentRequestSchema)
@blp.response(201, EnrolmentSchema)
def start_enrolment(args, username):
    """A one-time code, valid for a few minutes, and its QR code: the phone opens the link and is signed in
    as the user, with no token typed by hand (admin)."""
    import io

    import segno

    enrolment, code = service.start_enrolment(service.get_user(username), args["label"], current_user().username)
    url = url_for("web.shell", _external=True) + f"#enrol={code}"
    svg = io.BytesIO()  # a standalone SVG document (with its namespace), so it also works as an <img>
    segno.make(url, error="m").save(svg, kind="svg", scale=5, xmldecl=False, svgns=True, dark="#000", light="#fff")
    return {
        "code": code,
        "url": url,
        "qr_svg": svg.getvalue().decode(),
        "expires_at": enrolment.expires_at,
        "username": enrolment.user.username,
    }


@blp.route("/auth/enrolments", methods=["POST"])
@blp.arguments(RedeemSchema)
@blp.response(201, SessionSchema)
@blp.alt_response(429, description="Too many failed sign-ins (too_many_attempts); see Retry-After")
@sign_in_limits()
@blp.doc(security=PUBLIC)
def redeem_enrolment(args):
    """Sign a phone in with an enrolment code (once, before it expires): the answer sets the session cookie
    and gives its CSRF token, as signing in with a password does."""
    lifetime = timedelta(days=current_app.config["SESSION_DAYS"])
    with counting_failure("enrolment code"):
        token, secret = service.redeem_enrolment(args["code"], lifetime)
    return _signed_in(token, secret, lifetime)


@blp.route("/setup", methods=["POST"])
@blp.arguments(FirstAdminSchema)
@blp.response(201, UserSchema)
@blp.doc(security=PUBLIC)
def first_admin(args):
    """Create the first admin of a new installation (then sign in as usual); refused (409 state_conflict)
    once any admin exists, so it needs no sign-in."""
    return service.create_first_admin(args["username"], args["password"], args["full_name"])
