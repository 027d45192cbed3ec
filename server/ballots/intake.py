"""Receive a sync batch: one result per envelope, every accepted ballot stored exactly once.

The rules, in order, for each envelope:

1. Malformed (fields, UUID, timestamps, content hash): ``rejected`` / ``invalid_envelope``.
2. Its instance id is already stored: ``duplicate`` if the content hash is the same, else ``conflict``
   (the new content is kept aside once for a supervisor). This comes before every other check, so a
   resend is always answered the same way, even after its form or round has closed.
3. Form version unknown or closed, agency unknown, enumerator not the token's or not assigned: ``error``
   with the code from ``sync.codes``.
4. Answers that fail the form (``survey_forms.validate_answers``, the function the device used):
   ``rejected`` / ``invalid_answers`` with every error.
5. Otherwise one ``INSERT … ON CONFLICT (instance_id) DO NOTHING``: the database's unique index decides
   races between concurrent resends; a row that lost the race is answered as in rule 2.
6. An accepted ballot is cleaned at once (``server.recheck.cleaning``): it is stored ``valid`` or
   ``invalid`` with the rule it broke, and its receipt is appended to the audit log. An invalid ballot
   is still acknowledged: it was received and is kept, it just does not count. Every acknowledged ballot's
   answer carries its verdict (``ballot_status``, ``status_reason``, ``countable``), so the device knows at
   once whether it counts and why not.

A form version closed mid-season still takes the ballots completed before it closed (their
``completed_at`` is at or before ``closed_at``, and the round is open): an interview finished on a phone
without a connection is not lost because the office closed the version before the phone could sync.

Hand-over: a supervisor or admin may send, from the device of an enumerator who left or was deactivated,
that enumerator's unsent ballots. They are checked as the enumerator's own (assignments included), stored
under the enumerator's name, and the audit entry records who handed them over. Exactly once, as always:
the instance id decides.

Nothing is committed here; the request's single commit happens before the answer is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import defer, joinedload

from survey_forms import Form, validate_answers
from survey_forms.canonical import lone_surrogates
from sync.codes import lookup
from sync.protocol import (
    ACCEPTED,
    CONFLICT,
    DUPLICATE,
    ERROR,
    REJECTED,
    check_batch,
    check_envelope,
    item_result,
    parse_timestamp,
)

from ..audit import Event, append
from ..auth.models import User
from ..auth.roles import ENUMERATOR, MANAGERS, REVIEWER
from ..errors import ApiError
from ..extensions import db
from ..fieldwork.models import Assignment
from ..forms.models import FormVersion
from ..recheck.cleaning import clean, contact_key, duration_seconds, straight_lined
from ..recheck.settings import DEFAULTS, settings_of
from ..registry.models import Agency
from ..timeutil import utcnow
from .countable import verdicts
from .models import Ballot, BallotConflict

AGENCY_QUESTION = "agency_code"


@lru_cache(maxsize=128)
def parsed_form(content_hash: str, canonical: str) -> Form:
    """Forms are immutable once published, so a parsed form can be cached by its hash."""
    return Form.from_dict(json.loads(canonical))


_FORMS_BY_HASH: dict[str, Form] = {}


def form_of(version: FormVersion) -> Form:
    """The parsed form of a stored version, by its content hash (the hash of its canonical text, so it names
    that text exactly): the canonical text is read from the database once per process, so the intake
    loads versions without it (``defer(FormVersion.canonical)``)."""
    form = _FORMS_BY_HASH.get(version.content_hash)
    if form is None:
        form = parsed_form(version.content_hash, version.canonical)
        if len(_FORMS_BY_HASH) >= 128:
            _FORMS_BY_HASH.clear()
        _FORMS_BY_HASH[version.content_hash] = form
    return form


_SCORED_BY_HASH: dict[str, tuple[str, ...]] = {}


def scored_names(version: FormVersion) -> tuple[str, ...]:
    """The scored questions of a version, by its content hash (not by the form itself: hashing a ``Form``
    serialises it whole, which cost more than the rest of cleaning a ballot)."""
    names = _SCORED_BY_HASH.get(version.content_hash)
    if names is None:
        names = tuple(q.name for q in form_of(version).scored_questions())
        if len(_SCORED_BY_HASH) >= 128:
            _SCORED_BY_HASH.clear()
        _SCORED_BY_HASH[version.content_hash] = names
    return names


def _error(envelope: dict, code: str, message: str | None = None, errors=None) -> dict:
    status = REJECTED if code in ("invalid_envelope", "invalid_answers") else ERROR
    return item_result(envelope.get("instance_id"), status, code, message or lookup(code).description, errors)


@dataclass
class _Context:
    """What one batch needs from the database, each looked up once."""

    user: User
    device_id: str
    forms: dict = field(default_factory=dict)
    agencies: dict = field(default_factory=dict)
    assignments: dict = field(default_factory=dict)
    enumerators: dict = field(default_factory=dict)

    def enumerator(self, username: str) -> User | None:
        """Whose ballot this is: the signed-in enumerator's own, or, for a supervisor or admin handing over
        a departed enumerator's ballots, that enumerator (active or not); None when it may not be sent."""
        if username == self.user.username and self.user.role == ENUMERATOR:
            return self.user
        if self.user.role not in MANAGERS:
            return None
        if username not in self.enumerators:
            found = db.session.scalar(select(User).where(User.username == username))
            self.enumerators[username] = found if found is not None and found.role == ENUMERATOR else None
        return self.enumerators[username]

    def form_version(self, form_id: str, version: str) -> FormVersion | None:
        key = (form_id, version)
        if key not in self.forms:
            self.forms[key] = db.session.scalar(
                select(FormVersion)
                .options(joinedload(FormVersion.round), defer(FormVersion.canonical))
                .where(
                    FormVersion.form_id == form_id,
                    FormVersion.version == version,
                    FormVersion.state != "draft",
                )
            )
        return self.forms[key]

    def agency_id(self, code: str) -> int | None:
        if code not in self.agencies:
            self.agencies[code] = db.session.scalar(select(Agency.id).where(Agency.code == code))
        return self.agencies[code]

    def assigned_agencies(self, round_id: int, enumerator: User) -> dict[str, int]:
        """Code -> id of the agencies the enumerator is assigned to in the round (one query for both)."""
        key = (round_id, enumerator.id)
        if key not in self.assignments:
            self.assignments[key] = dict(
                db.session.execute(_assigned_query(), {"round_id": round_id, "enumerator_id": enumerator.id}).all()
            )
        return self.assignments[key]


@cache
def _assigned_query():
    """Built once, as every ballot asks it (building a statement and its cache key is not free)."""
    return (
        select(Agency.code, Agency.id)
        .join(Assignment, Assignment.agency_id == Agency.id)
        .where(Assignment.round_id == bindparam("round_id"), Assignment.enumerator_id == bindparam("enumerator_id"))
    )


def stored_hashes(instance_ids) -> dict[str, tuple[int, str]]:
    """instance id -> (ballot id, content hash) of the given ids that are stored."""
    if not instance_ids:
        return {}
    rows = db.session.execute(
        select(Ballot.instance_id, Ballot.id, Ballot.content_hash).where(Ballot.instance_id.in_(instance_ids))
    )
    return {instance_id: (ballot_id, content_hash) for instance_id, ballot_id, content_hash in rows}


def _insert_ignoring_existing(table, rows: list[dict], index: list[str], returning=None):
    """INSERT rows, skipping those whose unique key exists (even if inserted concurrently).

    Rows go as executemany (SQLAlchemy's insertmanyvalues), so the statement is compiled once per
    worker, not once per batch size.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=index)
    if returning is not None:
        statement = statement.returning(returning)
    return db.session.execute(statement, rows)


def _answer_resend(envelope: dict, stored: tuple[int, str], device_id: str) -> dict:
    ballot_id, stored_hash = stored
    if envelope["content_hash"] == stored_hash:
        return item_result(envelope["instance_id"], DUPLICATE)
    replaced_before = any(
        (c.replaced or {}).get("content_hash") == envelope["content_hash"]
        for c in db.session.scalars(select(BallotConflict).where(BallotConflict.instance_id == envelope["instance_id"]))
    )
    if not replaced_before:  # content a supervisor already replaced is not raised again
        row = {
            "ballot_id": ballot_id,
            "instance_id": envelope["instance_id"],
            "content_hash": envelope["content_hash"],
            "envelope": envelope,
            "device_id": device_id,
            "received_at": utcnow(),
        }
        _insert_ignoring_existing(BallotConflict.__table__, [row], ["instance_id", "content_hash"])
    return item_result(
        envelope["instance_id"],
        CONFLICT,
        "payload_conflict",
        "This instance id is stored with other content; the stored ballot is unchanged and the new "
        "content was kept aside for a supervisor.",
    )


def _admit(context: _Context, envelope: dict) -> dict:
    """The ballot row for an envelope, or an item result saying why it cannot be stored."""
    if envelope.get("kind", "ballot") != "ballot":
        return _error(envelope, "invalid_envelope", "Only ballots are accepted here.")
    enumerator = context.enumerator(envelope["enumerator"])
    if enumerator is None:
        return _error(envelope, "wrong_enumerator")
    version = context.form_version(envelope["form_id"], envelope["form_version"])
    if version is None:
        return _error(
            envelope,
            "unknown_form_version",
            f"No published form {envelope['form_id']!r} version {envelope['form_version']!r}.",
        )
    paradata = envelope["paradata"]
    started, completed = parse_timestamp(paradata.get("started_at")), parse_timestamp(paradata["completed_at"])
    if not version.accepts_ballot_completed_at(completed):
        return _error(envelope, "form_closed")
    assigned = context.assigned_agencies(version.round_id, enumerator) if version.round_id is not None else {}
    agency_id = assigned.get(envelope["agency"]) or context.agency_id(envelope["agency"])
    if agency_id is None:
        return _error(envelope, "unknown_agency", f"No agency with code {envelope['agency']!r}.")
    if version.round_id is not None and envelope["agency"] not in assigned:
        return _error(
            envelope,
            "not_assigned",
            f"{enumerator.username} is not assigned to {envelope['agency']} in this round.",
        )
    form = form_of(version)
    errors = [e.to_dict() for e in validate_answers(form, envelope["answers"])]
    if AGENCY_QUESTION in {q.name for q in form.questions()}:
        answered = envelope["answers"].get(AGENCY_QUESTION)
        if answered is not None and answered != envelope["agency"]:
            errors.append(
                {
                    "path": form.path_of(AGENCY_QUESTION),
                    "code": "agency_mismatch",
                    "message": f"The answer names {answered!r} but the ballot is for {envelope['agency']!r}.",
                }
            )
    if errors:
        return _error(envelope, "invalid_answers", "The answers do not satisfy the form.", errors)
    return {
        "row": {
            "instance_id": envelope["instance_id"],
            "form_version_id": version.id,
            "round_id": version.round_id,
            "agency_id": agency_id,
            "enumerator_id": enumerator.id,
            "device_id": context.device_id,
            "answers": envelope["answers"],
            "paradata": paradata,
            "content_hash": envelope["content_hash"],
            "started_at": started,
            "completed_at": completed,
            "received_at": (received := utcnow()),
            **derived_columns(version, envelope["answers"], started, completed, received),
        }
    }


def derived_columns(version: FormVersion, answers: dict, started, completed, received=None) -> dict:
    """What intake works out about a ballot once: its cleaning status and the facts re-check sampling uses."""
    settings = settings_of(version.round) if version.round is not None else DEFAULTS
    status, reason = "valid", None
    if version.round is not None:
        window = (version.round.window_start, version.round.window_end)
        status, reason = clean(answers, started, completed, window, settings, received)
    return {
        "status": status,
        "status_reason": reason,
        "duration_seconds": duration_seconds(started, completed),
        "straight_lined": straight_lined(answers, scored_names(version)),
        "contact_key": contact_key(answers, settings["contact_questions"]),
    }


def store_ballots(rows: list[dict], actor: str, on_behalf: dict[int, str] | None = None) -> set[str]:
    """Insert ballot rows (skipping ids stored meanwhile) and log each receipt; returns the inserted ids."""
    inserted = set(
        _insert_ignoring_existing(
            Ballot.__table__, rows, ["instance_id"], returning=Ballot.__table__.c.instance_id
        ).scalars()
    )
    append(
        [
            Event(
                actor,
                "ballot",
                row["instance_id"],
                "received",
                {"to": row["status"], "device": row["device_id"], **handed_over(row, actor, on_behalf)},
                row["status_reason"] or "",
            )
            for row in rows
            if row["instance_id"] in inserted
        ]
    )
    return inserted


def handed_over(row: dict, actor: str, on_behalf: dict[int, str] | None) -> dict:
    """The audit detail of a ballot sent by someone else than its enumerator (a hand-over)."""
    name = (on_behalf or {}).get(row["enumerator_id"])
    return {"on_behalf_of": name} if name and name != actor else {}


def _receive_verification(user: User, envelope: dict) -> dict:
    """A reviewer's finding through the same protocol: stored once, resends acknowledged."""
    from ..recheck.verification import record

    if user.role != REVIEWER:
        return _error(envelope, "forbidden", "Only reviewers send re-check findings.")
    if envelope["reviewer"] != user.username:
        return _error(envelope, "wrong_reviewer")
    try:
        with db.session.begin_nested():
            _, status = record(
                user,
                envelope["assignment_id"],
                envelope["outcome"],
                envelope.get("reasked"),
                envelope.get("notes", ""),
                envelope["instance_id"],
            )
    except ApiError as exc:
        if exc.code == "payload_conflict":
            return item_result(envelope["instance_id"], CONFLICT, exc.code, exc.message)
        code = exc.code if exc.code in ("not_assigned", "not_found") else "invalid_envelope"
        return _error(envelope, code, exc.message, exc.errors or None)
    return item_result(envelope["instance_id"], ACCEPTED if status == "accepted" else DUPLICATE)


def check_batch_wrapper(batch, max_items: int) -> None:
    problems = check_batch(batch, max_items)
    if not problems:
        return
    if "protocol" in problems:
        raise ApiError("unsupported_protocol", problems["protocol"][0], problems)
    if isinstance(batch, dict) and isinstance(batch.get("items"), list) and len(batch["items"]) > max_items:
        raise ApiError("batch_too_large", problems["items"][0], problems)
    raise ApiError("invalid_request", "The batch cannot be read.", problems)


def receive_batch(
    user: User, batch, max_items: int, *, versions: tuple[FormVersion, ...] = (), give_verdicts: bool = True
) -> list[dict]:
    """Answer every envelope of a batch, in order. See the module docstring for the rules.

    ``user`` needs only ``id``, ``username`` and ``role``. ``versions``: form versions the caller already
    read in this transaction (with their round), not read again. Without ``give_verdicts`` the results
    carry no verdict (OpenRosa answers have no room for one), which saves reading them back."""
    check_batch_wrapper(batch, max_items)
    context = _Context(user=user, device_id=batch["device_id"])
    for version in versions:
        if version.state != "draft":
            context.forms[(version.form_id, version.version)] = version
    items = batch["items"]
    results: list[dict | None] = [None] * len(items)
    readable: dict[int, dict] = {}
    for index, envelope in enumerate(items):
        problems = check_envelope(envelope)
        if problems:
            instance_id = envelope.get("instance_id") if isinstance(envelope, dict) else None
            results[index] = item_result(
                instance_id if isinstance(instance_id, str) and not next(lone_surrogates(instance_id), None) else None,
                REJECTED,
                "invalid_envelope",
                lookup("invalid_envelope").description,
                problems,
            )
        elif envelope.get("kind", "ballot") == "verification":
            results[index] = _receive_verification(user, envelope)
        else:
            readable[index] = envelope

    # A batch of one (each OpenRosa submission, a device's lone ballot) is nearly always new: it is admitted
    # first, and its id looked up only when admission fails (rule 2 still comes first) or the insert finds it
    # stored. A larger batch is often a resend of one whose answer was lost: all its ids are looked up first.
    lone = len(readable) == 1
    stored = {} if lone else stored_hashes({e["instance_id"] for e in readable.values()})
    rows: dict[str, dict] = {}
    later: list[int] = []  # resends of an id that appears earlier in this batch, or lost a race
    for index, envelope in readable.items():
        instance_id = envelope["instance_id"]
        if user.role not in (ENUMERATOR, *MANAGERS):
            results[index] = _error(envelope, "forbidden", "Only enumerators send ballots (or supervisors for them).")
            continue
        if instance_id in stored:
            results[index] = _answer_resend(envelope, stored[instance_id], context.device_id)
        elif instance_id in rows:
            later.append(index)
        else:
            admitted = _admit(context, envelope)
            if "row" in admitted:
                rows[instance_id] = admitted["row"]
                results[index] = item_result(instance_id, ACCEPTED)  # confirmed or replaced below
            elif lone and (found := stored_hashes({instance_id})):
                results[index] = _answer_resend(envelope, found[instance_id], context.device_id)
            else:
                results[index] = admitted

    if rows:
        on_behalf = {u.id: u.username for u in context.enumerators.values() if u is not None}
        inserted = store_ballots(list(rows.values()), user.username, on_behalf)
        for index, envelope in readable.items():
            if envelope["instance_id"] in rows and envelope["instance_id"] not in inserted:
                if results[index] and results[index]["status"] == ACCEPTED:
                    later.append(index)  # another request stored this id first
    if later:
        now_stored = stored_hashes({readable[i]["instance_id"] for i in later})
        for index in sorted(later):
            results[index] = _answer_resend(
                readable[index], now_stored[readable[index]["instance_id"]], context.device_id
            )
    if not give_verdicts:
        return results
    return with_verdicts(results, [i for i in readable if results[i]["status"] in (ACCEPTED, DUPLICATE, CONFLICT)])


def with_verdicts(results: list[dict], indexes: list[int]) -> list[dict]:
    """Add each acknowledged ballot's verdict (status after cleaning, reason, countable) to its answer."""
    found = verdicts({results[i]["instance_id"] for i in indexes})
    for index in indexes:
        verdict = found.get(results[index]["instance_id"])
        if verdict:
            results[index].update(verdict)
    return results
