"""HTTP endpoints for agencies and survey rounds. Thin: parse, call the service, dump."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..auth.access import require_roles
from ..auth.roles import MANAGERS, ROLES
from ..errors import ApiError
from ..paging import LIST, Page
from . import groups, imports, lineage, service
from .schemas import (
    AgencyGroupPatchSchema,
    AgencyGroupSchema,
    AgencyPatchSchema,
    AgencyQuerySchema,
    AgencySchema,
    LineagePutSchema,
    ParticipantPatchSchema,
    ParticipantSchema,
    RoundCreateSchema,
    RoundPatchSchema,
    RoundSchema,
)

blp = Blueprint("registry", __name__, url_prefix="/api/v1", description="Agencies and survey rounds")


@blp.route("/agencies")
class Agencies(MethodView):
    @require_roles(*ROLES)
    @blp.arguments(AgencyQuerySchema, location="query")
    @blp.response(200, AgencySchema(many=True))
    @blp.paginate(Page, **LIST)
    def get(self, args):
        """The province's agencies, optionally of one group."""
        return service.list_agencies(args.get("group"))

    @require_roles(*MANAGERS)
    @blp.arguments(AgencySchema)
    @blp.response(201, AgencySchema)
    def post(self, args):
        """Register an agency (admin, supervisor)."""
        return service.create_agency(
            args["code"],
            args["name"],
            args["agency_group"],
            parent_code=args.get("parent_code"),
            handles_procedures=args["handles_procedures"],
        )


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    rows = fields.Integer()


def uploaded_file() -> tuple[bytes, str]:
    """The CSV or XLSX sent in the multipart field ``file``."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError("invalid_request", "Send the CSV or XLSX in the multipart field 'file'.", {"file": ["Missing."]})
    return upload.read(), upload.filename


@blp.route("/agencies/import", methods=["POST"])
@require_roles(*MANAGERS)
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(200, ImportResultSchema)
def import_agencies():
    """Create or update agencies from a CSV or XLSX file (code, name, group, handles_procedures, parent);
    every problem with its line, and nothing stored if there is one (admin, supervisor)."""
    return imports.import_agencies(*uploaded_file())


@blp.route('/agencies/<other_than("import"):code>')
class AgencyItem(MethodView):
    @require_roles(*ROLES)
    @blp.response(200, AgencySchema)
    def get(self, code):
        """One agency."""
        return service.get_agency(code)

    @require_roles(*MANAGERS)
    @blp.arguments(AgencyPatchSchema)
    @blp.response(200, AgencySchema)
    def patch(self, args, code):
        """Change an agency's name, group, parent or surveyed flag (admin, supervisor)."""
        return service.update_agency(code, args)


@blp.route("/agencies/<code>/lineage", methods=["PUT"])
@require_roles(*MANAGERS)
@blp.arguments(LineagePutSchema)
@blp.response(200, AgencySchema)
def put_lineage(args, code):
    """Set the units an agency was merged from, split from or renamed from, with the effective date
    (replaces its lineage; an empty list clears it) (admin, supervisor)."""
    return lineage.set_lineage(service.get_agency(code), args["predecessors"])


@blp.route("/agency-groups")
class AgencyGroups(MethodView):
    @require_roles(*ROLES)
    @blp.response(200, AgencyGroupSchema(many=True))
    @blp.paginate(Page, **LIST)
    def get(self):
        """The province's agency groups with their Vietnamese names, in display order."""
        return groups.list_groups()

    @require_roles(*MANAGERS)
    @blp.arguments(AgencyGroupSchema)
    @blp.response(201, AgencyGroupSchema)
    def post(self, args):
        """Add a group (e.g. ``ward`` "UBND phường", ``special_zone`` "Đặc khu") (admin, supervisor)."""
        return groups.create_group(args["code"], args["name"], args.get("position"))


@blp.route("/agency-groups/<code>")
class AgencyGroupItem(MethodView):
    @require_roles(*MANAGERS)
    @blp.arguments(AgencyGroupPatchSchema, required=False)  # no body: nothing changes
    @blp.response(200, AgencyGroupSchema)
    def patch(self, args, code):
        """Rename a group or move it in the display order (admin, supervisor)."""
        return groups.update_group(code, args)

    @require_roles(*MANAGERS)
    @blp.response(204)
    def delete(self, code):
        """Remove a group no agency belongs to (admin, supervisor)."""
        groups.delete_group(code)


@blp.route("/rounds")
class Rounds(MethodView):
    @require_roles(*ROLES)
    @blp.response(200, RoundSchema(many=True))
    @blp.paginate(Page, **LIST)
    def get(self):
        """Every survey round."""
        return service.list_rounds()

    @require_roles(*MANAGERS)
    @blp.arguments(RoundCreateSchema)
    @blp.response(201, RoundSchema)
    def post(self, args):
        """Create a round with its method, bands and participating agencies, or copy last year's
        (``copy_from``: window, bands, survey maximum, method, quality settings, maximum points and
        quotas) (admin, supervisor)."""
        copy_from = args.pop("copy_from")
        if copy_from:
            return service.copy_round(
                args["code"],
                args["year"],
                copy_from,
                title=args["title"],
                window_start=args["window_start"],
                window_end=args["window_end"],
                method_version=args["method_version"],
                survey_max_points=args["survey_max_points"],
                bands=args["bands"],
            )
        if args.get("survey_max_points") is None:
            args.pop("survey_max_points")
        participants = [
            {
                "agency_code": p["agency_code"],
                "max_points": p["max_points"],
                "ballot_quota": p["ballot_quota"],
                "surveyed": p["surveyed"],
            }
            for p in args.pop("participants")
        ]
        return service.create_round(
            args.pop("code"),
            args.pop("year"),
            args.pop("window_start"),
            args.pop("window_end"),
            participants=participants,
            **args,
        )


@blp.route("/rounds/<code>")
class RoundItem(MethodView):
    @require_roles(*ROLES)
    @blp.response(200, RoundSchema)
    def get(self, code):
        """One round, with its participating agencies."""
        return service.get_round(code)

    @require_roles(*MANAGERS)
    @blp.arguments(RoundPatchSchema)
    @blp.response(200, RoundSchema)
    def patch(self, args, code):
        """Change an open round's title, window, method version, survey maximum or bands (admin, supervisor)."""
        return service.update_round(service.get_round(code), args)


@blp.route("/rounds/<code>/agencies/<agency_code>", methods=["DELETE"])
@require_roles(*MANAGERS)
@blp.response(204)
def remove_participant(code, agency_code):
    """Take an agency out of an open round that has no ballots or assignments for it (admin, supervisor)."""
    service.remove_participant(service.get_round(code), agency_code)


@blp.route("/rounds/<code>/agencies/<agency_code>", methods=["PUT"])
@require_roles(*MANAGERS)
@blp.arguments(ParticipantPatchSchema)
@blp.response(200, ParticipantSchema)
def set_participant(args, code, agency_code):
    """Add an agency to a round or change its maximum points and quota (admin, supervisor)."""
    return service.set_participant(service.get_round(code), agency_code, **args)


@blp.route("/rounds/<code>/close", methods=["POST"])
@require_roles(*MANAGERS)
@blp.response(200, RoundSchema)
def close_round(code):
    """Close a round: its form versions stop accepting answers (admin, supervisor)."""
    return service.close_round(service.get_round(code))
