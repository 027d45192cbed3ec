"""HTTP endpoints for re-check samples, reviewers' findings, enumerator quality and quarantine."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..audit import verify_chain
from ..auth.access import current_user, require_roles
from ..auth.roles import ADMIN, MANAGERS, REVIEWER
from ..paging import LIST, Page
from ..registry.service import get_round
from ..results.runs import DEFAULT_PARAMETERS
from . import holding, quality, service, verification
from .schemas import (
    BulkReviewerSchema,
    ChainReportSchema,
    CountableSchema,
    DecisionSchema,
    ImpactQuerySchema,
    ImpactSchema,
    QualitySettingsPageSchema,
    QualitySettingsSchema,
    QuarantineRequestSchema,
    QuarantineSchema,
    RecheckAssignmentSchema,
    ReviewerSchema,
    RoundQualitySchema,
    SampleRequestSchema,
    SampleResultSchema,
    VerificationRequestSchema,
    VerificationSchema,
)
from .settings import DEFAULTS, settings_of

blp = Blueprint("recheck", __name__, url_prefix="/api/v1", description="Re-checks, quality and quarantine")


@blp.route("/rounds/<code>/recheck-samples", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(SampleRequestSchema)
@blp.response(201, SampleResultSchema)
def draw_sample(args, code):
    """Draw (or with dry_run, preview) the re-check sample of a round."""
    return service.draw_sample(get_round(code), current_user(), **args)


@blp.route("/rounds/<code>/rechecks", methods=["GET"])
@require_roles(*MANAGERS, REVIEWER)
@blp.response(200, RecheckAssignmentSchema(many=True))
@blp.paginate(Page, **LIST)
def list_rechecks(code):
    """Re-check assignments (a reviewer sees only their own)."""
    return service.list_assignments(get_round(code), current_user())


@blp.route("/rechecks/<int:assignment_id>/reviewer", methods=["PUT"])
@require_roles(*MANAGERS)
@blp.arguments(ReviewerSchema)
@blp.response(200, RecheckAssignmentSchema)
def assign_reviewer(args, assignment_id):
    """Give a re-check to a named reviewer of its organisation."""
    return service.assign_reviewer(verification.get_assignment(assignment_id), args["username"])


@blp.route("/rounds/<code>/rechecks/reviewer", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(BulkReviewerSchema)
@blp.response(200, RecheckAssignmentSchema(many=True))
def assign_reviewers(args, code):
    """Give several re-checks to one reviewer of their organisation at once; all or none."""
    return service.assign_reviewers(get_round(code), args["assignments"], args["username"])


@blp.route("/rechecks/<int:assignment_id>/verifications", methods=["POST"])
@require_roles(REVIEWER)
@blp.arguments(VerificationRequestSchema)
@blp.response(201, VerificationSchema)
@blp.alt_response(200, schema=VerificationSchema, description="The same finding was recorded already")
def verify(args, assignment_id):
    """Record a finding; resending the same instance id is safe."""
    instance_id = str(args["instance_id"]) if args["instance_id"] else None
    stored, status = verification.record(
        current_user(), assignment_id, args["outcome"], args["reasked"], args["notes"], instance_id
    )
    return stored, 201 if status == "accepted" else 200


@blp.route("/rounds/<code>/quality", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, RoundQualitySchema)
def round_quality(code):
    """Enumerator and agency quality statistics, with quarantine flags."""
    return quality.quality(get_round(code))


@blp.route("/rounds/<code>/quarantines", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(QuarantineRequestSchema)
@blp.response(201, QuarantineSchema(many=True))
def apply_quarantines(args, code):
    """Hold one enumerator's ballots (``enumerator`` and ``reason``; see the impact first). One at a time:
    there is no "every enumerator over the threshold" here, so no agency loses its sample unseen."""
    return [holding.quarantine_one(get_round(code), args["enumerator"], args["reason"], current_user())]


@blp.route("/rounds/<code>/quarantine-impact", methods=["GET"])
@require_roles(*MANAGERS)
@blp.arguments(ImpactQuerySchema, location="query")
@blp.response(200, ImpactSchema)
def quarantine_impact(args, code):
    """What holding one enumerator's ballots would do: ballots held, agencies that would fall below the
    minimum sample (the score run's default, 30). Nothing is stored."""
    return holding.impact(get_round(code), args["enumerator"], DEFAULT_PARAMETERS["min_ballots"])


@blp.route("/quarantines/<int:quarantine_id>/decision", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(DecisionSchema)
@blp.response(200, QuarantineSchema)
def decide_quarantine(args, quarantine_id):
    """Release a quarantine (ballots count again) or confirm the exclusion, with a reason."""
    return quality.decide(quarantine_id, args["decision"], args["reason"], current_user())


@blp.route("/rounds/<code>/quality-settings", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, QualitySettingsPageSchema)
def get_quality_settings(code):
    """A round's cleaning, re-check and quarantine settings in force, and the defaults."""
    return {"settings": settings_of(get_round(code)), "defaults": DEFAULTS}


@blp.route("/rounds/<code>/quality-settings", methods=["PATCH"])
@require_roles(*MANAGERS)
@blp.arguments(QualitySettingsSchema, required=False)  # no body: nothing changes
@blp.response(200, QualitySettingsSchema)
def quality_settings(args, code):
    """Change a round's cleaning, re-check and quarantine settings."""
    return service.update_settings(get_round(code), args)


@blp.route("/rounds/<code>/countable", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, CountableSchema)
def countable(code):
    """How many ballots count for scoring, and the excluded ones by reason."""
    return service.countable_summary(get_round(code))


@blp.route("/audit/verify", methods=["GET"])
@require_roles(ADMIN)
@blp.response(200, ChainReportSchema)
def audit_verify():
    """Recompute the audit log's hash chain and report the first break, if any."""
    return verify_chain()
