"""HTTP endpoints for sign-in, tokens and users. Thin: parse, call the service, dump."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from . import service
from .access import current_token, current_user, require_roles
from .roles import ADMIN, ROLES
from .schemas import LoginSchema, NewTokenSchema, TokenSchema, UserSchema

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
