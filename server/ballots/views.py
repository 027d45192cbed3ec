"""HTTP endpoints: the sync batch (devices) and conflicts (supervisors)."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from urllib.parse import quote

from flask import current_app, request, send_file, stream_with_context
from flask_smorest import Blueprint

from sync.protocol import PROTOCOL_VERSION

from ..audit import entries_for
from ..auth.access import current_token, current_user, require_roles
from ..auth.roles import ENUMERATOR, MANAGERS, REVIEWER, ROLES
from ..auth.service import record_sync
from ..errors import ApiError
from ..i18n import localize_problems, localize_results
from ..paging import BALLOTS, LIST, Page
from ..recheck.schemas import AuditEntrySchema, OverrideSchema
from ..recheck.status import override
from ..registry.service import get_round
from . import access, attachments, conflicts, exports, intake, paper, reading, repeat_exports
from .browse import BallotFilters
from .countable import verdicts
from .schemas import (
    BATCH_BODY,
    AttachmentResultSchema,
    BallotPageSchema,
    BallotQuerySchema,
    BallotSchema,
    BatchResultSchema,
    ConflictQuerySchema,
    ConflictSchema,
    ExportQuerySchema,
    PaperImportSchema,
    PaperTemplateQuerySchema,
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
@blp.paginate(Page, **LIST)
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


def ballot_view(ballot, user, rechecks: list[dict] | None = None, files: bool = False) -> dict:
    view = {
        "instance_id": ballot.instance_id,
        "round": ballot.round.code if ballot.round else None,
        "form_id": ballot.form_version.form_id,
        "form_version": ballot.form_version.version,
        "agency_code": ballot.agency.code,
        "agency_name": ballot.agency.name,
        "enumerator": ballot.enumerator.username,
        "device_id": ballot.device_id,
        "status": ballot.status,
        "status_reason": ballot.status_reason,
        "started_at": ballot.started_at,
        "completed_at": ballot.completed_at,
        "received_at": ballot.received_at,
        "duration_seconds": ballot.duration_seconds,
        "rechecks": rechecks
        if rechecks is not None
        else reading.rechecks_of([ballot.id], details=user.role in MANAGERS)[ballot.id],
        "answers": access.visible_answers(user, ballot),
    }
    if files:  # one ballot's page: its files (not their bytes) and those still awaited
        view["attachments"], view["attachments_missing"] = attachments.listed(ballot)
    return view


def filters_from(args) -> BallotFilters:
    """The table's filters from parsed query arguments (the table, its exports and the CLI share them)."""
    return BallotFilters(
        round_id=get_round(args["round"]).id if args.get("round") else None,
        agency=args.get("agency"),
        enumerator=args.get("enumerator"),
        statuses=args.get("status") or [],
        recheck=args.get("recheck"),
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
        min_seconds=args.get("min_seconds"),
        max_seconds=args.get("max_seconds"),
        form_version=args.get("form_version"),
        instance=args.get("instance"),
        location=args.get("location"),
        sort=args.get("sort"),
    )


@blp.route("/ballots", methods=["GET"])
@require_roles(*ROLES)
@blp.arguments(BallotQuerySchema, location="query")
@blp.response(200, BallotPageSchema)
@blp.paginate(**BALLOTS)
def list_ballots(args, pagination_parameters):
    """The ballot table: filters, sorting and pages; managers see all, enumerators their own, reviewers
    those assigned to them. ``total`` counts every ballot matching the filters."""
    user = current_user()
    total, page = access.list_ballots(
        user, filters_from(args), page=pagination_parameters.page, page_size=pagination_parameters.page_size
    )
    pagination_parameters.item_count = total
    rechecks = reading.rechecks_of([b.id for b in page])
    return {"total": total, "ballots": [ballot_view(b, user, rechecks[b.id]) for b in page]}


@blp.route("/ballots/<instance_id>", methods=["GET"])
@require_roles(*ROLES)
@blp.response(200, BallotSchema)
def get_ballot(instance_id):
    """One ballot; contact details only for supervisors and the reviewer assigned to it."""
    user = current_user()
    return ballot_view(access.get_ballot(instance_id, user), user, files=True)


@blp.route("/ballots/<instance_id>/attachments/<file_name>", methods=["PUT"])
@require_roles(ENUMERATOR, *MANAGERS)
@blp.doc(requestBody={"required": True, "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}})
@blp.response(201, AttachmentResultSchema)
@blp.alt_response(200, schema=AttachmentResultSchema, description="The same file was stored before")
def put_attachment(instance_id, file_name):
    """The file answering a media question of a synced ballot (send it after the ballot's batch). Resending
    the same bytes is a ``duplicate`` (200); other bytes under the name are refused (409 payload_conflict).
    ``X-Content-SHA256``, when given, must be the body's sha256 (a file damaged on the way is refused)."""
    user = current_user()
    ballot = access.get_ballot(instance_id, user)
    if user.role == REVIEWER or (user.role == ENUMERATOR and ballot.enumerator_id != user.id):
        raise ApiError("forbidden", "Only the ballot's enumerator (or a supervisor for them) sends its files.")
    content = request.get_data(cache=False)
    declared = request.headers.get("X-Content-SHA256", "").strip().lower()
    digest = hashlib.sha256(content).hexdigest()
    if declared and declared != digest:
        raise ApiError("invalid_request", "The body's sha256 is not the X-Content-SHA256 given; send it again.")
    outcome = attachments.store(ballot, [attachments.Upload(file_name, request.mimetype, content)])
    status = outcome[file_name]
    body = {
        "instance_id": instance_id,
        "file_name": file_name,
        "status": status,
        "size": len(content),
        "sha256": digest,
    }
    return body, 201 if status == attachments.ACCEPTED else 200


@blp.route("/ballots/<instance_id>/attachments/<file_name>", methods=["GET"])
@require_roles(*ROLES)
@blp.response(200, description="The file's bytes, as a download")
def get_attachment(instance_id, file_name):
    """A file of a ballot, for whoever may read the ballot (downloaded, never shown as a page)."""
    found = attachments.content_of(access.get_ballot(instance_id, current_user()), file_name)
    response = current_app.response_class(found.content, mimetype=found.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/ballots/<instance_id>/audit", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, AuditEntrySchema(many=True))
@blp.paginate(Page, **LIST)
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


EXPORT_RESPONSE = {
    "description": "One row per ballot: CSV (streamed), XLSX (a sheet per repeat group), Stata or SPSS; a Stata or "
    "SPSS download of forms with repeat groups is a ZIP of the ballots' file and one file per repeat group; with "
    "`repeat`, that repeat group's table alone (one row per instance)",
    "content": {
        mimetype.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
        for mimetype in [*exports.MIMETYPES.values(), exports.ZIP_MIMETYPE]
    },
}


@blp.route("/rounds/<code>/ballots/export.<any(csv, xlsx, dta, sav):fmt>", methods=["GET"])
@require_roles(*MANAGERS)
@blp.arguments(ExportQuerySchema, location="query")
@blp.doc(responses={"200": EXPORT_RESPONSE})
def export_ballots(args, code, fmt):
    """The round's ballots, filtered like the table, as CSV (UTF-8 with BOM), XLSX (values, labels and
    variables sheets, a sheet per repeat group), Stata or SPSS (variable and value labels; with repeat groups a
    ZIP of one file per table). Contact answers are left out."""
    export = exports.Export(filters_from({**args, "round": code}), lang=args["lang"]).prepare()
    disposition = {"Content-Disposition": f'attachment; filename="{exports.filename(export, fmt)}"'}
    table = None
    if args.get("repeat") and fmt != "xlsx":
        table = repeat_exports.table_named(export, args["repeat"])
        if table is None:
            raise ApiError("not_found", f"The round's forms have no repeat group {args['repeat']!r}.")
    if fmt == "csv" and table is not None:
        name = repeat_exports.file_name(exports.filename(export, fmt), table)
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        rows = stream_with_context(repeat_exports.csv_chunks(export, table.name))
        return current_app.response_class(rows, mimetype=exports.MIMETYPES[fmt], headers=disposition)
    if fmt == "csv":
        chunks = stream_with_context(exports.csv_chunks(export))
        return current_app.response_class(chunks, mimetype=exports.MIMETYPES[fmt], headers=disposition)
    path, mimetype, name = exports.write_file(export, fmt, table)
    handle = exports.open_unlinked(path)
    response = send_file(handle, mimetype=mimetype, as_attachment=True, download_name=name)
    response.content_length = os.fstat(handle.fileno()).st_size
    return response


PAPER_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "CSV (UTF-8) or XLSX"},
                    "form_id": {"type": "string", "maxLength": 64},
                    "version": {"type": "string", "maxLength": 32},
                },
            }
        }
    },
}


@blp.route("/rounds/<code>/paper-ballots", methods=["POST"])
@require_roles(*MANAGERS)
@blp.doc(requestBody=PAPER_BODY)
@blp.response(200, PaperImportSchema)
def import_paper(code):
    """Import paper ballots (multipart field ``file``, CSV or XLSX) row by row: valid rows are stored,
    already stored ones skipped; each refused row comes back with its line and reasons, and
    ``refused_file`` holds them as a CSV to correct and import again (admin, supervisor)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError("invalid_request", "Send the CSV or XLSX in the multipart field 'file'.", {"file": ["Missing."]})
    for field, longest in (("form_id", 64), ("version", 32)):
        if len(request.form.get(field, "")) > longest:
            raise ApiError("invalid_request", errors={field: [f"Longer than maximum length {longest}."]})
    done = paper.import_paper_ballots(
        get_round(code),
        upload.read(),
        os.path.basename(upload.filename),
        current_user(),
        form_id=request.form.get("form_id") or None,
        version=request.form.get("version") or None,
    )
    body = done.as_dict()
    for row in body["refused"]:
        row["problems"] = localize_problems(row["problems"])
    return body


@blp.route("/rounds/<code>/paper-ballots/template.<any(csv, xlsx):fmt>", methods=["GET"])
@require_roles(*MANAGERS)
@blp.arguments(PaperTemplateQuerySchema, location="query")
@blp.response(200, description="The empty paper-ballot file of the round's form version, Vietnamese headers")
def paper_ballot_template(args, code, fmt):
    """The file to key paper ballots into: one column per question of the form version (``form_id`` and
    ``version``, default the round's), headed ``label [id]``; the XLSX adds an instructions sheet."""
    stored = paper.form_version_for(get_round(code), args.get("form_id"), args.get("version"))
    body, mimetype, filename = paper.paper_template(stored, fmt)
    response = current_app.response_class(body, content_type=mimetype)
    response.headers.set("Content-Disposition", "attachment", **download_name(filename))
    return response


def download_name(name: str) -> dict[str, str]:
    """Content-Disposition's file name as send_file writes it: a form id or version may be any text
    (``Phiếu hài lòng``), so a name outside ASCII goes in ``filename*`` (RFC 6266) beside an ASCII one."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        return {"filename": simple, "filename*": f"UTF-8''{quote(name, safe='!#$&+^`|~')}"}
    return {"filename": name}
