"""The criteria tree of a round as plain facts per node: its area, its inherited groups and council
organisation, whether it is a leaf. Read once per use case with one query; the lists a view asks for
again and again (the leaves of a group, of an area, of an organisation) are computed once."""

from __future__ import annotations

from dataclasses import dataclass

from ..registry.models import SurveyRound
from .criteria import criteria_of
from .models import Criterion
from .rules import applies_to


@dataclass(frozen=True, eq=False)
class Place:
    criterion: Criterion
    criterion_id: int
    area: Criterion
    area_id: int
    groups: tuple | None
    council_org: str | None
    leaf: bool
    max_points: float


class Tree:
    def __init__(self, survey_round: SurveyRound):
        self.rows = criteria_of(survey_round)
        parents = {r.parent_id for r in self.rows}
        self.places: dict[int, Place] = {}
        for row in self.rows:  # stored parents first, so a node's parent is placed before it
            parent = self.places.get(row.parent_id) if row.parent_id else None
            groups = tuple(row.groups) if row.groups is not None else (parent.groups if parent else None)
            if parent and parent.groups is not None and row.groups is not None:
                groups = tuple(g for g in row.groups if g in parent.groups)
            area = parent.area if parent else row
            self.places[row.id] = Place(
                row,
                row.id,
                area,
                area.id,
                groups,
                row.council_org or (parent.council_org if parent else None),
                row.id not in parents,
                row.max_points,
            )
        self.by_code = {r.code: r for r in self.rows}
        self.areas = [r for r in self.rows if r.parent_id is None]
        self._leaves: dict[tuple, list[Place]] = {}
        self._area_max: dict[tuple, float] = {}

    def leaves(self, agency_group: str | None = None, area: Criterion | None = None, council_org: str | None = None):
        key = (agency_group, area.id if area is not None else None, council_org)
        found = self._leaves.get(key)
        if found is None:
            found = self._leaves[key] = [
                p
                for p in self.places.values()
                if p.leaf
                and (agency_group is None or applies_to(p.groups, agency_group))
                and (key[1] is None or p.area_id == key[1])
                and (council_org is None or p.council_org == council_org)
            ]
        return found

    def area_max(self, area: Criterion, agency_group: str) -> float:
        key = (area.id, agency_group)
        if key not in self._area_max:
            self._area_max[key] = sum(p.max_points for p in self.leaves(agency_group, area))
        return self._area_max[key]
