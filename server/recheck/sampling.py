"""Drawing the re-check sample of a round: reproducible from a seed, stratified, with targeted additions.

The draw, over the round's ``valid`` ballots (never ones already selected):

1. random: within each stratum (enumerator × agency) ``floor(rate·n + u)`` ballots, u ~ U(0,1) drawn per
   stratum, so every stratum is sampled at the rate in expectation, small ones included;
2. minimum: enumerators still below ``min_per_enumerator`` get more of their ballots;
3. targeted: the shortest interviews (``shortest_share`` of the eligible ballots), straight-lined ballots
   (every criterion the same level), and ballots whose respondent contact repeats within the round.

Every random choice comes from one ``numpy.random.Generator(PCG64(seed))`` over ballots sorted by id,
so the same data, parameters and seed give the same sample. Selected ballots go to a reviewer
organisation (MTTQ or CCB; both if asked) and, round-robin, to one of its active reviewers, never to a
reviewer whose home agency is the ballot's agency when ``exclude_own_agency`` is set.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func, select, update

from ..audit import Event, append
from ..auth.models import User
from ..auth.roles import ORGANISATIONS, REVIEWER
from ..ballots.models import Ballot
from ..bulk import insert_rows
from ..errors import ApiError
from ..extensions import db
from ..registry.models import SurveyRound
from .models import RecheckAssignment, RecheckSample
from .settings import settings_of


@dataclass(frozen=True)
class SampleParameters:
    rate: float = 0.10
    min_per_enumerator: int = 2
    seed: int = 0
    shortest_share: float = 0.0
    straight_lined: bool = False
    repeated_contacts: bool = False
    both_organisations: bool = False

    def check(self) -> None:
        errors = {}
        if not 0 <= self.rate <= 1:
            errors["rate"] = ["A share between 0 and 1."]
        if not 0 <= self.shortest_share <= 1:
            errors["shortest_share"] = ["A share between 0 and 1."]
        if self.min_per_enumerator < 0:
            errors["min_per_enumerator"] = ["Not negative."]
        if errors:
            raise ApiError("invalid_request", "The sample parameters are not valid.", errors)


def _eligible(round_id: int) -> pd.DataFrame:
    """The round's valid ballots, only the columns the draw needs (ids are fetched for the chosen ones)."""
    repeated = (
        select(Ballot.contact_key)
        .where(Ballot.round_id == round_id, Ballot.contact_key.is_not(None))
        .group_by(Ballot.contact_key)
        .having(func.count() > 1)
    )
    rows = db.session.execute(
        select(
            Ballot.id,
            Ballot.enumerator_id,
            Ballot.agency_id,
            Ballot.duration_seconds,
            Ballot.straight_lined,
            Ballot.contact_key.in_(repeated),
        )
        .where(Ballot.round_id == round_id, Ballot.status == "valid")
        .order_by(Ballot.id)
    ).all()
    columns = ["id", "enumerator_id", "agency_id", "duration", "straight_lined", "repeated_contact"]
    # Plain tuples: pandas probes every Row object for namedtuple fields, which is slow on 200,000 rows.
    return pd.DataFrame.from_records([tuple(row) for row in rows], columns=columns)


def draw(round_id: int, params: SampleParameters) -> pd.DataFrame:
    """The selection as a DataFrame (id, instance_id, enumerator_id, agency_id, reason), nothing stored."""
    params.check()
    ballots = _eligible(round_id)
    columns = ["id", "instance_id", "enumerator_id", "agency_id", "reason"]
    if ballots.empty:
        return pd.DataFrame(columns=columns)
    rng = np.random.Generator(np.random.PCG64(params.seed))
    ballots["key"] = rng.random(len(ballots))
    ballots = ballots.sort_values(["enumerator_id", "agency_id", "key"], kind="stable").reset_index(drop=True)
    strata = ballots.groupby(["enumerator_id", "agency_id"], sort=True)
    rank = strata.cumcount()
    size = strata["id"].transform("size")
    stratum_u = pd.Series(rng.random(strata.ngroups), index=range(strata.ngroups))
    take = np.floor(params.rate * size + strata.ngroup().map(stratum_u))
    ballots["reason"] = np.where(rank < take, "random", None)

    if params.min_per_enumerator:
        chosen = ballots["reason"].notna()
        have = chosen.groupby(ballots["enumerator_id"]).transform("sum")
        spare = ballots[~chosen].copy()
        spare["order"] = spare.groupby("enumerator_id")["key"].rank(method="first")
        need = (params.min_per_enumerator - have[~chosen]).clip(lower=0)
        ballots.loc[spare.index[spare["order"] <= need], "reason"] = "minimum"

    unchosen = ballots["reason"].isna()
    if params.shortest_share > 0:
        count = math.ceil(params.shortest_share * len(ballots))
        timed = ballots[unchosen & ballots["duration"].notna()].sort_values(["duration", "id"], kind="stable")
        ballots.loc[timed.index[:count], "reason"] = "shortest"
        unchosen = ballots["reason"].isna()
    if params.straight_lined:
        ballots.loc[unchosen & ballots["straight_lined"].astype(bool), "reason"] = "straight_lined"
        unchosen = ballots["reason"].isna()
    if params.repeated_contacts:
        ballots.loc[unchosen & ballots["repeated_contact"].fillna(False).astype(bool), "reason"] = "repeated_phone"
    selected = ballots[ballots["reason"].notna()].sort_values("id").reset_index(drop=True)
    selected["instance_id"] = selected["id"].map(_instance_ids([int(i) for i in selected["id"]]))
    return selected[columns]


def _instance_ids(ids: list[int], chunk: int = 5000) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), chunk):
        found.update(
            db.session.execute(
                select(Ballot.id, Ballot.instance_id).where(Ballot.id.in_(ids[start : start + chunk]))
            ).all()
        )
    return found


def _reviewers(organisation: str) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == REVIEWER, User.organisation == organisation, User.active.is_(True))
            .order_by(User.id)
        )
    )


def organisations_for(selected: pd.DataFrame, params: SampleParameters) -> list[tuple]:
    """Which organisation re-checks each selected ballot: both, or one drawn from the recorded seed
    (so a dry run previews exactly what storing the sample will do)."""
    rng = np.random.Generator(np.random.PCG64([params.seed, 1]))
    organisations = list(ORGANISATIONS)
    if params.both_organisations:
        return [(row, org) for row in selected.itertuples() for org in organisations]
    picks = rng.integers(0, len(organisations), len(selected))
    return [(row, organisations[pick]) for row, pick in zip(selected.itertuples(), picks, strict=True)]


def store(survey_round: SurveyRound, params: SampleParameters, actor: User) -> tuple[RecheckSample, pd.DataFrame]:
    """Draw and record the sample: assignments, ballot status ``selected``, audit entries."""
    selected = draw(survey_round.id, params)
    sample = RecheckSample(round=survey_round, seed=params.seed, parameters=asdict(params), created_by=actor)
    db.session.add(sample)
    db.session.flush()
    if selected.empty:
        return sample, selected
    organisations = list(ORGANISATIONS)
    pairs = organisations_for(selected, params)
    exclude_own = settings_of(survey_round)["exclude_own_agency"]
    pools = {org: _reviewers(org) for org in organisations}
    turns = dict.fromkeys(organisations, 0)
    rows = []
    for row, organisation in pairs:
        pool = [r for r in pools[organisation] if not (exclude_own and r.home_agency_id == row.agency_id)]
        reviewer_id = None
        if pool:
            reviewer_id = pool[turns[organisation] % len(pool)].id
            turns[organisation] += 1
        rows.append(
            {
                "sample_id": sample.id,
                "ballot_id": int(row.id),
                "organisation": organisation,
                "reviewer_id": reviewer_id,
                "reason": row.reason,
            }
        )
    insert_rows(RecheckAssignment.__table__, rows)
    ids = [int(i) for i in selected["id"]]
    for start in range(0, len(ids), 5000):
        db.session.execute(
            update(Ballot)
            .where(Ballot.id.in_(ids[start : start + 5000]), Ballot.status == "valid")
            .values(status="selected", status_reason="re-check sample")
            .execution_options(synchronize_session=False)
        )
    append(
        [
            Event(
                actor.username,
                "ballot",
                row.instance_id,
                "selected",
                {"from": "valid", "to": "selected", "sample": sample.id, "why": row.reason},
                "re-check sample",
            )
            for row in selected.itertuples()
        ]
    )
    return sample, selected
