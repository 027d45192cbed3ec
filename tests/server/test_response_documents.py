"""The OpenAPI document describes the real answers of the JSON GETs it once left bare (a round's quality
statistics, a score run's ranking, a form definition), strictly both ways (``tests/openapi_match``)."""

from __future__ import annotations

from tests.openapi_match import mismatches, response_schema
from tests.oversight_seed import seed_ballots
from tests.server.test_admin_api import login, upload


def test_the_document_should_describe_quality_ranking_and_form_definition_answers(client, demo):
    supervisor = login(client, "supervisor")
    seed_ballots(12, agencies=("SNV", "STP"))
    template = client.get("/api/v1/rounds/2022/appraisal/template.csv", headers=supervisor)
    lines = template.data.decode("utf-8-sig").splitlines()
    filled = "\n".join([lines[0]] + [line + "55" for line in lines[1:]])
    assert upload(client, "/api/v1/rounds/2022/appraisal", supervisor, "points.csv", filled).status_code == 200
    run = client.post("/api/v1/rounds/2022/score-runs", json={}, headers=supervisor).get_json()
    form = client.get("/api/v1/forms", headers=supervisor).get_json()[0]
    answers = {
        "/api/v1/rounds/{code}/quality": "/api/v1/rounds/2022/quality",
        "/api/v1/score-runs/{run_id}/ranking": f"/api/v1/score-runs/{run['id']}/ranking",
        "/api/v1/forms/{form_id}/versions/{version}": form["download_url"],
    }
    spec = client.get("/api/v1/openapi.json").get_json()
    for documented, path in answers.items():
        answer = client.get(path, headers=supervisor)
        assert answer.status_code == 200, path
        body = answer.get_json()
        assert response_schema(spec, documented), f"{documented} has no response schema"
        assert mismatches(spec, body, response_schema(spec, documented)) == [], documented
    quality = client.get("/api/v1/rounds/2022/quality", headers=supervisor).get_json()
    assert quality["enumerators"] and quality["agencies"], "rows to compare"
