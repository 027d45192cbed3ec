"""The ``parsurvey`` command line: a Flask CLI group over the same use cases the API calls.

``parsurvey db upgrade`` (Flask-Migrate), ``parsurvey run`` (Flask), and the commands below.
Each command is one transaction (``unit_of_work``); an error prints its code and message and exits 1.
"""

from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path

import click
from flask.cli import FlaskGroup, with_appcontext

from .errors import ApiError
from .transaction import unit_of_work


def main() -> None:
    from . import create_app
    from .config import ConfigError

    cli = FlaskGroup(create_app=create_app, help="parsurvey: survey collection and PAR index scoring.")
    try:
        cli.main(prog_name="parsurvey")
    except ConfigError as exc:  # raised while the app is created; say what to set, no traceback
        click.echo(f"Configuration error: {exc}", err=True)
        sys.exit(2)


def transactional(command):
    """Run a command in the app context as one unit of work; domain errors become a clean exit."""

    @with_appcontext
    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            with unit_of_work():
                return command(*args, **kwargs)
        except ApiError as exc:
            details = f"\n{json.dumps(exc.errors, ensure_ascii=False, indent=2)}" if exc.errors else ""
            raise click.ClickException(f"[{exc.code}] {exc.message}{details}") from exc

    return wrapper


demo = click.Group("demo", help="The demo province.")
users = click.Group("users", help="Users and roles.")
tokens = click.Group("tokens", help="API tokens for devices and scripts.")
forms = click.Group("forms", help="Questionnaire versions.")
assignments = click.Group("assignments", help="Which agencies each enumerator works in.")
conflicts = click.Group("conflicts", help="Resends that carried other content under a stored id.")


@demo.command("load")
@transactional
def demo_load():
    """Load the demo province: 25 agencies, the 2022 round, the built-in form and demo users."""
    from .demo import load_demo

    for line in load_demo():
        click.echo(line)


@users.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "supervisor", "enumerator", "reviewer"]))
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
@transactional
def users_list():
    """List users."""
    from .auth.service import list_users

    for user in list_users():
        click.echo(
            f"{user.username}\t{user.role}\t{user.organisation or ''}\t{'active' if user.active else 'inactive'}"
        )


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
    """Import FILE (a JSON definition or an XLSForm .xlsx) as a draft."""
    from .forms import service

    if file.suffix.lower() in (".xlsx", ".xls"):
        form = service.parse_xlsform(file.read_bytes(), file.name)
    else:
        try:
            definition = json.loads(file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError("malformed_json", f"{file} is not a UTF-8 JSON file: {exc}") from exc
        form = service.parse_definition(definition)
    stored, created = service.save_draft(form, round_code)
    state = "imported" if created else "unchanged"
    click.echo(f"{state} {stored.form_id} {stored.version} ({stored.state}) sha256={stored.content_hash}")


@forms.command("publish")
@click.argument("form_id")
@click.argument("version")
@click.option("--round", "round_code", help="Publish into this round.")
@transactional
def forms_publish(form_id, version, round_code):
    """Publish FORM_ID VERSION; from now on it never changes."""
    from .forms import service

    stored = service.publish(form_id, version, round_code)
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
@transactional
def forms_list():
    """List every stored form version."""
    from .forms import service

    for v in service.all_versions():
        round_code = v.round.code if v.round else "-"
        click.echo(f"{v.form_id}\t{v.version}\t{v.state}\t{round_code}\t{v.content_hash[:12]}\t{v.title.get('vi', '')}")


def register(app) -> None:
    from sync.cli import device

    from .recheck.cli import audit, recheck
    from .results.cli import appraisal, ballots, par, report, score

    groups = (demo, users, tokens, forms, assignments, conflicts, recheck, audit, device)
    from .ballots.cli import export_command

    ballots.add_command(export_command)
    for group in (*groups, appraisal, score, par, report, ballots):
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
@transactional
def assignments_list(round_code):
    """List the assignments of ROUND_CODE."""
    from .fieldwork.service import list_assignments
    from .registry.service import get_round

    for a in list_assignments(get_round(round_code)):
        click.echo(f"{a.enumerator.username}\t{a.agency.code}\t{a.quota}")


@conflicts.command("list")
@click.option("--round", "round_code", help="Only conflicts of this round's ballots.")
@transactional
def conflicts_list(round_code):
    """Open conflicts."""
    from .ballots.conflicts import list_conflicts

    for c in list_conflicts(round_code=round_code):
        ballot = c.ballot
        fields = (c.id, c.instance_id, ballot.agency.code, ballot.enumerator.username, f"{c.received_at:%F %H:%M}")
        click.echo("\t".join(map(str, fields)))


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
