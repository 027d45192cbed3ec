"""Paper ballots keyed in from CSV: validated like synced ones, stored all or nothing, counted in runs."""

from __future__ import annotations

import csv
import json

from sqlalchemy import func, select

from server.ballots.models import Ballot
from tests.results.conftest import scored_answers
from tests.sample_ballots import FORM

QUESTIONS = [q.name for q in FORM.questions() if q.type != "note"]


def write_ballots(path, rows: list[dict], extra: tuple[str, ...] = ("agency",)):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*extra, *QUESTIONS])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return path


def paper_row(agency: str, level, **overrides) -> dict:
    values = scored_answers(agency, level)
    values.pop("agency_code")  # the agency column stands for it
    return {"agency": agency, **values, **overrides}


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot))


def test_a_valid_file_should_store_every_ballot_once_even_when_imported_twice(app, db, demo, tmp_path):
    path = write_ballots(tmp_path / "phieu-giay.csv", [paper_row("SNV", 5), paper_row("SNV", 4), paper_row("STC", 3)])
    first = invoke(app, "ballots", "import", str(path), "--round", "2022", "--by", "enumerator1")
    assert first.exit_code == 0, first.output
    assert "imported 3 paper ballot(s)" in first.output
    ballots = db.session.scalars(select(Ballot).order_by(Ballot.id)).all()
    assert [b.agency.code for b in ballots] == ["SNV", "SNV", "STC"]
    assert {b.device_id for b in ballots} == {"paper:phieu-giay.csv"}
    # Cleaned like synced ballots (no interview duration on paper, result date inside the window): they count.
    assert {(b.status, b.duration_seconds) for b in ballots} == {("valid", None)}
    assert ballots[0].answers["agency_code"] == "SNV" and ballots[0].answers["c1_1"] == 5
    assert ballots[0].paradata["line"] == 2 and ballots[0].enumerator.username == "enumerator1"
    again = invoke(app, "ballots", "import", str(path), "--round", "2022", "--by", "enumerator1")
    assert again.exit_code == 0 and "imported 0 paper ballot(s)" in again.output and "3 already stored" in again.output
    assert count(db) == 3


def test_valid_rows_should_be_stored_and_each_refused_row_reported_with_its_line_and_a_file(app, db, demo, tmp_path):
    rows = [
        paper_row("SNV", 5),  # line 2: fine
        paper_row("SNV", 5, c1_1="7"),  # line 3: out of range
        paper_row("SNV", 5, sex="robot", c2_2="good"),  # line 4: unknown choice, not a number
        paper_row("NO_SUCH", 5),  # line 5: unknown agency
        paper_row("PHULY", 5),  # line 6: enumerator1 is not assigned to districts
        paper_row("STC", 4),  # line 7: fine
    ]
    path = write_ballots(tmp_path / "bad.csv", rows)
    result = invoke(app, "ballots", "import", str(path), "--round", "2022", "--by", "enumerator1")
    assert result.exit_code == 1  # some rows refused; the valid ones are stored all the same
    assert "imported 2 paper ballot(s)" in result.output and "4 row(s) refused" in result.output
    for line, code in (
        (3, "out_of_range"),
        (4, "unknown_choice"),
        (4, "wrong_type"),
        (5, "unknown_agency"),
        (6, "not_assigned"),
    ):
        assert f"line {line}" in result.output and f"[{code}]" in result.output
    assert sorted(b.paradata["line"] for b in db.session.scalars(select(Ballot))) == [2, 7]
    refused = tmp_path / "bad-dong-bi-tu-choi.csv"
    table = list(csv.reader(refused.read_text(encoding="utf-8-sig").splitlines()))
    assert table[0][:3] == ["Dòng [line]", "Lý do bị từ chối [reasons]", "agency"]
    assert [r[0] for r in table[1:]] == ["3", "4", "5", "6"]
    assert "out_of_range" in table[1][1] and table[3][2] == "NO_SUCH"
    # the same file again: nothing stored twice, the same rows refused
    again = invoke(app, "ballots", "import", str(path), "--round", "2022", "--by", "enumerator1")
    assert "imported 0 paper ballot(s)" in again.output and "2 already stored" in again.output
    assert "4 row(s) refused" in again.output and count(db) == 2
    # the refused rows, corrected, import as they are (the line and reasons columns are ignored)
    fixed = refused.read_text(encoding="utf-8-sig").replace(",7,", ",5,").replace("robot", "male")
    fixed = fixed.replace(",good,", ",4,").replace("NO_SUCH", "SNV").replace("PHULY", "STC")
    (tmp_path / "fixed.csv").write_text(fixed, encoding="utf-8")
    done = invoke(app, "ballots", "import", str(tmp_path / "fixed.csv"), "--round", "2022", "--by", "enumerator1")
    assert done.exit_code == 0, done.output
    assert "imported 4 paper ballot(s)" in done.output and count(db) == 6


def test_a_blank_scored_item_should_be_stored_as_not_answered_for_that_criterion_only(app, db, demo, tmp_path):
    rows = [
        paper_row("SNV", 5, c1_1=None, c3_2=None),  # two criteria left blank: stored, not answered
        paper_row("SNV", 5, overall=None),  # 'overall' is required and not scored: refused
        paper_row("SNV", 5, sex=None),  # a required profile question: refused
    ]
    path = write_ballots(tmp_path / "blank.csv", rows)
    result = invoke(app, "ballots", "import", str(path), "--round", "2022", "--by", "enumerator1")
    assert "imported 1 paper ballot(s)" in result.output and "2 blank scored item(s)" in result.output
    assert "line 3 " in result.output and "line 4 " in result.output and "[missing_required]" in result.output
    ballot = db.session.scalar(select(Ballot))
    assert "c1_1" not in ballot.answers and "c3_2" not in ballot.answers and ballot.answers["c1_2"] == 5
    assert ballot.paradata["blank_scored"] == ["c1_1", "c3_2"] and ballot.status == "valid"
    # scored: criterion c1_1 has no valid answer at SNV, every other criterion 1 of 1 satisfied
    out = tmp_path / "run.json"
    assert invoke(app, "score", "--round", "2022", "--out", str(out), "--bootstrap-resamples", "0").exit_code == 0
    criteria = json.loads(out.read_text(encoding="utf-8"))["results"]["satisfaction"]["criteria"]
    snv = {c["question"]: c for c in criteria if c["agency"] == "SNV"}
    assert (snv["c1_1"]["valid"], snv["c1_1"]["rate"]) == (0, None)
    assert (snv["c1_2"]["valid"], snv["c1_2"]["rate"]) == (1, 100.0)


def test_an_xlsx_file_should_import_like_a_csv(app, db, demo, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["agency", *QUESTIONS])
    for row in (paper_row("SNV", 5), paper_row("STC", 2, c1_1="9")):
        values = []
        for name in ["agency", *QUESTIONS]:
            value = row.get(name)
            # likert levels as numbers, as Excel keeps them; the phone number stays text (its leading 0)
            values.append(int(value) if name.startswith("c") and str(value).isdigit() else value)
        sheet.append(values)
    path = tmp_path / "phieu.xlsx"
    workbook.save(path)
    result = invoke(app, "ballots", "import", str(path), "--round", "2022", "--by", "enumerator1")
    assert "imported 1 paper ballot(s)" in result.output and "line 3 " in result.output
    assert "[out_of_range]" in result.output
    ballot = db.session.scalar(select(Ballot))
    assert ballot.answers["c1_1"] == 5 and ballot.agency.code == "SNV"


def test_the_template_of_a_form_version_should_have_vietnamese_headers_and_import_once_filled(
    app, db, demo, tmp_path, client
):
    from openpyxl import load_workbook

    from tests.results.conftest import token

    headers = token(client, "supervisor")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/api/v1/rounds/2022/paper-ballots/template.{fmt}", headers=headers)
        assert response.status_code == 200
        assert f"phieu-giay-{FORM.form_id}-{FORM.version}.{fmt}" in response.headers["Content-Disposition"]
    csv_header = next(csv.reader([response_text(client, headers)]))
    assert csv_header[0] == "Mã cơ quan, đơn vị [agency]"
    c3_2 = next(q for q in FORM.questions() if q.name == "c3_2")
    assert f"{c3_2.label['vi']} [c3_2]" in csv_header
    assert "intro" not in " ".join(csv_header)  # a note takes no answer
    # the XLSX from the command line: the same header, and an instructions sheet
    out = tmp_path / "mau.xlsx"
    made = invoke(app, "ballots", "template", "--round", "2022", "--format", "xlsx", "--out", str(out))
    assert made.exit_code == 0, made.output
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Phiếu", "Hướng dẫn"]
    assert [c.value for c in workbook["Phiếu"][1]] == csv_header
    guide = {row[0]: row for row in workbook["Hướng dẫn"].iter_rows(min_row=2, values_only=True)}
    assert guide["c1_1"][2].startswith("Không (để trống")  # scored: blank is not answered
    assert guide["sex"][2] == "Có" and "5 = Rất hài lòng" in guide["c1_1"][3]
    # filled in and imported through the API
    sheet = workbook["Phiếu"]
    row = paper_row("SNV", 4)
    sheet.append([row.get(header.rsplit("[", 1)[1][:-1]) for header in csv_header])
    workbook.save(out)
    response = client.post(
        "/api/v1/rounds/2022/paper-ballots",
        data={"file": (out.open("rb"), "mau.xlsx")},
        headers={**headers, "Accept-Language": "vi"},
        content_type="multipart/form-data",
    )
    body = response.get_json()
    assert response.status_code == 200, body
    assert (body["accepted"], body["refused_rows"], body["refused_file"]) == (1, 0, None)
    assert db.session.scalar(select(Ballot)).answers["c2_1"] == 4


def response_text(client, headers) -> str:
    body = client.get("/api/v1/rounds/2022/paper-ballots/template.csv", headers=headers).data
    assert body.startswith("\ufeff".encode())
    return body.decode("utf-8-sig").splitlines()[0]


def test_the_api_should_return_refused_rows_with_their_reasons_and_a_file_to_download(app, db, demo, client, tmp_path):
    from tests.results.conftest import token

    headers = token(client, "supervisor")
    path = write_ballots(
        tmp_path / "api.csv",
        [
            {**paper_row("SNV", 5), "enumerator": "enumerator1"},
            {**paper_row("SNV", 5, c1_1="0"), "enumerator": "enumerator1"},
        ],
        extra=("agency", "enumerator"),
    )
    post = lambda: client.post(  # noqa: E731
        "/api/v1/rounds/2022/paper-ballots",
        data={"file": (path.open("rb"), "api.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    body = post().get_json()
    assert (body["accepted"], body["duplicates"], body["refused_rows"]) == (1, 0, 1)
    assert body["refused"] == [
        {
            "line": 3,
            "problems": [
                {
                    "path": body["refused"][0]["problems"][0]["path"],
                    "code": "out_of_range",
                    "message": body["refused"][0]["problems"][0]["message"],
                }
            ],
        }
    ]
    assert body["refused"][0]["problems"][0]["path"].endswith("c1_1")
    assert body["refused_file"]["filename"] == "api-dong-bi-tu-choi.csv"
    lines = body["refused_file"]["text"].lstrip("\ufeff").splitlines()
    assert len(lines) == 2 and lines[1].startswith("3,")
    again = post().get_json()
    assert (again["accepted"], again["duplicates"], again["refused_rows"]) == (0, 1, 1)
    assert count(db) == 1
    enumerator = token(client, "enumerator1")
    assert client.post("/api/v1/rounds/2022/paper-ballots", headers=enumerator).status_code == 403


def test_an_agency_answer_that_contradicts_the_agency_column_should_be_refused(app, db, demo, tmp_path):
    row = paper_row("SNV", 5)
    path = write_ballots(tmp_path / "mismatch.csv", [{**row, "agency_code": "STC"}], extra=("agency",))
    result = invoke(app, "ballots", "import", str(path), "--round", "2022", "--by", "supervisor")
    assert result.exit_code == 1 and "agency_mismatch" in result.output and count(db) == 0


def test_the_enumerator_column_should_name_who_interviewed(app, db, demo, tmp_path):
    row = {**paper_row("PHULY", 4), "enumerator": "enumerator2"}
    path = write_ballots(tmp_path / "districts.csv", [row], extra=("agency", "enumerator"))
    result = invoke(app, "ballots", "import", str(path), "--round", "2022", "--by", "supervisor")
    assert result.exit_code == 0, result.output
    ballot = db.session.scalar(select(Ballot))
    assert ballot.enumerator.username == "enumerator2" and ballot.paradata["entered_by"] == "supervisor"


def test_a_stored_instance_id_with_other_answers_should_be_a_conflict(app, db, demo, tmp_path):
    instance_id = "0b7c6b8e-2a59-4c3e-9f0c-2b9d1a7e4c11"
    first = write_ballots(
        tmp_path / "a.csv", [{**paper_row("SNV", 5), "instance_id": instance_id}], ("agency", "instance_id")
    )
    assert invoke(app, "ballots", "import", str(first), "--round", "2022", "--by", "enumerator1").exit_code == 0
    changed = write_ballots(
        tmp_path / "b.csv", [{**paper_row("SNV", 3), "instance_id": instance_id}], ("agency", "instance_id")
    )
    result = invoke(app, "ballots", "import", str(changed), "--round", "2022", "--by", "enumerator1")
    assert result.exit_code == 1 and "payload_conflict" in result.output
    assert db.session.scalar(select(Ballot)).answers["c1_1"] == 5


def test_paper_ballots_should_count_in_a_score_run(app, db, demo, tmp_path):
    path = write_ballots(tmp_path / "p.csv", [paper_row("SNV", 5), paper_row("SNV", 2)])
    assert invoke(app, "ballots", "import", str(path), "--round", "2022", "--by", "enumerator1").exit_code == 0
    appraisal = tmp_path / "tham-dinh.csv"
    appraisal.write_text("agency,appraisal_points\nSNV,86\n", encoding="utf-8")
    assert invoke(app, "appraisal", "import", str(appraisal), "--round", "2022").exit_code == 0
    out = tmp_path / "run.json"
    result = invoke(app, "score", "--round", "2022", "--out", str(out), "--bootstrap-resamples", "0")
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text(encoding="utf-8"))
    snv = next(a for a in run["results"]["satisfaction"]["agencies"] if a["agency"] == "SNV")
    # one ballot all satisfied, one all dissatisfied: every criterion 1/2 -> index 50, points 5
    assert run["ballots_included"] == 2 and snv["index"] == 50.0 and snv["points"] == 5.0


def test_refused_rows_should_be_explained_in_vietnamese_when_asked(app, db, demo, client, tmp_path):
    from tests.results.conftest import token

    headers = {**token(client, "supervisor"), "Accept-Language": "vi"}
    rows = [{**paper_row("PHULY", 5), "enumerator": "enumerator1"}, {**paper_row("SNV", 5), "enumerator": "nobody"}]
    path = write_ballots(tmp_path / "vi.csv", rows, extra=("agency", "enumerator"))
    body = client.post(
        "/api/v1/rounds/2022/paper-ballots",
        data={"file": (path.open("rb"), "vi.csv")},
        headers=headers,
        content_type="multipart/form-data",
    ).get_json()
    problems = {r["line"]: r["problems"][0] for r in body["refused"]}
    assert (problems[2]["code"], problems[2]["message"]) == (
        "not_assigned",
        "Điều tra viên không được phân công khảo sát cơ quan này trong đợt.",
    )
    assert (problems[3]["code"], problems[3]["message"]) == ("unknown_user", "Không có người dùng có tên này.")


def test_the_template_of_another_rounds_form_version_should_be_not_found(db, demo, client):
    """A version published for 2022 is no version of 2023: 404 unknown_form_version, as for one that does not
    exist (it was a 422 a schema-valid request could not avoid)."""
    from tests.results.conftest import token

    headers = token(client, "supervisor")
    made = client.post("/api/v1/rounds", json={"code": "2023", "year": 2023, "copy_from": "2022"}, headers=headers)
    assert made.status_code == 201, made.get_json()
    query = {"form_id": FORM.form_id, "version": FORM.version}
    response = client.get("/api/v1/rounds/2023/paper-ballots/template.csv", query_string=query, headers=headers)
    assert response.status_code == 404
    assert response.get_json()["code"] == "unknown_form_version"
    assert "another round" in response.get_json()["message"]
