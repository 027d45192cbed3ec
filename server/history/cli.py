"""``parsurvey history``: enter and list earlier years' published results."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli_output import json_option, print_table
from ..cli_transaction import transactional

history = click.Group("history", help="Earlier years' published results (for year-on-year and the charts).")


def _report(summary: dict) -> None:
    click.echo(f"{summary['year']}: {len(summary['agencies'])} agency rows, {len(summary['groups'])} group rows")
    for partial in summary["partial"]:
        click.echo(f"warning: group {partial['group']} is partial: {'; '.join(partial['reasons'])}", err=True)


@history.command("import")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option(
    "--agencies",
    "agencies",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV or XLSX: agency, name, group, points, index, rank, band.",
)
@click.option(
    "--groups",
    "groups",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV or XLSX: group, mean, highest, lowest, agencies.",
)
@transactional
def history_import(year, agencies, groups):
    """Replace YEAR's published agency table and/or group summaries."""
    from .service import import_agency_results, import_group_results, year_summary

    if not agencies and not groups:
        raise click.UsageError("Give --agencies FILE, --groups FILE or both.")
    if agencies:
        import_agency_results(year, agencies.read_bytes(), agencies.name)
    if groups:
        import_group_results(year, groups.read_bytes(), groups.name)
    _report(year_summary(year))


@history.command("list")
@json_option
@transactional
def history_list(as_json):
    """The years entered, with their rows and partial groups."""
    from .service import list_years

    rows = [
        (y["year"], y["agencies"], y["groups"], ", ".join(p["group"] for p in y["partial"]) or "-")
        for y in list_years()
    ]
    print_table(("year", "agencies", "groups", "partial groups"), rows, as_json)
