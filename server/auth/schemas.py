"""Marshmallow schemas for users and tokens (request parsing, responses and the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

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
