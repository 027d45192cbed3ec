"""The web app's pages and the enumerator's own progress endpoint (no browser needed)."""

from __future__ import annotations

import pytest

from tests.sample_ballots import batch, envelope


@pytest.fixture
def token_for(demo, client):
    def login(username: str) -> dict:
        response = client.post("/api/v1/auth/tokens", json={"username": username, "password": "demo-password"})
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return login


def test_the_root_should_lead_to_the_app_in_vietnamese_with_a_strict_content_policy(client):
    assert client.get("/").headers["Location"].endswith("/app/")
    page = client.get("/app/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html and "Khảo sát sự hài lòng" in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in html, "no inline script: the policy forbids it"
    assert "Set-Cookie" not in page.headers, "the app keeps its token in IndexedDB; pages set no cookie"


def test_the_service_worker_should_be_served_from_the_app_scope_and_never_cached_by_http(client):
    worker = client.get("/app/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    shell = worker.get_data(as_text=True)
    from pathlib import Path

    import server.web

    modules = sorted(p.name for p in (Path(server.web.__file__).parent / "static").glob("*.js") if p.name != "sw.js")
    assert "ballotform.js" in modules
    for path in ("/app/", *(f"/app/static/{name}" for name in modules)):
        assert f'"{path}"' in shell, f"{path} is not in the offline shell: the app would not open offline"
        assert client.get(path).status_code == 200, path
    manifest = client.get("/app/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json()["scope"] == "/app/"


def test_an_enumerator_should_see_only_their_own_quota_and_received_ballots(client, token_for):
    enumerator1, enumerator2 = token_for("enumerator1"), token_for("enumerator2")
    sent = client.post("/api/v1/sync/batches", json=batch(envelope("SNV"), envelope("SNV")), headers=enumerator1)
    assert [r["status"] for r in sent.get_json()["results"]] == ["accepted", "accepted"]

    own = client.get("/api/v1/rounds/2022/my-progress", headers=enumerator1).get_json()
    snv = next(a for a in own["agencies"] if a["agency_code"] == "SNV")
    assert snv["received"] == 2 and snv["quota"] > 0 and snv["agency_name"]
    assert own["received"] == 2

    other = client.get("/api/v1/rounds/2022/my-progress", headers=enumerator2).get_json()
    assert other["received"] == 0
    assert "SNV" not in {a["agency_code"] for a in other["agencies"]}


def test_only_enumerators_may_read_their_own_progress(client, token_for):
    assert client.get("/api/v1/rounds/2022/my-progress").status_code == 401
    assert client.get("/api/v1/rounds/2022/my-progress", headers=token_for("supervisor")).status_code == 403
    assert client.get("/api/v1/rounds/2022/my-progress", headers=token_for("mttq1")).status_code == 403
