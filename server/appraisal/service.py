"""Use cases of the appraisal: self-assessment, evidence, submission, appraisal, the agency's answer,
deadlines, the lock, and the views built on them. They flush but never commit; every change is audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit import Event, append
from ..auth.models import User
from ..auth.roles import APPRAISER, COUNCIL_ORGANISATIONS, MANAGERS
from ..errors import ApiError
from ..extensions import db
from ..registry.models import Agency, RoundAgency, SurveyRound
from ..timeutil import utcnow
from . import evidence as evidence_store
from .criteria import calendar_of
from .members import appraiser_org, require_agency_reader, require_officer_of
from .models import AgencySubmission, CouncilAppraisal, EvidenceFile, SelfAssessment
from .points import area_points
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


def whoami(user: User) -> dict:
    """The caller's agency (an officer) or council organisation (an appraiser), and the rounds that have a
    criteria set, newest first, with their content areas: what the screens start from."""
    from .members import member_of
    from .models import Criterion

    member = member_of(user)
    rounds = db.session.scalars(
        select(SurveyRound)
        .where(SurveyRound.id.in_(select(Criterion.round_id)))
        .order_by(SurveyRound.year.desc(), SurveyRound.id.desc())
    )
    return {
        "username": user.username,
        "role": user.role,
        "agency": {"code": member.agency.code, "name": member.agency.name} if member and member.agency else None,
        "council_org": member.council_org if member else None,
        "council_org_name": COUNCIL_ORGANISATIONS.get(member.council_org) if member and member.council_org else None,
        "rounds": [
            {
                "code": r.code,
                "title": r.title,
                "areas": [{"code": a.code, "title": a.title, "max_points": a.max_points} for a in Tree(r).areas],
            }
            for r in rounds
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
    participants = list(
        db.session.scalars(
            select(RoundAgency).where(RoundAgency.round_id == survey_round.id).options(selectinload(RoundAgency.agency))
        )
    )
    missing = [
        f"{p.agency.code}/{place.criterion.code}"
        for p in participants
        if p.agency_id in submitted
        for place in tree.leaves(p.agency.agency_group)
        if (p.agency_id, place.criterion_id) not in done
    ]
    if missing:
        raise ApiError("state_conflict", f"{len(missing)} criteria are not appraised yet.", {"criteria": missing[:200]})
    points = area_points(survey_round, tree)
    areas = [(f"{a.code}. {a.title}"[:200], a.max_points) for a in tree.areas]
    rows = []
    for p in participants:
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
