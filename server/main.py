"""The ``parsurvey`` program: Flask's command group over the app factory, survey commands listed first.

The commands themselves are registered on the app by ``server.cli`` (called from ``create_app``).
"""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

#: Flask's own commands, for developers: listed apart, after the survey commands.
DEVELOPMENT_COMMANDS = ("run", "shell", "routes", "openapi")


class ParsurveyGroup(FlaskGroup):
    """Flask's command group, with the survey commands listed first and Flask's development commands apart."""

    def format_commands(self, ctx, formatter):
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, command) for name, command in commands if command is not None and not command.hidden]
        if not commands:
            return
        width = formatter.width - 6 - max(len(name) for name, _ in commands)
        for title, development in (("Survey commands", False), ("Development commands (Flask)", True)):
            rows = [
                (name, command.get_short_help_str(width))
                for name, command in commands
                if (name in DEVELOPMENT_COMMANDS) == development
            ]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def make_cli() -> FlaskGroup:
    """The ``parsurvey`` command: ``--version`` is parsurvey's own, survey commands come first in ``--help``."""
    from importlib.metadata import version

    from . import create_app

    cli = ParsurveyGroup(
        create_app=create_app,
        add_version_option=False,
        help="parsurvey: survey collection and PAR index scoring.",
    )
    click.version_option(version("parsurvey"), "--version", prog_name="parsurvey", message="%(prog)s %(version)s")(cli)
    return cli


def main() -> None:
    from .config import ConfigError

    cli = make_cli()
    try:
        cli.main(prog_name="parsurvey")
    except ConfigError as exc:  # raised while the app is created; say what to set, no traceback
        click.echo(f"Configuration error: {exc}", err=True)
        sys.exit(2)
