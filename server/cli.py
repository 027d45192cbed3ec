"""The ``parsurvey`` command line: a Flask CLI group over the same use cases the API calls.

``parsurvey db upgrade`` (Flask-Migrate), ``parsurvey run`` (Flask), and the commands below.
Each command is one transaction (``unit_of_work``); an error prints its code and message and exits 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .cli_output import json_option, print_table
from .cli_transaction import transactional
from .errors import ApiError

demo = click.Group("demo", help="The demo province.")
users = click.Group("users", help="Users and roles.")
tokens = click.Group("tokens", help="API tokens for devices and scripts.")
forms = click.Group("forms", help="Questionnaire versions.")
assignments = click.Group("assignments", help="Which agencies each enumerator works in.")
conflicts = click.Group("conflicts", help="Resends that carried other content under a stored id.")


@demo.command("load")
@click.option(
    "--no-fieldwork",
    is_flag=True,
    help="Leave the 2022 round empty: no ballots, re-checks, appraisal points or score run.",
)
@transactional
def demo_load(no_fieldwork):
    """Load the demo province: 25 agencies, the 2022 round, the built-in form, demo users and (unless
    --no-fieldwork) a whole synthetic 2022 fieldwork season scored into the published results."""
    from .demo import load_demo

    for line in load_demo(with_fieldwork=not no_fieldwork):
        click.echo(line)


@users.command("create")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "supervisor", "enumerator", "reviewer", "agency_officer", "appraiser"]),
)
@click.option("--org", type=click.Choice(["MTTQ", "CCB"]), help="Reviewer organisation.")
@click.option("--full-name", default="", help="Display name, in Vietnamese with diacritics.")
@click.option("--password", help="Sign-in password (omit for a token-only user).")
@click.option("--home-agency", help="A reviewer's own agency code: its ballots are never theirs to re-check.")
@transactional
def users_create(name, role, org, full_name, password, home_agency):
    """Create user NAME with ROLE."""
    from .auth.service import create_user

    user = create_user(name, role, organisation=org, full_name=full_name, password=password, home_agency=home_agency)
    click.echo(f"created {user.role} {user.username}" + (f" ({user.organisation})" if user.organisation else ""))


@users.command("list")
@json_option
@transactional
def users_list(as_json):
    """List users."""
    from .auth.service import list_users

    rows = [
        (user.username, user.role, user.organisation, "active" if user.active else "inactive") for user in list_users()
    ]
    print_table(("username", "role", "organisation", "state"), rows, as_json)


@users.command("deactivate")
@click.argument("name")
@transactional
def users_deactivate(name):
    """Deactivate user NAME: sign-in refused, every token revoked; what they recorded stays."""
    from .auth.service import get_user, set_active

    set_active(get_user(name), False)
    click.echo(f"deactivated {name}; its tokens are revoked")


@users.command("activate")
@click.argument("name")
@transactional
def users_activate(name):
    """Let deactivated user NAME sign in again."""
    from .auth.service import get_user, set_active

    set_active(get_user(name), True)
    click.echo(f"activated {name}")


@tokens.command("create")
@click.argument("name")
@click.option("--label", default="", help="What the token is for, e.g. the device.")
@transactional
def tokens_create(name, label):
    """Create a token for user NAME and print it (it is shown only this once)."""
    from .auth.service import get_user, issue_token

    _, secret = issue_token(get_user(name), label)
    click.echo(secret)


@tokens.command("revoke")
@click.argument("name")
@click.option("--prefix", help="Revoke only the token starting with this prefix (default: all of NAME's).")
@transactional
def tokens_revoke(name, prefix):
    """Revoke user NAME's tokens."""
    from .auth.service import revoke_tokens_by_prefix

    click.echo(f"revoked {revoke_tokens_by_prefix(name, prefix)} token(s)")


@forms.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_code", help="Code of the round the form belongs to.")
@transactional
def forms_import(file: Path, round_code):
    """Import FILE as a draft. FILE is a JSON definition (.json, UTF-8) or an XLSForm read by pyxform:
    an Excel workbook (.xlsx, .xlsm or .xls), or its sheets as .csv or .md (markdown tables). The file
    type is told by the name's ending."""
    from survey_forms.xlsform import FILE_TYPES

    from .forms import service

    warnings: list[dict] = []
    if file.suffix.lower() in FILE_TYPES:
        form = service.parse_xlsform(file.read_bytes(), file.name, warnings)
    else:
        try:
            definition = json.loads(file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError("malformed_json", f"{file} is not a UTF-8 JSON file: {exc}") from exc
        form = service.parse_definition(definition)
    stored, created = service.save_draft(form, round_code)
    state = "imported" if created else "unchanged"
    click.echo(f"{state} {stored.form_id} {stored.version} ({stored.state}) sha256={stored.content_hash}")
    for warning in warnings:
        click.echo(f"warning: {warning['path']}: {warning['message']}")


@forms.command("publish")
@click.argument("form_id")
@click.argument("version")
@click.option("--round", "round_code", help="Publish into this round.")
@click.option("--for-testing", is_flag=True, help="Allow a version that belongs to no round (nobody can fill it).")
@transactional
def forms_publish(form_id, version, round_code, for_testing):
    """Publish FORM_ID VERSION; from now on it never changes."""
    from .forms import service

    stored = service.publish(form_id, version, round_code, for_testing=for_testing)
    click.echo(f"published {stored.form_id} {stored.version} sha256={stored.content_hash}")


@forms.command("close")
@click.argument("form_id")
@click.argument("version")
@transactional
def forms_close(form_id, version):
    """Close FORM_ID VERSION: it stops accepting answers."""
    from .forms import service

    stored = service.close(form_id, version)
    click.echo(f"closed {stored.form_id} {stored.version}")


@forms.command("list")
@json_option
@transactional
def forms_list(as_json):
    """List every stored form version (with --json, the whole content hash)."""
    from .forms import service

    rows = [
        (
            v.form_id,
            v.version,
            v.state,
            v.round.code if v.round else None,
            v.content_hash if as_json else v.content_hash[:12],
            v.title.get("vi", ""),
        )
        for v in service.all_versions()
    ]
    print_table(("form_id", "version", "state", "round", "sha256", "title"), rows, as_json)


def register(app) -> None:
    from sync.cli import device

    from .appraisal.cli import council, criteria_group
    from .backup import backup_command, restore_command
    from .history.cli import history
    from .openrosa.cli import odk
    from .recheck.cli import audit, recheck
    from .registry.cli import agencies
    from .results.cli import appraisal, ballots, demo_appraisal, par, report, score, scoring_settings_command

    groups = (demo, users, tokens, forms, assignments, conflicts, agencies, recheck, audit, device)
    from .ballots.cli import export_command

    ballots.add_command(export_command)
    demo.add_command(demo_appraisal)
    for group in (
        *groups,
        criteria_group,
        council,
        appraisal,
        score,
        scoring_settings_command,
        history,
        par,
        report,
        ballots,
        odk,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(group)


@assignments.command("set")
@click.argument("round_code")
@click.argument("username")
@click.argument("agency_code")
@click.option("--quota", type=click.IntRange(min=0), default=0, help="Ballots this enumerator should collect.")
@transactional
def assignments_set(round_code, username, agency_code, quota):
    """Assign USERNAME to AGENCY_CODE in ROUND_CODE."""
    from .fieldwork.service import set_assignment
    from .registry.service import get_round

    set_assignment(get_round(round_code), username, agency_code, quota)
    click.echo(f"assigned {username} to {agency_code} in {round_code} (quota {quota})")


@assignments.command("list")
@click.argument("round_code")
@json_option
@transactional
def assignments_list(round_code, as_json):
    """List the assignments of ROUND_CODE."""
    from .fieldwork.service import list_assignments
    from .registry.service import get_round

    rows = [(a.enumerator.username, a.agency.code, a.quota) for a in list_assignments(get_round(round_code))]
    print_table(("enumerator", "agency", "quota"), rows, as_json)


@conflicts.command("list")
@click.option("--round", "round_code", help="Only conflicts of this round's ballots.")
@json_option
@transactional
def conflicts_list(round_code, as_json):
    """Open conflicts (received at: UTC)."""
    from .ballots.conflicts import list_conflicts

    rows = [
        (
            c.id,
            c.instance_id,
            c.ballot.agency.code,
            c.ballot.enumerator.username,
            c.received_at.isoformat() if as_json else f"{c.received_at:%F %H:%M}",
        )
        for c in list_conflicts(round_code=round_code)
    ]
    print_table(("id", "instance_id", "agency", "enumerator", "received_at"), rows, as_json)


@conflicts.command("resolve")
@click.argument("conflict_id", type=int)
@click.argument("resolution", type=click.Choice(["keep_stored", "take_new"]))
@click.option("--reason", required=True, help="Why (kept with the decision).")
@click.option("--by", "username", required=True, help="The supervisor deciding.")
@transactional
def conflicts_resolve(conflict_id, resolution, reason, username):
    """Resolve conflict CONFLICT_ID."""
    from .auth.roles import MANAGERS
    from .auth.service import get_user
    from .ballots.conflicts import resolve

    user = get_user(username)
    if user.role not in MANAGERS:
        raise ApiError("forbidden", f"{username} is a {user.role}; only supervisors and admins resolve conflicts.")
    resolve(conflict_id, resolution, reason, user)
    click.echo(f"conflict {conflict_id}: {resolution}")
