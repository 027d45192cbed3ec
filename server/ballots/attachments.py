"""The files that answer a ballot's media questions (image, audio, video, file): stored once, read as the ballot.

A media answer is a file name (``survey_forms.answers.FILE_NAME``); the file itself arrives beside the
ballot, by OpenRosa multipart (``server.openrosa``) or by ``PUT /api/v1/ballots/<id>/attachments/<name>``
after the ballot's sync batch. Rules, the same for both ways in:

* a file must be named by a media answer of its stored ballot (``unknown_attachment`` otherwise; OpenRosa
  skips such files, as ODK Central does, since a client may leave others in the instance folder);
* at most ``ATTACHMENT_MAX_BYTES`` per file (``attachment_too_large``) and ``BALLOT_ATTACHMENTS_MAX_BYTES``
  for all the files of a ballot (``attachments_too_large``), both 413: nothing of the request is stored;
* the same name with the same bytes again is a ``duplicate`` (a resend); with other bytes it is refused as
  ``payload_conflict``, and the stored file stays: an acknowledged file never changes;
* the bytes are kept in the database (``ballot_attachments.content``) and committed with the request,
  before the answer: an acknowledged file is as durable as the ballot, and in its backups;
* the files of a conflicting resend (other content under a stored instance id, such as an ODK edit) are
  kept with its conflict (``ballot_conflict_attachments``) by the same rules, named by that content's
  answers: the stored ballot's files never change, and nothing a device sent is lost.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Table, select
from sqlalchemy.orm import undefer

from survey_forms import MEDIA_TYPES
from survey_forms.answers import FILE_NAME

from ..errors import ApiError
from ..extensions import db
from ..forms.models import FormVersion
from ..timeutil import utcnow
from .intake import _insert_ignoring_existing, form_of
from .models import Ballot, BallotAttachment, ConflictAttachment

ACCEPTED, DUPLICATE = "accepted", "duplicate"
#: What a file's declared type is stored as when it is missing or unreadable.
OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True)
class Upload:
    file_name: str
    content_type: str
    content: bytes


def check_sizes(uploads: list[Upload]) -> None:
    """Refuse a request whose files break the per-file limit, before anything of it is stored."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    for upload in uploads:
        if len(upload.content) > limit:
            raise ApiError(
                "attachment_too_large",
                f"The file {upload.file_name!r} has {len(upload.content)} bytes; at most {limit} are accepted.",
            )


def media_answers(version: FormVersion, answers: dict) -> dict[str, str]:
    """File name -> question name, for the media questions a ballot answers."""
    form = form_of(version)
    named: dict[str, str] = {}
    for question in form.questions():
        if question.type in MEDIA_TYPES and isinstance(answers.get(question.name), str):
            named.setdefault(answers[question.name], question.name)
    return named


def _content_type(declared: str | None) -> str:
    declared = (declared or "").split(";")[0].strip().lower()
    return declared if declared and len(declared) <= 100 and declared.isascii() else OCTET_STREAM


@dataclass(frozen=True)
class _Owner:
    """Where files are kept: a ballot's attachments, or a conflict's (``table`` and its owner ``column``)."""

    table: Table
    column: str
    id: int
    label: str


def store(ballot: Ballot, uploads: list[Upload], *, skip_unknown: bool = False) -> dict[str, str]:
    """Keep the files of a stored ballot; file name -> ``accepted`` or ``duplicate``. See the module rules."""
    owner = _Owner(BallotAttachment.__table__, "ballot_id", ballot.id, f"ballot {ballot.instance_id}")
    return _keep(owner, uploads, media_answers(ballot.form_version, ballot.answers), skip_unknown)


def store_for_conflict(
    conflict_id: int, instance_id: str, version: FormVersion, answers: dict, uploads: list[Upload]
) -> dict[str, str]:
    """Keep the files sent with a conflicting resend (other content under a stored instance id) with its
    conflict, named by the media answers of that content: nothing a device sent is lost, and the stored
    ballot's own files stay as they are. The same rules as a ballot's files; files no answer names are
    skipped, as for any OpenRosa submission."""
    owner = _Owner(ConflictAttachment.__table__, "conflict_id", conflict_id, f"conflict {conflict_id} of {instance_id}")
    return _keep(owner, uploads, media_answers(version, answers), skip_unknown=True)


def _keep(owner: _Owner, uploads: list[Upload], expected: dict[str, str], skip_unknown: bool) -> dict[str, str]:
    check_sizes(uploads)
    wanted = []
    for upload in uploads:
        if upload.file_name in expected and FILE_NAME.fullmatch(upload.file_name):
            wanted.append(upload)
        elif not skip_unknown:
            raise ApiError("unknown_attachment", f"No media answer of {owner.label} names this file.")
    if not wanted:
        return {}
    table, owned = owner.table, owner.table.c[owner.column] == owner.id
    stored = {
        name: (size, sha)
        for name, size, sha in db.session.execute(select(table.c.file_name, table.c.size, table.c.sha256).where(owned))
    }
    outcome: dict[str, str] = {}
    rows = []
    total = sum(size for size, _ in stored.values())
    for upload in wanted:
        digest = hashlib.sha256(upload.content).hexdigest()
        if upload.file_name in stored or upload.file_name in outcome:
            known = stored.get(upload.file_name) or next(
                (len(r["content"]), r["sha256"]) for r in rows if r["file_name"] == upload.file_name
            )
            if known[1] != digest:
                raise ApiError(
                    "payload_conflict",
                    f"The file {upload.file_name!r} of {owner.label} is stored with other content.",
                )
            outcome[upload.file_name] = DUPLICATE
            continue
        total += len(upload.content)
        rows.append(
            {
                owner.column: owner.id,
                "question": expected[upload.file_name],
                "file_name": upload.file_name,
                "content_type": _content_type(upload.content_type),
                "size": len(upload.content),
                "sha256": digest,
                "content": upload.content,
            }
        )
        outcome[upload.file_name] = ACCEPTED
    limit = current_app.config["BALLOT_ATTACHMENTS_MAX_BYTES"]
    if total > limit:
        raise ApiError(
            "attachments_too_large",
            f"The files of {owner.label} would total {total} bytes; at most {limit} are accepted.",
        )
    if rows:
        now = utcnow()
        inserted = set(
            _insert_ignoring_existing(
                table, [{**row, "received_at": now} for row in rows], [owner.column, "file_name"], table.c.file_name
            ).scalars()
        )
        raced = [row for row in rows if row["file_name"] not in inserted]
        if raced:  # stored by a concurrent resend meanwhile: the same bytes are a duplicate
            again = dict(
                db.session.execute(
                    select(table.c.file_name, table.c.sha256).where(
                        owned, table.c.file_name.in_([row["file_name"] for row in raced])
                    )
                ).all()
            )
            for row in raced:
                if again.get(row["file_name"]) != row["sha256"]:
                    raise ApiError("payload_conflict", f"The file {row['file_name']!r} is stored with other content.")
                outcome[row["file_name"]] = DUPLICATE
    return outcome


def listed(ballot: Ballot) -> tuple[list[dict], list[str]]:
    """The stored files of a ballot (without their bytes) and the file names its answers still await."""
    rows = db.session.execute(
        select(
            BallotAttachment.question,
            BallotAttachment.file_name,
            BallotAttachment.content_type,
            BallotAttachment.size,
            BallotAttachment.sha256,
        )
        .where(BallotAttachment.ballot_id == ballot.id)
        .order_by(BallotAttachment.id)
    ).all()
    files = [row._asdict() for row in rows]
    have = {f["file_name"] for f in files}
    return files, sorted(name for name in media_answers(ballot.form_version, ballot.answers) if name not in have)


def content_of(ballot: Ballot, file_name: str) -> BallotAttachment:
    found = db.session.scalar(
        select(BallotAttachment)
        .where(BallotAttachment.ballot_id == ballot.id, BallotAttachment.file_name == file_name)
        .options(undefer(BallotAttachment.content))
    )
    if found is None:
        raise ApiError("not_found", f"Ballot {ballot.instance_id} has no file {file_name!r}.")
    return found
