"""What the command line prints for lists and long operations, the same way in every command.

Lists: a header line naming the columns, then one tab-separated line per row; or, with ``--json``, one JSON
list of objects keyed by the same names (Vietnamese kept readable). Long operations: a progress bar on
standard error when it is a terminal, nothing at all when it is piped or redirected.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Sequence

import click

json_option = click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects instead.")


def print_table(columns: Sequence[str], rows: Sequence[Sequence], as_json: bool) -> None:
    """Print ``rows`` under a header of ``columns`` (tab-separated), or as JSON objects with those keys."""
    if as_json:
        objects = [dict(zip(columns, row, strict=True)) for row in rows]
        click.echo(json.dumps(objects, ensure_ascii=False, indent=2, default=str))
        return
    click.echo("\t".join(columns))
    for row in rows:
        click.echo("\t".join("" if value is None else str(value) for value in row))


class Progress:
    """Steps done out of a total, drawn as a bar on a terminal: ``advance(n)`` after each step, ``start(total)``
    when the total is only known once the work has begun."""

    def __init__(self, bar=None):
        self._bar = bar

    def start(self, total: int) -> None:
        if self._bar is not None:
            self._bar.length = max(total, 1)

    def advance(self, steps: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(steps)


@contextlib.contextmanager
def progress(total: int, label: str) -> Iterator[Progress]:
    """A progress bar of ``total`` steps on standard error when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield Progress()
        return
    with click.progressbar(length=max(total, 1), label=label, file=sys.stderr, show_pos=True, show_percent=True) as bar:
        yield Progress(bar)
