"""Province registry: agencies, rounds, bands and participation."""

from __future__ import annotations

import unicodedata

ROUND = {
    "code": "2023",
    "year": 2023,
    "window_start": "2023-01-01",
    "window_end": "2023-11-30",
    "method_version": "2017",
    "survey_max_points": 10,
}


def add_agency(client, headers, code, name="Sở Tư pháp", group="department", **extra):
    response = client.post(
        "/api/v1/agencies", json={"code": code, "name": name, "group": group, **extra}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_should_keep_vietnamese_names_with_diacritics_in_nfc(client, supervisor, enumerator):
    decomposed = unicodedata.normalize("NFD", "Sở Văn hóa, Thể thao và Du lịch")
    add_agency(client, supervisor, "SVHTTDL", name=decomposed)
    listed = client.get("/api/v1/agencies", headers=enumerator)
    assert "Sở Văn hóa, Thể thao và Du lịch".encode() in listed.data  # UTF-8, not \\u escapes
    assert listed.get_json()[0]["name"] == unicodedata.normalize("NFC", decomposed)


def test_should_refuse_a_second_agency_with_the_same_code(client, supervisor):
    add_agency(client, supervisor, "STP")
    again = client.post("/api/v1/agencies", json={"code": "STP", "name": "x", "group": "district"}, headers=supervisor)
    assert again.status_code == 409 and again.get_json()["code"] == "already_exists"


def test_should_record_parents_and_filter_by_group(client, supervisor):
    add_agency(client, supervisor, "PHULY", name="Thành phố Phủ Lý", group="district")
    add_agency(client, supervisor, "LIEMTUYEN", name="Phường Liêm Tuyền", group="commune", parent_code="PHULY")
    communes = client.get("/api/v1/agencies?group=commune", headers=supervisor).get_json()
    assert [(a["code"], a["parent_code"]) for a in communes] == [("LIEMTUYEN", "PHULY")]
    bad = client.get("/api/v1/agencies?group=galaxy", headers=supervisor)
    assert bad.status_code == 422


def test_a_round_should_record_max_points_quotas_and_the_default_bands(client, supervisor):
    add_agency(client, supervisor, "SNV", name="Sở Nội vụ")
    add_agency(client, supervisor, "TTRA", name="Thanh tra tỉnh", handles_procedures=False)
    body = {
        **ROUND,
        "participants": [
            {"agency_code": "SNV", "ballot_quota": 60},
            {"agency_code": "TTRA", "max_points": 60, "ballot_quota": 60},
        ],
    }
    created = client.post("/api/v1/rounds", json=body, headers=supervisor)
    assert created.status_code == 201, created.get_json()
    got = client.get("/api/v1/rounds/2023", headers=supervisor).get_json()
    parts = {p["agency_code"]: p for p in got["participants"]}
    assert parts["SNV"] == {
        "agency_code": "SNV",
        "agency_name": "Sở Nội vụ",
        "group": "department",
        "surveyed": True,
        "max_points": 100.0,
        "ballot_quota": 60,
    }
    # Not handling procedures: not surveyed, so no quota, and its own maximum.
    assert parts["TTRA"]["surveyed"] is False and parts["TTRA"]["ballot_quota"] == 0
    assert parts["TTRA"]["max_points"] == 60.0
    assert [b["min"] for b in got["bands"]] == [95, 85, 75, 70, None]
    assert got["bands"][0]["label"] == "Xuất sắc"


def test_should_refuse_bands_that_do_not_decrease_or_leave_a_gap(client, supervisor):
    bad = [
        {"code": "a", "label": "A", "min": 80},
        {"code": "b", "label": "B", "min": 90},
        {"code": "c", "label": "C", "min": None},
    ]
    response = client.post("/api/v1/rounds", json={**ROUND, "bands": bad}, headers=supervisor)
    assert response.status_code == 422 and "bands" in response.get_json()["errors"]
    no_floor = [{"code": "a", "label": "A", "min": 80}]
    response = client.post("/api/v1/rounds", json={**ROUND, "bands": no_floor}, headers=supervisor)
    assert response.status_code == 422


def test_should_refuse_a_window_that_ends_before_it_starts(client, supervisor):
    response = client.post("/api/v1/rounds", json={**ROUND, "window_end": "2022-12-31"}, headers=supervisor)
    assert response.status_code == 422 and "window_end" in response.get_json()["errors"]


def test_a_closed_round_should_refuse_changes(client, supervisor):
    add_agency(client, supervisor, "SNV")
    assert client.post("/api/v1/rounds", json=ROUND, headers=supervisor).status_code == 201
    assert (
        client.put("/api/v1/rounds/2023/agencies/SNV", json={"ballot_quota": 5}, headers=supervisor).status_code == 200
    )
    assert client.post("/api/v1/rounds/2023/close", headers=supervisor).get_json()["state"] == "closed"
    late = client.put("/api/v1/rounds/2023/agencies/SNV", json={"ballot_quota": 9}, headers=supervisor)
    assert late.status_code == 409 and late.get_json()["code"] == "state_conflict"


def test_field_roles_should_read_but_not_change_the_registry(client, supervisor, enumerator, reviewer):
    add_agency(client, supervisor, "SNV")
    for headers in (enumerator, reviewer):
        assert client.get("/api/v1/agencies/SNV", headers=headers).status_code == 200
        assert client.patch("/api/v1/agencies/SNV", json={"name": "x"}, headers=headers).status_code == 403
        assert client.post("/api/v1/rounds", json=ROUND, headers=headers).status_code == 403
