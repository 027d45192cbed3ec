"""Command line of the appraisal: ``parsurvey criteria import|copy|show`` and
``parsurvey council member|deadlines|progress|lock``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from ..cli_output import json_option, print_table
from ..cli_transaction import transactional

criteria_group = click.Group("criteria", help="The appraisal criteria set (Bộ tiêu chí) of a round.")
council = click.Group("council", help="The appraisal council: members, deadlines, progress, lock.")


def _user(username):
    from ..auth.roles import MANAGERS
    from ..auth.service import get_user
    from ..errors import ApiError

    if username is None:
        return None
    user = get_user(username)
    if user.role not in MANAGERS:
        raise ApiError("forbidden", f"{username} is a {user.role}; only supervisors and admins do this.")
    return user


@criteria_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_code", required=True)
@transactional
def criteria_import(file: Path, round_code: str):
    """Replace ROUND's criteria set by FILE (XLSX or CSV); nothing is stored if any row is wrong."""
    from ..registry.service import get_round
    from .criteria import import_criteria

    rows = import_criteria(get_round(round_code), file.read_bytes(), file.name)
    leaves = len({r.id for r in rows} - {r.parent_id for r in rows})
    click.echo(f"imported {len(rows)} criteria ({leaves} leaves) into round {round_code}")


@criteria_group.command("copy")
@click.option("--from", "source", required=True, help="The round whose set is copied (last year's).")
@click.option("--to", "target", required=True)
@transactional
def criteria_copy(source: str, target: str):
    """Copy a round's criteria set into another; later edits are tracked against it."""
    from ..registry.service import get_round
    from .criteria import copy_criteria

    rows = copy_criteria(get_round(target), get_round(source))
    click.echo(f"copied {len(rows)} criteria from {source} to {target}")


@criteria_group.command("show")
@click.option("--round", "round_code", required=True)
@json_option
@transactional
def criteria_show(round_code: str, as_json: bool):
    """List ROUND's criteria set."""
    from ..registry.service import get_round
    from .criteria import criteria_of

    rows = [
        (r.code, r.max_points, (r.rule or {}).get("type", ""), r.council_org or "", r.change, r.title)
        for r in criteria_of(get_round(round_code))
    ]
    print_table(("code", "max_points", "rule", "council", "change", "title"), rows, as_json)


@council.command("member")
@click.argument("username")
@click.option("--agency", help="An agency officer's agency code.")
@click.option("--org", help="An appraiser's council organisation (SNV, STP, VPUBND, STC, STTTT, SKHCN).")
@transactional
def council_member(username, agency, org):
    """Say which agency USERNAME (agency officer) speaks for, or which organisation (appraiser) they sit for."""
    from .members import assign_member

    member = assign_member(username, agency, org)
    click.echo(f"{username}: {member.agency.code if member.agency else member.council_org}")


@council.command("deadlines")
@click.option("--round", "round_code", required=True)
@click.option("--self-assessment", type=click.DateTime(), help="Self-assessment closes (UTC).")
@click.option("--appraisal", type=click.DateTime(), help="Appraisal closes (UTC).")
@click.option("--answer", type=click.DateTime(), help="The agencies' answers close (UTC).")
@click.option("--by", "username", help="The supervisor setting them.")
@transactional
def council_deadlines(round_code, self_assessment, appraisal, answer, username):
    """Set ROUND's deadlines per stage (a stage left out has none)."""
    from datetime import UTC

    from ..registry.service import get_round
    from .service import set_calendar

    def utc(value: datetime | None):
        return value.replace(tzinfo=UTC) if value else None

    set_calendar(
        get_round(round_code),
        _user(username),
        self_assessment_until=utc(self_assessment),
        appraisal_until=utc(appraisal),
        answer_until=utc(answer),
    )
    click.echo(f"deadlines of round {round_code} set")


@council.command("progress")
@click.option("--round", "round_code", required=True)
@json_option
@transactional
def council_progress(round_code, as_json):
    """Agencies submitted, self-assessed and appraised points."""
    from ..registry.service import get_round
    from .service import progress

    report = progress(get_round(round_code))
    rows = [(a["code"], "yes" if a["submitted_at"] else "no", a["self"], a["appraised"]) for a in report["agencies"]]
    print_table(("agency", "submitted", "self", "appraised"), rows, as_json)


@council.command("lock")
@click.option("--round", "round_code", required=True)
@click.option("--by", "username", help="The supervisor locking it.")
@transactional
def council_lock(round_code, username):
    """Lock ROUND's appraisal: its appraised points per area become the round's appraisal points."""
    from ..registry.service import get_round
    from .service import lock

    result = lock(get_round(round_code), _user(username))
    for item in result["agencies"]:
        click.echo(f"{item['agency']}\t{item['appraised']:.2f}")
    click.echo(f"locked the appraisal of round {round_code}: {len(result['agencies'])} agencies")
