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
        **_breakdown(selected, params),
        "ballots": list(selected["instance_id"]),
    }


def _breakdown(selected, params: sampling.SampleParameters) -> dict:
    """How many selected ballots per agency, per enumerator and per organisation (what a dry run previews)."""
    from ..registry.models import Agency

    if selected.empty:
        return {"by_agency": {}, "by_enumerator": {}, "by_organisation": {}}
    agencies = dict(db.session.execute(select(Agency.id, Agency.code)).all())
    ids = [int(i) for i in selected["enumerator_id"].unique()]
    users = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
    by_organisation: dict[str, int] = {}
    for _, organisation in sampling.organisations_for(selected, params):
        by_organisation[organisation] = by_organisation.get(organisation, 0) + 1
    return {
        "by_agency": {agencies[int(k)]: int(v) for k, v in selected["agency_id"].value_counts().sort_index().items()},
        "by_enumerator": {
            users[int(k)]: int(v) for k, v in selected["enumerator_id"].value_counts().sort_index().items()
        },
        "by_organisation": dict(sorted(by_organisation.items())),
    }


def assign_reviewers(survey_round: SurveyRound, assignment_ids: list[int], username: str) -> list[RecheckAssignment]:
    """Give several re-checks of a round to one reviewer of their organisation; all or none."""
    found = {
        a.id: a
        for a in db.session.scalars(
            select(RecheckAssignment)
            .join(RecheckAssignment.sample)
            .where(RecheckSample.round_id == survey_round.id, RecheckAssignment.id.in_(assignment_ids))
        )
    }
    missing = [i for i in assignment_ids if i not in found]
    if missing:
        raise ApiError("not_found", f"No re-checks {missing} in round {survey_round.code}.")
    return [assign_reviewer(found[i], username) for i in dict.fromkeys(assignment_ids)]


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
