"""What the appraisal screens read: an agency's self-assessment, an appraiser's area across agencies,
points per agency and area, progress. Plain column queries (no ORM objects per row), so an area of
150 agencies with thousands of evidence files stays fast (bench/appraisal.py)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..auth.models import User
from ..auth.roles import APPRAISER, COUNCIL_ORGANISATIONS, MANAGERS
from ..errors import ApiError
from ..extensions import db
from ..registry.models import Agency, SurveyRound
from .members import appraiser_org, require_agency_reader
from .models import AgencySubmission, CouncilAppraisal, EvidenceFile, SelfAssessment
from .points import area_points, participants_of
from .service import _participant, _submission, calendar_view
from .tree import Place, Tree

EVIDENCE_COLUMNS = (
    EvidenceFile.id,
    EvidenceFile.filename,
    EvidenceFile.sha256,
    EvidenceFile.size,
    EvidenceFile.signature_status,
    EvidenceFile.signer,
    EvidenceFile.issuer,
    EvidenceFile.certificate_serial,
    EvidenceFile.signed_at,
    EvidenceFile.detail,
)


def _entries(survey_round: SurveyRound, agency_ids=None, criterion_ids=None) -> tuple[dict, dict]:
    """Self-assessments (with their evidence) and appraisals, keyed by (agency id, criterion id)."""

    def narrowed(query, model):
        query = query.where(model.round_id == survey_round.id)
        if agency_ids is not None:
            query = query.where(model.agency_id.in_(agency_ids))
        if criterion_ids is not None:
            query = query.where(model.criterion_id.in_(criterion_ids))
        return query

    own, by_id = {}, {}
    columns = (SelfAssessment.id, SelfAssessment.agency_id, SelfAssessment.criterion_id, SelfAssessment.value)
    query = narrowed(select(*columns, SelfAssessment.points, SelfAssessment.explanation), SelfAssessment)
    for sid, agency_id, criterion_id, value, points, explanation in db.session.execute(query):
        entry = {"value": value, "points": points, "explanation": explanation, "evidence": []}
        own[(agency_id, criterion_id)] = by_id[sid] = entry
    query = narrowed(
        select(EvidenceFile.assessment_id, *EVIDENCE_COLUMNS).join(SelfAssessment).order_by(EvidenceFile.id),
        SelfAssessment,
    )
    for row in db.session.execute(query):
        item = dict(row._mapping)
        by_id[item.pop("assessment_id")]["evidence"].append(item)
    for entry in own.values():
        files = entry["evidence"]
        entry["evidence_signed"] = bool(files) and all(f["signature_status"] == "valid" for f in files)
    reviews = {}
    query = narrowed(
        select(
            CouncilAppraisal.agency_id,
            CouncilAppraisal.criterion_id,
            CouncilAppraisal.value,
            CouncilAppraisal.points,
            CouncilAppraisal.comment,
            User.username.label("appraiser"),
            CouncilAppraisal.answer,
            CouncilAppraisal.answered_at,
        ).outerjoin(User, User.id == CouncilAppraisal.appraiser_id),
        CouncilAppraisal,
    )
    for row in db.session.execute(query):
        item = dict(row._mapping)
        reviews[(item.pop("agency_id"), item.pop("criterion_id"))] = item
    return own, reviews


def _leaf_dict(place: Place, own: dict | None, review: dict | None) -> dict:
    c = place.criterion
    return {
        "code": c.code,
        "title": c.title,
        "area": place.area.code,
        "max_points": place.max_points,
        "rule": c.rule,
        "council_org": place.council_org,
        "self": own,
        "appraisal": review,
    }


def agency_view(survey_round: SurveyRound, agency: Agency, user: User) -> dict:
    """An agency's whole self-assessment: every applicable leaf, its evidence and its appraisal."""
    require_agency_reader(user, agency)
    _participant(survey_round, agency)
    tree = Tree(survey_round)
    own, reviews = _entries(survey_round, agency_ids=[agency.id])
    submission = _submission(survey_round, agency)
    return {
        "round": survey_round.code,
        "agency": {"code": agency.code, "name": agency.name, "group": agency.agency_group},
        "submitted_at": submission.submitted_at if submission else None,
        "calendar": calendar_view(survey_round),
        "areas": [
            {"code": a.code, "title": a.title, "max_points": tree.area_max(a, agency.agency_group)} for a in tree.areas
        ],
        "criteria": [
            _leaf_dict(p, own.get((agency.id, p.criterion_id)), reviews.get((agency.id, p.criterion_id)))
            for p in tree.leaves(agency.agency_group)
        ],
    }


def area_view(survey_round: SurveyRound, area_code: str, user: User) -> dict:
    """An appraiser's desk: the area's leaves (those of their organisation) across every submitted agency,
    with the self-assessed points, explanation, evidence and the appraisal so far."""
    if user.role != APPRAISER and user.role not in MANAGERS:
        raise ApiError("forbidden", "Only appraisers and the secretariat see an area across agencies.")
    tree = Tree(survey_round)
    area = tree.by_code.get(area_code)
    if area is None or area.parent_id is not None:
        raise ApiError("not_found", f"No content area {area_code} in round {survey_round.code}.")
    org = appraiser_org(user) if user.role == APPRAISER else None
    submitted = set(
        db.session.scalars(select(AgencySubmission.agency_id).where(AgencySubmission.round_id == survey_round.id))
    )
    agencies = [a for a in participants_of(survey_round) if a[0] in submitted]
    ids = [p.criterion_id for p in tree.leaves(area=area, council_org=org)]
    own, reviews = _entries(survey_round, criterion_ids=ids)
    return {
        "round": survey_round.code,
        "area": {"code": area.code, "title": area.title, "max_points": area.max_points},
        "council_org": org,
        "agencies": [
            {
                "code": code,
                "name": name,
                "criteria": [
                    _leaf_dict(p, own.get((agency_id, p.criterion_id)), reviews.get((agency_id, p.criterion_id)))
                    for p in tree.leaves(group, area, org)
                ],
            }
            for agency_id, code, name, group in agencies
        ],
    }


def progress(survey_round: SurveyRound) -> dict:
    """Where the round's appraisal stands: agencies submitted, criteria appraised per council organisation
    and appraiser, and the differences between self-assessed and appraised points."""
    tree = Tree(survey_round)
    submitted = dict(
        db.session.execute(
            select(AgencySubmission.agency_id, AgencySubmission.submitted_at).where(
                AgencySubmission.round_id == survey_round.id
            )
        ).all()
    )
    participants = participants_of(survey_round)
    reviews = list(
        db.session.execute(
            select(CouncilAppraisal.agency_id, CouncilAppraisal.criterion_id, User.username)
            .outerjoin(User, User.id == CouncilAppraisal.appraiser_id)
            .where(CouncilAppraisal.round_id == survey_round.id)
        )
    )
    done = {(a, c) for a, c, _ in reviews}
    organisations = []
    for org, name in COUNCIL_ORGANISATIONS.items():
        due = appraised = 0
        for agency_id, _code, _name, group in participants:
            if agency_id not in submitted:
                continue
            for place in tree.leaves(group, council_org=org):
                due += 1
                appraised += (agency_id, place.criterion_id) in done
        if due:
            organisations.append({"council_org": org, "name": name, "due": due, "appraised": appraised})
    per_appraiser: dict = defaultdict(int)
    for _, _, username in reviews:
        per_appraiser[username] += 1
    points = area_points(survey_round, tree)
    return {
        "round": survey_round.code,
        "calendar": calendar_view(survey_round),
        "agencies": [
            {
                "code": code,
                "name": name,
                "submitted_at": submitted.get(agency_id),
                "self": points.get(code, {}).get("self"),
                "appraised": points.get(code, {}).get("appraised"),
            }
            for agency_id, code, name, _group in participants
        ],
        "submitted": len(submitted),
        "participants": len(participants),
        "organisations": organisations,
        "appraisers": [{"username": u, "appraised": n} for u, n in sorted(per_appraiser.items())],
        "differences": [
            {
                "agency": code,
                "area": a["code"],
                "self": a["self"],
                "appraised": a["appraised"],
                "difference": a["difference"],
            }
            for code, item in points.items()
            for a in item["areas"]
            if abs(a["difference"]) > 1e-9
        ],
    }
