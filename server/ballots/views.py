"""HTTP endpoints: the sync batch (devices) and conflicts (supervisors)."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint

from sync.protocol import PROTOCOL_VERSION

from ..auth.access import current_user, require_roles
from ..auth.roles import ENUMERATOR, MANAGERS
from ..errors import ApiError
from . import conflicts, intake
from .schemas import BATCH_BODY, BatchResultSchema, ConflictQuerySchema, ConflictSchema, ResolveSchema

blp = Blueprint("ballots", __name__, url_prefix="/api/v1", description="Ballot sync and conflicts")


@blp.route("/sync/batches", methods=["POST"])
@require_roles(ENUMERATOR)
@blp.doc(requestBody=BATCH_BODY)
@blp.response(200, BatchResultSchema)
def sync_batch():
    """Send a batch of envelopes; get one result per envelope, in order. Resending is always safe."""
    batch = request.get_json(silent=True)
    if batch is None:
        raise ApiError("malformed_json", "The body must be a JSON sync batch.")
    results = intake.receive_batch(current_user(), batch, current_app.config["SYNC_MAX_ITEMS"])
    return {"protocol": PROTOCOL_VERSION, "results": results}


@blp.route("/conflicts", methods=["GET"])
@require_roles(*MANAGERS)
@blp.arguments(ConflictQuerySchema, location="query")
@blp.response(200, ConflictSchema(many=True))
def list_conflicts(args):
    """Resends that carried other content under a stored instance id."""
    return conflicts.list_conflicts(open_only=args["state"] == "open")


@blp.route("/conflicts/<int:conflict_id>/resolve", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(ResolveSchema)
@blp.response(200, ConflictSchema)
def resolve_conflict(args, conflict_id):
    """Keep the stored ballot or take the new content, with a reason."""
    return conflicts.resolve(conflict_id, args["resolution"], args["reason"], current_user())
