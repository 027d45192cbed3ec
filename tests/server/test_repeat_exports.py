"""Repeat groups in the raw exports: a related table per repeat group, keyed by the ballot's instance id and
the instance's index, in CSV, XLSX, Stata and SPSS (a ZIP of one file per table), from the API and the CLI,
read back with pandas and pyreadstat as an analyst would (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pyreadstat
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
        {"type": "integer", "name": "visit_minutes", "label": {"vi": "Số phút chờ"}},
        {
            "type": "select_one",
            "name": "visit_mood",
            "label": {"vi": "Hài lòng không"},
            "choices": [
                {"value": "hài_lòng", "label": {"vi": "Hài lòng"}},
                {"value": "chưa", "label": {"vi": "Chưa hài lòng"}},
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


KEYS = ["instance_id", "repeat_index", "parent_index"]


def visits(n: int) -> dict:
    """Ballot n has n-1 visits; its second visit has two steps."""
    out = []
    for k in range(1, n):
        visit = {"visit_date": f"2022-09-0{k}", "visit_desks": ["một_cửa", "thuế"] if k == 1 else ["thuế"]}
        visit |= {"visit_minutes": 10 * k, "visit_mood": "hài_lòng" if k == 1 else "chưa"}
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
    assert list(visits_frame.columns) == [*KEYS, "visit_date", "visit_desks", "visit_minutes", "visit_mood"]
    assert visits_frame.values.tolist() == [
        [ids[1], "1", "", "2022-09-01", "một_cửa thuế", "10", "hài_lòng"],
        [ids[2], "1", "", "2022-09-01", "một_cửa thuế", "10", "hài_lòng"],
        [ids[2], "2", "", "2022-09-02", "thuế", "20", "chưa"],
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


def read_statistical(path, fmt):
    reader = pyreadstat.read_dta if fmt == "dta" else pyreadstat.read_sav
    return reader(str(path))


@pytest.mark.parametrize("fmt", ["dta", "sav"])
def test_a_stata_or_spss_download_with_repeats_should_be_a_zip_of_one_labelled_file_per_table(
    client, round_with_repeats, tmp_path, fmt
):
    ids, headers = round_with_repeats
    response = client.get(f"/api/v1/rounds/2022/ballots/export.{fmt}", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert f"filename=phieu-2022-{fmt}.zip" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert archive.namelist() == [f"phieu-2022.{fmt}", f"phieu-2022-visit.{fmt}", f"phieu-2022-step.{fmt}"]
        archive.extractall(tmp_path)
    ballots, _ = read_statistical(tmp_path / f"phieu-2022.{fmt}", fmt)
    assert sorted(ballots["instance_id"]) == sorted(ids)
    assert not {"visit", "visit_date", "visit_minutes", "step_note"} & set(ballots.columns)
    visits_frame, meta = read_statistical(tmp_path / f"phieu-2022-visit.{fmt}", fmt)
    assert list(visits_frame.columns) == [*KEYS, "visit_date", "visit_desks", "visit_minutes", "visit_mood"]
    assert visits_frame[KEYS].values.tolist() == [[ids[1], "1", ""], [ids[2], "1", ""], [ids[2], "2", ""]]
    assert visits_frame["visit_desks"].tolist() == ["một_cửa thuế", "một_cửa thuế", "thuế"]
    assert visits_frame["visit_minutes"].tolist() == [10.0, 10.0, 20.0]
    # select_one choices numbered in form order, with their labels; variable labels from the questions.
    assert visits_frame["visit_mood"].tolist() == [1.0, 1.0, 2.0]
    assert meta.variable_value_labels["visit_mood"] == {1.0: "Hài lòng", 2.0: "Chưa hài lòng"}
    assert meta.column_names_to_labels["visit_minutes"] == "Số phút chờ"
    assert meta.column_names_to_labels["instance_id"] == "Mã phiếu"
    steps, _ = read_statistical(tmp_path / f"phieu-2022-step.{fmt}", fmt)
    assert steps.values.tolist() == [[ids[2], "2.1", "2", "Nộp hồ sơ"], [ids[2], "2.2", "2", "Nhận kết quả"]]


def test_one_repeat_table_should_download_alone_in_stata_and_spss(client, round_with_repeats, tmp_path):
    ids, headers = round_with_repeats
    response = client.get("/api/v1/rounds/2022/ballots/export.sav?repeat=step&lang=en", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/x-spss-sav"
    assert "filename=phieu-2022-step.sav" in response.headers["Content-Disposition"]
    (tmp_path / "step.sav").write_bytes(response.data)
    steps, meta = read_statistical(tmp_path / "step.sav", "sav")
    assert steps["step_note"].tolist() == ["Nộp hồ sơ", "Nhận kết quả"]
    assert meta.column_names_to_labels["repeat_index"] == "Repeat instance"
    missing = client.get("/api/v1/rounds/2022/ballots/export.dta?repeat=nothing", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"


def test_the_openapi_document_should_name_every_content_type_of_the_export(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    answer = spec["paths"]["/api/v1/rounds/{code}/ballots/export.{fmt}"]["get"]["responses"]["200"]
    assert set(answer["content"]) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/x-stata-dta",
        "application/x-spss-sav",
        "application/zip",
    }
    assert "ZIP" in answer["description"]


@pytest.mark.parametrize("fmt", ["csv", "dta", "sav"])
def test_the_cli_should_write_each_repeat_table_beside_the_ballots_file(client, round_with_repeats, app, tmp_path, fmt):
    ids, headers = round_with_repeats
    out = tmp_path / f"ballots.{fmt}"
    result = app.test_cli_runner().invoke(
        args=["ballots", "export", "--round", "2022", "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"ballots.{fmt}", f"ballots-visit.{fmt}", f"ballots-step.{fmt}"]
    )
    assert f"ballots-step.{fmt}" in result.output
    if fmt == "csv":  # the same bytes as the API's
        for name, query in [
            ("ballots", {}),
            ("ballots-visit", {"repeat": "visit"}),
            ("ballots-step", {"repeat": "step"}),
        ]:
            api = client.get("/api/v1/rounds/2022/ballots/export.csv", query_string=query, headers=headers)
            assert (tmp_path / f"{name}.csv").read_bytes() == api.data
        return
    ballots, _ = read_statistical(out, fmt)
    assert sorted(ballots["instance_id"]) == sorted(ids)
    steps, _ = read_statistical(tmp_path / f"ballots-step.{fmt}", fmt)
    assert steps["step_note"].tolist() == ["Nộp hồ sơ", "Nhận kết quả"]
