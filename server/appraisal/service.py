"""Use cases of the appraisal: self-assessment, evidence, submission, appraisal, the agency's answer,
deadlines, the lock, and the views built on them. They flush but never commit; every change is audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit import Event, append
from ..auth.models import User
from ..auth.roles import APPRAISER, COUNCIL_ORGANISATIONS, MANAGERS
from ..errors import ApiError
from ..extensions import db
from ..registry.models import Agency, SurveyRound
from ..timeutil import utcnow
from . import evidence as evidence_store
from .criteria import calendar_of
from .members import appraiser_org, require_agency_reader, require_officer_of
from .models import AgencySubmission, CouncilAppraisal, EvidenceFile, SelfAssessment
from .rules import RuleError, leaf_points
from .tree import Place, Tree


def _audit(user: User | None, survey_round: SurveyRound, subject: str, action: str, details: dict) -> None:
    append(
        [
            Event(
                user.username if user else "cli",
                "appraisal",
                f"{survey_round.code}/{subject}"[:64],
                action,
                details,
            )
        ]
    )


def _participant(survey_round: SurveyRound, agency: Agency):
    for participant in survey_round.participants:
        if participant.agency_id == agency.id:
            return participant
    raise ApiError("not_found", f"{agency.code} does not take part in round {survey_round.code}.")


def _leaf(tree: Tree, code: str, agency: Agency) -> Place:
    row = tree.by_code.get(code)
    place = tree.places.get(row.id) if row is not None else None
    if place is None or not place.leaf:
        raise ApiError("not_found", f"No leaf criterion {code} in this round's criteria set.")
    if place not in tree.leaves(agency.agency_group, place.area):
        raise ApiError("invalid_request", f"Criterion {code} does not apply to {agency.code}.", {"criterion": [code]})
    return place


def _points(place: Place, value: float | None) -> float:
    try:
        return leaf_points(place.criterion.rule, place.criterion.max_points, value)
    except RuleError as exc:
        raise ApiError("invalid_request", f"{place.criterion.code}: {exc}", {"value": [str(exc)]}) from exc


def _require_open(survey_round: SurveyRound) -> None:
    calendar = calendar_of(survey_round)
    if calendar is not None and calendar.locked_at is not None:
        raise ApiError("state_conflict", f"The appraisal of round {survey_round.code} is locked.")


def _require_before(deadline: datetime | None, stage: str) -> None:
    if deadline is not None and utcnow() > deadline:
        raise ApiError("deadline_passed", f"The {stage} stage closed at {deadline:%Y-%m-%d %H:%M} UTC.")


def _submission(survey_round: SurveyRound, agency: Agency) -> AgencySubmission | None:
    return db.session.scalar(
        select(AgencySubmission).where(
            AgencySubmission.round_id == survey_round.id, AgencySubmission.agency_id == agency.id
        )
    )


def _self_row(survey_round: SurveyRound, agency: Agency, place: Place) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment).where(
            SelfAssessment.agency_id == agency.id, SelfAssessment.criterion_id == place.criterion.id
        )
    )


def _before_submission(survey_round: SurveyRound, agency: Agency) -> None:
    _require_open(survey_round)
    calendar = calendar_of(survey_round)
    _require_before(calendar.self_assessment_until if calendar else None, "self-assessment")
    if _submission(survey_round, agency) is not None:
        raise ApiError("state_conflict", f"{agency.code} has already submitted its self-assessment.")


def self_assess(survey_round, agency, code, value, explanation, user) -> SelfAssessment:
    """Record the agency's self-assessed value and explanation on one leaf (before it submits)."""
    require_officer_of(user, agency)
    _participant(survey_round, agency)
    _before_submission(survey_round, agency)
    place = _leaf(Tree(survey_round), code, agency)
    points = _points(place, value)
    row = _self_row(survey_round, agency, place)
    before = None if row is None else {"value": row.value, "points": row.points, "explanation": row.explanation}
    if row is None:
        row = SelfAssessment(round_id=survey_round.id, agency_id=agency.id, criterion_id=place.criterion.id)
        db.session.add(row)
    row.value, row.points, row.explanation = value, points, explanation or ""
    row.updated_at, row.updated_by_id = utcnow(), user.id
    db.session.flush()
    _audit(
        user,
        survey_round,
        f"{agency.code}/{code}",
        "self_assess",
        {"before": before, "after": {"value": value, "points": points, "explanation": row.explanation}},
    )
    return row


def add_evidence(survey_round, agency, code, filename, data, user, config) -> EvidenceFile:
    """Store an evidence PDF on a self-assessed leaf, with what its signature check found."""
    require_officer_of(user, agency)
    _before_submission(survey_round, agency)
    place = _leaf(Tree(survey_round), code, agency)
    row = _self_row(survey_round, agency, place)
    if row is None:
        raise ApiError("state_conflict", f"Self-assess {code} before adding evidence to it.")
    stored = evidence_store.store(row, filename, data, user, config)
    _audit(
        user,
        survey_round,
        f"{agency.code}/{code}",
        "evidence_add",
        {"file": stored.filename, "sha256": stored.sha256, "size": stored.size, "signature": stored.signature_status},
    )
    return stored


def get_evidence(survey_round: SurveyRound, evidence_id: int, user: User) -> EvidenceFile:
    stored = db.session.get(EvidenceFile, evidence_id)
    if stored is None or stored.assessment.round_id != survey_round.id:
        raise ApiError("not_found", f"No evidence file {evidence_id} in round {survey_round.code}.")
    require_agency_reader(user, stored.assessment.agency)
    return stored


def remove_evidence(survey_round: SurveyRound, evidence_id: int, user: User) -> None:
    stored = get_evidence(survey_round, evidence_id, user)
    agency = stored.assessment.agency
    require_officer_of(user, agency)
    _before_submission(survey_round, agency)
    _audit(
        user,
        survey_round,
        f"{agency.code}/{stored.assessment.criterion.code}",
        "evidence_remove",
        {"file": stored.filename, "sha256": stored.sha256},
    )
    db.session.delete(stored)
    db.session.flush()


def submit(survey_round: SurveyRound, agency: Agency, user: User) -> AgencySubmission:
    """Hand the self-assessment to the council; every applicable leaf must be self-assessed."""
    require_officer_of(user, agency)
    _before_submission(survey_round, agency)
    tree = Tree(survey_round)
    done = set(
        db.session.scalars(
            select(SelfAssessment.criterion_id).where(
                SelfAssessment.agency_id == agency.id, SelfAssessment.round_id == survey_round.id
            )
        )
    )
    missing = [p.criterion.code for p in tree.leaves(agency.agency_group) if p.criterion.id not in done]
    if missing:
        raise ApiError("state_conflict", f"{len(missing)} criteria are not self-assessed yet.", {"criteria": missing})
    submission = AgencySubmission(round_id=survey_round.id, agency_id=agency.id, submitted_by_id=user.id)
    db.session.add(submission)
    db.session.flush()
    _audit(user, survey_round, agency.code, "submit", {})
    return submission


def appraise(survey_round, agency, code, value, comment, user) -> CouncilAppraisal:
    """Record the council's appraised value and comment on one leaf of a submitted agency.

    Until the appraisal deadline; after it, only a leaf the agency has answered may be re-appraised
    (until the lock)."""
    _require_open(survey_round)
    tree = Tree(survey_round)
    place = _leaf(tree, code, agency)
    if user.role == APPRAISER and appraiser_org(user) != place.council_org:
        raise ApiError("forbidden", f"{code} is appraised by {place.council_org}, not by your organisation.")
    if user.role != APPRAISER and user.role not in MANAGERS:
        raise ApiError("forbidden", "Only appraisers and the secretariat appraise.")
    if _submission(survey_round, agency) is None:
        raise ApiError("state_conflict", f"{agency.code} has not submitted its self-assessment yet.")
    row = db.session.scalar(
        select(CouncilAppraisal).where(
            CouncilAppraisal.agency_id == agency.id, CouncilAppraisal.criterion_id == place.criterion.id
        )
    )
    calendar = calendar_of(survey_round)
    if row is None or row.answer is None:
        _require_before(calendar.appraisal_until if calendar else None, "appraisal")
    points = _points(place, value)
    before = None if row is None else {"value": row.value, "points": row.points, "comment": row.comment}
    if row is None:
        row = CouncilAppraisal(round_id=survey_round.id, agency_id=agency.id, criterion_id=place.criterion.id)
        db.session.add(row)
    row.value, row.points, row.comment = value, points, comment or ""
    row.appraiser_id, row.appraised_at = user.id, utcnow()
    db.session.flush()
    _audit(
        user,
        survey_round,
        f"{agency.code}/{code}",
        "appraise",
        {"before": before, "after": {"value": value, "points": points, "comment": row.comment}},
    )
    return row


def answer(survey_round, agency, code, text, user) -> CouncilAppraisal:
    """The agency's one answer (giải trình bổ sung) to the appraisal of a leaf, within the answer window."""
    require_officer_of(user, agency)
    _require_open(survey_round)
    calendar = calendar_of(survey_round)
    _require_before(calendar.answer_until if calendar else None, "answer")
    place = _leaf(Tree(survey_round), code, agency)
    row = db.session.scalar(
        select(CouncilAppraisal).where(
            CouncilAppraisal.agency_id == agency.id, CouncilAppraisal.criterion_id == place.criterion.id
        )
    )
    if row is None:
        raise ApiError("state_conflict", f"{code} has not been appraised yet; there is nothing to answer.")
    if row.answer is not None:
        raise ApiError("state_conflict", f"{agency.code} has already answered the appraisal of {code} (once only).")
    text = (text or "").strip()
    if not text:
        raise ApiError("invalid_request", "The answer is empty.", {"answer": ["Missing."]})
    row.answer, row.answered_at, row.answered_by_id = text, utcnow(), user.id
    db.session.flush()
    _audit(user, survey_round, f"{agency.code}/{code}", "answer", {"answer": text})
    return row


def set_calendar(survey_round: SurveyRound, user: User | None, **deadlines) -> dict:
    """Set the deadline of each stage (self-assessment, appraisal, answer); None clears one."""
    _require_open(survey_round)
    calendar = calendar_of(survey_round, create=True)
    before = {k: getattr(calendar, k) for k in deadlines}
    for key, value in deadlines.items():
        setattr(calendar, key, value)
    db.session.flush()
    _audit(user, survey_round, "calendar", "deadlines", {"before": before, "after": deadlines})
    return calendar_view(survey_round)


def calendar_view(survey_round: SurveyRound) -> dict:
    calendar = calendar_of(survey_round)
    keys = ("self_assessment_until", "appraisal_until", "answer_until", "locked_at")
    view = {k: getattr(calendar, k) if calendar else None for k in keys}
    view["round"] = survey_round.code
    view["locked_by"] = calendar.locked_by.username if calendar and calendar.locked_by else None
    return view


# --- reading -----------------------------------------------------------------------------------------


def _evidence_dict(e: EvidenceFile) -> dict:
    return {
        "id": e.id,
        "filename": e.filename,
        "sha256": e.sha256,
        "size": e.size,
        "signature_status": e.signature_status,
        "signer": e.signer,
        "issuer": e.issuer,
        "certificate_serial": e.certificate_serial,
        "signed_at": e.signed_at,
        "detail": e.detail,
    }


def _leaf_dict(place: Place, own: SelfAssessment | None, review: CouncilAppraisal | None) -> dict:
    c = place.criterion
    return {
        "code": c.code,
        "title": c.title,
        "area": place.area.code,
        "max_points": c.max_points,
        "rule": c.rule,
        "council_org": place.council_org,
        "self": None
        if own is None
        else {
            "value": own.value,
            "points": own.points,
            "explanation": own.explanation,
            "evidence": [_evidence_dict(e) for e in own.evidence],
            "evidence_signed": bool(own.evidence) and all(e.signature_status == "valid" for e in own.evidence),
        },
        "appraisal": None
        if review is None
        else {
            "value": review.value,
            "points": review.points,
            "comment": review.comment,
            "appraiser": review.appraiser.username if review.appraiser else None,
            "answer": review.answer,
            "answered_at": review.answered_at,
        },
    }


def _rows(model, survey_round: SurveyRound, agency_ids=None, criterion_ids=None, with_evidence=False):
    query = select(model).where(model.round_id == survey_round.id)
    if agency_ids is not None:
        query = query.where(model.agency_id.in_(agency_ids))
    if criterion_ids is not None:
        query = query.where(model.criterion_id.in_(criterion_ids))
    if with_evidence:
        query = query.options(selectinload(SelfAssessment.evidence))
    if model is CouncilAppraisal:
        query = query.options(selectinload(CouncilAppraisal.appraiser))
    return {(r.agency_id, r.criterion_id): r for r in db.session.scalars(query)}


def agency_view(survey_round: SurveyRound, agency: Agency, user: User) -> dict:
    """An agency's whole self-assessment: every applicable leaf, its evidence and its appraisal."""
    require_agency_reader(user, agency)
    _participant(survey_round, agency)
    tree = Tree(survey_round)
    own = _rows(SelfAssessment, survey_round, [agency.id], with_evidence=True)
    reviews = _rows(CouncilAppraisal, survey_round, [agency.id])
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
            _leaf_dict(p, own.get((agency.id, p.criterion.id)), reviews.get((agency.id, p.criterion.id)))
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
    leaves = tree.leaves(area=area, council_org=org)
    agency_ids = list(
        db.session.scalars(select(AgencySubmission.agency_id).where(AgencySubmission.round_id == survey_round.id))
    )
    agencies = sorted(
        (p.agency for p in survey_round.participants if p.agency_id in set(agency_ids)), key=lambda a: a.code
    )
    ids = [p.criterion.id for p in leaves]
    own = _rows(SelfAssessment, survey_round, criterion_ids=ids, with_evidence=True)
    reviews = _rows(CouncilAppraisal, survey_round, criterion_ids=ids)
    return {
        "round": survey_round.code,
        "area": {"code": area.code, "title": area.title, "max_points": area.max_points},
        "council_org": org,
        "agencies": [
            {
                "code": a.code,
                "name": a.name,
                "criteria": [
                    _leaf_dict(p, own.get((a.id, p.criterion.id)), reviews.get((a.id, p.criterion.id)))
                    for p in leaves
                    if p in tree.leaves(a.agency_group, area)
                ],
            }
            for a in agencies
        ],
    }


def area_points(survey_round: SurveyRound, tree: Tree | None = None) -> dict:
    """Self-assessed and appraised points per agency and area: the sum of the area's leaves, never below 0
    nor above the area's maximum for the agency (penalties cannot take an area below zero)."""
    tree = tree or Tree(survey_round)
    area_of = {cid: p.area for cid, p in tree.places.items()}
    sums: dict[str, dict] = {"self": defaultdict(float), "appraised": defaultdict(float)}
    counts: dict = defaultdict(int)
    for kind, model in (("self", SelfAssessment), ("appraised", CouncilAppraisal)):
        query = select(model.agency_id, model.criterion_id, model.points).where(model.round_id == survey_round.id)
        for agency_id, criterion_id, points in db.session.execute(query):
            sums[kind][(agency_id, area_of[criterion_id].id)] += points
            counts[(kind, agency_id)] += 1
    result = {}
    for participant in sorted(survey_round.participants, key=lambda p: p.agency.code):
        agency = participant.agency
        if not counts[("self", agency.id)] and not counts[("appraised", agency.id)]:
            continue
        areas = []
        for area in tree.areas:
            maximum = tree.area_max(area, agency.agency_group)
            row = {"code": area.code, "title": area.title, "max_points": maximum}
            for kind in ("self", "appraised"):
                row[kind] = min(maximum, max(0.0, sums[kind][(agency.id, area.id)]))
            row["difference"] = row["appraised"] - row["self"]
            areas.append(row)
        result[agency.code] = {
            "agency": agency.code,
            "name": agency.name,
            "areas": areas,
            "self": sum(a["self"] for a in areas),
            "appraised": sum(a["appraised"] for a in areas),
            "leaves_appraised": counts[("appraised", agency.id)],
        }
    return result


def progress(survey_round: SurveyRound) -> dict:
    """Where the round's appraisal stands: agencies submitted, criteria appraised per council organisation
    and appraiser, and the differences between self-assessed and appraised points."""
    tree = Tree(survey_round)
    submitted = {
        s.agency_id: s.submitted_at
        for s in db.session.scalars(select(AgencySubmission).where(AgencySubmission.round_id == survey_round.id))
    }
    participants = sorted(survey_round.participants, key=lambda p: p.agency.code)
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
        for p in participants:
            if p.agency_id not in submitted:
                continue
            for place in tree.leaves(p.agency.agency_group, council_org=org):
                due += 1
                appraised += (p.agency_id, place.criterion.id) in done
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
                "code": p.agency.code,
                "name": p.agency.name,
                "submitted_at": submitted.get(p.agency_id),
                "self": points.get(p.agency.code, {}).get("self"),
                "appraised": points.get(p.agency.code, {}).get("appraised"),
            }
            for p in participants
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


def lock(survey_round: SurveyRound, user: User | None) -> dict:
    """The secretariat locks the round's appraisal: every submitted agency must be appraised on every leaf
    that applies to it. The appraised points per area then replace the round's appraisal points, which
    the score run reads (the same store as the CSV import)."""
    from ..results.appraisal import replace_appraisal_points

    _require_open(survey_round)
    tree = Tree(survey_round)
    submitted = set(
        db.session.scalars(select(AgencySubmission.agency_id).where(AgencySubmission.round_id == survey_round.id))
    )
    if not submitted:
        raise ApiError("state_conflict", f"No agency has submitted a self-assessment in round {survey_round.code}.")
    done = {
        (a, c)
        for a, c in db.session.execute(
            select(CouncilAppraisal.agency_id, CouncilAppraisal.criterion_id).where(
                CouncilAppraisal.round_id == survey_round.id
            )
        )
    }
    missing = [
        f"{p.agency.code}/{place.criterion.code}"
        for p in survey_round.participants
        if p.agency_id in submitted
        for place in tree.leaves(p.agency.agency_group)
        if (p.agency_id, place.criterion.id) not in done
    ]
    if missing:
        raise ApiError("state_conflict", f"{len(missing)} criteria are not appraised yet.", {"criteria": missing[:200]})
    points = area_points(survey_round, tree)
    areas = [(f"{a.code}. {a.title}"[:200], a.max_points) for a in tree.areas]
    rows = []
    for p in survey_round.participants:
        if p.agency_id not in submitted:
            continue
        item = points[p.agency.code]
        rows.append(
            {
                "participant": p,
                "points": item["appraised"],
                "satisfaction_points": None,
                "areas": {name: a["appraised"] for (name, _), a in zip(areas, item["areas"], strict=True)},
            }
        )
    replace_appraisal_points(survey_round, areas, rows, f"appraisal locked in parsurvey ({survey_round.code})", user)
    calendar = calendar_of(survey_round, create=True)
    calendar.locked_at, calendar.locked_by_id = utcnow(), user.id if user else None
    db.session.flush()
    _audit(
        user,
        survey_round,
        "lock",
        "lock",
        {"agencies": sorted(points), "totals": {k: v["appraised"] for k, v in points.items()}},
    )
    return {
        "round": survey_round.code,
        "locked_at": calendar.locked_at,
        "agencies": [points[r["participant"].agency.code] for r in rows],
    }
