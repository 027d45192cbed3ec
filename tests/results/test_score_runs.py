"""Score runs: ballots and appraisal points in, stored results with provenance out, through the API."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from server.ballots.models import Ballot
from tests.results.conftest import (
    csv_bytes,
    hanam_appraisal_csv,
    hanam_rows,
    scored_answers,
    sync,
    token,
    upload_appraisal,
)
from tests.sample_ballots import batch, envelope


def start(client, headers, round_code="2022", **params):
    return client.post(f"/api/v1/rounds/{round_code}/score-runs", json=params, headers=headers)


def by_agency(rows):
    return {r["agency"]: r for r in rows}


def test_a_run_from_imported_points_should_reproduce_the_published_hanam_2022_table(client, supervisor1):
    # Appraisal and satisfaction points imported by agency name; expected indexes and ranks are the
    # published ones (tests/scoring/data/hanam_2022_departments.csv, Hà Nam Department of Home Affairs, 2022).
    assert upload_appraisal(client, supervisor1, hanam_appraisal_csv()).status_code == 200
    response = start(client, supervisor1)
    assert response.status_code == 201, response.get_json()
    run = response.get_json()
    assert run["parameters"]["satisfaction_source"] == "imported"  # the round has no ballots
    names = {code: a["name"] for code, a in run["results"]["agencies"].items()}
    got = {names[a["agency"]]: (a["index_displayed"], a["rank"]) for a in run["results"]["par"]["agencies"]}
    assert got == {r["agency"]: (float(r["published_index"]), int(r["published_rank"])) for r in hanam_rows()}
    # the six districts have no appraisal points in the reference: listed, not ranked, not dropped
    assert sorted(r["agency"] for r in run["results"]["not_ranked"]) == sorted(
        ["PHULY", "DUYTIEN", "THANHLIEM", "BINHLUC", "LYNHAN", "KIMBANG"]
    )
    assert {r["reason"] for r in run["results"]["not_ranked"]} == {"no_appraisal_points"}


def test_ballots_synced_through_the_api_should_become_satisfaction_points_computed_by_hand(
    client, supervisor1, enumerator1
):
    # Three ballots for Sở Nội vụ, nobody gave feedback (factor 5 not asked):
    #   A: every criterion 5;  B: every criterion 4 but c1_1 = 2;  C: every criterion 3, factor 3 'na'.
    # Criterion rate = satisfied (4, 5) / valid answers:
    #   F1: c1_1 1/3, c1_2..c1_4 2/3 each -> (1/3 + 3 * 2/3) / 4 = 7/12
    #   F2: 2/3;  F3: C is not applicable, A and B satisfied -> 1;  F4: 2/3
    #   index = (7/12 + 2/3 + 1 + 2/3) / 4 * 100 = 35/48 * 100 = 72.916666...; points = index / 10.
    c_answers = scored_answers("SNV", 3, overrides={f"c3_{i}": "na" for i in range(1, 7)})
    sync(
        client,
        enumerator1,
        scored_answers("SNV", 5),
        scored_answers("SNV", 4, overrides={"c1_1": 2}),
        c_answers,
    )
    upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNV", "86"]]))
    response = start(client, supervisor1, bootstrap_resamples=200)
    assert response.status_code == 201, response.get_json()
    run = response.get_json()
    assert run["ballots_included"] == 3 and run["ballots_excluded"] == 0 and run["excluded"] == {}
    results = run["results"]
    snv = by_agency(results["satisfaction"]["agencies"])["SNV"]
    assert snv["ballots"] == 3
    assert snv["index"] == pytest.approx(3500 / 48)
    assert snv["points"] == pytest.approx(35 / 48 * 10)
    assert snv["below_min_sample"] is True and snv["no_countable_ballots"] is False
    assert snv["ci_low"] <= snv["index"] <= snv["ci_high"]
    factors = {f["factor"]: f["index"] for f in results["satisfaction"]["factors"] if f["agency"] == "SNV"}
    assert factors["F1"] == pytest.approx(700 / 12) and factors["F3"] == pytest.approx(100.0)
    assert factors["F5"] is None  # left out of the index, not zero
    criteria = {c["question"]: c for c in results["satisfaction"]["criteria"] if c["agency"] == "SNV"}
    assert (criteria["c1_1"]["valid"], criteria["c1_1"]["satisfied"]) == (3, 1)
    assert (criteria["c3_1"]["valid"], criteria["c3_1"]["not_applicable"]) == (2, 1)
    # factor 5 was never asked: reported, not silently dropped
    assert results["satisfaction"]["missing_questions"] == ["c5_1", "c5_2", "c5_3", "c5_4"]
    assert {w["question"] for w in results["warnings"] if w["code"] == "question_missing_from_data"} == {
        "c5_1",
        "c5_2",
        "c5_3",
        "c5_4",
    }
    # PAR: (86 + 7.291666...) / 100 * 100 = 93.29 as displayed
    (par_snv,) = [a for a in results["par"]["agencies"] if a["agency"] == "SNV"]
    assert par_snv["index"] == pytest.approx(86 + 350 / 48) and par_snv["index_displayed"] == 93.29
    assert par_snv["rank"] == 1 and par_snv["band"] == "good"


def test_an_agency_without_countable_ballots_should_be_flagged_and_left_unranked(client, supervisor1, enumerator1):
    sync(client, enumerator1, scored_answers("SNV", 5, feedback=5))
    data = csv_bytes(["agency", "appraisal_points"], [["SNV", "86"], ["STC", "85"], ["TTRA", "56.25"]])
    upload_appraisal(client, supervisor1, data)
    response = start(client, supervisor1, bootstrap_resamples=0)
    results = response.get_json()["results"]
    satisfaction = by_agency(results["satisfaction"]["agencies"])
    assert satisfaction["SNV"]["index"] == 100.0 and satisfaction["SNV"]["points"] == 10.0
    assert satisfaction["STC"]["no_countable_ballots"] is True
    assert satisfaction["STC"]["index"] is None and satisfaction["STC"]["points"] is None
    assert {"agency": "STC", "reason": "no_satisfaction_points"} in results["not_ranked"]
    ranked = {a["agency"]: a["rank"] for a in results["par"]["agencies"]}
    assert ranked == {"SNV": 1, "TTRA": 2}  # 96.00 and 56.25 / 60 = 93.75
    assert "NaN" not in response.get_data(as_text=True)


def test_an_empty_round_should_be_refused_with_a_clear_error(client, supervisor1):
    response = start(client, supervisor1)
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "nothing_to_score" and "no countable ballots" in body["message"]


def test_a_round_with_appraisal_points_but_no_ballots_should_flag_every_surveyed_agency(client, supervisor1):
    upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNV", "86"], ["TTRA", "56.25"]]))
    response = start(client, supervisor1, satisfaction_source="ballots")
    assert response.status_code == 201
    results = response.get_json()["results"]
    flagged = [a for a in results["satisfaction"]["agencies"] if a["no_countable_ballots"]]
    assert len(flagged) == 22 and all(a["points"] is None for a in flagged)  # 25 agencies, 3 not surveyed
    assert [a["agency"] for a in results["par"]["agencies"]] == ["TTRA"]
    assert "NaN" not in response.get_data(as_text=True)


def test_a_run_should_keep_its_provenance_and_hash_its_inputs(client, supervisor1, enumerator1):
    sync(client, enumerator1, scored_answers("SNV", 5))
    first = start(client, supervisor1, bootstrap_resamples=0).get_json()
    again = start(client, supervisor1, bootstrap_resamples=0).get_json()
    assert first["input_hash"] == again["input_hash"] and len(first["input_hash"]) == 64
    assert first["method"] == "satisfied_share" and first["method_version"] == "2017"
    assert first["created_by"] == "supervisor" and first["origin"] == "api" and first["created_at"]
    assert first["parameters"]["bootstrap_resamples"] == 0 and first["parameters"]["min_ballots"] == 30
    other = start(client, supervisor1, bootstrap_resamples=0, min_ballots=1).get_json()
    assert other["input_hash"] != first["input_hash"]
    sync(client, enumerator1, scored_answers("SNV", 4))
    assert start(client, supervisor1, bootstrap_resamples=0).get_json()["input_hash"] != first["input_hash"]
    listed = client.get("/api/v1/rounds/2022/score-runs", headers=supervisor1).get_json()
    assert [r["id"] for r in listed] == [other["id"] + 1, other["id"], again["id"], first["id"]]
    assert "results" not in listed[0]
    fetched = client.get(f"/api/v1/score-runs/{first['id']}", headers=supervisor1).get_json()
    assert fetched["results"] == first["results"]


def test_excluded_ballots_should_be_counted_by_reason_from_the_countable_rule(
    client, supervisor1, enumerator1, monkeypatch
):
    # The re-check work supplies the reasons; scoring must report whatever server.ballots.countable says.
    from server.results import runs

    sync(client, enumerator1, scored_answers("SNV", 5))
    monkeypatch.setattr(runs, "excluded_counts", lambda round_id: {"failed_recheck": 2, "quarantined": 1})
    run = start(client, supervisor1, bootstrap_resamples=0).get_json()
    assert run["excluded"] == {"failed_recheck": 2, "quarantined": 1} and run["ballots_excluded"] == 3
    assert run["results"]["excluded"] == {"failed_recheck": 2, "quarantined": 1}


def make_round(client, headers, code, year, method_version="2017"):
    body = {
        "code": code,
        "year": year,
        "window_start": f"{year}-01-01",
        "window_end": f"{year}-11-30",
        "method_version": method_version,
        "participants": [
            {"agency_code": "SNV", "max_points": 100},
            {"agency_code": "STC", "max_points": 100},
            {"agency_code": "TTRA", "max_points": 60},
        ],
    }
    response = client.post("/api/v1/rounds", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()


def test_a_run_should_compare_with_the_previous_years_latest_run(client, supervisor1):
    make_round(client, supervisor1, "2021", 2021)
    data = csv_bytes(
        ["agency", "appraisal_points", "satisfaction_points"],
        [["SNV", "80", "9"], ["STC", "85", "9.5"], ["TTRA", "50", ""]],
    )
    upload_appraisal(client, supervisor1, data, round_code="2021")
    assert start(client, supervisor1, "2021").status_code == 201
    upload_appraisal(client, supervisor1, hanam_appraisal_csv())
    yoy = start(client, supervisor1).get_json()["results"]["year_on_year"]
    assert yoy["previous_round"] == "2021" and yoy["method_changed"] is False
    rows = by_agency(yoy["agencies"])
    # 2021: SNV 89.00 (rank 2), STC 94.50 (rank 1); 2022 (published): SNV 95.23 (rank 2), STC 94.91 (rank 3)
    assert rows["SNV"]["index_change"] == pytest.approx(95.23 - 89.0)
    assert (rows["SNV"]["previous_rank"], rows["SNV"]["rank"], rows["SNV"]["rank_change"]) == (2, 2, 0)
    assert (rows["STC"]["previous_rank"], rows["STC"]["rank"], rows["STC"]["rank_change"]) == (1, 3, -2)
    assert rows["STTTT"]["status"] == "new"


def test_a_comparison_across_a_method_change_should_be_flagged(client, supervisor1):
    make_round(client, supervisor1, "2016", 2016, method_version="2012")
    upload_appraisal(
        client,
        supervisor1,
        csv_bytes(["agency", "appraisal_points", "satisfaction_points"], [["SNV", "80", "9"]]),
        "2016",
    )
    start(client, supervisor1, "2016")
    upload_appraisal(client, supervisor1, hanam_appraisal_csv())
    yoy = start(client, supervisor1).get_json()["results"]["year_on_year"]
    assert yoy["method_changed"] is True and yoy["previous_method_version"] == "2012"
    assert all(r["method_changed"] for r in yoy["agencies"])


@pytest.mark.parametrize("username", ["enumerator1", "mttq1"])
def test_field_roles_should_get_403_on_every_score_endpoint(client, supervisor1, username):
    upload_appraisal(client, supervisor1, hanam_appraisal_csv())
    run_id = start(client, supervisor1).get_json()["id"]
    headers = token(client, username)
    assert start(client, headers).status_code == 403
    assert client.get("/api/v1/rounds/2022/score-runs", headers=headers).status_code == 403
    assert client.get(f"/api/v1/score-runs/{run_id}", headers=headers).status_code == 403
    assert client.get(f"/api/v1/score-runs/{run_id}/export.csv", headers=headers).status_code == 403


def test_an_unknown_run_and_bad_parameters_should_be_errors_in_the_envelope(client, supervisor1):
    assert client.get("/api/v1/score-runs/999", headers=supervisor1).get_json()["code"] == "not_found"
    response = start(client, supervisor1, method="median")
    assert response.status_code == 422 and "method" in response.get_json()["errors"]


def test_the_score_command_should_store_a_run_and_print_json(app, client, supervisor1):
    upload_appraisal(client, supervisor1, hanam_appraisal_csv())
    result = app.test_cli_runner().invoke(args=["score", "--round", "2022", "--by", "supervisor"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["origin"] == "cli" and document["created_by"] == "supervisor"
    assert document["results"]["par"]["agencies"][0]["agency"] == "STTTT"
    assert f"score run {document['id']}" in result.stderr


def test_the_demo_appraisal_command_should_load_the_reference_departments(app, demo):
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["demo", "appraisal"])
    assert loaded.exit_code == 0 and "19 departments" in loaded.output
    result = runner.invoke(args=["score", "--round", "2022", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # published: Sở Lao động - Thương binh và Xã hội 67.52 + 9.81 = 77.33, rank 19 (last), Khá
    assert any(line.startswith('"Sở, ban, ngành",19,SLDTBXH,') and ",77.33,Khá," in line for line in lines)


def test_a_nul_character_stored_in_a_text_answer_should_not_stop_the_scoring_of_the_round(
    client, db, supervisor1, enumerator1
):
    # Intake now refuses it (invalid_character); a ballot stored before that must still be scorable.
    sync(client, enumerator1, scored_answers("SNV", 5), scored_answers("SNV", 4))
    refused = client.post(
        "/api/v1/sync/batches",
        json=batch(envelope("SNV", answers={**scored_answers("SNV", 5), "comment": "tốt\x00"})),
        headers=enumerator1,
    ).get_json()["results"][0]
    assert refused["status"] == "rejected" and refused["errors"][0]["code"] == "invalid_character"
    stored = db.session.scalar(select(Ballot).order_by(Ballot.id).limit(1))
    db.session.execute(
        update(Ballot).where(Ballot.id == stored.id).values(answers={**stored.answers, "comment": "a\x00b"})
    )
    db.session.commit()
    upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNV", "86"]]))
    response = start(client, supervisor1, bootstrap_resamples=50)
    assert response.status_code == 201, response.get_json()
    snv = by_agency(response.get_json()["results"]["satisfaction"]["agencies"])["SNV"]
    assert snv["ballots"] == 2 and snv["index"] == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("started", "completed", "reason"),
    [
        ("2099-01-01T08:00:00+07:00", "2099-01-01T08:12:30+07:00", "interview_after_receipt"),
        ("2021-12-31T08:00:00+07:00", "2021-12-31T08:12:30+07:00", "interview_before_window"),
    ],
)
def test_an_interview_dated_2099_or_before_the_window_should_be_flagged_and_not_counted(
    client, db, supervisor1, enumerator1, started, completed, reason
):
    sync(client, enumerator1, scored_answers("SNV", 5), scored_answers("SNV", 4))
    paradata = {"started_at": started, "completed_at": completed, "app_version": "test"}
    dated = envelope("SNV", answers=scored_answers("SNV", 1), paradata=paradata)
    result = client.post("/api/v1/sync/batches", json=batch(dated), headers=enumerator1).get_json()["results"][0]
    assert result["status"] == "accepted"
    stored = db.session.scalar(select(Ballot).where(Ballot.instance_id == dated["instance_id"]))
    assert (stored.status, stored.status_reason) == ("invalid", reason)
    upload_appraisal(client, supervisor1, csv_bytes(["agency", "appraisal_points"], [["SNV", "86"]]))
    response = start(client, supervisor1, bootstrap_resamples=50)
    assert response.status_code == 201, response.get_json()
    snv = by_agency(response.get_json()["results"]["satisfaction"]["agencies"])["SNV"]
    assert snv["ballots"] == 2, "the misdated ballot is not counted"
