"""HTTP endpoints for enumerator assignments and round progress."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..auth.access import current_user, require_roles
from ..auth.roles import ENUMERATOR, MANAGERS
from ..paging import LIST, Page
from ..registry.service import get_round
from ..registry.views import UPLOAD_BODY, uploaded_file
from . import oversight, service
from .schemas import (
    AssignmentImportSchema,
    AssignmentSchema,
    CopyRequestSchema,
    CopyResultSchema,
    FieldworkSchema,
    LocationsSchema,
    OwnProgressSchema,
    ProgressSchema,
)

blp = Blueprint("fieldwork", __name__, url_prefix="/api/v1", description="Assignments and progress")


@blp.route("/rounds/<code>/assignments", methods=["GET"])
@require_roles(*MANAGERS, ENUMERATOR)
@blp.response(200, AssignmentSchema(many=True))
@blp.paginate(Page, **LIST)
def list_assignments(code):
    """Who works where in a round (an enumerator sees only their own)."""
    user = current_user()
    return service.list_assignments(get_round(code), user if user.role == ENUMERATOR else None)


@blp.route("/rounds/<code>/assignments/<username>/<agency_code>", methods=["PUT"])
@require_roles(*MANAGERS)
@blp.arguments(AssignmentSchema)
@blp.response(200, AssignmentSchema)
def set_assignment(args, code, username, agency_code):
    """Assign an enumerator to an agency for the round, with a quota."""
    return service.set_assignment(get_round(code), username, agency_code, args["quota"])


@blp.route("/rounds/<code>/assignments/import", methods=["POST"])
@require_roles(*MANAGERS)
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(200, AssignmentImportSchema)
def import_assignments(code):
    """Set assignments and quotas from a CSV or XLSX file (username, agency, quota); all or nothing."""
    return service.import_assignments(get_round(code), *uploaded_file())


@blp.route("/rounds/<code>/assignments/copy", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(CopyRequestSchema)
@blp.response(200, CopyResultSchema)
def copy_assignments(args, code):
    """Copy another round's assignments and quotas (active enumerators, agencies surveyed in this round)."""
    return service.copy_assignments(get_round(code), get_round(args["from_round"]))


@blp.route("/rounds/<code>/assignments/<username>/<agency_code>", methods=["DELETE"])
@require_roles(*MANAGERS)
@blp.response(204)
def remove_assignment(code, username, agency_code):
    """Remove an assignment; ballots already received keep counting."""
    service.remove_assignment(get_round(code), username, agency_code)


@blp.route("/rounds/<code>/progress", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, ProgressSchema)
def progress(code):
    """Ballots received per agency and per enumerator against quota."""
    return service.progress(get_round(code))


@blp.route("/rounds/<code>/my-progress", methods=["GET"])
@require_roles(ENUMERATOR)
@blp.response(200, OwnProgressSchema)
def my_progress(code):
    """The signed-in enumerator's quota and ballots received per agency (no other enumerator's numbers)."""
    return service.enumerator_progress(get_round(code), current_user())


@blp.route("/rounds/<code>/fieldwork", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, FieldworkSchema)
def fieldwork(code):
    """Per enumerator (quota, received, countable, not countable by reason, re-check failures, median duration,
    straight-lining, ballots per day) and per agency (received against quota, day by day)."""
    return oversight.fieldwork_report(get_round(code))


@blp.route("/rounds/<code>/locations", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, LocationsSchema)
def locations(code):
    """The location check: per agency its office, interviews with a GPS fix and those farther than the
    round's threshold; the far interviews with their distance (at most 2,000; the ballot table's
    ``location=far`` filter finds every one)."""
    return oversight.location_report(get_round(code))
