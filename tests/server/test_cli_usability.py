"""The command line as a first-time user meets it: its version, its help, the files it reads, lists a
script can parse, and progress bars on a terminal that stay out of pipes."""

from __future__ import annotations

import csv
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import xlwt

from tests.results.test_paper_ballots import paper_row, write_ballots

BIN = Path(sys.executable).parent


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def environment(database_url: str, instance: Path) -> dict:
    return {
        **os.environ,
        "PARSURVEY_DATABASE_URL": database_url,
        "PARSURVEY_INSTANCE_PATH": str(instance),
        "PARSURVEY_LOG_LEVEL": "WARNING",
        "COLUMNS": "100",
    }


def run_command(args: list[str], env: dict, *, terminal: bool, stdout: Path) -> tuple[int, str]:
    """Run a command with standard output to a file and standard error on a terminal (a pty) or a pipe;
    return its exit code and what it wrote to standard error."""
    env = {**os.environ, **env}
    with stdout.open("wb") as out:
        if not terminal:
            done = subprocess.run(
                args, env=env, stdout=out, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=120
            )
            return done.returncode, done.stderr.decode("utf-8", "replace")
        master, slave = pty.openpty()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        received = b""
        while True:
            try:
                part = os.read(master, 65536)
            except OSError:  # EIO: the command has closed the terminal
                break
            if not part:
                break
            received += part
        os.close(master)
        return process.wait(timeout=120), received.decode("utf-8", "replace")


def test_version_should_print_parsurveys_version(tmp_path):
    from importlib.metadata import version

    done = subprocess.run([BIN / "parsurvey", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"parsurvey {version('parsurvey')}"
    assert "Flask" not in done.stdout and "Python" not in done.stdout


def test_help_should_list_the_survey_commands_first_and_flasks_development_commands_apart(database_url, tmp_path):
    done = subprocess.run(
        [BIN / "parsurvey", "--help"], env=environment(database_url, tmp_path), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    survey, _, development = done.stdout.partition("Development commands (Flask):")
    survey = survey.partition("Survey commands:")[2]
    names = lambda text: {line.split()[0] for line in text.splitlines() if line.startswith("  ")}  # noqa: E731
    assert {"forms", "ballots", "score", "recheck", "report", "db", "users"} <= names(survey)
    assert names(development) == {"routes", "shell", "openapi", "run"}
    assert not names(survey) & {"routes", "shell", "openapi", "run"}


SURVEY_SHEET = [["type", "name", "label::Vietnamese (vi)"], ["integer", "age", "Tuổi"]]


def xlsform_sheets(form_id: str) -> dict[str, list[list[str]]]:
    settings = [["form_id", "version", "form_title::Vietnamese (vi)"], [form_id, "1", "Phiếu khảo sát"]]
    return {"survey": SURVEY_SHEET, "settings": settings}


def write_form(folder: Path, suffix: str) -> tuple[Path, str]:
    """The same one-question form as a file of type ``suffix``, written by the tool that makes such files."""
    form_id = f"format_{suffix.lstrip('.')}"
    path = folder / f"{form_id}{suffix}"
    sheets = xlsform_sheets(form_id)
    if suffix in (".xlsx", ".xlsm"):
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for name, rows in sheets.items():
            sheet = workbook.create_sheet(name)
            for row in rows:
                sheet.append(row)
        workbook.save(path)
    elif suffix == ".xls":
        workbook = xlwt.Workbook(encoding="utf-8")
        for name, rows in sheets.items():
            sheet = workbook.add_sheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    sheet.write(r, c, value)
        workbook.save(str(path))
    elif suffix == ".csv":  # pyxform's CSV: a sheet's name alone on a row, its rows below with an empty first cell
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            for name, rows in sheets.items():
                writer.writerow([name])
                writer.writerows(["", *row] for row in rows)
    elif suffix == ".md":  # pyxform's markdown: the same layout as table rows
        lines = [
            line for name, rows in sheets.items() for line in (f"| {name} |", *(f"| | {' | '.join(r)} |" for r in rows))
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        definition = {
            "form_id": form_id,
            "version": "1",
            "title": {"vi": "Phiếu khảo sát"},
            "default_language": "vi",
            "children": [{"type": "integer", "name": "age", "label": {"vi": "Tuổi"}}],
        }
        path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    return path, form_id


SUFFIXES = (".json", ".xlsx", ".xlsm", ".xls", ".csv", ".md")


def test_forms_import_help_should_name_every_accepted_file_type(app):
    text = " ".join(invoke(app, "forms", "import", "--help").output.split())
    for suffix in SUFFIXES:
        assert f"{suffix}," in text or f"{suffix} " in text or f"{suffix})" in text, suffix


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_forms_import_should_read_each_accepted_file_type(app, db, tmp_path, suffix):
    path, form_id = write_form(tmp_path, suffix)
    result = invoke(app, "forms", "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"imported {form_id} 1 (draft)")


LISTS = {
    ("users", "list"): ("username", "role", "organisation", "state"),
    ("forms", "list"): ("form_id", "version", "state", "round", "sha256", "title"),
    ("assignments", "list", "2022"): ("enumerator", "agency", "quota"),
    ("conflicts", "list"): ("id", "instance_id", "agency", "enumerator", "received_at"),
    ("recheck", "list", "2022"): (
        "id", "instance_id", "agency", "enumerator", "organisation", "reviewer", "reason", "ballot_status",
    ),
    ("appraisal", "show", "--round", "2022"): ("agency", "appraisal_points", "satisfaction_points", "agency_name"),
}  # fmt: skip


@pytest.mark.parametrize("command", list(LISTS), ids=" ".join)
def test_list_commands_should_print_a_header_line_and_the_same_rows_as_json(app, demo, command):
    assert invoke(app, "demo", "appraisal").exit_code == 0
    columns = LISTS[command]
    text = invoke(app, *command)
    assert text.exit_code == 0, text.output
    header, *lines = text.output.splitlines()
    assert header.split("\t") == list(columns)
    as_json = invoke(app, *command, "--json")
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.output)
    assert isinstance(rows, list) and len(rows) == len(lines)
    assert all(list(row) == list(columns) for row in rows)
    if command[0] == "users":
        assert {"username": "mttq1", "role": "reviewer", "organisation": "MTTQ", "state": "active"} in rows
    if command[0] == "appraisal":
        assert len(rows) == 19 and all(isinstance(row["appraisal_points"], int | float) for row in rows)


@pytest.mark.slow  # starts the command twice
def test_paper_ballots_import_should_draw_a_progress_bar_on_a_terminal_only(database_url, demo, tmp_path):
    env = environment(database_url, tmp_path)
    command = [str(BIN / "parsurvey"), "ballots", "import", "--round", "2022", "--by", "enumerator1"]
    path = write_ballots(tmp_path / "piped.csv", [paper_row("SNV", 5), paper_row("STC", 4)])
    code, stderr = run_command([*command, str(path)], env, terminal=False, stdout=tmp_path / "out1")
    assert code == 0 and stderr == ""
    assert "imported 2 paper ballot(s)" in (tmp_path / "out1").read_text()

    path = write_ballots(tmp_path / "terminal.csv", [paper_row("SNV", 3), paper_row("STC", 2), paper_row("SNV", 1)])
    code, stderr = run_command([*command, str(path)], env, terminal=True, stdout=tmp_path / "out2")
    assert code == 0, stderr
    assert "checking rows" in stderr and "100%" in stderr and "3/3" in stderr
    assert "imported 3 paper ballot(s)" in (tmp_path / "out2").read_text()


@pytest.mark.slow  # starts the command four times
def test_score_and_report_should_draw_a_progress_bar_on_a_terminal_only(app, database_url, demo, tmp_path):
    assert invoke(app, "demo", "appraisal").exit_code == 0
    env = environment(database_url, tmp_path)
    score = [str(BIN / "parsurvey"), "score", "--round", "2022", "--format", "csv"]
    code, stderr = run_command(score, env, terminal=False, stdout=tmp_path / "piped.csv")
    assert code == 0 and stderr.startswith("score run 1 of round 2022") and "%" not in stderr
    code, stderr = run_command(score, env, terminal=True, stdout=tmp_path / "terminal.csv")
    assert code == 0 and "scoring 2022" in stderr and "100%" in stderr
    assert (tmp_path / "terminal.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # the export alone on stdout

    report = [str(BIN / "parsurvey"), "report", "--round", "2022", "--no-pdf", "--out"]
    code, stderr = run_command([*report, str(tmp_path / "a")], env, terminal=False, stdout=tmp_path / "report1")
    assert code == 0 and stderr == ""
    code, stderr = run_command([*report, str(tmp_path / "b")], env, terminal=True, stdout=tmp_path / "report2")
    assert code == 0 and "writing the report" in stderr and "100%" in stderr
    assert (tmp_path / "b" / "report.html").exists()


def test_device_forms_list_should_print_a_header_line_and_json(tmp_path):
    from click.testing import CliRunner

    from survey_forms import builtin_satisfaction_form, canonical_json
    from sync.cli import device
    from sync.outbox import Outbox

    form = builtin_satisfaction_form()
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.save_form(canonical_json(form.to_dict()).decode("utf-8"))
    outbox.close()
    text = CliRunner().invoke(device, ["--home", str(tmp_path), "forms", "list"])
    assert text.exit_code == 0, text.output
    assert text.output.splitlines() == [
        "form_id\tversion\tsha256",
        f"{form.form_id}\t{form.version}\t{form.content_hash[:12]}",
    ]
    as_json = CliRunner().invoke(device, ["--home", str(tmp_path), "forms", "list", "--json"])
    assert json.loads(as_json.output) == [
        {"form_id": form.form_id, "version": form.version, "sha256": form.content_hash}
    ]
