"""Raw data exports, read back as an analyst would: pandas for CSV and XLSX, pyreadstat for Stata and SPSS.

Checks one row per ballot, the metadata columns, select_multiple as a list and as 0/1 columns, labels
(variable and value) and Vietnamese text intact, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import unicodedata

import pandas as pd
import pyreadstat
import pytest

from tests.oversight_seed import seed_ballots
from tests.sample_ballots import FORM

CHANNELS = [
    {"value": "one_stop", "label": {"vi": "Bộ phận một cửa", "en": "One-stop desk"}},
    {"value": "online", "label": {"vi": "Dịch vụ công trực tuyến", "en": "Online public service"}},
    {"value": "post", "label": {"vi": "Bưu điện", "en": "Post office"}},
]


def sign_in(client, username: str) -> dict:
    response = client.post("/api/v1/auth/tokens", json={"username": username, "password": "demo-password"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def exported_round(client, demo):
    """24 ballots of the built-in version and 6 of a version 2022.9 that adds a select_multiple question; GPS on one."""
    from server.forms.service import publish, save_draft
    from server.transaction import unit_of_work
    from survey_forms import Form

    definition = FORM.to_dict() | {"version": "2022.9"}
    question = {
        "type": "select_multiple",
        "name": "channels",
        "label": {"vi": "Kênh đã dùng", "en": "Channels used"},
        "choices": CHANNELS,
    }
    definition["children"] = [*definition["children"], question]
    with unit_of_work():
        save_draft(Form.from_dict(definition), "2022")
        publish("satisfaction", "2022.9", "2022")
    gps = {
        "location_start": {
            "latitude": 20.5431,
            "longitude": 105.9123,
            "accuracy": 12.5,
            "captured_at": "2022-09-01T08:00:00+07:00",
        }
    }
    first = seed_ballots(24, paradata=lambda n: gps if n == 1 else {})
    second = seed_ballots(
        6, start=25, form_version="2022.9", extra=lambda n: {"channels": ["one_stop", "post"] if n % 2 else ["online"]}
    )
    return first + second, sign_in(client, "supervisor")


def download(client, headers, fmt: str, **query) -> bytes:
    response = client.get(f"/api/v1/rounds/2022/ballots/export.{fmt}", query_string=query, headers=headers)
    assert response.status_code == 200, response.data[:300]
    assert f"phieu-2022.{fmt}" in response.headers["Content-Disposition"]
    return response.data


def test_the_csv_export_should_have_a_bom_one_row_per_ballot_and_vietnamese_intact(client, exported_round):
    ids, headers = exported_round
    body = download(client, headers, "csv")
    assert body.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(frame) == 30 and set(frame["instance_id"]) == set(ids)
    assert list(frame.columns[:4]) == ["instance_id", "form_version", "agency_code", "agency_name"]
    for column in (
        "enumerator",
        "device_id",
        "started_at",
        "completed_at",
        "received_at",
        "duration_seconds",
        "status",
        "status_reason",
        "recheck_organisation",
        "recheck_outcome",
        "location_start_latitude",
    ):
        assert column in frame.columns
    snv = frame[frame["agency_code"] == "SNV"]
    assert set(snv["agency_name"]) == {"Sở Nội vụ"}
    assert unicodedata.is_normalized("NFC", body.decode("utf-8-sig"))
    assert set(frame["procedure"]) == {"Cấp giấy chứng nhận quyền sử dụng đất"}
    assert "respondent_phone" not in frame.columns  # contact details never leave in exports
    first = frame.set_index("instance_id").loc[ids[0]]
    assert first["location_start_latitude"] == "20.5431" and first["location_start_accuracy"] == "12.5"
    assert first["completed_at"] == "2022-09-01T08:06:01+07:00"  # Vietnam time, as interviewed
    odd = frame.set_index("instance_id").loc[ids[24]]  # n = 25: one_stop and post
    assert (odd["channels"], odd["channels/one_stop"], odd["channels/online"], odd["channels/post"]) == (
        "one_stop post",
        "1",
        "0",
        "1",
    )
    assert frame.set_index("instance_id").loc[ids[0]]["channels"] == ""  # the built-in version has no such question


def test_exports_should_be_filtered_like_the_table(client, exported_round):
    _, headers = exported_round
    body = download(client, headers, "csv", agency="so noi vu", form_version=FORM.version)
    frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype=str)
    assert len(frame) == 6 and set(frame["agency_code"]) == {"SNV"}


def test_the_xlsx_export_should_have_values_labels_and_variables_sheets(client, exported_round):
    ids, headers = exported_round
    reason = {"status": "invalid", "reason": "Phiếu trùng"}
    assert client.post(f"/api/v1/ballots/{ids[1]}/status", json=reason, headers=headers).status_code == 200
    book = pd.read_excel(io.BytesIO(download(client, headers, "xlsx")), sheet_name=None, dtype=str)
    assert list(book) == ["values", "labels", "variables"]
    values, labels = book["values"], book["labels"]
    assert len(values) == len(labels) == 30
    assert set(values["sex"]) <= {"male", "female"}
    assert set(labels["Giới tính"]) <= {"Nam", "Nữ"}
    assert set(labels["Tên cơ quan"]) >= {"Sở Nội vụ"}
    assert set(labels["Trạng thái"]) == {"Hợp lệ", "Không hợp lệ"}
    assert set(labels["Lý do trạng thái"].dropna()) == {"Giám sát sửa: Phiếu trùng"}
    assert set(values["status_reason"].dropna()) == {"override: Phiếu trùng"}
    row = labels[values["instance_id"] == ids[24]].iloc[0]
    assert row["Kênh đã dùng"] == "Bộ phận một cửa; Bưu điện"
    overall = labels["Nhìn chung, Ông/Bà hài lòng ở mức nào với sự phục vụ của cơ quan?"]
    assert set(overall) <= {"Bình thường", "Hài lòng", "Rất hài lòng"} and len(set(overall)) > 1
    assert set(values["overall"]) <= {"3", "4", "5"}
    english = pd.read_excel(io.BytesIO(download(client, headers, "xlsx", lang="en")), sheet_name="labels", dtype=str)
    assert set(english["Sex"]) <= {"Male", "Female"}
    variables = book["variables"]
    assert "channels/post" in set(variables["Tên cột"])


@pytest.mark.parametrize("fmt", ["dta", "sav"])
def test_stata_and_spss_exports_should_carry_variable_and_value_labels(client, exported_round, tmp_path, fmt):
    ids, headers = exported_round
    path = tmp_path / f"ballots.{fmt}"
    path.write_bytes(download(client, headers, fmt))
    reader = pyreadstat.read_dta if fmt == "dta" else pyreadstat.read_sav
    frame, meta = reader(str(path))
    assert len(frame) == 30 and set(frame["instance_id"]) == set(ids)
    labels = meta.column_names_to_labels
    assert labels["agency_name"] == "Tên cơ quan" and labels["sex"] == "Giới tính"
    assert labels["channels_one_stop"] == "Kênh đã dùng: Bộ phận một cửa"
    assert "Sở Nội vụ" in set(frame["agency_name"])
    assert set(frame["procedure"]) == {"Cấp giấy chứng nhận quyền sử dụng đất"}
    value_labels = meta.variable_value_labels
    assert value_labels["sex"] == {1: "Nam", 2: "Nữ"}
    likert = next(q.name for q in FORM.scored_questions())
    assert value_labels[likert][5] == "Rất hài lòng" and value_labels[likert][9] == "Không áp dụng"
    labelled, _ = reader(str(path), apply_value_formats=True)
    assert set(labelled["sex"]) <= {"Nam", "Nữ"}
    assert set(labelled["status"]) == {"Hợp lệ"}
    row = frame[frame["instance_id"] == ids[24]].iloc[0]
    assert (row["channels_one_stop"], row["channels_online"], row["channels_post"]) == (1, 0, 1)
    assert row["channels"] == "one_stop post"


def test_the_cli_should_write_the_same_csv_as_the_api(client, exported_round, app, tmp_path):
    _, headers = exported_round
    out = tmp_path / "ballots.csv"
    result = app.test_cli_runner().invoke(
        args=["ballots", "export", "--round", "2022", "--format", "csv", "--out", str(out), "--agency", "Sở Nội vụ"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == download(client, headers, "csv", agency="SNV")
    sav = tmp_path / "ballots.sav"
    result = app.test_cli_runner().invoke(
        args=["ballots", "export", "--round", "2022", "--format", "sav", "--out", str(sav)]
    )
    assert result.exit_code == 0, result.output
    assert len(pyreadstat.read_sav(str(sav))[0]) == 30


def test_only_managers_may_export(client, exported_round):
    response = client.get("/api/v1/rounds/2022/ballots/export.csv", headers=sign_in(client, "enumerator1"))
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden"
    bad = client.get("/api/v1/rounds/2022/ballots/export.csv?status=lost", headers=exported_round[1])
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_request"


def test_an_xlsx_past_the_sheet_limit_should_continue_in_numbered_sheets_with_every_ballot_once(
    app, exported_round, tmp_path
):
    """Excel holds 1,048,576 rows a sheet; the same split is checked here with a limit of 11 rows."""
    from server.ballots.browse import BallotFilters
    from server.ballots.exports import Export, write_xlsx
    from server.extensions import db
    from server.registry.models import SurveyRound

    ids, _ = exported_round
    path = tmp_path / "split.xlsx"
    with app.app_context():
        round_id = db.session.query(SurveyRound.id).filter_by(code="2022").scalar()
        parts = write_xlsx(Export(BallotFilters(round_id=round_id)).prepare(), path, sheet_rows=11)
    book = pd.read_excel(path, sheet_name=None, dtype=str)
    assert parts == 3
    assert list(book) == ["values", "labels", "values 2", "labels 2", "values 3", "labels 3", "variables"]
    assert [len(book[name]) for name in ("values", "values 2", "values 3")] == [10, 10, 10]
    seen = [i for name in ("values", "values 2", "values 3") for i in book[name]["instance_id"]]
    assert sorted(seen) == sorted(ids)
    assert "Sở Nội vụ" in set(book["labels 3"]["Tên cơ quan"]) | set(book["labels"]["Tên cơ quan"])


@pytest.mark.parametrize("fmt", ["dta", "sav"])
def test_the_row_by_row_writer_should_keep_long_vietnamese_text_missing_numbers_and_labels(tmp_path, fmt):
    """Text longer than Stata's str2045 (a strL) and SPSS's 255-byte strings, written by the streaming writer."""
    from server.ballots import statistical

    long_text = ("Cán bộ hướng dẫn tận tình, thủ tục nhanh gọn. " * 80).strip()  # 5,039 bytes in UTF-8
    variables = [
        statistical.Variable("comment", "Góp ý", numeric=False),
        statistical.Variable(
            "overall", "Mức hài lòng", numeric=True, value_labels={4.0: "Hài lòng", 9.0: "Không áp dụng"}
        ),
        statistical.Variable("age", "Tuổi", numeric=True),
    ]
    rows = [[long_text, 4.0, 31.0], ["Ngắn", None, None], [None, 9.0, 45.5]]
    path = tmp_path / f"long.{fmt}"
    assert statistical.write(iter(rows), variables, str(path), fmt) == 3
    reader = pyreadstat.read_dta if fmt == "dta" else pyreadstat.read_sav
    frame, meta = reader(str(path), user_missing=True)
    assert list(frame["comment"]) == [long_text, "Ngắn", ""]
    assert frame["overall"].iloc[0] == 4 and pd.isna(frame["overall"].iloc[1]) and frame["overall"].iloc[2] == 9
    assert list(frame["age"].fillna(-1)) == [31, -1, 45.5]
    assert meta.column_names_to_labels == {"comment": "Góp ý", "overall": "Mức hài lòng", "age": "Tuổi"}
    assert meta.variable_value_labels["overall"] == {4: "Hài lòng", 9: "Không áp dụng"}


def test_an_export_should_leave_no_file_behind_even_when_its_answer_is_never_closed(
    client, exported_round, tmp_path, monkeypatch
):
    """The written file is removed as soon as it is opened for the answer (the test client never closes its
    answers: each export used to leave its file in the temporary folder); its length is still sent."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "spool"))
    (tmp_path / "spool").mkdir()
    headers = sign_in(client, "supervisor")
    for fmt in ("xlsx", "dta", "sav"):
        response = client.get(f"/api/v1/rounds/2022/ballots/export.{fmt}", headers=headers)
        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == len(response.data) > 0
    assert list((tmp_path / "spool").iterdir()) == []


def test_an_export_that_fails_while_writing_should_leave_no_file_behind(app, exported_round, tmp_path, monkeypatch):
    import tempfile

    from server.ballots import exports

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_statistical", broken)
    monkeypatch.setattr(exports, "write_xlsx", broken)
    with app.app_context():
        from server.ballots.browse import BallotFilters
        from server.registry.models import SurveyRound

        survey_round = exports.db.session.query(SurveyRound).filter_by(code="2022").one()
        export = exports.Export(BallotFilters(round_id=survey_round.id)).prepare()
        for fmt in ("xlsx", "dta", "sav"):
            with pytest.raises(OSError, match="disk full"):
                exports.write_file(export, fmt)
    assert list(tmp_path.iterdir()) == []
