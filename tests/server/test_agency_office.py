"""Where each agency's one-stop office is (for the location check): set through the API, the command line
and the agency import, always both coordinates or neither, within range, and nothing stored half-way."""

from __future__ import annotations

import io

OFFICE = (20.5431, 105.9123)


def sign_in(client, username: str) -> dict:
    response = client.post("/api/v1/auth/tokens", json={"username": username, "password": "demo-password"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def office(client, headers, code="SNV") -> tuple:
    body = client.get(f"/api/v1/agencies/{code}", headers=headers).get_json()
    return body["office_latitude"], body["office_longitude"]


def test_the_api_should_set_both_coordinates_or_neither(client, demo):
    headers = sign_in(client, "supervisor")
    url = "/api/v1/agencies/SNV"
    alone = client.patch(url, json={"office_latitude": OFFICE[0]}, headers=headers)
    assert alone.status_code == 422 and alone.get_json()["code"] == "invalid_request"
    assert list(alone.get_json()["errors"]) == ["office_longitude"]
    far = client.patch(url, json={"office_latitude": 91, "office_longitude": OFFICE[1]}, headers=headers)
    assert far.status_code == 422 and "office_latitude" in far.get_json()["errors"]
    assert office(client, headers) == (None, None), "nothing stored"
    both = client.patch(url, json={"office_latitude": OFFICE[0], "office_longitude": OFFICE[1]}, headers=headers)
    assert both.status_code == 200 and office(client, headers) == OFFICE
    moved = client.patch(url, json={"office_longitude": 105.92}, headers=headers)  # the latitude stays
    assert moved.status_code == 200 and office(client, headers) == (OFFICE[0], 105.92)
    cleared = client.patch(url, json={"office_latitude": None, "office_longitude": None}, headers=headers)
    assert cleared.status_code == 200 and office(client, headers) == (None, None)
    enumerator = sign_in(client, "enumerator1")
    assert client.patch(url, json={"office_latitude": 1, "office_longitude": 1}, headers=enumerator).status_code == 403


def test_the_cli_should_set_list_and_clear_an_office(app, client, demo):
    headers = sign_in(client, "supervisor")
    runner = app.test_cli_runner()
    done = runner.invoke(args=["agencies", "set-office", "SNV", "--lat", "20.5431", "--lon", "105.9123"])
    assert done.exit_code == 0, done.output
    assert "SNV (Sở Nội vụ): office at 20.5431, 105.9123" in done.output
    assert office(client, headers) == OFFICE
    listed = runner.invoke(args=["agencies", "list"])
    assert "SNV\tSở Nội vụ\tdepartment\tTrue\t20.5431\t105.9123" in listed.output
    half = runner.invoke(args=["agencies", "set-office", "SNV", "--lat", "21"])
    assert half.exit_code == 2 and "--lat and --lon together" in half.output
    out_of_range = runner.invoke(args=["agencies", "set-office", "SNV", "--lat", "95", "--lon", "105"])
    assert out_of_range.exit_code == 2 and "--lat" in out_of_range.output
    unknown = runner.invoke(args=["agencies", "set-office", "NOPE", "--lat", "20", "--lon", "105"])
    assert unknown.exit_code == 1 and "[not_found]" in unknown.output
    assert office(client, headers) == OFFICE, "refusals change nothing"
    cleared = runner.invoke(args=["agencies", "set-office", "SNV", "--clear"])
    assert cleared.exit_code == 0 and office(client, headers) == (None, None)


def upload(client, headers, text: str):
    data = {"file": (io.BytesIO(text.encode("utf-8")), "agencies.csv")}
    return client.post("/api/v1/agencies/import", data=data, headers=headers, content_type="multipart/form-data")


def test_the_agency_import_should_take_office_columns_all_or_nothing(client, demo):
    headers = sign_in(client, "supervisor")
    bad = (
        "Mã,Tên,Nhóm,Vĩ độ,Kinh độ\n"
        'SNV,Sở Nội vụ,Sở ban ngành,"20,5431",105.9123\n'
        "STP,Sở Tư pháp,Sở ban ngành,20.54,\n"
        "SYT,Sở Y tế,Sở ban ngành,bắc,105\n"
    )
    answer = upload(client, headers, bad)
    assert answer.status_code == 422 and answer.get_json()["code"] == "invalid_import"
    assert {(e["line"], e["column"], e["code"]) for e in answer.get_json()["errors"]} == {
        (3, "Kinh độ", "invalid_value"),
        (4, "Vĩ độ", "invalid_value"),
    }
    assert office(client, headers) == (None, None), "nothing stored"
    one_column = upload(client, headers, "code,name,group,office_latitude\nSNV,Sở Nội vụ,department,20.5\n")
    assert one_column.status_code == 422
    assert [e["code"] for e in one_column.get_json()["errors"]] == ["missing_column"]
    good = 'Mã,Tên,Nhóm,Vĩ độ,Kinh độ\nSNV,Sở Nội vụ,Sở ban ngành,"20,5431",105.9123\nSTP,Sở Tư pháp,Sở ban ngành,,\n'
    answer = upload(client, headers, good)
    assert answer.status_code == 200 and answer.get_json() == {"created": 0, "updated": 2, "rows": 2}
    assert office(client, headers) == OFFICE and office(client, headers, "STP") == (None, None)
