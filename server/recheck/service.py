"""Use cases of the re-check feature that the API and the CLI share. They flush but never commit."""

from __future__ import annotations

from sqlalchemy import select

from ..auth.models import User
from ..auth.roles import MANAGERS, REVIEWER
from ..auth.service import get_user
from ..ballots.countable import count_countable, excluded_counts
from ..errors import ApiError
from ..extensions import db
from ..registry.models import SurveyRound
from . import sampling
from .models import RecheckAssignment, RecheckSample
from .settings import checked


def draw_sample(survey_round: SurveyRound, actor: User, *, dry_run: bool = False, **parameters) -> dict:
    params = sampling.SampleParameters(**parameters)
    if dry_run:
        sample_id, selected = None, sampling.draw(survey_round.id, params)
    else:
        sample, selected = sampling.store(survey_round, params, actor)
        sample_id = sample.id
    return {
        "sample_id": sample_id,
        "selected": len(selected),
        "by_reason": {k: int(v) for k, v in selected["reason"].value_counts().sort_index().items()},
        "ballots": list(selected["instance_id"]),
    }


def list_assignments(survey_round: SurveyRound, user: User | None = None) -> list[RecheckAssignment]:
    """Every assignment (no user, or a manager); a reviewer sees those assigned to them by name."""
    query = (
        select(RecheckAssignment)
        .join(RecheckAssignment.sample)
        .where(RecheckSample.round_id == survey_round.id)
        .order_by(RecheckAssignment.id)
    )
    if user is not None and user.role not in MANAGERS:
        query = query.where(RecheckAssignment.reviewer_id == user.id)
    return list(db.session.scalars(query))


def assign_reviewer(assignment: RecheckAssignment, username: str) -> RecheckAssignment:
    reviewer = get_user(username)
    if reviewer.role != REVIEWER or reviewer.organisation != assignment.organisation:
        raise ApiError(
            "invalid_request",
            f"{username} is not a reviewer of {assignment.organisation}.",
            {"username": ["Wrong role or organisation."]},
        )
    if reviewer.home_agency_id is not None and reviewer.home_agency_id == assignment.ballot.agency_id:
        raise ApiError("state_conflict", f"{username} belongs to the ballot's agency and may not re-check it.")
    assignment.reviewer = reviewer
    db.session.flush()
    return assignment


def countable_summary(survey_round: SurveyRound) -> dict:
    return {
        "round": survey_round.code,
        "countable": count_countable(survey_round.id),
        "excluded": excluded_counts(survey_round.id),
    }


def update_settings(survey_round: SurveyRound, changes: dict) -> dict:
    survey_round.quality_settings = {**(survey_round.quality_settings or {}), **checked(changes)}
    db.session.flush()
    return survey_round.quality_settings
