"""HTTP endpoints for appraisal points, score runs and their exports. Thin: parse, call, dump."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_smorest import Blueprint

from ..auth.access import current_user, require_roles
from ..auth.roles import MANAGERS
from ..errors import ApiError
from ..paging import LIST, Page
from ..registry.service import get_round
from . import exports, presentation, report, service, settings
from .schemas import (
    AppraisalSchema,
    RankingSchema,
    ScoreRunRequestSchema,
    ScoreRunResultsSchema,
    ScoreRunSchema,
    ScoringSettingsSchema,
)

blp = Blueprint("results", __name__, url_prefix="/api/v1", description="Appraisal points, score runs, exports")

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


@blp.route("/rounds/<code>/appraisal", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, AppraisalSchema)
def get_appraisal(code):
    """The round's appraisal points (admin, supervisor)."""
    return service.appraisal_summary(get_round(code))


@blp.route("/rounds/<code>/appraisal", methods=["POST"])
@require_roles(*MANAGERS)
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(200, AppraisalSchema)
def import_appraisal(code):
    """Replace the round's appraisal points by a CSV or XLSX file (multipart field ``file``); all or nothing."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError("invalid_request", "Send the CSV or XLSX in the multipart field 'file'.", {"file": ["Missing."]})
    return service.import_appraisal(get_round(code), upload.read(), upload.filename, current_user())


@blp.route("/rounds/<code>/appraisal/template.csv", methods=["GET"])
@require_roles(*MANAGERS)
@blp.doc(responses={"200": {"description": "CSV (UTF-8 with BOM): one row per agency of the round to fill in"}})
def appraisal_template(code):
    """A CSV to fill in: the round's agencies with their code, name and maximum, and an empty
    appraisal_points column (admin, supervisor)."""
    body, filename = service.appraisal_template(get_round(code))
    response = current_app.response_class(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.route("/rounds/<code>/score-runs", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, ScoreRunSchema(many=True))
@blp.paginate(Page, **LIST)
def list_runs(code):
    """The round's score runs, newest first, without their results."""
    return service.list_runs(get_round(code))


@blp.route("/rounds/<code>/score-runs", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(ScoreRunRequestSchema)
@blp.response(201, ScoreRunResultsSchema)
def start_run(args, code):
    """Score the round now from its countable ballots and appraisal points, and store the run."""
    return service.start_run(get_round(code), args, current_user(), "api")


@blp.route("/score-runs/<int:run_id>", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, ScoreRunResultsSchema)
def get_run(run_id):
    """One run with its provenance and every result, unrounded."""
    return service.get_run(run_id)


@blp.route("/score-runs/<int:run_id>/export.<any(json, csv, xlsx):fmt>", methods=["GET"])
@require_roles(*MANAGERS)
@blp.doc(responses={"200": {"description": "The run's results as a file, rounded for display"}})
def export_run(run_id, fmt):
    """Download a run as CSV (UTF-8 with BOM), XLSX (a sheet per group and the details) or JSON."""
    run = service.get_run(run_id)
    body, mimetype, filename = exports.export(run, fmt)
    response = current_app.response_class(body, content_type=mimetype)  # as is: mimetype= would add a second charset
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.route("/score-runs/<int:run_id>/ranking", methods=["GET"])
@require_roles(*MANAGERS)
@blp.doc(
    responses={
        "200": {
            "description": "Ranked table per group, rounded for display, with bands and statistics",
            "content": {"application/json": {"schema": RankingSchema}},
        }
    }
)
def ranking(run_id):
    """A run's ranked table per group as screens show it (numbers rounded for display, as published)."""
    run = service.get_run(run_id)
    return jsonify({"run": run.id, "round": run.round.code, **presentation.ranking_view(run.results)})


@blp.route("/score-runs/<int:run_id>/charts/<group>.png", methods=["GET"])
@require_roles(*MANAGERS)
@blp.doc(responses={"200": {"description": "PNG drawn by matplotlib"}})
def index_chart(run_id, group):
    """The PAR index chart of one group of a run (the report's chart)."""
    png = report.index_chart_png(service.get_run(run_id), group)
    response = current_app.response_class(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@blp.route("/score-runs/<int:run_id>/report.<any(html, pdf, docx):fmt>", methods=["GET"])
@require_roles(*MANAGERS)
@blp.doc(responses={"200": {"description": "The annual report of the run: HTML with its charts inside, PDF or DOCX"}})
def report_download(run_id, fmt):
    """Download the round's report from a score run, as one HTML file, as PDF, or as DOCX to finish in Word
    (document number and signature left as placeholders) (admin, supervisor)."""
    body, mimetype, filename = report.report_file(service.get_run(run_id), fmt)
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.route("/rounds/<code>/scoring-settings", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, ScoringSettingsSchema)
def get_scoring_settings(code):
    """The round's scoring settings: the rule for agencies below the minimum sample, the band basis and
    the minimum sample (admin, supervisor)."""
    return settings.scoring_settings(get_round(code))


@blp.route("/rounds/<code>/scoring-settings", methods=["PUT"])
@require_roles(*MANAGERS)
@blp.arguments(ScoringSettingsSchema)
@blp.response(200, ScoringSettingsSchema)
def put_scoring_settings(args, code):
    """Change some of the round's scoring settings; the next score run uses them."""
    return settings.update_scoring_settings(get_round(code), args, current_user())
