"""Use cases for questionnaire versions. They flush but never commit (see ``server.transaction``)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from survey_forms import Form, FormDefinitionError, canonical_json, form_from_xlsform

from ..auth.roles import MANAGERS
from ..caching import FORMS, forget_when_committed, worker_cache
from ..errors import ApiError
from ..extensions import db
from ..registry.service import get_round, require_open
from ..timeutil import utcnow
from .models import FormVersion

T = TypeVar("T")


def parse_definition(definition: dict) -> Form:
    try:
        return Form.from_dict(definition)
    except FormDefinitionError as exc:
        raise ApiError("invalid_form", "The form definition is not valid.", exc.errors) from exc


def parse_xlsform(data: bytes, filename: str, warnings: list[dict] | None = None) -> Form:
    """The form of an XLSForm; what it holds without effect in parsurvey is appended to ``warnings``."""
    try:
        return form_from_xlsform(io.BytesIO(data), filename=filename, warnings=warnings)
    except FormDefinitionError as exc:
        unsupported = any(e.get("code") == "unsupported_construct" for e in exc.errors)
        code = "unsupported_construct" if unsupported else "invalid_form"
        raise ApiError(code, "The XLSForm cannot be imported.", exc.errors) from exc


def find_version(form_id: str, version: str) -> FormVersion | None:
    return db.session.scalar(select(FormVersion).where(FormVersion.form_id == form_id, FormVersion.version == version))


def version_hash(form_id: str, version: str, role: str) -> str:
    """The content hash of a version this role may download (drafts: managers only).

    Each worker remembers a version's state and hash for a few seconds (``server.caching``); unknown
    versions are not remembered, so an upload is downloadable at once.
    """

    def lookup():
        row = db.session.execute(
            select(FormVersion.state, FormVersion.content_hash).where(
                FormVersion.form_id == form_id, FormVersion.version == version
            )
        ).first()
        if row is None:
            raise ApiError("unknown_form_version", f"No form {form_id!r} version {version!r}.")
        return tuple(row)

    state, content_hash = worker_cache(FORMS).get_or_compute(("version", form_id, version), lookup)
    if state == "draft" and role not in MANAGERS:
        raise ApiError("unknown_form_version", f"No form {form_id!r} version {version!r}.")
    return content_hash


def listing(role: str, state: str | None, serialize: Callable[[list[FormVersion]], T]) -> T:
    """The serialized list of versions this role sees. For field roles each worker remembers it for a few
    seconds: devices ask for it on every sync, and it changes only when a version is uploaded, published or
    closed (which makes this worker forget it at once) or a round closes. Admins and supervisors always read
    it fresh, so the console shows their own upload or publication at once, whichever worker answers."""
    sees_all = role in MANAGERS
    if sees_all:
        return serialize(all_versions(state))
    return worker_cache(FORMS).get_or_compute(("listing", state), lambda: serialize(fillable_versions()))


def _changed() -> None:
    forget_when_committed(FORMS)


@lru_cache(maxsize=256)
def canonical_by_hash(content_hash: str) -> str:
    """The canonical JSON with this hash. Content with a given sha256 never changes, so each worker
    keeps the texts it has served and answers later downloads without reading them again."""
    text = db.session.scalar(select(FormVersion.canonical).where(FormVersion.content_hash == content_hash).limit(1))
    if text is None:
        raise ApiError("unknown_form_version", "No form version has this content.")
    return text


def save_draft(form: Form, round_code: str | None = None) -> tuple[FormVersion, bool]:
    """Store a form as a draft. Returns (version, created).

    Re-uploading identical content is a no-op whatever the state. Different content under a version
    that is already published or closed is a conflict: a published version never changes.
    """
    content = canonical_json(form.to_dict())
    content_hash = form.content_hash
    survey_round = get_round(round_code) if round_code else None
    existing = find_version(form.form_id, form.version)
    if existing is not None:
        if existing.content_hash == content_hash:
            return existing, False
        if existing.state != "draft":
            raise ApiError(
                "form_version_conflict",
                f"Form {form.form_id!r} version {form.version!r} is {existing.state} with other content "
                f"(hash {existing.content_hash[:12]}…); give the changed form a new version.",
            )
        existing.canonical = content.decode()
        existing.content_hash = content_hash
        existing.title = form.title
        existing.round = survey_round or existing.round
        db.session.flush()
        _changed()
        return existing, False
    stored = FormVersion(
        form_id=form.form_id,
        version=form.version,
        title=form.title,
        content_hash=content_hash,
        canonical=content.decode(),
        round=survey_round,
    )
    db.session.add(stored)
    db.session.flush()
    _changed()
    return stored, True


def publish(form_id: str, version: str, round_code: str | None = None, *, for_testing: bool = False) -> FormVersion:
    """Publish a draft, into a round. A version with no round can be filled by nobody's assignments, so
    publishing one is refused (``form_without_round``) unless it is marked as for testing only."""
    stored = find_version(form_id, version)
    if stored is None:
        raise ApiError("unknown_form_version", f"No form {form_id!r} version {version!r}.")
    if round_code:
        survey_round = get_round(round_code)
        if stored.state != "draft" and stored.round_id not in (None, survey_round.id):
            raise ApiError("state_conflict", "A published version cannot move to another round.")
        stored.round = survey_round
    if stored.round is not None:
        require_open(stored.round)
    if stored.state == "closed":
        raise ApiError("form_closed", f"Form {form_id!r} version {version!r} is closed.")
    if stored.state == "draft" and stored.round is None and not for_testing:
        raise ApiError(
            "form_without_round",
            "A form version that belongs to no round cannot be filled; publish it into a round.",
            {"round": ["Tick 'for testing only' to publish a version that belongs to no round."]},
        )
    if stored.state == "draft":
        stored.state = "published"
        stored.published_at = utcnow()
    db.session.flush()
    _changed()
    return stored


def close(form_id: str, version: str) -> FormVersion:
    stored = find_version(form_id, version)
    if stored is None:
        raise ApiError("unknown_form_version", f"No form {form_id!r} version {version!r}.")
    if stored.state == "draft":
        raise ApiError("state_conflict", "A draft has never been published; delete or publish it instead.")
    if stored.state == "published":
        stored.state = "closed"
        stored.closed_at = utcnow()
        db.session.flush()
        _changed()
    return stored


def all_versions(state: str | None = None) -> list[FormVersion]:
    # A listing never needs the definitions themselves (tens of kB each): leave them in the database.
    query = (
        select(FormVersion)
        .options(joinedload(FormVersion.round), defer(FormVersion.canonical))
        .order_by(FormVersion.form_id, FormVersion.id)
    )
    if state:
        query = query.where(FormVersion.state == state)
    return list(db.session.scalars(query))


def fillable_versions() -> list[FormVersion]:
    """The versions field roles may fill: published, in an open round or none."""
    return [v for v in all_versions("published") if v.accepts_answers]


def load_form(stored: FormVersion) -> Form:
    """The survey_forms model of a stored version (used to validate answers against it)."""
    return Form.from_dict(json.loads(stored.canonical))


def check_answers(form_id: str, version: str, answers) -> list[dict]:
    """Every problem of a test ballot against a stored version (draft or published); nothing is stored.
    The console's preview sends the ballot it filled, to see what the server would say."""
    from survey_forms import validate_answers

    stored = find_version(form_id, version)
    if stored is None:
        raise ApiError("unknown_form_version", f"No form {form_id!r} version {version!r}.")
    if not isinstance(answers, dict):
        raise ApiError("invalid_request", "The answers must be an object.", {"answers": ["Not a valid mapping type."]})
    return [e.to_dict() for e in validate_answers(load_form(stored), answers)]
