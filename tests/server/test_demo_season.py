"""The demo's synthetic 2022 season: loaded by ``parsurvey demo load``, scored from its ballots, it gives
the published 2022 department table (tests/scoring/data/hanam_2022_departments.csv, Sở Nội vụ tỉnh Hà
Nam, December 2022) — points, index, rank and band — on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.demo_season.plan import TOLERANCE, index_of, plan_season, scored_answers, shortfall_counts
from tests.results.conftest import hanam_rows


def invoke(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def shown(value) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def band_of(index: float) -> str:
    for code, minimum in (("excellent", 95), ("good", 85), ("fair", 75), ("average", 70)):
        if index >= minimum:
            return code
    return "weak"


def supervisor_headers(client) -> dict:
    answer = client.post("/api/v1/auth/tokens", json={"username": "supervisor", "password": "demo-password"})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


@pytest.mark.slow  # loads the whole season (2,124 ballots)
def test_demo_load_should_score_the_published_2022_department_table_from_its_ballots(app, db, client):
    output = invoke(app, "demo", "load")
    assert "fieldwork: 2124 ballots" in output and "quarantine: enumerator4 awaiting a decision" in output
    headers = supervisor_headers(client)
    runs = client.get("/api/v1/rounds/2022/score-runs", headers=headers).get_json()
    assert len(runs) == 1
    run = client.get(f"/api/v1/score-runs/{runs[0]['id']}", headers=headers).get_json()
    assert run["parameters"]["satisfaction_source"] == "ballots"
    ranking = client.get(f"/api/v1/score-runs/{runs[0]['id']}/ranking", headers=headers).get_json()
    groups = {g["group"]: g for g in ranking["groups"]}
    rows = {r["name"]: r for r in groups["department"]["rows"]}
    band_labels = {b["code"]: b["label"] for b in groups["department"]["bands"]}
    published = hanam_rows()
    assert len(rows) == len(published) == 19
    for row in published:
        mine = rows[row["agency"]]
        assert mine["rank"] == int(row["published_rank"]), row["agency"]
        assert shown(mine["index"]) == row["published_index"], row["agency"]
        assert mine["band"] == band_labels[band_of(float(row["published_index"]))], row["agency"]
        if row["satisfaction_points"]:
            assert shown(mine["satisfaction_points"]) == row["satisfaction_points"], row["agency"]
        else:
            assert mine["satisfaction_points"] is None, row["agency"]
    indexes = [Decimal(r["published_index"]) for r in published]
    mean = sum(indexes) / len(indexes)
    assert shown(groups["department"]["mean"]) == shown(mean)
    assert shown(groups["department"]["spread"]) == shown(max(indexes) - min(indexes))
    published_bands = {}
    for index in indexes:
        published_bands[band_of(float(index))] = published_bands.get(band_of(float(index)), 0) + 1
    assert {b["code"]: b["count"] for b in groups["department"]["bands"] if b["count"]} == published_bands
    # the districts are ranked too, from their own ballots (targets of our own: demo_data/hanam_2022_districts.csv)
    assert len(groups["district"]["rows"]) == 6 and all(r["rank"] for r in groups["district"]["rows"])


@pytest.mark.slow  # loads the whole season (2,124 ballots)
def test_the_season_should_hold_every_kind_of_oversight_case(app, db, client):
    invoke(app, "demo", "load")
    headers = supervisor_headers(client)
    total = client.get("/api/v1/ballots?round=2022&limit=1", headers=headers).get_json()["total"]
    assert total == 2124
    countable = client.get("/api/v1/rounds/2022/countable", headers=headers).get_json()
    excluded = countable["excluded"]
    assert excluded["invalid:interview_too_short"] == 5 and excluded["invalid:result_date_outside_window"] == 3
    assert excluded["failed_recheck"] >= 3 and excluded["quarantined"] >= 20
    assert countable["countable"] == 2124 - sum(excluded.values())
    rechecks = client.get("/api/v1/rounds/2022/rechecks", headers=headers).get_json()
    assert {r["organisation"] for r in rechecks} == {"MTTQ", "CCB"}
    statuses = {r["ballot_status"] for r in rechecks}
    assert {"confirmed", "failed", "selected"} <= statuses  # decided both ways, and some left to do
    quality = client.get("/api/v1/rounds/2022/quality", headers=headers).get_json()
    flagged = [e["enumerator"] for e in quality["enumerators"] if e["over_threshold"]]
    assert flagged == ["enumerator4"]
    conflicts = client.get("/api/v1/conflicts?round=2022", headers=headers).get_json()
    assert len(conflicts) == 1


@pytest.mark.slow  # loads the whole season (2,124 ballots)
def test_demo_load_should_be_idempotent_and_no_fieldwork_should_leave_the_round_empty(app, db, client):
    invoke(app, "demo", "load", "--no-fieldwork")
    headers = supervisor_headers(client)
    assert client.get("/api/v1/ballots?round=2022&limit=1", headers=headers).get_json()["total"] == 0
    assert client.get("/api/v1/rounds/2022/score-runs", headers=headers).get_json() == []
    first = invoke(app, "demo", "load")
    assert "fieldwork: 2124 ballots" in first
    again = invoke(app, "demo", "load")
    assert "fieldwork: already present" in again
    assert client.get("/api/v1/ballots?round=2022&limit=1", headers=headers).get_json()["total"] == 2124
    assert len(client.get("/api/v1/rounds/2022/score-runs", headers=headers).get_json()) == 1


@settings(max_examples=60, deadline=None)
@given(
    target=st.integers(min_value=700, max_value=1000).map(lambda cents: cents / 100),
    n=st.integers(min_value=40, max_value=400),  # a quota below 40 is not a survey sample
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_planned_answers_should_score_just_under_any_target(target, n, seed):
    m, counts = shortfall_counts(target, n)
    answers = scored_answers(n, m, counts, random.Random(seed))
    assert -float(TOLERANCE) - 1e-9 <= index_of(answers) / 10 - target <= 1e-9
    assert shown(index_of(answers) / 10) == shown(target)


def test_the_plan_should_be_the_same_on_every_load():
    rows = [
        {"code": "SNV", "group": "department", "ballots": 62, "target_points": 9.23}
        | {"too_short": 1, "outside_window": 0, "doubtful": 0}
    ]
    enumerators = {"department": [("enumerator1", 1.0)], "doubtful": [("enumerator4", 1.0)]}
    first, second = plan_season(rows, enumerators), plan_season(rows, enumerators)
    assert [b.instance_id for b in first[0].ballots] == [b.instance_id for b in second[0].ballots]
    assert [b.answers for b in first[0].ballots] == [b.answers for b in second[0].ballots]
    assert sum(b.kind == "too_short" for b in first[0].ballots) == 1
