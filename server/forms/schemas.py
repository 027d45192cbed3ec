"""Marshmallow schemas for questionnaire versions."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate

from ..bounds import CODE_LENGTH, JsonBoolean
from ..paging import LIST
from .models import FORM_STATES


class FormVersionSchema(Schema):
    form_id = fields.String(dump_only=True)
    version = fields.String(dump_only=True)
    title = fields.Dict(keys=fields.String(), values=fields.String(), dump_only=True)
    state = fields.String(dump_only=True)
    hash = fields.String(attribute="content_hash", dump_only=True, metadata={"description": "sha256; the ETag"})
    round = fields.Function(lambda v: v.round.code if v.round else None, dump_only=True)
    accepts_answers = fields.Boolean(dump_only=True)
    published_at = fields.DateTime(dump_only=True)
    download_url = fields.Function(
        lambda v: url_for("forms.definition", form_id=v.form_id, version=v.version), dump_only=True
    )


class ImportWarningSchema(Schema):
    path = fields.String()
    code = fields.String(metadata={"description": "ignored_construct"})
    message = fields.String()


class UploadResultSchema(FormVersionSchema):
    warnings = fields.Function(
        lambda v: ImportWarningSchema(many=True).dump(getattr(v, "import_warnings", [])),
        dump_only=True,
        metadata={
            "description": "What the XLSForm holds that parsurvey imports without effect (display columns, "
            "ODK-only settings, metadata rows), each with its sheet and row"
        },
    )


class FormListQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(FORM_STATES))
    # The paging convention (server/paging.py), parsed here because this list answers with cached bytes.
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=LIST["page_size"], validate=validate.Range(1, LIST["max_page_size"]))


class UploadQuerySchema(Schema):
    round = fields.String(validate=CODE_LENGTH, metadata={"description": "Code of the round the form belongs to"})


class PublishSchema(Schema):
    round = fields.String(load_default=None, allow_none=True, validate=CODE_LENGTH)
    for_testing = JsonBoolean(
        load_default=False,
        metadata={"description": "Publish a version that belongs to no round (nobody can fill it): testing only"},
    )


class TestBallotSchema(Schema):
    answers = fields.Dict(keys=fields.String(), required=True)


class TestBallotResultSchema(Schema):
    valid = fields.Boolean()
    errors = fields.List(fields.Dict(), metadata={"description": "Each problem with its path, code and message"})


class FormDefinitionSchema(Schema):
    """A canonical form definition (``survey_forms``); its items are described in survey_forms' docs."""

    form_id = fields.String()
    version = fields.String()
    default_language = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "Per language"})
    scoring = fields.Dict(metadata={"description": "Factors and scored questions of the PAR index"})
    children = fields.List(fields.Dict(), metadata={"description": "Groups, repeats and questions, in order"})
