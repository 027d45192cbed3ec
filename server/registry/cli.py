"""``parsurvey agencies …``: the registry from the command line (the list, and where one-stop offices are)."""

from __future__ import annotations

import click

from ..cli_output import json_option, print_table
from ..cli_transaction import transactional

agencies = click.Group("agencies", help="The province's agencies (danh mục cơ quan).")


@agencies.command("list")
@json_option
@transactional
def list_agencies(as_json):
    """Every agency, with its group and its one-stop office's coordinates."""
    from .service import list_agencies as all_agencies

    rows = [
        (a.code, a.name, a.agency_group, a.handles_procedures, a.office_latitude, a.office_longitude)
        for a in all_agencies()
    ]
    print_table(("code", "name", "group", "handles_procedures", "office_latitude", "office_longitude"), rows, as_json)


@agencies.command("set-office")
@click.argument("code")
@click.option("--lat", "latitude", type=click.FloatRange(-90, 90), help="Latitude, WGS 84 degrees (e.g. 20.5431).")
@click.option("--lon", "longitude", type=click.FloatRange(-180, 180), help="Longitude, WGS 84 degrees.")
@click.option("--clear", is_flag=True, help="Forget the office's coordinates.")
@transactional
def set_office_command(code, latitude, longitude, clear):
    """Where agency CODE's one-stop office (bộ phận một cửa) is, for the location check of interviews."""
    from .service import get_agency, set_office

    if clear and (latitude is not None or longitude is not None):
        raise click.UsageError("Give --clear alone, or --lat and --lon.")
    if not clear and (latitude is None or longitude is None):
        raise click.UsageError("Give --lat and --lon together (or --clear).")
    agency = set_office(get_agency(code), latitude, longitude)
    if clear:
        click.echo(f"{agency.code} ({agency.name}): office coordinates cleared")
    else:
        click.echo(f"{agency.code} ({agency.name}): office at {latitude}, {longitude}")
