"""Dates at the API edge: a day or moment in year 1, year 9999 or past the calendar is answered with a clear
``422`` and a stable code (``invalid_request``, or ``invalid_import`` line by line), never a 500 and never
stored -- a round's survey window, an agency's lineage (by the API and by file), the history years and the
ballot export's filters. (Appraisal deadlines: tests/appraisal/test_calendar_dates.py.)"""

from __future__ import annotations

import io

from tests.server.test_api_errors import assert_envelope

#: Days no record of the province can carry: the ends of Python's calendar, and past them.
FAR_DAYS = ("9999-12-31", "0001-01-01", "10000-01-01", "0000-01-01", "-0001-01-01")
#: Not days at all.
NOT_DAYS = ("2024-13-01", "2024-02-30", "1-1-1")

NEW_ROUND = {
    "code": "2031",
    "year": 2031,
    "window_start": "2031-01-01",
    "window_end": "2031-06-30",
    "method_version": "2017",
}


def test_a_survey_window_outside_a_year_of_the_round_s_year_should_be_a_clear_422(client, supervisor, demo):
    for field in ("window_start", "window_end"):
        for value in (*FAR_DAYS, *NOT_DAYS, "2029-12-31", "2033-01-01"):
            created = client.post("/api/v1/rounds", json={**NEW_ROUND, field: value}, headers=supervisor)
            assert field in assert_envelope(created, 422, "invalid_request")["errors"], (field, value)
            patched = client.patch("/api/v1/rounds/2022", json={field: value}, headers=supervisor)
            assert field in assert_envelope(patched, 422, "invalid_request")["errors"], (field, value)
    assert client.get("/api/v1/rounds/2031", headers=supervisor).status_code == 404
    kept = client.get("/api/v1/rounds/2022", headers=supervisor).get_json()
    assert (kept["window_start"], kept["window_end"]) == ("2022-01-01", "2022-11-30")


def test_a_window_spilling_into_the_next_year_should_be_taken_and_move_with_a_copy_to_the_last_year(
    client, supervisor, demo
):
    spilled = {**NEW_ROUND, "window_start": "2030-12-01", "window_end": "2032-02-28"}
    assert client.post("/api/v1/rounds", json=spilled, headers=supervisor).status_code == 201
    # a copy to the last year a round may have moves the window with it (before: a window patched to 9999
    # overflowed the copy, a 500)
    copied = client.post("/api/v1/rounds", json={"code": "2100", "year": 2100, "copy_from": "2031"}, headers=supervisor)
    assert copied.status_code == 201, copied.get_json()
    assert (copied.get_json()["window_start"], copied.get_json()["window_end"]) == ("2099-12-01", "2101-02-28")
    back = client.post("/api/v1/rounds", json={"code": "2000", "year": 2000, "copy_from": "2022"}, headers=supervisor)
    assert (back.get_json()["window_start"], back.get_json()["window_end"]) == ("2000-01-01", "2000-11-30")


def test_a_lineage_dated_outside_the_records_should_be_a_clear_422_and_not_stored(client, admin, demo):
    body = {"predecessors": [{"predecessor": "SXD", "kind": "renamed_from", "effective_date": None}]}
    for value in (*FAR_DAYS, *NOT_DAYS, "1899-12-31", "2101-01-01"):
        body["predecessors"][0]["effective_date"] = value
        refused = client.put("/api/v1/agencies/SNV/lineage", json=body, headers=admin)
        assert "predecessors" in assert_envelope(refused, 422, "invalid_request")["errors"], value
    assert client.get("/api/v1/agencies/SNV", headers=admin).get_json()["lineage"] == []
    body["predecessors"][0]["effective_date"] = "1997-01-01"  # a province split of the last century
    assert client.put("/api/v1/agencies/SNV/lineage", json=body, headers=admin).status_code == 200


def test_an_agency_file_with_a_lineage_date_outside_the_records_should_name_its_line(client, admin, demo):
    for value in ("9999-12-31", "0001-01-01", "31/12/9999", "01/01/0001", "10000-01-01", "2024-02-30"):
        data = f"code,name,group,renamed_from,effective_date\nSMOI,Sở Mới,department,SXD,{value}\n".encode()
        response = client.post(
            "/api/v1/agencies/import", data={"file": (io.BytesIO(data), "co_quan.csv")}, headers=admin
        )
        body = assert_envelope(response, 422, "invalid_import")
        assert [(e["line"], e["column"]) for e in body["errors"]] == [(2, "effective_date")], body
    assert client.get("/api/v1/agencies/SMOI", headers=admin).status_code == 404


def test_a_history_year_outside_the_rounds_years_should_be_refused_on_import(client, admin, demo):
    for year in (0, 1, 1999, 2101, 9999, 2147483647):
        data = b"agency,points\nSNV,80\n"
        response = client.post(
            f"/api/v1/history/{year}/agencies", data={"file": (io.BytesIO(data), "2021.csv")}, headers=admin
        )
        assert "year" in assert_envelope(response, 422, "invalid_request")["errors"]
        assert client.get(f"/api/v1/history/{year}", headers=admin).status_code == 200  # reading one is harmless
    assert client.get("/api/v1/history", headers=admin).get_json() == []


def test_the_ballot_export_s_day_filters_at_the_ends_of_the_calendar_should_be_422(client, admin, demo):
    for value in (*FAR_DAYS, *NOT_DAYS):
        for name in ("date_from", "date_to"):
            response = client.get(f"/api/v1/rounds/2022/ballots/export.csv?{name}={value}", headers=admin)
            assert_envelope(response, 422, "invalid_request")
    assert client.get("/api/v1/rounds/2022/ballots/export.csv?date_from=2000-01-01", headers=admin).status_code == 200


def test_the_cli_export_s_day_filters_at_the_ends_of_the_calendar_should_be_a_usage_error(app, demo, tmp_path):
    out = tmp_path / "ballots.csv"
    for option, value in (("--to", "9999-12-31"), ("--from", "0001-01-01")):
        result = app.test_cli_runner().invoke(
            args=["ballots", "export", "--round", "2022", "--out", str(out), option, value]
        )
        assert result.exit_code == 2 and "use a day from 0001-01-02 to 9999-12-30" in result.output, result.output
        assert not out.exists()
    result = app.test_cli_runner().invoke(
        args=["ballots", "export", "--round", "2022", "--out", str(out), "--from", "2022-01-01", "--to", "2022-12-31"]
    )
    assert result.exit_code == 0, result.output
