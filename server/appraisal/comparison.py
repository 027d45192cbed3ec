"""What the score run keeps of an appraisal done in parsurvey: self-assessed and appraised points per
submitted agency and content area, once the round's appraisal is locked (else nothing). Stored in the
run's results so the annual report reads only the run (``server.results`` never imports the appraisal's
screens)."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..registry.models import Agency, SurveyRound
from .models import AgencySubmission, AppraisalCalendar
from .points import area_points


def appraisal_comparison(survey_round: SurveyRound) -> dict | None:
    """``None`` unless the round's appraisal is locked; else ``{"locked_at", "areas", "agencies"}`` with
    each submitted agency's group, self-assessed and appraised totals and points per area (unrounded)."""
    locked_at = db.session.scalar(
        select(AppraisalCalendar.locked_at).where(AppraisalCalendar.round_id == survey_round.id)
    )
    if locked_at is None:
        return None
    submitted = set(
        db.session.scalars(
            select(Agency.code)
            .join(AgencySubmission, AgencySubmission.agency_id == Agency.id)
            .where(AgencySubmission.round_id == survey_round.id)
        )
    )
    groups = dict(db.session.execute(select(Agency.code, Agency.agency_group).where(Agency.code.in_(submitted))).all())
    points = area_points(survey_round)
    agencies = [
        {
            "agency": code,
            "name": item["name"],
            "group": groups.get(code),
            "self": item["self"],
            "appraised": item["appraised"],
            "areas": [{"code": a["code"], "self": a["self"], "appraised": a["appraised"]} for a in item["areas"]],
        }
        for code, item in sorted(points.items())
        if code in submitted
    ]
    areas = []
    if points:
        first = next(iter(points.values()))
        areas = [{"code": a["code"], "title": a["title"]} for a in first["areas"]]
    return {"locked_at": locked_at.isoformat(), "areas": areas, "agencies": agencies}
