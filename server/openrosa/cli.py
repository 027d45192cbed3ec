"""``parsurvey odk password NAME``: an app password for ODK Collect, Enketo or KoboCollect."""

from __future__ import annotations

import click

from ..cli_transaction import transactional

odk = click.Group("odk", help="ODK clients (OpenRosa at <server>/openrosa).")


@odk.command("password")
@click.argument("name")
@click.option("--label", default="ODK", help="What the password is for, e.g. the phone.")
@transactional
def password(name, label):
    """Print a new app password for NAME (shown once): the password to type into ODK Collect."""
    from ..auth.service import get_user
    from .credentials import issue_app_password

    token, secret = issue_app_password(get_user(name), label)
    click.echo(f"user: {name}")
    click.echo(f"app password: {secret}")
    click.echo("server URL: <this server's address>/openrosa")
