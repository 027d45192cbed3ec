"""OpenRosa use cases: the forms a user may fill, their XForms, and a submission through the sync intake.

A submission becomes one protocol-1 ballot envelope and goes through ``server.ballots.intake`` like any
synced ballot, so it is validated, deduplicated, checked against the enumerator's assignments, cleaned
and audited by the same code. Identity: the instance's ``uuid:`` instanceID is the ballot's instance id.
An ODK edit (a new instanceID with ``deprecatedID``) is the same ballot with other content: it is kept
aside as a conflict for a supervisor, and its instanceID remembered as an alias of the ballot, so an edit
of an edit leads to the same ballot. A resend of an instance already stored is a success that stores
nothing; other content under a stored id is a conflict (202, kept aside), never a silent overwrite.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache, lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer, joinedload

from survey_forms.xform import Instance, InstanceError, form_to_xform, parse_instance, read_instance
from sync.protocol import PROTOCOL_VERSION, make_envelope

from ..auth.models import User
from ..ballots import attachments
from ..ballots.intake import form_of, parsed_form, receive_batch
from ..ballots.models import Ballot, BallotConflict
from ..errors import ApiError
from ..extensions import db
from ..fieldwork.models import Assignment
from ..forms import service as forms
from ..forms.models import FormVersion
from ..registry.models import Agency
from .models import InstanceAlias


@dataclass(frozen=True)
class Outcome:
    """What to answer the client: the item status of the intake (or an error code) and its message."""

    status: str
    code: str | None = None
    message: str = ""
    errors: object = None


def user_agencies(user: User, version: FormVersion) -> list[tuple[str, str]]:
    """The agencies ``user`` is assigned to in the version's round, as ``(code, name)``, by code."""
    if version.round_id is None:
        rows = db.session.execute(select(Agency.code, Agency.name).order_by(Agency.code))
    else:
        rows = db.session.execute(
            select(Agency.code, Agency.name)
            .join(Assignment, Assignment.agency_id == Agency.id)
            .where(Assignment.round_id == version.round_id, Assignment.enumerator_id == user.id)
            .order_by(Agency.code)
        )
    return [(code, name) for code, name in rows]


@lru_cache(maxsize=256)
def _xform(content_hash: str, canonical: str, agencies: tuple[tuple[str, str], ...]) -> bytes:
    return form_to_xform(parsed_form(content_hash, canonical), list(agencies)).encode("utf-8")


def xform(user: User, version: FormVersion) -> bytes:
    """The XForm of a version for this user (its agency list is the user's assignments)."""
    return _xform(version.content_hash, version.canonical, tuple(user_agencies(user, version)))


def fillable(user: User) -> list[tuple[FormVersion, bytes]]:
    """The versions ``user`` may fill, each with its XForm."""
    return [(version, xform(user, version)) for version in forms.fillable_versions()]


def md5_hash(document: bytes) -> str:
    return "md5:" + hashlib.md5(document, usedforsecurity=False).hexdigest()


@cache
def _version_query():
    """Built once, as every submission asks it: building it and its cache key cost as much as reading it."""
    return (
        select(FormVersion)
        .options(joinedload(FormVersion.round), defer(FormVersion.canonical))
        .where(FormVersion.form_id == bindparam("form_id"), FormVersion.version == bindparam("version"))
    )


def fillable_version(form_id: str, version: str) -> FormVersion:
    stored = db.session.scalar(_version_query(), {"form_id": form_id, "version": version})
    if stored is None or stored.state == "draft":  # a closed one is answered form_closed by the intake
        raise ApiError("unknown_form_version", f"No published form {form_id!r} version {version!r}.")
    return stored


def _ballot_id(instance: Instance) -> str:
    """The ballot an instance belongs to: itself, or (for an edit) the ballot its deprecatedID leads to.

    Only an edit has an alias, and an edit (its resends included: the same document) always carries its
    deprecatedID, so an instance without one is its own ballot without asking the database."""
    if instance.deprecated_id is None:
        return instance.instance_id
    own = db.session.get(InstanceAlias, instance.instance_id)
    if own is not None:
        return own.ballot_instance_id
    edited = db.session.get(InstanceAlias, instance.deprecated_id)
    root = edited.ballot_instance_id if edited is not None else instance.deprecated_id
    db.session.add(InstanceAlias(instance_id=instance.instance_id, ballot_instance_id=root))
    db.session.flush()
    return root


def _conflict_of(instance_id: str, content_hash: str) -> int:
    """The conflict that keeps this content of a stored instance: the one raised for it, or (content a
    supervisor has since replaced by a resend's, so not raised again) the one whose resolution replaced it."""
    conflicts = db.session.execute(
        select(BallotConflict.id, BallotConflict.content_hash, BallotConflict.replaced).where(
            BallotConflict.instance_id == instance_id
        )
    ).all()
    raised = [row.id for row in conflicts if row.content_hash == content_hash]
    replaced = [row.id for row in conflicts if (row.replaced or {}).get("content_hash") == content_hash]
    return (raised or replaced)[0]


@dataclass(frozen=True)
class Caller:
    """Who submits, as the intake needs them (from the request's principal: no user row to read)."""

    id: int
    username: str
    role: str


def receive(user: Caller, data: bytes, files: list[attachments.Upload] = ()) -> Outcome:
    """Take one submitted instance (the ``xml_submission_file``) and the files beside it.

    Files go with an acknowledged ballot (accepted, or a resend: ODK Collect splits a large submission into
    several POSTs of the same instance, each with some of its files and ``*isIncomplete*``, so each part is
    a duplicate of the first carrying more files). Limits and resend rules: ``server.ballots.attachments``;
    a file too large raises before anything is stored."""
    attachments.check_sizes(list(files))
    try:
        root = parse_instance(data)
        form_id, version_name = root.get("id") or "", root.get("version") or ""
        version = fillable_version(form_id, version_name)
        instance = read_instance(form_of(version), root)
    except InstanceError as exc:
        return Outcome("error", "invalid_envelope", f"The submission cannot be read: {exc}")
    except ApiError as exc:
        return Outcome("error", exc.code, exc.message)
    times = instance.meta
    completed = times.get("end") or times.get("start")
    if not completed:
        return Outcome("error", "invalid_envelope", "The submission has neither an end nor a start time.")
    if not instance.agency:
        return Outcome("rejected", "invalid_answers", "Choose the agency the ballot is for.")
    envelope = make_envelope(
        form_id=form_id,
        form_version=version_name,
        agency=instance.agency,
        enumerator=user.username,
        answers=instance.answers,
        paradata={"started_at": times.get("start") or None, "completed_at": completed, "app_version": "openrosa"},
        instance_id=_ballot_id(instance),
    )
    device = (times.get("deviceid") or "openrosa")[:64]
    batch = {"protocol": PROTOCOL_VERSION, "device_id": device, "items": [envelope]}
    result = receive_batch(user, batch, 1, versions=(version,), give_verdicts=False)[0]
    if files and result["status"] in ("accepted", "duplicate"):
        ballot = db.session.scalar(select(Ballot).where(Ballot.instance_id == envelope["instance_id"]))
        attachments.store(ballot, list(files), skip_unknown=True)
    elif files and result["status"] == "conflict":
        conflict_id = _conflict_of(envelope["instance_id"], envelope["content_hash"])
        attachments.store_for_conflict(conflict_id, envelope["instance_id"], version, instance.answers, list(files))
    return Outcome(result["status"], result.get("code"), result.get("message", ""), result.get("errors"))
