"""HTTP endpoints for agencies and survey rounds. Thin: parse, call the service, dump."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth.access import require_roles
from ..auth.roles import MANAGERS, ROLES
from ..paging import LIST, Page
from . import service
from .schemas import (
    AgencyPatchSchema,
    AgencyQuerySchema,
    AgencySchema,
    ParticipantPatchSchema,
    ParticipantSchema,
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


@blp.route("/agencies/<code>")
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


@blp.route("/rounds")
class Rounds(MethodView):
    @require_roles(*ROLES)
    @blp.response(200, RoundSchema(many=True))
    @blp.paginate(Page, **LIST)
    def get(self):
        """Every survey round."""
        return service.list_rounds()

    @require_roles(*MANAGERS)
    @blp.arguments(RoundSchema)
    @blp.response(201, RoundSchema)
    def post(self, args):
        """Create a round with its method, bands and participating agencies (admin, supervisor)."""
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
@require_roles(*ROLES)
@blp.response(200, RoundSchema)
def get_round(code):
    """One round, with its participating agencies."""
    return service.get_round(code)


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
