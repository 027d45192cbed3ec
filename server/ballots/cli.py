"""``parsurvey ballots export``: the raw data export of the API and the screen, to a file."""

from __future__ import annotations

import click

from ..bounds import DAY_RANGE
from ..cli_transaction import transactional


def _day(ctx, param, value):
    """A filter's day as a date, within :data:`DAY_RANGE` (year 1 or 9999 would overflow a day on)."""
    if value is None:
        return None
    if not DAY_RANGE.min <= value.date() <= DAY_RANGE.max:
        raise click.BadParameter(f"use a day from {DAY_RANGE.min} to {DAY_RANGE.max}.")
    return value.date()


@click.command("export")
@click.option("--round", "round_code", required=True, help="Round code.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "dta", "sav"]), default="csv", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="File to write.")
@click.option("--agency", help="Agency code or name (any case, with or without diacritics) or initials.")
@click.option("--enumerator", help="Enumerator username or name.")
@click.option("--status", "statuses", multiple=True, help="Ballot status (repeat for several).")
@click.option("--recheck", help="none, pending, or a re-check outcome.")
@click.option(
    "--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), callback=_day, help="Interviews on or after this day."
)
@click.option(
    "--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), callback=_day, help="Interviews on or before this day."
)
@click.option("--form-version", help="Only ballots of this form version.")
@click.option("--location", type=click.Choice(["far", "near", "none"]), help="GPS fix far from the office, near, none.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True, help="Language of labels.")
@transactional
def export_command(round_code, fmt, out, statuses, date_from, date_to, lang, **text_filters):
    """Write ROUND's ballots, one row per ballot, filtered like the ballot table. A repeat group's answers go
    to a table of its own (one row per instance, keyed by instance_id and repeat_index): a sheet in XLSX, a
    file beside OUT in CSV, Stata and SPSS (out.dta, out-visit.dta, ...)."""
    from ..registry.service import get_round
    from . import exports
    from .browse import BallotFilters

    filters = BallotFilters(
        round_id=get_round(round_code).id,
        statuses=list(statuses),
        date_from=date_from,
        date_to=date_to,
        **text_filters,
    )
    export = exports.Export(filters, lang=lang).prepare()
    written = exports.write_files(export, fmt, out)
    click.echo(f"{out}: {len(export.columns)} columns", err=True)
    for path in written[1:]:
        click.echo(f"{path}: a repeat group's table", err=True)
