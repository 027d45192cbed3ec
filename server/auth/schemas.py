"""Marshmallow schemas for users and tokens (request parsing, responses and the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..bounds import CODE_LENGTH, USERNAME_LENGTH
from .roles import ORGANISATIONS, ROLES


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 512))
    label = fields.String(load_default="", validate=validate.Length(max=100), metadata={"description": "Device name"})


class UserSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    organisation = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(list(ORGANISATIONS)))
    full_name = fields.String(load_default="", validate=validate.Length(max=200))
    password = fields.String(load_only=True, load_default=None, validate=validate.Length(8, 512))
    home_agency = fields.Function(
        lambda u: u.home_agency.code if u.home_agency else None,
        deserialize=str,
        allow_none=True,
        metadata={"description": "A reviewer's own agency: its ballots are never theirs to re-check"},
    )
    active = fields.Boolean(dump_only=True)


class TokenSchema(Schema):
    token = fields.String(dump_only=True, metadata={"description": "Shown once; store it on the device."})
    prefix = fields.String(dump_only=True)
    label = fields.String()
    user = fields.Nested(UserSchema, dump_only=True)


class NewTokenSchema(Schema):
    label = fields.String(load_default="", validate=validate.Length(max=100))


class SessionSchema(Schema):
    username = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    organisation = fields.String(dump_only=True, allow_none=True)
    full_name = fields.String(dump_only=True)
    csrf_token = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Send it as X-CSRF-Token with every change; null when signed with a bearer token"},
    )


class UserPatchSchema(Schema):
    full_name = fields.String(validate=validate.Length(max=200))
    role = fields.String(validate=validate.OneOf(ROLES))
    organisation = fields.String(allow_none=True, validate=validate.OneOf(list(ORGANISATIONS)))
    home_agency = fields.String(allow_none=True, validate=CODE_LENGTH)
    password = fields.String(load_only=True, validate=validate.Length(8, 512), metadata={"description": "A reset"})


class TokenInfoSchema(Schema):
    id = fields.Integer()
    username = fields.Function(lambda t: t.user.username)
    prefix = fields.String()
    label = fields.String()
    kind = fields.Function(
        lambda t: "session" if t.expires_at else "device", metadata={"description": "session|device"}
    )
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    last_sync_at = fields.DateTime(allow_none=True, metadata={"description": "When its device last sent a batch"})


class TokenQuerySchema(Schema):
    user = fields.String(validate=USERNAME_LENGTH)
    include_revoked = fields.Boolean(load_default=False)


class EnrolmentRequestSchema(Schema):
    label = fields.String(load_default="", validate=validate.Length(max=100), metadata={"description": "Device name"})


class EnrolmentSchema(Schema):
    code = fields.String(metadata={"description": "One-time; shown once"})
    url = fields.String(metadata={"description": "What the QR code holds: the app's address with the code"})
    qr_svg = fields.String(metadata={"description": "The QR code as an SVG image"})
    expires_at = fields.DateTime()
    username = fields.String()


class RedeemSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 100))


class FirstAdminSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 512))
    full_name = fields.String(load_default="", validate=validate.Length(max=200))
