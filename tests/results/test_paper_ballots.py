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


def test_every_bad_line_should_be_reported_and_no_ballot_of_the_file_stored(app, db, demo, tmp_path):
    rows = [
        paper_row("SNV", 5),  # line 2: fine
        paper_row("SNV", 5, c1_1="7"),  # line 3: out of range
        paper_row("SNV", 5, sex="robot", c2_2="good"),  # line 4: unknown choice, not a number
        paper_row("NO_SUCH", 5),  # line 5: unknown agency
        paper_row("PHULY", 5),  # line 6: enumerator1 is not assigned to districts
    ]
    path = write_ballots(tmp_path / "bad.csv", rows)
    result = invoke(app, "ballots", "import", str(path), "--round", "2022", "--by", "enumerator1")
    assert result.exit_code == 1 and "[invalid_answers]" in result.output
    assert "no ballot was imported" in result.output
    for line, code in (
        (3, "out_of_range"),
        (4, "unknown_choice"),
        (4, "wrong_type"),
        (5, "unknown_agency"),
        (6, "not_assigned"),
    ):
        assert f'"line": {line}' in result.output and f'"code": "{code}"' in result.output
    assert count(db) == 0


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
