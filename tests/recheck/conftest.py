"""A demo round with ballots from both demo enumerators, sent through the real sync endpoint."""

from __future__ import annotations

import random

import pytest

from tests.sample_ballots import answers, batch, envelope

DEPARTMENTS = ["SNV", "STC", "SXD", "SYT"]
DISTRICTS = ["PHULY", "DUYTIEN"]


def sign_in(client, username: str) -> dict:
    response = client.post("/api/v1/auth/tokens", json={"username": username, "password": "demo-password"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def send(client, headers, envelopes) -> list[dict]:
    response = client.post("/api/v1/sync/batches", json=batch(*envelopes), headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


@pytest.fixture
def people(client, demo):
    return {
        name: sign_in(client, name) for name in ("supervisor", "enumerator1", "enumerator2", "mttq1", "ccb1", "admin")
    }


@pytest.fixture
def ballots(client, people):
    """40 ballots by enumerator1 over 4 departments, 20 by enumerator2 over 2 districts; instance ids returned."""
    rng = random.Random(4)
    sent = {"enumerator1": [], "enumerator2": []}
    for name, agencies, count in (("enumerator1", DEPARTMENTS, 40), ("enumerator2", DISTRICTS, 20)):
        envelopes = [envelope(agencies[i % len(agencies)], name, rng=random.Random(rng.random())) for i in range(count)]
        results = send(client, people[name], envelopes)
        assert {r["status"] for r in results} == {"accepted"}
        sent[name] = [e["instance_id"] for e in envelopes]
    return sent


__all__ = ["answers", "send", "sign_in"]
