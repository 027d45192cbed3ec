"""The criteria tree of a round as plain facts per node: its area, its inherited groups and council
organisation, whether it is a leaf. Read once per use case with one query."""

from __future__ import annotations

from dataclasses import dataclass

from ..registry.models import SurveyRound
from .criteria import criteria_of
from .models import Criterion
from .rules import applies_to


@dataclass(frozen=True)
class Place:
    criterion: Criterion
    area: Criterion
    groups: list | None
    council_org: str | None
    leaf: bool


class Tree:
    def __init__(self, survey_round: SurveyRound):
        self.rows = criteria_of(survey_round)
        by_id = {r.id: r for r in self.rows}
        parents = {r.parent_id for r in self.rows}
        self.places: dict[int, Place] = {}
        for row in self.rows:  # stored parents first, so a node's parent is placed before it
            parent = self.places.get(row.parent_id) if row.parent_id else None
            groups = row.groups if row.groups is not None else (parent.groups if parent else None)
            if parent and parent.groups is not None and row.groups is not None:
                groups = [g for g in row.groups if g in parent.groups]
            self.places[row.id] = Place(
                row,
                parent.area if parent else row,
                groups,
                row.council_org or (parent.council_org if parent else None),
                row.id not in parents,
            )
        self.by_code = {r.code: r for r in self.rows}
        self.areas = [r for r in self.rows if r.parent_id is None]
        del by_id

    def leaves(self, agency_group: str | None = None, area: Criterion | None = None, council_org: str | None = None):
        return [
            p
            for p in self.places.values()
            if p.leaf
            and (agency_group is None or applies_to(p.groups, agency_group))
            and (area is None or p.area.id == area.id)
            and (council_org is None or p.council_org == council_org)
        ]

    def area_max(self, area: Criterion, agency_group: str) -> float:
        return sum(p.criterion.max_points for p in self.leaves(agency_group, area))
