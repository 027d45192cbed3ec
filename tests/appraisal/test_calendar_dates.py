"""Appraisal deadlines at the ends of the calendar: a moment whose offset moves year 1 or 9999 past what
can be stored in UTC, or any deadline outside the years rounds have, is a clear ``422 invalid_request``
naming the field and changing nothing (before: the offset overflowed on the way to UTC, a 500)."""

from __future__ import annotations

from tests.server.test_api_errors import assert_envelope

URL = "/api/v1/rounds/2022/appraisal-calendar"
FIELDS = ("self_assessment_until", "appraisal_until", "answer_until")
FAR_MOMENTS = (
    "9999-12-31T23:59:59-07:00",  # past year 9999 in UTC
    "0001-01-01T00:00:00+07:00",  # before year 1 in UTC
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00+00:00",
    "1999-12-31T23:59:59+00:00",
    "2102-01-01T00:00:00+00:00",
    "10000-01-01T00:00:00+00:00",
    "2024-02-30T00:00:00+07:00",
    "2030-12-31T17:00:00",  # no offset: which day would it be?
)


def test_a_deadline_at_the_ends_of_the_calendar_should_be_a_clear_422_and_change_nothing(client, supervisor, demo):
    kept = {"self_assessment_until": "2030-06-30T17:00:00+07:00", "appraisal_until": None, "answer_until": None}
    assert client.put(URL, json=kept, headers=supervisor).status_code == 200
    for field in FIELDS:
        for value in FAR_MOMENTS:
            body = assert_envelope(client.put(URL, json={field: value}, headers=supervisor), 422, "invalid_request")
            assert field in body["errors"], (field, value)
    shown = client.get(URL, headers=supervisor).get_json()
    assert shown["self_assessment_until"] == "2030-06-30T10:00:00+00:00"
    assert shown["appraisal_until"] is None and shown["answer_until"] is None


def test_a_deadline_in_any_time_zone_within_the_rounds_years_should_be_kept_in_utc(client, supervisor, demo):
    deadlines = {
        "self_assessment_until": "2000-01-01T07:00:00+07:00",
        "appraisal_until": "2099-01-01T00:00:00+07:00",
        "answer_until": "2101-12-31T23:59:59+00:00",
    }
    assert client.put(URL, json=deadlines, headers=supervisor).status_code == 200
    shown = client.get(URL, headers=supervisor).get_json()
    assert [shown[f] for f in FIELDS] == [
        "2000-01-01T00:00:00+00:00",
        "2098-12-31T17:00:00+00:00",
        "2101-12-31T23:59:59+00:00",
    ]
