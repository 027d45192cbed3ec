"""Fixtures for results tests: the demo province with signed-in users, and helpers to sync ballots and
upload appraisal points through the real API."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.sample_ballots import FORM, answers, batch, envelope

#: Published 2022 results of Hà Nam's 19 departments (see tests/scoring/data/README.md for the source).
HANAM_2022 = Path(__file__).resolve().parent.parent / "scoring" / "data" / "hanam_2022_departments.csv"


def hanam_rows() -> list[dict]:
    with HANAM_2022.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def token(client, username: str) -> dict:
    response = client.post("/api/v1/auth/tokens", json={"username": username, "password": "demo-password"})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def supervisor1(demo, client):
    return token(client, "supervisor")


@pytest.fixture
def enumerator1(demo, client):
    return token(client, "enumerator1")


def scored_answers(agency: str, level, *, overrides: dict | None = None, feedback=None) -> dict:
    """Answers of the built-in form with every scored criterion of factors 1-4 set to ``level``
    (factor 5 only when ``feedback`` gives its level), then ``overrides``."""
    values = answers(agency, gave_feedback=feedback is not None)
    for question in FORM.scored_questions():
        if question.name.startswith("c5_"):
            if feedback is not None:
                values[question.name] = feedback
            else:
                values.pop(question.name, None)
        else:
            values[question.name] = level
    values.update(overrides or {})
    return values


def sync(client, headers, *answer_sets: dict, agency: str = "SNV") -> list[dict]:
    envelopes = [envelope(agency, answers=a) for a in answer_sets]
    response = client.post("/api/v1/sync/batches", json=batch(*envelopes), headers=headers)
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * len(answer_sets), results
    return results


def upload_appraisal(client, headers, data: bytes, round_code: str = "2022", filename: str = "appraisal.csv"):
    return client.post(
        f"/api/v1/rounds/{round_code}/appraisal",
        data={"file": (io.BytesIO(data), filename)},
        headers=headers,
        content_type="multipart/form-data",
    )


def hanam_appraisal_csv() -> bytes:
    """The published table as an appraisal import: agencies by name, with their satisfaction points."""
    return csv_bytes(
        ["agency", "appraisal_points", "satisfaction_points"],
        [[r["agency"], r["appraisal_points"], r["satisfaction_points"]] for r in hanam_rows()],
    )
