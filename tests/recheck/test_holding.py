"""Quarantine with care: the impact before anything is held, one enumerator at a time, and results that
call held ballots held (with the reason), never invalid."""

from __future__ import annotations

from tests.oversight_seed import seed_ballots


def impact(client, people, enumerator: str) -> dict:
    response = client.get(
        f"/api/v1/rounds/2022/quarantine-impact?enumerator={enumerator}", headers=people["supervisor"]
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def countable(client, people) -> dict:
    return client.get("/api/v1/rounds/2022/countable", headers=people["supervisor"]).get_json()


def test_the_impact_should_name_the_agencies_that_would_fall_below_the_minimum_and_hold_nothing(
    client, people, ballots
):
    seed_ballots(60, agencies=("SNV",), enumerators=("enumerator2",), start=10_000)  # SNV: 10 + 60 countable
    before = countable(client, people)
    second = impact(client, people, "enumerator2")
    assert second["ballots_held"] == 80 and second["minimum_sample"] == 30 and second["already_held"] is False
    snv = next(a for a in second["agencies"] if a["agency_code"] == "SNV")
    assert (snv["agency_name"], snv["countable_now"], snv["held"], snv["countable_after"]) == ("Sở Nội vụ", 70, 60, 10)
    assert snv["falls_below_minimum"] is True and second["agencies_falling_below"] == ["SNV"]
    assert {a["agency_code"] for a in second["agencies"] if a["loses_every_ballot"]} == {"DUYTIEN", "PHULY"}
    first = impact(client, people, "enumerator1")
    assert first["ballots_held"] == 40 and first["agencies_falling_below"] == []
    assert countable(client, people) == before, "a preview holds nothing"


def test_a_supervisor_should_hold_one_enumerator_with_a_reason(client, people, ballots):
    url, who = "/api/v1/rounds/2022/quarantines", people["supervisor"]
    no_reason = client.post(url, json={"enumerator": "enumerator2"}, headers=who)
    assert no_reason.status_code == 422 and no_reason.get_json()["code"] == "invalid_request"
    not_enumerator = client.post(url, json={"enumerator": "mttq1", "reason": "thử"}, headers=who)
    assert not_enumerator.status_code == 422
    held = client.post(url, json={"enumerator": "enumerator2", "reason": "Phúc tra cho thấy phiếu bịa."}, headers=who)
    assert held.status_code == 201 and [q["enumerator"] for q in held.get_json()] == ["enumerator2"]
    assert countable(client, people)["excluded"] == {"quarantined": 20}, "only enumerator2, whatever the threshold"
    again = client.post(url, json={"enumerator": "enumerator2", "reason": "lần nữa"}, headers=who)
    assert again.status_code == 409 and again.get_json()["code"] == "state_conflict"
    assert impact(client, people, "enumerator2")["already_held"] is True


def test_results_should_call_held_ballots_held_never_invalid(client, people, ballots):
    who = people["supervisor"]
    client.post(
        "/api/v1/rounds/2022/quarantines", json={"enumerator": "enumerator2", "reason": "Xác minh"}, headers=who
    )
    run = client.post("/api/v1/rounds/2022/score-runs", json={}, headers=who)
    assert run.status_code == 201, run.get_json()
    ranking = client.get(f"/api/v1/score-runs/{run.get_json()['id']}/ranking", headers=who).get_json()
    rows = {row["code"] if "code" in row else row["name"]: row for g in ranking["groups"] for row in g["rows"]}
    text = str(ranking)
    assert "phiếu đang tạm giữ" in text and "hợp lệ" not in text
    held_rows = [r for r in rows.values() if "tạm giữ" in (r.get("note") or "")]
    assert len(held_rows) == 2 and all("10 phiếu đang tạm giữ" in r["note"] for r in held_rows)


def test_the_cli_should_show_the_impact_first_and_hold_one_enumerator_only_when_confirmed(app, client, people, ballots):
    seed_ballots(60, agencies=("SNV",), enumerators=("enumerator2",), start=10_000)  # SNV: 10 + 60 countable
    before = countable(client, people)

    def cli(*args):
        return app.test_cli_runner().invoke(args=["recheck", "quarantine", "2022", *args])

    preview = cli("enumerator2", "--by", "supervisor")
    assert preview.exit_code == 0, preview.output
    assert "enumerator2: 80 countable ballot(s) would be held" in preview.output
    assert "SNV\tSở Nội vụ\t70\t60\t10\tfalls below 30" in preview.output
    assert "agencies falling below the minimum sample of 30: SNV" in preview.output
    assert "loses every ballot" in preview.output and "Nothing is held yet" in preview.output
    assert countable(client, people) == before, "a preview holds nothing"

    no_reason = cli("enumerator2", "--by", "supervisor", "--yes")
    assert no_reason.exit_code == 2 and "--yes needs --reason" in no_reason.output
    assert countable(client, people) == before

    as_json = cli("enumerator1", "--by", "supervisor", "--json")
    assert as_json.exit_code == 0 and '"ballots_held": 40' in as_json.output

    held = cli("enumerator2", "--by", "supervisor", "--reason", "Phúc tra cho thấy phiếu bịa.", "--yes")
    assert held.exit_code == 0, held.output
    assert "80 ballot(s) of enumerator2 held (Phúc tra cho thấy phiếu bịa.)" in held.output
    assert "invalid" not in held.output.lower()
    assert countable(client, people)["excluded"] == {"quarantined": 80}, "only enumerator2, the one named"
    again = cli("enumerator2", "--by", "supervisor", "--reason", "lần nữa", "--yes")
    assert again.exit_code == 1 and "[state_conflict]" in again.output
    refused = cli("enumerator2", "--by", "mttq1")
    assert refused.exit_code == 1 and "[forbidden]" in refused.output
    summary = app.test_cli_runner().invoke(args=["recheck", "countable", "2022"]).output
    assert "held (enumerator quarantined): 80" in summary and "invalid" not in summary
