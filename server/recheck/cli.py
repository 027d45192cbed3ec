"""``parsurvey recheck …`` and ``parsurvey audit verify``: the re-check work from the command line."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from ..bounds import SEED_RANGE
from ..cli_output import json_option, print_table
from ..cli_transaction import transactional


def _user(username: str, roles: tuple[str, ...]):
    from ..auth.service import get_user
    from ..errors import ApiError

    user = get_user(username)
    if user.role not in roles:
        raise ApiError("forbidden", f"{username} is a {user.role}; this needs {' or '.join(roles)}.")
    return user


recheck = click.Group("recheck", help="Re-check (phúc tra) samples, findings, quality and quarantine.")
audit = click.Group("audit", help="The tamper-evident audit log.")


@recheck.command("sample")
@click.argument("round_code")
@click.option(
    "--seed",
    type=click.IntRange(SEED_RANGE.min, SEED_RANGE.max),
    required=True,
    help="Recorded; the same seed redraws the same sample.",
)
@click.option("--rate", type=click.FloatRange(0, 1), default=0.10, show_default=True)
@click.option("--min-per-enumerator", type=click.IntRange(min=0), default=2, show_default=True)
@click.option(
    "--shortest",
    "shortest_share",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Also the shortest interviews, as a share of the eligible ballots.",
)
@click.option("--straight-lined", is_flag=True, help="Also every straight-lined ballot.")
@click.option("--repeated-contacts", is_flag=True, help="Also ballots whose respondent contact repeats.")
@click.option("--both", "both_organisations", is_flag=True, help="Give each ballot to MTTQ and to CCB.")
@click.option("--dry-run", is_flag=True, help="Show the draw without storing it.")
@click.option("--by", "username", required=True, help="The supervisor drawing the sample.")
@transactional
def sample(round_code, username, dry_run, **parameters):
    """Draw the re-check sample of ROUND_CODE."""
    from ..auth.roles import MANAGERS
    from ..registry.service import get_round
    from .service import draw_sample

    started = time.perf_counter()
    result = draw_sample(get_round(round_code), _user(username, MANAGERS), dry_run=dry_run, **parameters)
    reasons = ", ".join(f"{n} {reason}" for reason, n in result["by_reason"].items()) or "none"
    stored = "not stored (dry run)" if dry_run else f"sample {result['sample_id']}"
    click.echo(f"selected {result['selected']} ballot(s): {reasons}; {stored}; {time.perf_counter() - started:.2f} s")


@recheck.command("list")
@click.argument("round_code")
@json_option
@transactional
def list_(round_code, as_json):
    """Every re-check assignment of ROUND_CODE."""
    from ..registry.service import get_round
    from .service import list_assignments

    rows = [
        (
            a.id,
            a.ballot.instance_id,
            a.ballot.agency.code,
            a.ballot.enumerator.username,
            a.organisation,
            a.reviewer.username if a.reviewer else None,
            a.reason,
            a.ballot.status,
        )
        for a in list_assignments(get_round(round_code))
    ]
    columns = ("id", "instance_id", "agency", "enumerator", "organisation", "reviewer", "reason", "ballot_status")
    print_table(columns, rows, as_json)


@recheck.command("assign")
@click.argument("assignment_id", type=int)
@click.argument("reviewer")
@transactional
def assign(assignment_id, reviewer):
    """Give re-check ASSIGNMENT_ID to REVIEWER."""
    from .service import assign_reviewer
    from .verification import get_assignment

    assign_reviewer(get_assignment(assignment_id), reviewer)
    click.echo(f"re-check {assignment_id} assigned to {reviewer}")


@recheck.command("verify")
@click.argument("assignment_id", type=int)
@click.argument(
    "outcome", type=click.Choice(["confirmed", "unreachable", "not_eligible", "interview_not_held", "answers_differ"])
)
@click.option("--reasked", default="{}", help="Re-asked answers as JSON, e.g. '{\"overall\": 4}'.")
@click.option("--notes", default="")
@click.option("--by", "username", required=True, help="The reviewer.")
@transactional
def verify(assignment_id, outcome, reasked, notes, username):
    """Record a reviewer's finding on ASSIGNMENT_ID."""
    from ..auth.roles import REVIEWER
    from ..errors import ApiError
    from .verification import record

    try:
        answers = json.loads(reasked)
    except json.JSONDecodeError as exc:
        raise ApiError("malformed_json", f"--reasked is not JSON: {exc}") from exc
    stored, status = record(_user(username, (REVIEWER,)), assignment_id, outcome, answers, notes)
    click.echo(f"{status}: ballot {stored.assignment.ballot.instance_id} is now {stored.assignment.ballot.status}")


@recheck.command("override")
@click.argument("instance_id")
@click.argument("status", type=click.Choice(["valid", "invalid", "confirmed", "failed"]))
@click.option("--reason", required=True)
@click.option("--by", "username", required=True, help="The supervisor deciding.")
@transactional
def override_(instance_id, status, reason, username):
    """Set ballot INSTANCE_ID's status by hand, with a reason."""
    from ..auth.roles import MANAGERS
    from ..ballots.access import get_ballot
    from .status import override

    user = _user(username, MANAGERS)
    ballot = override(get_ballot(instance_id, user), status, reason, user.username)
    click.echo(f"ballot {ballot.instance_id}: {ballot.status}")


@recheck.command("quality")
@click.argument("round_code")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@transactional
def quality_(round_code, as_json):
    """Enumerator quality statistics of ROUND_CODE."""
    from ..registry.service import get_round
    from .quality import quality

    started = time.perf_counter()
    report = quality(get_round(round_code))
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo("enumerator\tballots\trechecked\tdecided\tfailed\tfailure_rate\tmedian_s\tstraight\tflag")
    for e in report["enumerators"]:
        rate = "-" if e["failure_rate"] is None else f"{e['failure_rate']:.2f}"
        median = "-" if e["median_duration_seconds"] is None else f"{e['median_duration_seconds']:.0f}"
        flag = (
            "QUARANTINE?"
            if e["over_threshold"] and not e["quarantine"]
            else (f"quarantine {e['quarantine']['decision'] or 'open'}" if e["quarantine"] else "")
        )
        click.echo(
            f"{e['enumerator']}\t{e['ballots']}\t{e['rechecked']}\t{e['decided']}\t{e['failed']}\t{rate}\t"
            f"{median}\t{e['straight_lined_share']:.2f}\t{flag}"
        )
    click.echo(f"computed in {elapsed:.2f} s")


@recheck.command("quarantine")
@click.argument("round_code")
@click.argument("enumerator")
@click.option("--by", "username", required=True, help="The supervisor.")
@click.option("--reason", default="", help="Why the ballots are held (required with --yes; kept in the audit log).")
@click.option("--yes", "confirmed", is_flag=True, help="Hold the ballots; without it, only the impact is shown.")
@click.option(
    "--min-sample",
    type=click.IntRange(min=1),
    default=None,
    help="Minimum sample per agency for the preview [default: the score run's, 30].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the impact as JSON.")
@transactional
def quarantine(round_code, enumerator, username, reason, confirmed, min_sample, as_json):
    """Hold ENUMERATOR's ballots in ROUND_CODE (tạm giữ), one enumerator at a time.

    First run it without --yes: it shows the impact (ballots held, agencies that would fall below the
    minimum sample) and holds nothing. Then run it again with --yes --reason "…" to hold them. Held
    ballots keep their status; they stop counting until the quarantine is released (recheck decide)."""
    from ..auth.roles import MANAGERS
    from ..registry.service import get_round
    from ..results.runs import DEFAULT_PARAMETERS
    from .holding import impact, quarantine_one

    supervisor = _user(username, MANAGERS)
    survey_round = get_round(round_code)
    if confirmed and not reason.strip():
        raise click.UsageError("--yes needs --reason: say why the ballots are held.")
    minimum = min_sample or DEFAULT_PARAMETERS["min_ballots"]
    preview = impact(survey_round, enumerator, minimum)
    if as_json:
        click.echo(json.dumps(preview, ensure_ascii=False, indent=2))
    else:
        _print_impact(preview)
    if not confirmed:
        click.echo(
            f"Nothing is held yet. To hold them: parsurvey recheck quarantine {round_code} {enumerator}"
            f' --by {username} --reason "…" --yes',
            err=as_json,
        )
        return
    held = quarantine_one(survey_round, enumerator, reason, supervisor)
    click.echo(
        f"quarantine {held.id}: {preview['ballots_held']} ballot(s) of {enumerator} held ({reason.strip()});"
        " they count again if the quarantine is released",
        err=as_json,
    )


def _print_impact(preview: dict) -> None:
    rate = "-" if preview["failure_rate"] is None else f"{preview['failure_rate']:.2f}"
    click.echo(
        f"{preview['enumerator']}: {preview['ballots_held']} countable ballot(s) would be held"
        f" (re-check failure rate {rate} over {preview['decided_rechecks']} decided"
        f"{', over the threshold' if preview['over_threshold'] else ''})"
        + ("; already held" if preview["already_held"] else "")
    )
    print_table(
        ["agency", "name", "countable_now", "held", "countable_after", "note"],
        [
            [
                a["agency_code"],
                a["agency_name"],
                a["countable_now"],
                a["held"],
                a["countable_after"],
                "loses every ballot"
                if a["loses_every_ballot"]
                else (f"falls below {preview['minimum_sample']}" if a["falls_below_minimum"] else ""),
            ]
            for a in preview["agencies"]
        ],
        as_json=False,
    )
    falling = preview["agencies_falling_below"]
    click.echo(
        f"agencies falling below the minimum sample of {preview['minimum_sample']}: "
        + (", ".join(falling) if falling else "none")
    )


@recheck.command("decide")
@click.argument("quarantine_id", type=int)
@click.argument("decision", type=click.Choice(["release", "exclude"]))
@click.option("--reason", required=True)
@click.option("--by", "username", required=True, help="The supervisor.")
@transactional
def decide_(quarantine_id, decision, reason, username):
    """Release a quarantine (its ballots count again) or confirm the exclusion."""
    from ..auth.roles import MANAGERS
    from .quality import decide

    q = decide(quarantine_id, decision, reason, _user(username, MANAGERS))
    click.echo(f"quarantine {q.id} of {q.enumerator.username}: {q.decision}")


@recheck.command("countable")
@click.argument("round_code")
@transactional
def countable(round_code):
    """How many ballots of ROUND_CODE count, the ones not counted by reason, and the held ones."""
    from ..registry.service import get_round
    from .service import countable_summary

    summary = countable_summary(get_round(round_code))
    click.echo(f"countable: {summary['countable']}")
    for reason, n in sorted(summary["excluded"].items()):
        if reason == "quarantined":  # held, not invalid: they count again if the quarantine is released
            click.echo(f"held (enumerator quarantined): {n}")
        else:
            click.echo(f"not counted ({reason}): {n}")


@audit.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file written earlier by 'parsurvey audit checkpoint': the log must still hold its head.",
)
@transactional
def audit_verify(checkpoint_file):
    """Recompute the audit log's keyed hash chain; exit 1 at the first broken entry, at entries written
    outside parsurvey, or when the log no longer holds a checkpoint's head."""
    from ..audit import check_checkpoint, seal, verify_chain

    sealed = seal(wait=True)  # entries left unsealed by busy moments join the chain before the check
    report = verify_chain()
    if not report.ok:
        where = f" at entry {report.first_bad_position}" if report.first_bad_position else ""
        raise click.ClickException(
            f"audit log broken{where}: {report.problem} ({report.entries} entries verified before it)"
        )
    if checkpoint_file is not None:
        try:
            point = json.loads(checkpoint_file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise click.ClickException(f"{checkpoint_file} is not a checkpoint file: {exc}") from exc
        problem = check_checkpoint(point if isinstance(point, dict) else {})
        if problem:
            raise click.ClickException(f"audit log does not hold the checkpoint of {point.get('at')}: {problem}")
    click.echo(f"audit log intact: {report.entries} entries" + (f" ({sealed} sealed now)" if sealed else ""))


@audit.command("checkpoint")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@transactional
def audit_checkpoint(file):
    """Write the audit chain's head (position, hash, time, MAC) to FILE, to keep off-site; later
    'parsurvey audit verify --checkpoint FILE' detects a log cut short or rewritten since."""
    from ..audit import checkpoint, seal

    seal(wait=True)
    point = checkpoint()
    file.write_text(json.dumps(point, indent=2) + "\n", encoding="utf-8")
    click.echo(f"checkpoint of entry {point['position']} written to {file}; keep a copy away from this server")
