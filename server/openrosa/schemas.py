"""Requests and answers of the app-password API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class AppPasswordRequestSchema(Schema):
    label = fields.String(
        load_default="", validate=validate.Length(max=100), metadata={"description": "e.g. the phone"}
    )


class AppPasswordSchema(Schema):
    username = fields.String()
    password = fields.String(metadata={"description": "The app password, shown once: type it into ODK Collect"})
    label = fields.String()
    prefix = fields.String(metadata={"description": "Its first characters, to recognise it in the token list"})
    server_url = fields.String(metadata={"description": "The server URL to type into ODK Collect"})
