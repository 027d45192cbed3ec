"""HTTP endpoints for questionnaire versions: distribution to devices and admin upload/publish/close."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint

from .. import paging
from ..auth.access import current_principal, require_roles
from ..auth.roles import ADMIN, MANAGERS, ROLES
from ..errors import ApiError
from ..i18n import localize_problems
from . import service
from .schemas import (
    FormDefinitionSchema,
    FormListQuerySchema,
    FormVersionSchema,
    PublishSchema,
    TestBallotResultSchema,
    TestBallotSchema,
    UploadQuerySchema,
    UploadResultSchema,
)

blp = Blueprint("forms", __name__, url_prefix="/api/v1", description="Questionnaire versions")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "object", "description": "A form definition (see survey_forms)"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
    },
}


@blp.route("/forms", methods=["GET"])
@require_roles(*ROLES)
@blp.arguments(FormListQuerySchema, location="query")
@blp.response(200, FormVersionSchema(many=True), headers={paging.HEADER: "PAGINATION"})
def list_forms(args):
    """The form versions this user may fill (every version, for admins and supervisors)."""
    dumped, body = service.listing(current_principal().role, args.get("state"), _serialize)
    page, size = args["page"], args["page_size"]
    if page != 1 or size < len(dumped):
        body = current_app.json.dumps(dumped[(page - 1) * size : page * size]).encode()
    response = current_app.response_class(body, mimetype="application/json")
    response.headers[paging.HEADER] = paging.header(page, size, len(dumped))
    return response


def _serialize(versions) -> tuple[list[dict], bytes]:
    dumped = FormVersionSchema(many=True).dump(versions)
    return dumped, current_app.json.dumps(dumped).encode()


@blp.route("/forms", methods=["POST"])
@require_roles(ADMIN)
@blp.arguments(UploadQuerySchema, location="query")
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201, UploadResultSchema)
@blp.alt_response(200, schema=UploadResultSchema, description="Identical content was already stored")
def upload(args):
    """Upload a draft as a JSON definition or an XLSForm (multipart field ``file``)."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ApiError("invalid_request", "Send the XLSForm in the multipart field 'file'.", {"file": ["Missing."]})
        warnings: list[dict] = []
        form = service.parse_xlsform(upload.read(), upload.filename, warnings)
    else:
        warnings = []
        definition = request.get_json(silent=True)
        if not isinstance(definition, dict):
            raise ApiError("malformed_json", "The body must be a JSON object holding the form definition.")
        form = service.parse_definition(definition)
    stored, created = service.save_draft(form, args.get("round"))
    stored.import_warnings = localize_problems(warnings)  # shown once, in this answer (UploadResultSchema)
    return stored, 201 if created else 200


@blp.route("/forms/<form_id>/versions/<version>", methods=["GET"])
@require_roles(*ROLES)
@blp.doc(
    responses={
        "200": {
            "description": "The canonical form definition; ETag is its sha256",
            "content": {"application/json": {"schema": FormDefinitionSchema}},
        },
        "304": {"description": "Not modified (If-None-Match matched)"},
    }
)
def definition(form_id, version):
    """Download a form definition; send ``If-None-Match`` to get 304 when unchanged."""
    content_hash = service.version_hash(form_id, version, current_principal().role)
    response = current_app.response_class(mimetype="application/json")
    response.set_etag(content_hash)
    response.headers["Cache-Control"] = "private, no-cache"
    if request.if_none_match.contains(content_hash):
        response.status_code = 304
    else:
        response.set_data(service.canonical_by_hash(content_hash))
    return response


@blp.route("/forms/<form_id>/versions/<version>/publish", methods=["POST"])
@require_roles(ADMIN)
@blp.arguments(PublishSchema)
@blp.response(200, FormVersionSchema)
def publish(args, form_id, version):
    """Publish a draft into a round (with no round only when ``for_testing``). A published version never changes."""
    return service.publish(form_id, version, args.get("round"), for_testing=args["for_testing"])


@blp.route("/forms/<form_id>/versions/<version>/close", methods=["POST"])
@require_roles(ADMIN)
@blp.response(200, FormVersionSchema)
def close(form_id, version):
    """Close a version: it stays downloadable but no longer accepts answers."""
    return service.close(form_id, version)


@blp.route("/forms/<form_id>/versions/<version>/test-ballots", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(TestBallotSchema)
@blp.response(200, TestBallotResultSchema)
def check_test_ballot(args, form_id, version):
    """Check a test ballot filled in the console's preview against a version (a draft too): the problems the
    server would find, in the language asked for. Nothing is stored (admin, supervisor)."""
    errors = service.check_answers(form_id, version, args["answers"])
    return {"valid": not errors, "errors": localize_problems(errors)}
