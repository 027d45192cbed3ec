"""Self-assessed and appraised points per agency and content area: what the lock writes into the round's
appraisal points and what the screens and the report read (apart from ``service`` and ``reading``, which
both use it, so neither imports the other)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..extensions import db
from ..registry.models import Agency, RoundAgency, SurveyRound
from .models import CouncilAppraisal, SelfAssessment
from .tree import Tree


def participants_of(survey_round: SurveyRound) -> list[tuple[int, str, str, str]]:
    """(agency id, code, name, group) of the round's agencies, by code, in one query."""
    return list(
        db.session.execute(
            select(Agency.id, Agency.code, Agency.name, Agency.agency_group)
            .join(RoundAgency, RoundAgency.agency_id == Agency.id)
            .where(RoundAgency.round_id == survey_round.id)
            .order_by(Agency.code)
        )
    )


def area_points(survey_round: SurveyRound, tree: Tree | None = None) -> dict:
    """Self-assessed and appraised points per agency and area: the sum of the area's leaves, never below 0
    nor above the area's maximum for the agency (penalties cannot take an area below zero)."""
    tree = tree or Tree(survey_round)
    area_of = {cid: p.area_id for cid, p in tree.places.items()}
    sums: dict[str, dict] = {"self": defaultdict(float), "appraised": defaultdict(float)}
    counts: dict = defaultdict(int)
    for kind, model in (("self", SelfAssessment), ("appraised", CouncilAppraisal)):
        query = select(model.agency_id, model.criterion_id, model.points).where(model.round_id == survey_round.id)
        for agency_id, criterion_id, points in db.session.execute(query):
            sums[kind][(agency_id, area_of[criterion_id])] += points
            counts[(kind, agency_id)] += 1
    result = {}
    for agency_id, code, name, group in participants_of(survey_round):
        if not counts[("self", agency_id)] and not counts[("appraised", agency_id)]:
            continue
        areas = []
        for area in tree.areas:
            maximum = tree.area_max(area, group)
            row = {"code": area.code, "title": area.title, "max_points": maximum}
            for kind in ("self", "appraised"):
                row[kind] = min(maximum, max(0.0, sums[kind][(agency_id, area.id)]))
            row["difference"] = row["appraised"] - row["self"]
            areas.append(row)
        result[code] = {
            "agency": code,
            "name": name,
            "areas": areas,
            "self": sum(a["self"] for a in areas),
            "appraised": sum(a["appraised"] for a in areas),
            "leaves_appraised": counts[("appraised", agency_id)],
        }
    return result
