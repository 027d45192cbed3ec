"""HTTP endpoints: the sync batch (devices) and conflicts (supervisors)."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint

from sync.protocol import PROTOCOL_VERSION

from ..audit import entries_for
from ..auth.access import current_token, current_user, require_roles
from ..auth.roles import ENUMERATOR, MANAGERS, REVIEWER, ROLES
from ..auth.service import get_user, record_sync
from ..errors import ApiError
from ..i18n import localize_results
from ..recheck.schemas import AuditEntrySchema, BallotQuerySchema, OverrideSchema
from ..recheck.status import override
from ..registry.service import get_agency, get_round
from . import access, conflicts, intake
from .countable import verdicts
from .schemas import (
    BATCH_BODY,
    BallotPageSchema,
    BallotSchema,
    BatchResultSchema,
    ConflictQuerySchema,
    ConflictSchema,
    ResolveSchema,
    StatusAnswerSchema,
    StatusQuerySchema,
)

blp = Blueprint("ballots", __name__, url_prefix="/api/v1", description="Ballot sync and conflicts")


@blp.route("/sync/batches", methods=["POST"])
@require_roles(ENUMERATOR, REVIEWER, *MANAGERS)
@blp.doc(requestBody=BATCH_BODY)
@blp.response(200, BatchResultSchema)
def sync_batch():
    """Send a batch of envelopes; get one result per envelope, in order. Resending is always safe."""
    batch = request.get_json(silent=True)
    if batch is None:
        raise ApiError("malformed_json", "The body must be a JSON sync batch.")
    results = intake.receive_batch(current_user(), batch, current_app.config["SYNC_MAX_ITEMS"])
    record_sync(current_token())
    return {"protocol": PROTOCOL_VERSION, "results": localize_results(results)}


@blp.route("/sync/status", methods=["POST"])
@require_roles(ENUMERATOR, *MANAGERS)
@blp.arguments(StatusQuerySchema)
@blp.response(200, StatusAnswerSchema)
def sync_status(args):
    """The verdict now of ballots sent earlier (re-check and quarantine change it after sync): for each
    stored id, its status, the reason and whether it counts. An enumerator gets only their own ballots;
    ids not stored (or not theirs) are left out."""
    user = current_user()
    found = verdicts(args["instance_ids"], user.id if user.role == ENUMERATOR else None)
    return {"ballots": [{"instance_id": instance_id, **verdict} for instance_id, verdict in found.items()]}


@blp.route("/conflicts", methods=["GET"])
@require_roles(*MANAGERS)
@blp.arguments(ConflictQuerySchema, location="query")
@blp.response(200, ConflictSchema(many=True))
def list_conflicts(args):
    """Resends that carried other content under a stored instance id."""
    return conflicts.list_conflicts(open_only=args["state"] == "open", round_code=args.get("round"))


@blp.route("/conflicts/<int:conflict_id>/resolve", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(ResolveSchema)
@blp.response(200, ConflictSchema)
def resolve_conflict(args, conflict_id):
    """Keep the stored ballot or take the new content, with a reason."""
    return conflicts.resolve(conflict_id, args["resolution"], args["reason"], current_user())


def ballot_view(ballot, user) -> dict:
    return {
        "instance_id": ballot.instance_id,
        "round": ballot.round.code if ballot.round else None,
        "form_id": ballot.form_version.form_id,
        "form_version": ballot.form_version.version,
        "agency_code": ballot.agency.code,
        "enumerator": ballot.enumerator.username,
        "device_id": ballot.device_id,
        "status": ballot.status,
        "status_reason": ballot.status_reason,
        "started_at": ballot.started_at,
        "completed_at": ballot.completed_at,
        "received_at": ballot.received_at,
        "duration_seconds": ballot.duration_seconds,
        "answers": access.visible_answers(user, ballot),
    }


@blp.route("/ballots", methods=["GET"])
@require_roles(*ROLES)
@blp.arguments(BallotQuerySchema, location="query")
@blp.response(200, BallotPageSchema)
def list_ballots(args):
    """Browse ballots with filters: managers all, enumerators their own, reviewers those assigned to them."""
    user = current_user()
    total, page = access.list_ballots(
        user,
        round_id=get_round(args["round"]).id if args.get("round") else None,
        agency_id=get_agency(args["agency"]).id if args.get("agency") else None,
        enumerator_id=get_user(args["enumerator"]).id if args.get("enumerator") else None,
        status=args.get("status"),
        limit=args["limit"],
        offset=args["offset"],
    )
    return {"total": total, "ballots": [ballot_view(b, user) for b in page]}


@blp.route("/ballots/<instance_id>", methods=["GET"])
@require_roles(*ROLES)
@blp.response(200, BallotSchema)
def get_ballot(instance_id):
    """One ballot; contact details only for supervisors and the reviewer assigned to it."""
    user = current_user()
    return ballot_view(access.get_ballot(instance_id, user), user)


@blp.route("/ballots/<instance_id>/audit", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, AuditEntrySchema(many=True))
def ballot_audit(instance_id):
    """The audit trail of one ballot: every status change, who, when and why."""
    access.get_ballot(instance_id, current_user())
    return entries_for("ballot", instance_id)


@blp.route("/ballots/<instance_id>/status", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(OverrideSchema)
@blp.response(200, BallotSchema)
def override_status(args, instance_id):
    """Set a ballot's status by hand, with a reason (kept in the audit log)."""
    user = current_user()
    ballot = access.get_ballot(instance_id, user)
    return ballot_view(override(ballot, args["status"], args["reason"], user.username), user)
