"""Paper ballots keyed in from a CSV file: ``parsurvey ballots import FILE.csv --round ROUND --by USER``.

The file has one row per ballot and one column per question id (``survey_forms.text_answers``:
likert answers 1 to 5 or ``na``, several choices separated by spaces), plus:

``agency``
    the agency's code (or give the form's ``agency_code`` answer; if both are given they must agree);
``enumerator``, optional
    the username of the enumerator who held the interview (default: the user keying in);
``instance_id``, optional
    a UUID written on the paper ballot. Without it, the id is derived from the round, the file name,
    the line and the answers, so importing the same file again stores nothing twice.

Each ballot is checked exactly like a synced one (``survey_forms.validate_answers``, the agency
answer, the enumerator's assignment) and stored as a ``Ballot`` with device id ``paper:<file name>``.
All or nothing: one problem anywhere and no ballot of the file is stored; every problem is reported
with its line. A ballot already stored with the same content is skipped; with other content it is
an error (a supervisor decides).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from survey_forms import canonical_json, validate_answers
from survey_forms.text_answers import answers_from_text
from sync.protocol import make_envelope

from ..auth.models import User
from ..auth.roles import ENUMERATOR
from ..errors import ApiError
from ..extensions import db
from ..fieldwork.models import Assignment
from ..forms.models import FormVersion
from ..registry.models import Agency, SurveyRound
from ..timeutil import utcnow
from .intake import AGENCY_QUESTION, derived_columns, parsed_form, store_ballots, stored_hashes

META_COLUMNS = ("agency", "enumerator", "instance_id")
PAPER_NAMESPACE = uuid.UUID("5b0c1a52-5d4e-4c39-9a55-7a1f0e1d2c01")
INSERT_CHUNK = 500


@dataclass
class PaperImport:
    """What an import did: ballots stored, ballots already stored (skipped)."""

    file: str
    form_id: str
    version: str
    accepted: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)


def _form_version(survey_round: SurveyRound, form_id: str | None, version: str | None) -> FormVersion:
    query = select(FormVersion).where(FormVersion.state != "draft")
    if form_id:
        query = query.where(FormVersion.form_id == form_id)
    if version:
        query = query.where(FormVersion.version == version)
    else:
        query = query.where(FormVersion.round_id == survey_round.id)
    found = list(db.session.scalars(query.order_by(FormVersion.id)))
    if not found:
        raise ApiError("unknown_form_version", f"No published form version for round {survey_round.code}.")
    if len(found) > 1:
        names = ", ".join(f"{v.form_id} {v.version}" for v in found)
        raise ApiError("invalid_request", f"Round {survey_round.code} has several form versions ({names}); name one.")
    chosen = found[0]
    if chosen.round_id not in (None, survey_round.id):
        raise ApiError("invalid_request", f"{chosen.form_id} {chosen.version} belongs to another round.")
    if not chosen.accepts_answers:
        raise ApiError("form_closed", f"{chosen.form_id} {chosen.version} no longer accepts answers.")
    return chosen


def import_paper_ballots(
    survey_round: SurveyRound,
    data: bytes,
    filename: str,
    entered_by: User,
    *,
    form_id: str | None = None,
    version: str | None = None,
    on_row: Callable[[], None] | None = None,
) -> PaperImport:
    """Check every row of the file and store its ballots, or store none and raise ``invalid_answers``.

    ``on_row()`` (optional, e.g. a command line's progress bar) is called as each row is read."""
    stored_version = _form_version(survey_round, form_id, version)
    form = parsed_form(stored_version.content_hash, stored_version.canonical)
    questions = {q.name for q in form.questions()}
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError("invalid_request", f"{filename} is not UTF-8; save it as 'CSV UTF-8'.") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        raise ApiError("invalid_request", f"{filename} is empty.", {"file": ["No header row."]})
    if "agency" not in header and AGENCY_QUESTION not in header:
        raise ApiError("invalid_request", f"{filename} needs an 'agency' column.", {"file": ["No agency column."]})

    agencies = dict(db.session.execute(select(Agency.code, Agency.id)).all())
    surveyed = {p.agency_id for p in survey_round.participants if p.surveyed}
    users = {u.username: u for u in db.session.scalars(select(User))}
    assigned = set(
        db.session.execute(
            select(Assignment.enumerator_id, Assignment.agency_id).where(Assignment.round_id == survey_round.id)
        ).all()
    )
    result = PaperImport(filename, stored_version.form_id, stored_version.version)
    device_id = f"paper:{filename}"[:100]
    rows: dict[str, dict] = {}
    lines: dict[str, int] = {}
    envelopes: dict[str, dict] = {}

    def error(line: int, path: str, code: str, message: str) -> None:
        result.errors.append({"line": line, "path": path, "code": code, "message": message})

    for raw in reader:
        if on_row is not None:
            on_row()
        line = reader.line_num
        if None in raw:
            error(line, "", "wrong_type", "The row has more cells than the header.")
            continue
        cells = {k.strip(): v for k, v in raw.items() if k is not None}
        if not any((v or "").strip() for v in cells.values()):
            continue
        meta = {k: (cells.pop(k, None) or "").strip() for k in META_COLUMNS}
        answers, problems = answers_from_text(form, cells)
        for p in problems:
            error(line, p["path"], p["code"], p["message"])
        agency = meta["agency"] or str(answers.get(AGENCY_QUESTION) or "")
        if not agency:
            error(line, "agency", "missing_agency", "No agency on this row.")
            continue
        if AGENCY_QUESTION in questions:
            answered = answers.get(AGENCY_QUESTION)
            if answered is None:
                answers[AGENCY_QUESTION] = agency
            elif answered != agency:
                error(
                    line,
                    form.path_of(AGENCY_QUESTION),
                    "agency_mismatch",
                    f"The answer names {answered!r} but the row is for {agency!r}.",
                )
        agency_id = agencies.get(agency)
        if agency_id is None:
            error(line, "agency", "unknown_agency", f"No agency with code {agency!r}.")
            continue
        if agency_id not in surveyed:
            error(line, "agency", "not_surveyed", f"{agency} is not surveyed in round {survey_round.code}.")
        interviewer = users.get(meta["enumerator"] or entered_by.username)
        if interviewer is None:
            error(line, "enumerator", "unknown_user", f"No user {meta['enumerator']!r}.")
            continue
        if meta["enumerator"] and interviewer.role != ENUMERATOR:
            error(line, "enumerator", "not_an_enumerator", f"{interviewer.username} is a {interviewer.role}.")
        if interviewer.role == ENUMERATOR and (interviewer.id, agency_id) not in assigned:
            error(
                line, "enumerator", "not_assigned", f"{interviewer.username} is not assigned to {agency} in this round."
            )
        for e in validate_answers(form, answers):
            item = e.to_dict()
            error(line, item["path"], item["code"], item["message"])
        instance_id = meta["instance_id"]
        if instance_id:
            try:
                instance_id = str(uuid.UUID(instance_id))
            except ValueError:
                error(line, "instance_id", "wrong_type", f"{instance_id!r} is not a UUID.")
                continue
        else:
            seed = f"{survey_round.code}|{filename}|{line}|{canonical_json(answers).decode()}"
            instance_id = str(uuid.uuid5(PAPER_NAMESPACE, seed))
        if instance_id in lines:
            error(
                line,
                "instance_id",
                "duplicate_row",
                f"Instance id {instance_id} is already on line {lines[instance_id]}.",
            )
            continue
        lines[instance_id] = line
        envelope = make_envelope(
            form_id=stored_version.form_id,
            form_version=stored_version.version,
            agency=agency,
            enumerator=interviewer.username,
            answers=answers,
            paradata={"source": "paper"},
            instance_id=instance_id,
        )
        envelopes[instance_id] = envelope
        rows[instance_id] = {
            "instance_id": instance_id,
            "form_version_id": stored_version.id,
            "round_id": stored_version.round_id or survey_round.id,
            "agency_id": agency_id,
            "enumerator_id": interviewer.id,
            "device_id": device_id,
            "answers": envelope["answers"],
            "paradata": {"source": "paper", "file": filename, "line": line, "entered_by": entered_by.username},
            "content_hash": envelope["content_hash"],
            "started_at": None,
            "completed_at": None,
            "received_at": utcnow(),
            **derived_columns(stored_version, answers, None, None),
        }
    if not rows and not result.errors:
        error(1, "", "empty_file", "The file has no ballot rows.")

    stored = stored_hashes(set(rows))
    for instance_id, (_, stored_hash) in stored.items():
        if stored_hash == rows[instance_id]["content_hash"]:
            result.duplicates += 1
            del rows[instance_id]
        else:
            error(
                lines[instance_id],
                "instance_id",
                "payload_conflict",
                f"Ballot {instance_id} is already stored with other content; the stored ballot is unchanged.",
            )
    if result.errors:
        result.errors.sort(key=lambda e: e["line"])
        lines_with = len({e["line"] for e in result.errors})
        raise ApiError(
            "invalid_answers",
            f"{filename}: {len(result.errors)} problem(s) on {lines_with} line(s); no ballot was imported.",
            result.errors,
        )
    pending = list(rows.values())
    for start in range(0, len(pending), INSERT_CHUNK):
        chunk = pending[start : start + INSERT_CHUNK]
        inserted = store_ballots(chunk, entered_by.username)
        result.accepted += len(inserted)
        result.duplicates += len(chunk) - len(inserted)
    db.session.flush()
    return result
