"""Fixtures for appraisal tests: the demo province with the 2022 criteria set, agency officers and
appraisers signed in through the API, a test PKI trusted by the app, and upload helpers. Every JSON
answer is checked against the OpenAPI document."""

from __future__ import annotations

import io

import pytest

from tests.appraisal.criteria_2022 import criteria_xlsx
from tests.appraisal.pki import make_pki


@pytest.fixture(autouse=True)
def _every_answer_documented(documented_answers):
    """Every JSON answer of these tests is checked against the OpenAPI document (tests/openapi_match)."""


@pytest.fixture(scope="session")
def pki():
    return make_pki()


@pytest.fixture
def trusted(app, pki, tmp_path, monkeypatch):
    """The app trusts the test root CA and keeps evidence files in a fresh folder."""
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root_pem())
    monkeypatch.setitem(app.config, "APPRAISAL_TRUST_ROOTS", (str(root),))
    monkeypatch.setitem(app.config, "APPRAISAL_EVIDENCE_DIR", str(tmp_path / "evidence"))
    return tmp_path / "evidence"


def upload(client, url, headers, data: bytes, filename: str):
    return client.post(
        url, data={"file": (io.BytesIO(data), filename)}, headers=headers, content_type="multipart/form-data"
    )


@pytest.fixture
def round_2022(demo, client, supervisor):
    response = upload(client, "/api/v1/rounds/2022/criteria", supervisor, criteria_xlsx(), "bo_tieu_chi_2022.xlsx")
    assert response.status_code == 200, response.get_json()
    return "2022"


@pytest.fixture
def council(round_2022, make_user, client, supervisor):
    """Officers of SNV, STC and SXD, and one appraiser per council organisation."""
    people = {}
    for agency in ("SNV", "STC", "SXD"):
        _, headers = make_user(f"officer_{agency.lower()}", "agency_officer")
        answer = client.post(
            "/api/v1/appraisal/members",
            json={"username": f"officer_{agency.lower()}", "agency": agency},
            headers=supervisor,
        )
        assert answer.status_code == 200, answer.get_json()
        people[agency] = headers
    for org in ("SNV", "STP", "VPUBND", "STC", "STTTT", "SKHCN"):
        _, headers = make_user(f"appraiser_{org.lower()}", "appraiser")
        answer = client.post(
            "/api/v1/appraisal/members",
            json={"username": f"appraiser_{org.lower()}", "council_org": org},
            headers=supervisor,
        )
        assert answer.status_code == 200, answer.get_json()
        people[f"appraiser_{org}"] = headers
    return people
