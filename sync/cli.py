"""``parsurvey device …``: the enumerator device on the command line.

Also installed alone as ``parsurvey-device`` (no Flask needed). The device's data lives in one SQLite
file under ``--home`` (default ``$PARSURVEY_DEVICE_HOME`` or ``~/.parsurvey-device``).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import socket
import sys
import uuid
from pathlib import Path

import click

from survey_forms import Form
from survey_forms.text_answers import answers_from_text

from .client import AuthenticationError, HttpTransport, SyncClient, TransportError
from .outbox import CaptureError, Outbox


def _home(home: str | None) -> Path:
    path = Path(home or os.environ.get("PARSURVEY_DEVICE_HOME") or Path.home() / ".parsurvey-device")
    path.mkdir(parents=True, exist_ok=True)
    return path


@click.group("device", help="An enumerator device: capture ballots offline, sync them exactly once.")
@click.option("--home", envvar="PARSURVEY_DEVICE_HOME", help="Folder of the device's data.")
@click.pass_context
def device(ctx, home):
    ctx.obj = Outbox(_home(home) / "outbox.sqlite3")
    ctx.call_on_close(ctx.obj.close)


def _client(outbox: Outbox) -> SyncClient:
    server, token = outbox.get("server"), outbox.get("token")
    if not server or not token:
        raise click.ClickException("this device is not initialised: run 'device init --server URL --token TOKEN'")
    return SyncClient(outbox, HttpTransport(server, token), batch_size=int(outbox.get("batch_size", "100")))


@device.command("init")
@click.option("--server", required=True, help="Base URL of the parsurvey server, e.g. http://10.0.0.5:5000")
@click.option("--token", required=True, help="The device token (from 'parsurvey tokens create' or sign-in).")
@click.option("--device-id", help="A name for this device (default: host name and a random suffix).")
@click.pass_obj
def init(outbox: Outbox, server, token, device_id):
    """Point the device at a server and check its token."""
    transport = HttpTransport(server, token)
    try:
        response = transport.request("GET", "/api/v1/me")
    except TransportError as exc:
        raise click.ClickException(f"cannot reach {server}: {exc}") from exc
    if response.status != 200:
        raise click.ClickException(f"the server refused the token ({response.status}): {response.body[:200]!r}")
    me = response.json()
    outbox.set("server", server)
    outbox.set("token", token)
    outbox.set("username", me["username"])
    if device_id or not outbox.get("device_id"):
        outbox.set("device_id", device_id or f"{socket.gethostname()}-{uuid.uuid4().hex[:6]}")
    click.echo(f"initialised for {me['username']} ({me['role']}) at {server}, device {outbox.get('device_id')}")


@device.group("forms")
def forms():
    """Forms on this device."""


@forms.command("pull")
@click.pass_obj
def forms_pull(outbox: Outbox):
    """Download new and changed form versions."""
    try:
        report = _client(outbox).pull_forms()
    except (TransportError, AuthenticationError) as exc:
        raise click.ClickException(str(exc)) from exc
    for form_id, version in report.forms_downloaded:
        click.echo(f"downloaded {form_id} {version}")
    click.echo(f"{len(report.forms_downloaded)} downloaded, {report.forms_unchanged} unchanged")


@forms.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects instead.")
@click.pass_obj
def forms_list(outbox: Outbox, as_json):
    """Form versions on this device: a header line, then one tab-separated line each (or --json)."""
    columns = ("form_id", "version", "sha256")
    rows = [
        (form_id, version, content_hash if as_json else content_hash[:12])
        for form_id, version, content_hash in outbox.forms()
    ]
    if as_json:
        click.echo(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], ensure_ascii=False, indent=2))
        return
    click.echo("\t".join(columns))
    for row in rows:
        click.echo("\t".join(row))


def _only_form(outbox: Outbox, form_id: str | None, version: str | None) -> Form:
    available = [(f, v) for f, v, _ in outbox.forms() if (form_id in (None, f)) and (version in (None, v))]
    if not available:
        raise click.ClickException("no matching form on this device; run 'device forms pull'")
    if len(available) > 1:
        raise click.ClickException("several forms match; give --form and --version")
    return outbox.form(*available[0])


@device.command("capture")
@click.option("--form", "form_id", help="Form id (optional when the device holds one form).")
@click.option("--version", help="Form version (optional when it is the only one).")
@click.option("--agency", help="Agency code (default: the answer to agency_code).")
@click.option("--json", "json_file", type=click.Path(exists=True, dir_okay=False), help="Answers as a JSON object.")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Many ballots: one row each, columns named by question id (optional column instance_id).",
)
@click.pass_obj
def capture(outbox: Outbox, form_id, version, agency, json_file, csv_file):
    """Capture ballots from a JSON or CSV file, validated against the form on this device."""
    if bool(json_file) == bool(csv_file):
        raise click.ClickException("give exactly one of --json or --csv")
    form = _only_form(outbox, form_id, version)
    enumerator = outbox.get("username")
    if not enumerator:
        raise click.ClickException("this device is not initialised: run 'device init' first")
    if json_file:
        rows = [(None, json.loads(Path(json_file).read_text(encoding="utf-8")))]
    else:
        with open(csv_file, encoding="utf-8-sig", newline="") as handle:
            rows = []
            for line, row in enumerate(csv.DictReader(handle), start=2):
                instance_id = row.pop("instance_id", None) or None
                converted, errors = answers_from_text(form, row)
                if errors:
                    raise click.ClickException(
                        f"{csv_file} line {line}: " + "; ".join(f"{e['path']}: {e['message']}" for e in errors)
                    )
                rows.append((instance_id, converted))
    stored, failed = 0, 0
    for instance_id, answers in rows:
        try:
            outbox.capture(
                form_id=form.form_id,
                version=form.version,
                enumerator=enumerator,
                answers=answers,
                agency=agency or str(answers.get("agency_code", "")),
                instance_id=instance_id,
            )
            stored += 1
        except CaptureError as exc:
            failed += 1
            click.echo(f"not stored: {exc}", err=True)
    click.echo(f"captured {stored} ballot(s)" + (f", {failed} refused" if failed else ""))
    if failed:
        sys.exit(1)


@device.command("verify")
@click.option("--assignment", "assignment_id", type=int, required=True, help="The re-check assignment id.")
@click.option(
    "--outcome",
    required=True,
    type=click.Choice(["confirmed", "unreachable", "not_eligible", "interview_not_held", "answers_differ"]),
)
@click.option("--reasked", default="{}", help="Re-asked answers as JSON, e.g. '{\"overall\": 4}'.")
@click.option("--notes", default="")
@click.pass_obj
def verify(outbox: Outbox, assignment_id, outcome, reasked, notes):
    """Record a re-check finding (reviewers) to send with the next sync."""
    reviewer = outbox.get("username")
    if not reviewer:
        raise click.ClickException("this device is not initialised: run 'device init' first")
    try:
        answers = json.loads(reasked)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--reasked is not JSON: {exc}") from exc
    instance_id = outbox.record_verification(
        assignment_id=assignment_id, outcome=outcome, reviewer=reviewer, reasked=answers, notes=notes
    )
    click.echo(f"recorded finding {instance_id}; it is sent with the next sync")


def _progress(total: int, label: str):
    """A progress bar on standard error when it is a terminal; nothing when piped (as the server's commands)."""
    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    return click.progressbar(length=max(total, 1), label=label, file=sys.stderr, show_pos=True, show_percent=True)


@device.command("sync")
@click.pass_obj
def sync(outbox: Outbox):
    """Pull forms, then push every due ballot in batches."""
    client = _client(outbox)
    try:
        with _progress(outbox.counts()["pending"], "sending") as bar:
            report = client.sync(outbox.get("device_id", "device"), on_batch=bar.update if bar else None)
    except AuthenticationError as exc:
        raise click.ClickException(str(exc)) from exc
    except TransportError as exc:
        raise click.ClickException(f"sync stopped: {exc}; pending ballots stay on the device") from exc
    results = ", ".join(f"{n} {status}" for status, n in sorted(report.results.items())) or "nothing to send"
    click.echo(f"forms: {len(report.forms_downloaded)} downloaded; ballots: {results}")
    if report.stopped_by:
        click.echo(f"stopped early ({report.stopped_by}); {report.deferred} ballot(s) will be retried", err=True)
        sys.exit(3)


@device.command("status")
@click.option("--refresh", is_flag=True, help="Ask the server first what every sent ballot means now.")
@click.pass_obj
def status(outbox: Outbox, refresh):
    """Pending, acknowledged and rejected ballots, last sync, rejections with reasons, and every ballot's
    verdict: waiting, countable, not countable (with the reason), rejected, conflict."""
    if refresh:
        try:
            click.echo(f"verdicts refreshed: {_client(outbox).refresh_verdicts()}")
        except (TransportError, AuthenticationError) as exc:
            click.echo(f"verdicts not refreshed: {exc}", err=True)
    counts = outbox.counts()
    click.echo(
        f"pending: {counts['pending']}  acknowledged: {counts['acknowledged']} "
        f"(conflicts: {outbox.conflicts()})  rejected: {counts['rejected']}"
    )
    click.echo(f"last sync: {outbox.get('last_sync', 'never')}")
    for record in outbox.ballots():
        reason = (
            f"  {record['reason']}" if record["verdict"] in ("not_countable", "rejected") and record["reason"] else ""
        )
        click.echo(f"{record['instance_id']}  {record['agency'] or '-'}  {record['verdict']}{reason}")
    for rejection in outbox.rejections():
        reasons = "; ".join(
            f"{e['path']}: {e['code']}" for e in rejection.get("errors") or [] if isinstance(e, dict)
        ) or rejection.get("message", "")
        click.echo(f"rejected {rejection['instance_id']}: [{rejection.get('code')}] {reasons}")


def main() -> None:
    device(prog_name="parsurvey-device")
