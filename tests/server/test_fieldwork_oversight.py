"""Per enumerator and per agency figures day by day, and the location check against agencies' offices."""

from __future__ import annotations

import pytest

from tests.oversight_seed import seed_ballots

OFFICE = (20.5431, 105.9123)  # Sở Nội vụ's one-stop office, in these tests


def sign_in(client, username: str) -> dict:
    response = client.post("/api/v1/auth/tokens", json={"username": username, "password": "demo-password"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def fix(n: int) -> dict:
    """Ballot n's GPS: none for n % 5 == 0, 5 km north of the office for n % 5 == 1, else about 50 m away."""
    if n % 5 == 0:
        return {}
    north = 0.045 if n % 5 == 1 else 0.0004
    where = {
        "latitude": OFFICE[0] + north,
        "longitude": OFFICE[1],
        "accuracy": 10.0,
        "captured_at": "2022-09-01T08:00:00+07:00",
    }
    return {"location_start": where} if n % 2 else {"location_end": where}


@pytest.fixture
def supervisor(client, demo):
    headers = sign_in(client, "supervisor")
    response = client.patch(
        "/api/v1/agencies/SNV", json={"office_latitude": OFFICE[0], "office_longitude": OFFICE[1]}, headers=headers
    )
    assert response.status_code == 200 and response.get_json()["office_latitude"] == OFFICE[0]
    return headers


def test_interviews_far_from_the_office_should_be_flagged_and_filterable(client, supervisor):
    seed_ballots(40, agencies=("SNV",), paradata=fix)
    report = client.get("/api/v1/rounds/2022/locations", headers=supervisor).get_json()
    snv = next(a for a in report["agencies"] if a["agency_code"] == "SNV")
    assert report["threshold_m"] == 1000 and (snv["with_location"], snv["far"]) == (32, 8)
    assert len(report["far_ballots"]) == 8 and report["far_total"] == 8
    assert all(4900 < b["distance_m"] < 5100 for b in report["far_ballots"])

    def table(**query):
        return client.get("/api/v1/ballots", query_string={"round": "2022", **query}, headers=supervisor).get_json()

    assert table(location="far")["total"] == 8 and table(location="near")["total"] == 24
    assert table(location="none")["total"] == 8
    wider = client.patch(
        "/api/v1/rounds/2022/quality-settings", json={"location_threshold_m": 6000}, headers=supervisor
    )
    assert wider.status_code == 200
    assert table(location="far")["total"] == 0
    no_round = client.get("/api/v1/ballots?location=far", headers=supervisor).get_json()
    assert no_round["code"] == "invalid_request" and "location" in no_round["errors"]


def test_the_fieldwork_report_should_give_each_enumerator_and_agency_their_figures_by_day(client, supervisor):
    ids = seed_ballots(40)  # SNV, STC, SXD, PHULY in turn; days (n - 1) % 20 of September; enumerators alternate
    override = client.post(
        f"/api/v1/ballots/{ids[0]}/status", json={"status": "invalid", "reason": "Phiếu trùng"}, headers=supervisor
    )
    assert override.status_code == 200
    report = client.get("/api/v1/rounds/2022/fieldwork", headers=supervisor).get_json()
    assert len(report["days"]) == 20 and report["days"][0] == "2022-09-01"
    by_name = {e["username"]: e for e in report["enumerators"]}
    second = by_name["enumerator2"]  # n odd: ids[0] is n = 1
    assert (second["received"], second["countable"], second["not_countable"]) == (20, 19, {"invalid:override": 1})
    assert sum(d["ballots"] for d in second["per_day"]) == 20 and second["quota"] > 0
    assert second["median_duration_seconds"] == pytest.approx(320.0)
    assert by_name["enumerator1"]["countable"] == 20 and by_name["enumerator1"]["recheck_failures"] == 0
    snv = next(a for a in report["agencies"] if a["agency_code"] == "SNV")
    assert (snv["received"], snv["countable"]) == (10, 9) and snv["quota"] > 0
    assert snv["per_day"][-1]["cumulative"] == 10 and len(snv["per_day"]) == 20
    assert [d["received"] for d in snv["per_day"][:5]] == [2, 0, 0, 0, 2]  # n = 1 and 21, then 5 and 25


def test_the_openapi_document_should_describe_the_real_fieldwork_and_location_answers(client, supervisor):
    from tests.openapi_match import mismatches, response_schema

    seed_ballots(20, agencies=("SNV", "STP"), paradata=fix)
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/rounds/{code}/fieldwork", "/api/v1/rounds/{code}/locations"):
        answer = client.get(path.replace("{code}", "2022"), headers=supervisor)
        assert answer.status_code == 200
        body = answer.get_json()
        assert body["agencies"] and (body.get("far_ballots") or body.get("enumerators")), "something to compare"
        assert mismatches(spec, body, response_schema(spec, path)) == [], path
        missing = client.get(path.replace("{code}", "1999"), headers=supervisor)
        assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
        assert mismatches(spec, missing.get_json(), response_schema(spec, path, status="404")) == [], path
        refused = client.get(path.replace("{code}", "2022"), headers=sign_in(client, "enumerator1"))
        assert refused.status_code == 403
        assert mismatches(spec, refused.get_json(), response_schema(spec, path, status="403")) == [], path
    report = client.get("/api/v1/rounds/2022/fieldwork", headers=supervisor).get_json()
    assert any(e["not_countable"] for e in report["enumerators"]) or any(e["per_day"] for e in report["enumerators"])
    schema = response_schema(spec, "/api/v1/rounds/{code}/fieldwork")
    assert mismatches(spec, {**report, "surprise": 1}, schema) == ["$.surprise: not in the document"], "strict"


def test_every_list_answer_and_a_paging_error_should_match_the_document(client, supervisor):
    from tests.openapi_match import mismatches, response_schema

    seed_ballots(5, agencies=("SNV",))
    spec = client.get("/api/v1/openapi.json").get_json()
    checked = 0
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if not get or "{" in path.replace("{code}", ""):
            continue
        schema = response_schema(spec, path)
        if schema.get("type") != "array" and path != "/api/v1/ballots":
            continue
        url = path.replace("{code}", "2022")
        answer = client.get(url, query_string={"page": 1, "page_size": 2}, headers=supervisor)
        if answer.status_code == 403:  # admin-only lists are checked by the admin tests
            continue
        assert answer.status_code == 200, (path, answer.get_json())
        assert mismatches(spec, answer.get_json(), schema) == [], path
        assert "X-Pagination" in answer.headers, path
        bad = client.get(url, query_string={"page_size": 0}, headers=supervisor)
        assert bad.status_code == 422, path
        assert mismatches(spec, bad.get_json(), response_schema(spec, path, status="422")) == [], path
        checked += 1
    assert checked >= 6
