"""Command line for results: ``parsurvey appraisal import``, ``parsurvey score``, ``parsurvey par rank``,
``parsurvey report``, ``parsurvey ballots import`` (paper ballots) and ``parsurvey demo appraisal``.

Each command that touches the database is one transaction (``server.cli_transaction.transactional``).
``parsurvey par rank`` needs no database: it ranks a CSV with ``scoring`` alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli_output import json_option, print_table, progress
from ..cli_transaction import transactional
from ..errors import ApiError

appraisal = click.Group("appraisal", help="Appraisal points (điểm thẩm định) of a round.")
par = click.Group("par", help="PAR index (Chỉ số CCHC) from a table of points, without the database.")
ballots = click.Group("ballots", help="Ballots keyed in from paper, and raw data exports.")
FORMATS = ("json", "csv", "xlsx")


def _user(username: str | None, roles: tuple[str, ...] | None = None):
    from ..auth.service import get_user

    if username is None:
        return None
    user = get_user(username)
    if roles and user.role not in roles:
        raise ApiError("forbidden", f"{username} is a {user.role}; this needs {' or '.join(roles)}.")
    return user


def _write(body: bytes | str, out: Path | None) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)


@appraisal.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_code", required=True, help="Code of the round.")
@click.option("--by", "username", help="The supervisor or admin importing (recorded).")
@transactional
def appraisal_import(file: Path, round_code: str, username: str | None):
    """Replace ROUND's appraisal points by FILE (CSV or XLSX); nothing is stored if any row is wrong."""
    from ..auth.roles import MANAGERS
    from ..registry.service import get_round
    from .appraisal import import_appraisal

    summary = import_appraisal(get_round(round_code), file.read_bytes(), file.name, _user(username, MANAGERS))
    areas = f", {len(summary['areas'])} content area(s)" if summary["areas"] else ""
    click.echo(f"imported appraisal points of {len(summary['agencies'])} agencies into round {round_code}{areas}")


@appraisal.command("show")
@click.option("--round", "round_code", required=True)
@json_option
@transactional
def appraisal_show(round_code: str, as_json: bool):
    """List ROUND's appraisal points."""
    from ..registry.service import get_round
    from .appraisal import appraisal_summary

    rows = [
        (row["agency_code"], row["appraisal_points"], row["satisfaction_points"], row["agency_name"])
        for row in appraisal_summary(get_round(round_code))["agencies"]
    ]
    if not as_json:
        rows = [(code, f"{points:g}", "" if sat is None else f"{sat:g}", name) for code, points, sat, name in rows]
    print_table(("agency", "appraisal_points", "satisfaction_points", "agency_name"), rows, as_json)


@click.command("score")
@click.option("--round", "round_code", required=True, help="Code of the round.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: standard output).")
@click.option("--by", "username", help="The supervisor or admin running it (recorded).")
@click.option("--method", type=click.Choice(["satisfied_share", "mean_score"]), help="Criterion rate.")
@click.option("--min-ballots", type=click.IntRange(min=0), help="Flag agencies with fewer countable ballots (30).")
@click.option("--bootstrap-resamples", type=click.IntRange(min=0), help="Bootstrap resamples for intervals (1000).")
@click.option("--seed", type=click.IntRange(min=0), help="Bootstrap seed.")
@click.option(
    "--source",
    "satisfaction_source",
    type=click.Choice(["auto", "ballots", "imported"]),
    help="Satisfaction points from the ballots or imported with the appraisal points (auto).",
)
@transactional
def score(round_code, fmt, out, username, **parameters):
    """Score ROUND from its countable ballots and appraisal points, store the run and print its results."""
    from ..auth.roles import MANAGERS
    from ..registry.service import get_round
    from .exports import export
    from .runs import COMPUTE_STEPS
    from .service import start_run

    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx needs --out FILE")
    with progress(COMPUTE_STEPS + 1, f"scoring {round_code}") as bar:
        run = start_run(get_round(round_code), parameters, _user(username, MANAGERS), "cli", step=bar.advance)
        body, _, _ = export(run, fmt)
        bar.advance()
    _write(body, out)  # after the bar, which is drawn on standard error
    # Ballots of a quarantined enumerator are held (tạm giữ), not invalid: they count again once released.
    held = run.excluded.get("quarantined", 0)
    excluded = ", ".join(f"{k} {v}" for k, v in run.excluded.items() if k != "quarantined") or "none"
    click.echo(
        f"score run {run.id} of round {round_code}: {run.ballots_included} ballots counted, not counted: {excluded};"
        + (f" held (enumerator quarantined): {held};" if held else "")
        + f" sha256 of inputs {run.input_hash[:16]}…"
        + (f"; written to {out}" if out else ""),
        err=True,
    )


@click.command("scoring-settings")
@click.option("--round", "round_code", required=True, help="Code of the round.")
@click.option(
    "--below-min-sample",
    type=click.Choice(["rank_marked", "not_ranked"]),
    help="Agencies below the minimum sample: ranked with a mark, or listed as not ranked.",
)
@click.option(
    "--band-basis",
    type=click.Choice(["displayed", "unrounded"]),
    help="Rank and band on the displayed 2-decimal index (as published) or the unrounded one.",
)
@click.option("--min-ballots", type=click.IntRange(min=0), help="The round's minimum sample.")
@click.option("--by", "username", help="The supervisor or admin changing them (recorded).")
@json_option
@transactional
def scoring_settings_command(round_code, username, as_json, **changes):
    """Show ROUND's scoring settings, or change those given."""
    from ..auth.roles import MANAGERS
    from ..registry.service import get_round
    from .settings import scoring_settings, update_scoring_settings

    survey_round = get_round(round_code)
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes:
        current = update_scoring_settings(survey_round, changes, _user(username, MANAGERS))
    else:
        current = scoring_settings(survey_round)
    print_table(("setting", "value"), [(k, v if as_json else str(v)) for k, v in current.items()], as_json)


@par.command("rank")
@click.argument("input_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option(
    "--bands",
    default="excellent:95,good:85,fair:75,average:70,weak",
    show_default=True,
    help="Classification bands, highest first; the last has no bound.",
)
@click.option("--appraisal-max", type=float, default=90.0, show_default=True, help="Largest appraisal points.")
@click.option("--satisfaction-max", type=float, default=10.0, show_default=True, help="Largest satisfaction points.")
@click.option(
    "--band-basis",
    type=click.Choice(["displayed", "unrounded"]),
    default="displayed",
    show_default=True,
    help="Rank and band on the index as displayed (2 decimals, half-up, as published) or unrounded.",
)
def par_rank(input_csv: Path, fmt: str, bands: str, appraisal_max: float, satisfaction_max: float, band_basis: str):
    """Rank INPUT_CSV (agency,group,appraisal_points,satisfaction_points,max_points[,surveyed]; empty
    satisfaction points for agencies not surveyed): index, rank within group, band, and group statistics.
    Rows are checked exactly as the server's import of appraisal points checks them (same codes)."""
    import json

    from scoring import ScoringError

    from .par_table import rank_table

    try:
        body = rank_table(input_csv.read_bytes(), fmt, bands, appraisal_max, satisfaction_max, band_basis)
    except ScoringError as exc:
        problems = exc.details.get("problems")
        details = f"\n{json.dumps(problems, ensure_ascii=False, indent=2)}" if problems else ""
        raise click.ClickException(f"[{exc.code}] {input_csv.name}: {exc.message}{details}") from exc
    _write(body, None)


@click.command("report")
@click.option("--round", "round_code", required=True, help="Code of the round.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write.")
@click.option(
    "--run", "run_id", type=int, help="Score run to report (default: the round's latest; one is made if none)."
)
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Also write report.pdf.")
@click.option("--by", "username", help="Recorded on a run made for the report.")
@transactional
def report(round_code, out, run_id, pdf, username):
    """Write ROUND's annual report to OUT: report.html, charts (PNG) and, with --pdf, report.pdf."""
    from ..auth.roles import MANAGERS
    from ..registry.service import get_round
    from .report import write_report
    from .runs import COMPUTE_STEPS
    from .service import get_run, latest_run, start_run

    if run_id is not None:
        run = get_run(run_id)
        if run.round.code != round_code:
            raise ApiError(
                "invalid_request", f"Score run {run_id} belongs to round {run.round.code}, not {round_code}."
            )
    else:
        run = latest_run(round_code)
        if run is None:
            with progress(COMPUTE_STEPS, f"scoring {round_code}") as bar:
                run = start_run(get_round(round_code), None, _user(username, MANAGERS), "cli", step=bar.advance)
            click.echo(f"scored round {round_code}: run {run.id}", err=True)
    with progress(1, "writing the report") as bar:
        written = write_report(run, out, pdf=pdf, progress=bar)
    for path in written:
        click.echo(str(path))


@ballots.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_code", required=True, help="Code of the round.")
@click.option("--by", "username", required=True, help="The user keying in the paper ballots.")
@click.option("--form", "form_id", help="Form id (default: the round's published form).")
@click.option("--version", help="Form version (default: the round's published version).")
@click.option(
    "--refused-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the refused rows (default: FILE's name + '-dong-bi-tu-choi.csv' beside it).",
)
def ballots_import(file: Path, round_code, username, form_id, version, refused_out):
    """Import paper ballots from FILE (CSV or XLSX, one column per question id): valid rows are stored,
    each refused row is listed with its line and reasons and written to a refused-rows file (exit 1)."""
    if _paper_import(file, round_code, username, form_id, version, refused_out):
        raise click.exceptions.Exit(1)  # after the commit: scripts learn that some rows were refused


@transactional
def _paper_import(file: Path, round_code, username, form_id, version, refused_out) -> int:
    from ..auth.roles import ADMIN, ENUMERATOR, SUPERVISOR
    from ..ballots.paper import import_paper_ballots
    from ..registry.service import get_round

    user = _user(username, (ADMIN, SUPERVISOR, ENUMERATOR))
    data = file.read_bytes()
    with progress(max(len(data.splitlines()) - 1, 1), "checking rows") as bar:
        done = import_paper_ballots(
            get_round(round_code), data, file.name, user, form_id=form_id, version=version, on_row=bar.advance
        )
    blank = f"; {done.blank_scored} blank scored item(s) stored as not answered" if done.blank_scored else ""
    click.echo(
        f"imported {done.accepted} paper ballot(s) from {file.name} ({done.form_id} {done.version});"
        f" {done.duplicates} already stored; {len(done.refused)} row(s) refused{blank}"
    )
    if done.refused:
        for row in done.refused:
            for problem in row["problems"]:
                where = f" {problem['path']}" if problem["path"] else ""
                click.echo(f"line {row['line']}{where}: [{problem['code']}] {problem['message']}", err=True)
        target = refused_out or file.with_name(done.refused_filename())
        target.write_bytes(done.refused_csv())
        click.echo(f"refused rows written to {target}", err=True)
    return len(done.refused)


@ballots.command("template")
@click.option("--round", "round_code", required=True, help="Code of the round.")
@click.option("--form", "form_id", help="Form id (default: the round's published form).")
@click.option("--version", help="Form version (default: the round's published version).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: its own name).")
@transactional
def ballots_template(round_code, form_id, version, fmt, out):
    """Write the empty paper-ballot file of a form version (Vietnamese headers; XLSX adds an instructions sheet)."""
    from ..ballots.paper import form_version_for, paper_template
    from ..registry.service import get_round

    body, _, filename = paper_template(form_version_for(get_round(round_code), form_id, version), fmt)
    target = out or Path(filename)
    target.write_bytes(body)
    click.echo(str(target))


@click.command("appraisal")
@transactional
def demo_appraisal():
    """Load the 2022 appraisal and satisfaction points of the demo departments (published report)."""
    from ..demo import DEMO_ROUND
    from ..registry.service import get_round
    from .appraisal import import_appraisal

    path = Path(__file__).resolve().parent.parent / "demo_data" / "hanam_2022_appraisal.csv"
    summary = import_appraisal(get_round(DEMO_ROUND), path.read_bytes(), path.name)
    click.echo(f"appraisal points of {len(summary['agencies'])} departments loaded into round {DEMO_ROUND}")
    click.echo(
        f"next: parsurvey score --round {DEMO_ROUND} --format csv (or parsurvey report --round {DEMO_ROUND} --out DIR)"
    )
