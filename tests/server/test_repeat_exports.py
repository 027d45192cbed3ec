"""Repeat groups in the raw exports: a related table per repeat group, keyed by the ballot's instance id and
the instance's index, read back with pandas as an analyst would (SQLite and PostgreSQL)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.oversight_seed import seed_ballots
from tests.sample_ballots import FORM

VISITS = {
    "type": "group",
    "name": "visit",
    "repeat": True,
    "label": {"vi": "Lần đến", "en": "Visit"},
    "children": [
        {"type": "date", "name": "visit_date", "label": {"vi": "Ngày đến"}},
        {
            "type": "select_multiple",
            "name": "visit_desks",
            "label": {"vi": "Quầy đã đến"},
            "choices": [
                {"value": "một_cửa", "label": {"vi": "Một cửa"}},
                {"value": "thuế", "label": {"vi": "Thuế"}},
            ],
        },
        {
            "type": "group",
            "name": "step",
            "repeat": True,
            "label": {"vi": "Bước"},
            "children": [{"type": "text", "name": "step_note", "label": {"vi": "Ghi chú"}}],
        },
    ],
}


def visits(n: int) -> dict:
    """Ballot n has n-1 visits; its second visit has two steps."""
    out = []
    for k in range(1, n):
        visit = {"visit_date": f"2022-09-0{k}", "visit_desks": ["một_cửa", "thuế"] if k == 1 else ["thuế"]}
        if k == 2:
            visit["step"] = [{"step_note": "Nộp hồ sơ"}, {"step_note": "Nhận kết quả"}]
        out.append(visit)
    return {"visit": out} if out else {}


@pytest.fixture
def round_with_repeats(client, demo):
    from server.forms.service import publish, save_draft
    from server.transaction import unit_of_work
    from survey_forms import Form

    definition = FORM.to_dict() | {"version": "2022.10"}
    definition["children"] = [*definition["children"], VISITS]
    with unit_of_work():
        save_draft(Form.from_dict(definition), "2022")
        publish("satisfaction", "2022.10", "2022")
    ids = seed_ballots(3, form_version="2022.10", extra=visits)
    token = client.post("/api/v1/auth/tokens", json={"username": "supervisor", "password": "demo-password"})
    return ids, {"Authorization": f"Bearer {token.get_json()['token']}"}


def csv_frame(client, headers, **query) -> pd.DataFrame:
    response = client.get("/api/v1/rounds/2022/ballots/export.csv", query_string=query, headers=headers)
    assert response.status_code == 200, response.data[:300]
    return pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_the_ballots_table_should_leave_repeat_answers_to_their_own_tables(client, round_with_repeats):
    ids, headers = round_with_repeats
    frame = csv_frame(client, headers)
    assert sorted(frame["instance_id"]) == sorted(ids)
    assert not {"visit", "visit_date", "visit_desks", "step_note"} & set(frame.columns)


def test_each_repeat_should_be_a_csv_of_its_own_keyed_by_instance_id_and_index(client, round_with_repeats):
    ids, headers = round_with_repeats
    visits_frame = csv_frame(client, headers, repeat="visit")
    assert list(visits_frame.columns) == ["instance_id", "repeat_index", "parent_index", "visit_date", "visit_desks"]
    assert visits_frame.values.tolist() == [
        [ids[1], "1", "", "2022-09-01", "một_cửa thuế"],
        [ids[2], "1", "", "2022-09-01", "một_cửa thuế"],
        [ids[2], "2", "", "2022-09-02", "thuế"],
    ]
    steps = csv_frame(client, headers, repeat="step")
    assert steps.values.tolist() == [[ids[2], "2.1", "2", "Nộp hồ sơ"], [ids[2], "2.2", "2", "Nhận kết quả"]]


def test_an_unknown_repeat_should_be_a_clear_404(client, round_with_repeats):
    _ids, headers = round_with_repeats
    response = client.get("/api/v1/rounds/2022/ballots/export.csv?repeat=nothing", headers=headers)
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_the_xlsx_export_should_have_a_sheet_per_repeat(client, round_with_repeats):
    ids, headers = round_with_repeats
    response = client.get("/api/v1/rounds/2022/ballots/export.xlsx", headers=headers)
    assert response.status_code == 200
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == ["values", "labels", "variables", "visit", "step"]
    assert sheets["visit"]["instance_id"].tolist() == [ids[1], ids[2], ids[2]]
    assert sheets["step"]["step_note"].tolist() == ["Nộp hồ sơ", "Nhận kết quả"]
