"""The province's own agency groups (with the 2025 groups), agency lineage, and the migration that
turned the fixed CHECK into the groups table."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from server.bounds import SPACES
from tests.server.test_registry import add_agency


def add_group(client, headers, code, name, **extra):
    response = client.post("/api/v1/agency-groups", json={"code": code, "name": name, **extra}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_new_installation_should_list_the_three_built_in_groups_in_order_with_vietnamese_names(client, enumerator):
    groups = client.get("/api/v1/agency-groups", headers=enumerator).get_json()
    assert [(g["code"], g["name"]) for g in groups] == [
        ("department", "Sở, ban, ngành"),
        ("district", "UBND cấp huyện"),
        ("commune", "UBND cấp xã"),
    ]


def test_a_province_should_add_its_2025_groups_and_rank_agencies_in_them(client, supervisor):
    add_group(client, supervisor, "ward", "UBND phường")
    add_group(client, supervisor, "special_zone", "Đặc khu", position=0)
    agency = add_agency(client, supervisor, "DK_BACHLONGVI", name="Đặc khu Bạch Long Vĩ", group="special_zone")
    assert agency["group"] == "special_zone"
    groups = client.get("/api/v1/agency-groups", headers=supervisor).get_json()
    assert [g["code"] for g in groups] == ["special_zone", "department", "district", "commune", "ward"]
    assert groups[0]["agencies"] == 1
    listed = client.get("/api/v1/agencies?group=special_zone", headers=supervisor).get_json()
    assert [a["code"] for a in listed] == ["DK_BACHLONGVI"]


def test_an_unknown_group_should_be_refused_with_the_provinces_list(client, supervisor):
    refused = client.post(
        "/api/v1/agencies", json={"code": "P1", "name": "Phường 1", "group": "ward"}, headers=supervisor
    )
    assert refused.status_code == 422 and refused.get_json()["code"] == "invalid_request"
    assert "department, district, commune" in str(refused.get_json()["errors"])
    bad_code = client.post("/api/v1/agency-groups", json={"code": "Phường!", "name": "x"}, headers=supervisor)
    assert bad_code.status_code == 422
    again = client.post("/api/v1/agency-groups", json={"code": "commune", "name": "x"}, headers=supervisor)
    assert again.status_code == 409 and again.get_json()["code"] == "already_exists"


def test_a_group_should_be_renamed_and_reordered_but_not_removed_while_used(client, supervisor, enumerator):
    add_agency(client, supervisor, "XA1", name="Xã Tiên Tân", group="commune")
    renamed = client.patch("/api/v1/agency-groups/commune", json={"name": "UBND xã", "position": 9}, headers=supervisor)
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "UBND xã"
    used = client.delete("/api/v1/agency-groups/commune", headers=supervisor)
    assert used.status_code == 409 and used.get_json()["code"] == "state_conflict"
    assert client.delete("/api/v1/agency-groups/district", headers=supervisor).status_code == 204
    assert [g["code"] for g in client.get("/api/v1/agency-groups", headers=enumerator).get_json()] == [
        "department",
        "commune",
    ]
    assert (
        client.post("/api/v1/agency-groups", json={"code": "ward", "name": "x"}, headers=enumerator).status_code == 403
    )


def test_an_agencys_lineage_should_be_set_with_its_date_and_checked(client, supervisor):
    add_group(client, supervisor, "ward", "UBND phường")
    for code in ("XA_A", "XA_B"):
        add_agency(client, supervisor, code, name=f"Xã {code}", group="commune")
    add_agency(client, supervisor, "PHUONG_AB", name="Phường Lam Hạ", group="ward")
    body = {
        "predecessors": [
            {"predecessor": "XA_A", "kind": "merged_from", "effective_date": "2025-07-01"},
            {"predecessor": "XA_B", "kind": "merged_from", "effective_date": "2025-07-01"},
        ]
    }
    done = client.put("/api/v1/agencies/PHUONG_AB/lineage", json=body, headers=supervisor)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["lineage"] == [
        {"predecessor": "XA_A", "predecessor_name": "Xã XA_A", "kind": "merged_from", "effective_date": "2025-07-01"},
        {"predecessor": "XA_B", "predecessor_name": "Xã XA_B", "kind": "merged_from", "effective_date": "2025-07-01"},
    ]
    bad = {
        "predecessors": [
            {"predecessor": "PHUONG_AB", "kind": "renamed_from"},
            {"predecessor": "NOWHERE", "kind": "renamed_from"},
        ]
    }
    refused = client.put("/api/v1/agencies/PHUONG_AB/lineage", json=bad, headers=supervisor)
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert "predecessors.0" in errors and "predecessors.1" in errors and "predecessors" in errors
    kept = client.get("/api/v1/agencies/PHUONG_AB", headers=supervisor).get_json()
    assert [e["predecessor"] for e in kept["lineage"]] == ["XA_A", "XA_B"]  # nothing changed
    cleared = client.put("/api/v1/agencies/PHUONG_AB/lineage", json={"predecessors": []}, headers=supervisor)
    assert cleared.get_json()["lineage"] == []


def upload(client, headers, data: bytes, name="agencies.csv"):
    return client.post(
        "/api/v1/agencies/import",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_the_agency_import_should_take_group_names_and_lineage(client, supervisor):
    add_group(client, supervisor, "ward", "UBND phường")
    data = (
        "code,name,group,merged_from,renamed_from,effective_date\n"
        "XA_A,Xã Liêm Tuyền,UBND cấp xã,,,\n"
        "XA_B,Xã Liêm Tiết,commune,,,\n"
        "P_TAMCHUC,Phường Tam Chúc,UBND phường,XA_A;XA_B,,01/07/2025\n"
        "XA_C,Xã Thanh Sơn,UBND cấp xã,,XA_OLD,2025-07-01\n"
    ).encode()
    refused = upload(client, supervisor, data)
    assert refused.status_code == 422
    assert [(e["line"], e["code"]) for e in refused.get_json()["errors"]] == [(5, "unknown_agency")]
    assert client.get("/api/v1/agencies", headers=supervisor).get_json() == []  # nothing stored
    fixed = data.replace(b",,XA_OLD,2025-07-01", b",,,")
    done = upload(client, supervisor, fixed)
    assert done.status_code == 200, done.get_json()
    assert done.get_json() == {"created": 4, "updated": 0, "rows": 4}
    ward = client.get("/api/v1/agencies/P_TAMCHUC", headers=supervisor).get_json()
    assert ward["group"] == "ward"
    assert [(e["predecessor"], e["kind"], e["effective_date"]) for e in ward["lineage"]] == [
        ("XA_A", "merged_from", "2025-07-01"),
        ("XA_B", "merged_from", "2025-07-01"),
    ]


def test_the_migration_should_convert_existing_agencies_and_drop_the_fixed_check(app, db):
    """Down to the revision before the groups table, agencies as they were, up again: every agency keeps
    its group, which is now a row of agency_groups, and a group outside the old three is accepted."""
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade, upgrade

    script = ScriptDirectory(str(Path(app.root_path) / "migrations"))
    mine = next(
        r for r in script.walk_revisions() if "create_table(\n        'agency_groups'" in Path(r.path).read_text()
    )
    db.session.remove()
    try:
        downgrade(revision=mine.down_revision)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO agencies (code, name, agency_group, handles_procedures) VALUES"
                    " ('SNV', 'Sở Nội vụ', 'department', true), ('PHULY', 'Thành phố Phủ Lý', 'district', true)"
                )
            )
        upgrade()
        with db.engine.begin() as connection:
            rows = connection.execute(
                text(
                    "SELECT a.code, g.name FROM agencies a JOIN agency_groups g ON g.code = a.agency_group"
                    " ORDER BY a.code"
                )
            ).all()
            assert [tuple(r) for r in rows] == [("PHULY", "UBND cấp huyện"), ("SNV", "Sở, ban, ngành")]
            connection.execute(
                text("INSERT INTO agency_groups (code, name, position) VALUES ('ward', 'UBND phường', 4)")
            )
            connection.execute(
                text(
                    "INSERT INTO agencies (code, name, agency_group, handles_procedures)"
                    " VALUES ('P1', 'Phường Lam Hạ', 'ward', true)"
                )
            )
            assert connection.execute(text("SELECT count(*) FROM agencies")).scalar() == 3
    finally:
        upgrade()
        with db.engine.begin() as connection:  # leave the tables as the db fixture expects
            connection.execute(text("DELETE FROM agencies"))
            connection.execute(text("DELETE FROM agency_groups WHERE code = 'ward'"))


def test_a_name_of_spaces_only_should_be_refused_not_stored_empty(client, supervisor):
    """Names are trimmed before their length is checked: ' ' would otherwise be stored as '' (which the
    document's minLength 1 says never comes back)."""
    add_agency(client, supervisor, "SNV", name="Sở Nội vụ", group="department")
    cases = (
        ("POST", "/api/v1/agencies", {"code": "SP1", "name": " \u3000 ", "group": "department"}),
        ("PATCH", "/api/v1/agencies/SNV", {"name": "\t "}),
        ("POST", "/api/v1/agency-groups", {"code": "ward", "name": "\x85 "}),
        ("POST", "/api/v1/agency-groups", {"code": "ward", "name": "\ufeff"}),
        ("PATCH", "/api/v1/agency-groups/commune", {"name": " "}),
    )
    for method, path, body in cases:
        refused = client.open(path, method=method, json=body, headers=supervisor)
        assert refused.status_code == 422, (path, refused.get_json())
        assert refused.get_json()["code"] == "invalid_request" and "name" in refused.get_json()["errors"]
    kept = client.patch("/api/v1/agencies/SNV", json={"name": "  Sở Nội vụ tỉnh  "}, headers=supervisor)
    assert kept.status_code == 200 and kept.get_json()["name"] == "Sở Nội vụ tỉnh"
    assert all(a["name"].strip() for a in client.get("/api/v1/agencies", headers=supervisor).get_json())
    assert "ward" not in [g["code"] for g in client.get("/api/v1/agency-groups", headers=supervisor).get_json()]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from([*SPACES, "a", "ở", "\x00", "\u200b"]), max_size=6))
def test_the_documents_name_pattern_should_accept_exactly_what_the_server_keeps(typed):
    """The OpenAPI ``pattern`` of a name is read as ECMAScript (jsonschema-rs, as schemathesis reads it); the
    server trims with Python. A text the pattern accepts is a name the field keeps, and the other way round."""
    import jsonschema_rs
    from marshmallow import ValidationError

    from server.bounds import NOT_ONLY_SPACES, Name

    documented = jsonschema_rs.validator_for({"type": "string", "pattern": NOT_ONLY_SPACES}).is_valid(typed)
    try:
        kept = Name().deserialize(typed)
    except ValidationError:
        kept = None
    assert documented == (kept is not None), repr(typed)
    assert kept is None or (kept == kept.strip() and kept)
