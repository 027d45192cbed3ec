"""HTTP endpoints of the appraisal: criteria set, deadlines, members, self-assessment with evidence,
appraisal, answers, lock, progress. Thin: parse, check the role, call one use case, dump."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

from flask import current_app, jsonify, request, send_file
from flask_smorest import Blueprint

from ..auth.access import current_user, require_roles
from ..auth.roles import AGENCY_OFFICER, APPRAISER, MANAGERS
from ..errors import ApiError
from ..paging import LIST, Page
from ..registry.service import get_agency, get_round
from . import criteria, evidence, reading, service
from .members import assign_member, list_members
from .schemas import (
    AgencyViewSchema,
    AnsweredSchema,
    AnswerSchema,
    AppraisalProgressSchema,
    AppraisedSchema,
    AppraiseSchema,
    AreaViewSchema,
    CalendarSchema,
    CopyCriteriaSchema,
    CriteriaChangesSchema,
    CriterionPatchSchema,
    CriterionSchema,
    EvidenceSchema,
    LockedSchema,
    MemberEntrySchema,
    MemberResultSchema,
    MemberSchema,
    SelfAssessedSchema,
    SelfAssessmentSchema,
    SubmittedSchema,
    WhoAmISchema,
)

blp = Blueprint(
    "appraisal",
    __name__,
    url_prefix="/api/v1",
    description="Appraisal: criteria set, self-assessment with signed evidence, council appraisal, lock",
)
EVERYONE = (*MANAGERS, AGENCY_OFFICER, APPRAISER)
#: An object keyed by agency code (LockedSchema registers AgencyPoints, the value's schema).
POINTS_BY_AGENCY = {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/AgencyPoints"}}
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


def _iso(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _json(data):
    """A JSON response with dates as ISO 8601 (Flask's own JSON would write RFC 822), in one pass: the large
    reading views skip marshmallow's dump (bench/appraisal.py); their ``@blp.response`` schema documents the
    answer, and tests/appraisal checks the two agree (tests/openapi_match.py)."""
    return current_app.response_class(
        json.dumps(data, ensure_ascii=False, default=_iso, separators=(",", ":")), mimetype="application/json"
    )


def _upload() -> tuple[bytes, str]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError("invalid_request", "Send the file in the multipart field 'file'.", {"file": ["Missing."]})
    return upload.read(), upload.filename


@blp.route("/rounds/<code>/criteria", methods=["GET"])
@require_roles(*EVERYONE)
@blp.response(200, CriterionSchema(many=True))
@blp.paginate(Page, **LIST)
def list_criteria(code):
    """The round's criteria set, areas first in sheet order (every signed-in appraisal role)."""
    return criteria.criteria_of(get_round(code))


@blp.route("/rounds/<code>/criteria", methods=["POST"])
@require_roles(*MANAGERS)
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(200, CriterionSchema(many=True))
def import_criteria(code):
    """Replace the round's criteria set by an XLSX (or CSV) sheet; every problem by row, all or nothing."""
    data, filename = _upload()
    return criteria.import_criteria(get_round(code), data, filename)


@blp.route("/rounds/<code>/criteria/copy", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(CopyCriteriaSchema)
@blp.response(200, CriterionSchema(many=True))
def copy_criteria(body, code):
    """Copy another round's criteria set (last year's); later edits are tracked against it."""
    return criteria.copy_criteria(get_round(code), get_round(body["from_round"]))


@blp.route("/rounds/<code>/criteria/changes", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, CriteriaChangesSchema)
def criteria_changes(code):
    """New, changed (with old and new values) and removed criteria against the compared round."""
    return criteria.changes(get_round(code))


@blp.route('/rounds/<code>/criteria/<other_than("copy", "changes"):criterion>', methods=["PATCH"])
@require_roles(*MANAGERS)
@blp.arguments(CriterionPatchSchema)
@blp.response(200, CriterionSchema)
def edit_criterion(body, code, criterion):
    """Change one criterion; the whole set is re-checked and its changes re-marked."""
    return criteria.edit_criterion(get_round(code), criterion, body)


@blp.route("/rounds/<code>/appraisal-calendar", methods=["GET"])
@require_roles(*EVERYONE)
@blp.response(200, CalendarSchema)
def get_calendar(code):
    """Deadlines per stage and the lock."""
    return service.calendar_view(get_round(code))


@blp.route("/rounds/<code>/appraisal-calendar", methods=["PUT"])
@require_roles(*MANAGERS)
@blp.arguments(CalendarSchema)
@blp.response(200, CalendarSchema)
def set_calendar(body, code):
    """Set the deadlines of self-assessment, appraisal and the agencies' answers (absent: no deadline)."""
    keys = ("self_assessment_until", "appraisal_until", "answer_until")
    return service.set_calendar(get_round(code), current_user(), **{k: body.get(k) for k in keys})


@blp.route("/appraisal/members", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, MemberEntrySchema(many=True))
@blp.paginate(Page, **LIST)
def get_members():
    """Who is appraiser for which council organisation and officer for which agency (supervisor, admin)."""
    return list_members()


@blp.route("/appraisal/members", methods=["POST"])
@require_roles(*MANAGERS)
@blp.arguments(MemberSchema)
@blp.response(200, MemberResultSchema)
def set_member(body):
    """Say which agency an agency officer speaks for, or which council organisation an appraiser sits for."""
    member = assign_member(body["username"], body["agency"], body["council_org"])
    return {
        "username": body["username"],
        "agency": member.agency.code if member.agency else None,
        "council_org": member.council_org,
    }


@blp.route("/appraisal/me", methods=["GET"])
@require_roles(*EVERYONE)
@blp.response(200, WhoAmISchema)
def me():
    """The caller's place in the appraisal (agency or council organisation) and the rounds with a criteria set."""
    return jsonify(service.whoami(current_user()))


@blp.route("/rounds/<code>/agencies/<agency>/self-assessment", methods=["GET"])
@require_roles(*EVERYONE)
@blp.response(200, AgencyViewSchema)
def agency_view(code, agency):
    """An agency's self-assessment: every leaf that applies to it, with evidence and appraisal
    (its officer, appraisers, supervisors)."""
    return _json(reading.agency_view(get_round(code), get_agency(agency), current_user()))


@blp.route("/rounds/<code>/agencies/<agency>/self-assessment/<criterion>", methods=["PUT"])
@require_roles(AGENCY_OFFICER)
@blp.arguments(SelfAssessmentSchema)
@blp.response(200, SelfAssessedSchema)
def self_assess(body, code, agency, criterion):
    """Record the self-assessed value and explanation (giải trình) of one leaf (the agency's officer)."""
    row = service.self_assess(
        get_round(code), get_agency(agency), criterion, body["value"], body["explanation"], current_user()
    )
    return {"criterion": criterion, "value": row.value, "points": row.points, "explanation": row.explanation}


@blp.route("/rounds/<code>/agencies/<agency>/self-assessment/<criterion>/evidence", methods=["POST"])
@require_roles(AGENCY_OFFICER)
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201, EvidenceSchema)
def add_evidence(code, agency, criterion):
    """Add a signed PDF of evidence to a self-assessed leaf; its signature is checked on arrival."""
    data, filename = _upload()
    return service.add_evidence(
        get_round(code), get_agency(agency), criterion, filename, data, current_user(), current_app.config
    )


@blp.route("/rounds/<code>/evidence/<int:evidence_id>", methods=["GET"])
@require_roles(*EVERYONE)
@blp.doc(
    responses={
        "200": {
            "description": "The PDF as uploaded",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
def download_evidence(code, evidence_id):
    """An evidence file (its agency's officer, appraisers, supervisors)."""
    stored = service.get_evidence(get_round(code), evidence_id, current_user())
    data = evidence.read(current_app.config, stored)
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=stored.filename)


@blp.route("/rounds/<code>/evidence/<int:evidence_id>", methods=["DELETE"])
@require_roles(AGENCY_OFFICER)
@blp.response(204)
def remove_evidence(code, evidence_id):
    """Remove an evidence file before the agency submits."""
    service.remove_evidence(get_round(code), evidence_id, current_user())


@blp.route("/rounds/<code>/agencies/<agency>/submit", methods=["POST"])
@require_roles(AGENCY_OFFICER)
@blp.response(200, SubmittedSchema)
def submit(code, agency):
    """Hand the self-assessment to the council (every applicable leaf must be self-assessed)."""
    row = service.submit(get_round(code), get_agency(agency), current_user())
    return {"agency": agency, "submitted_at": row.submitted_at}


@blp.route("/rounds/<code>/areas/<area>/appraisal", methods=["GET"])
@require_roles(APPRAISER, *MANAGERS)
@blp.response(200, AreaViewSchema)
def area_view(code, area):
    """An appraiser's desk: the area's leaves of their organisation across every submitted agency."""
    return _json(reading.area_view(get_round(code), area, current_user()))


@blp.route("/rounds/<code>/agencies/<agency>/appraisal/<criterion>", methods=["PUT"])
@require_roles(APPRAISER, *MANAGERS)
@blp.arguments(AppraiseSchema)
@blp.response(200, AppraisedSchema)
def appraise(body, code, agency, criterion):
    """Record the appraised value and comment of one leaf of a submitted agency."""
    row = service.appraise(
        get_round(code), get_agency(agency), criterion, body["value"], body["comment"], current_user()
    )
    return {"criterion": criterion, "value": row.value, "points": row.points, "comment": row.comment}


@blp.route("/rounds/<code>/agencies/<agency>/appraisal/<criterion>/answer", methods=["POST"])
@require_roles(AGENCY_OFFICER)
@blp.arguments(AnswerSchema)
@blp.response(200, AnsweredSchema)
def answer(body, code, agency, criterion):
    """The agency's one answer (giải trình bổ sung) to the appraisal of a leaf."""
    row = service.answer(get_round(code), get_agency(agency), criterion, body["answer"], current_user())
    return {"criterion": criterion, "answer": row.answer, "answered_at": row.answered_at}


@blp.route("/rounds/<code>/appraisal/lock", methods=["POST"])
@require_roles(*MANAGERS)
@blp.response(200, LockedSchema)
def lock(code):
    """Lock the round's appraisal (the secretariat); its points per area become the round's appraisal points."""
    return _json(service.lock(get_round(code), current_user()))


@blp.route("/rounds/<code>/appraisal/progress", methods=["GET"])
@require_roles(*MANAGERS, APPRAISER)
@blp.response(200, AppraisalProgressSchema)
def progress(code):
    """Agencies submitted, criteria appraised per organisation and appraiser, self vs appraised differences."""
    return _json(reading.progress(get_round(code)))


@blp.route("/rounds/<code>/appraisal/points", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, POINTS_BY_AGENCY, description="Keyed by agency code")
def points(code):
    """Self-assessed and appraised points per agency and content area, keyed by agency code."""
    return _json(reading.area_points(get_round(code)))
