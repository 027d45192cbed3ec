"""The device's durable outbox: forms it has downloaded and every ballot it captured, in SQLite.

A ballot is validated against the exact form version and written in one transaction at capture, with the
files its media answers name (table ``attachments``), so it exists whole or not at all; from then on only
its delivery state changes. States:

    pending ──accepted / duplicate / conflict──▶ acknowledged
    pending ──rejected, or an error whose action is not "retry"──▶ rejected
    pending ──transport failure, 5xx, or an error whose action is "retry"──▶ pending (later, with backoff)

A file is sent after its ballot is acknowledged (``PUT /api/v1/ballots/<id>/attachments/<name>``) and
stays ``pending`` until the server answers it stored (``sent``; a resend of the same bytes is answered
the same) or refuses it for good (``refused``, with the reason: too large, not named by the answers).

Nothing here talks to the network, so the state machine is tested without one (see ``sync.client``).
Standard library and ``survey_forms`` only.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from survey_forms import MEDIA_TYPES, Form, content_hash, validate_answers

from .codes import ERROR_CODES, Action
from .protocol import (
    ACCEPTED,
    BALLOT_VERDICT_KEYS,
    CONFLICT,
    DUPLICATE,
    ERROR,
    REJECTED,
    check_envelope,
    make_envelope,
    make_verification,
)

PENDING, ACKNOWLEDGED, REJECTED_STATE = "pending", "acknowledged", "rejected"
STATES = (PENDING, ACKNOWLEDGED, REJECTED_STATE)

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS forms (
    form_id TEXT NOT NULL,
    version TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    definition TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);
CREATE TABLE IF NOT EXISTS outbox (
    instance_id TEXT PRIMARY KEY,
    envelope TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'acknowledged', 'rejected')),
    result TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    captured_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS attachments (
    instance_id TEXT NOT NULL REFERENCES outbox (instance_id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'refused')),
    result TEXT,
    PRIMARY KEY (instance_id, file_name)
);
"""


class CaptureError(ValueError):
    """The answers fail the form; ``errors`` lists every problem (nothing was stored)."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} answer error(s): " + "; ".join(f"{e['path']}: {e['code']}" for e in errors))
        self.errors = errors


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits a random time in [d/2, d], d = min(cap, base·2ⁿ)."""

    base: float = 5.0
    cap: float = 3600.0

    def delay(self, attempts: int, rng: random.Random) -> float:
        ceiling = min(self.cap, self.base * 2 ** min(attempts, 30))
        return rng.uniform(ceiling / 2, ceiling)


class Outbox:
    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        backoff: Backoff = Backoff(),
    ):
        self.path = str(path)
        self.clock = clock
        self.rng = rng or random.Random()
        self.backoff = backoff
        # One Outbox is used by one thread at a time, but not always the thread that opened it.
        self.connection = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
        self.connection.executescript(SCHEMA)

    def close(self) -> None:
        self.connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    # Settings -----------------------------------------------------------------------------------

    def set(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.connection.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    # Forms ----------------------------------------------------------------------------------------

    def save_form(self, definition_text: str) -> Form:
        """Store a downloaded definition (the server's canonical JSON); returns the parsed form."""
        form = Form.from_dict(json.loads(definition_text))
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO forms VALUES (?, ?, ?, ?, ?) ON CONFLICT (form_id, version) DO UPDATE SET "
                "content_hash = excluded.content_hash, definition = excluded.definition, "
                "fetched_at = excluded.fetched_at",
                (form.form_id, form.version, form.content_hash, definition_text, _now_iso()),
            )
        return form

    def form_hash(self, form_id: str, version: str) -> str | None:
        row = self.connection.execute(
            "SELECT content_hash FROM forms WHERE form_id = ? AND version = ?", (form_id, version)
        ).fetchone()
        return row[0] if row else None

    def form(self, form_id: str, version: str) -> Form:
        row = self.connection.execute(
            "SELECT definition FROM forms WHERE form_id = ? AND version = ?", (form_id, version)
        ).fetchone()
        if row is None:
            raise KeyError(f"form {form_id} version {version} is not on this device; run 'forms pull'")
        return Form.from_dict(json.loads(row[0]))

    def forms(self) -> list[tuple[str, str, str]]:
        return self.connection.execute("SELECT form_id, version, content_hash FROM forms ORDER BY 1, 2").fetchall()

    # Capture --------------------------------------------------------------------------------------

    def capture(
        self,
        *,
        form_id: str,
        version: str,
        agency: str,
        enumerator: str,
        answers: dict,
        started_at: str | None = None,
        completed_at: str | None = None,
        app_version: str = "parsurvey-device",
        gps: dict | None = None,
        instance_id: str | None = None,
        files: dict[str, tuple[str, bytes]] | None = None,
    ) -> str:
        """Validate against the stored form version and store the ballot atomically, with ``files`` (file
        name -> (content type, bytes)) for its media answers; return its id."""
        form = self.form(form_id, version)
        errors = [e.to_dict() for e in validate_answers(form, answers)]
        named = {answers.get(q.name) for q in form.questions() if q.type in MEDIA_TYPES}
        for name in sorted(set(files or {}) - named):
            errors.append({"path": name, "code": "unknown_attachment", "message": "no media answer names this file"})
        for question in form.questions():
            if (
                question.type in MEDIA_TYPES
                and answers.get(question.name)
                and answers[question.name] not in (files or {})
            ):
                errors.append(
                    {"path": form.path_of(question.name), "code": "missing_file", "message": "the file is not given"}
                )
        if errors:
            raise CaptureError(errors)
        now = _now_iso()
        paradata = {
            "started_at": started_at,  # None when keyed in after the interview: no known duration
            "completed_at": completed_at or now,
            "app_version": app_version,
        }
        if gps is not None:
            paradata["gps"] = gps
        envelope = make_envelope(
            form_id=form_id,
            form_version=version,
            agency=agency,
            enumerator=enumerator,
            answers=answers,
            paradata=paradata,
            instance_id=instance_id,
        )
        with self.transaction() as conn:
            existing = conn.execute(
                "SELECT envelope FROM outbox WHERE instance_id = ?", (envelope["instance_id"],)
            ).fetchone()
            if existing is not None:
                if json.loads(existing[0])["content_hash"] != envelope["content_hash"]:
                    raise ValueError(f"instance {envelope['instance_id']} was captured already with other content")
                return envelope["instance_id"]
            conn.execute(
                "INSERT INTO outbox (instance_id, envelope, state, captured_at) VALUES (?, ?, 'pending', ?)",
                (envelope["instance_id"], json.dumps(envelope, ensure_ascii=False), now),
            )
            conn.executemany(
                "INSERT INTO attachments (instance_id, file_name, content_type, content) VALUES (?, ?, ?, ?)",
                [(envelope["instance_id"], name, kind, content) for name, (kind, content) in (files or {}).items()],
            )
        return envelope["instance_id"]

    def record_verification(
        self,
        *,
        assignment_id: int,
        outcome: str,
        reviewer: str,
        reasked: dict | None = None,
        notes: str = "",
        started_at: str | None = None,
        instance_id: str | None = None,
    ) -> str:
        """Store a reviewer's re-check finding for delivery, like a ballot (the server checks it)."""
        now = _now_iso()
        envelope = make_verification(
            assignment_id=assignment_id,
            outcome=outcome,
            reviewer=reviewer,
            reasked=reasked,
            notes=notes,
            paradata={"started_at": started_at or now, "completed_at": now, "app_version": "parsurvey-device"},
            instance_id=instance_id,
        )
        problems = check_envelope(envelope)
        if problems:
            raise CaptureError([{"path": k, "code": "invalid", "message": "; ".join(v)} for k, v in problems.items()])
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO outbox (instance_id, envelope, state, captured_at) VALUES (?, ?, 'pending', ?) "
                "ON CONFLICT (instance_id) DO NOTHING",
                (envelope["instance_id"], json.dumps(envelope, ensure_ascii=False), now),
            )
        return envelope["instance_id"]

    # Delivery -------------------------------------------------------------------------------------

    def due(self, limit: int) -> list[dict]:
        """Pending envelopes whose next attempt is due, oldest capture first."""
        rows = self.connection.execute(
            "SELECT envelope FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? "
            "ORDER BY captured_at, instance_id LIMIT ?",
            (self.clock(), limit),
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def defer(self, instance_ids: list[str], reason: dict) -> None:
        """The batch did not get through (or the server said retry): try each again later, with backoff."""
        with self.transaction() as conn:
            for instance_id in instance_ids:
                attempts = conn.execute(
                    "SELECT attempts FROM outbox WHERE instance_id = ? AND state = 'pending'", (instance_id,)
                ).fetchone()
                if attempts is None:
                    continue
                wait = self.backoff.delay(attempts[0], self.rng)
                conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, result = ? WHERE instance_id = ?",
                    (self.clock() + wait, json.dumps(reason, ensure_ascii=False), instance_id),
                )

    def apply_results(self, sent: list[dict], results: list[dict]) -> dict[str, int]:
        """Record the server's answer for each sent envelope, all in one transaction; return counts."""
        if len(results) != len(sent) or any(
            r.get("instance_id") != e["instance_id"] for r, e in zip(results, sent, strict=False)
        ):
            raise ValueError("the server's results do not match the batch that was sent")
        counts: dict[str, int] = {}
        retry: list[tuple[str, dict]] = []
        with self.transaction() as conn:
            for envelope, result in zip(sent, results, strict=True):
                status = result.get("status")
                counts[status] = counts.get(status, 0) + 1
                if status in (ACCEPTED, DUPLICATE, CONFLICT):
                    state = ACKNOWLEDGED
                elif status == REJECTED:
                    state = REJECTED_STATE
                elif status == ERROR and self._retryable(result.get("code")):
                    retry.append((envelope["instance_id"], result))
                    continue
                else:
                    state = REJECTED_STATE
                conn.execute(
                    "UPDATE outbox SET state = ?, result = ?, finished_at = ? "
                    "WHERE instance_id = ? AND state = 'pending'",
                    (state, json.dumps(result, ensure_ascii=False), _now_iso(), envelope["instance_id"]),
                )
        for instance_id, result in retry:
            self.defer([instance_id], result)
        return counts

    def due_attachments(self) -> list[tuple[str, str, str, bytes]]:
        """Files still to send whose ballot the server has acknowledged: (instance id, name, type, bytes)."""
        return self.connection.execute(
            "SELECT a.instance_id, a.file_name, a.content_type, a.content FROM attachments a "
            "JOIN outbox o ON o.instance_id = a.instance_id "
            "WHERE a.state = 'pending' AND o.state = 'acknowledged' ORDER BY o.captured_at, a.instance_id, a.file_name"
        ).fetchall()

    def settle_attachment(self, instance_id: str, file_name: str, state: str, result: dict) -> None:
        """Record the server's answer to a file: ``sent`` (stored, now or before) or ``refused`` for good."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE attachments SET state = ?, result = ? WHERE instance_id = ? AND file_name = ?",
                (state, json.dumps(result, ensure_ascii=False), instance_id, file_name),
            )

    def attachment_counts(self) -> dict[str, int]:
        counts = {"pending": 0, "sent": 0, "refused": 0}
        counts.update(self.connection.execute("SELECT state, count(*) FROM attachments GROUP BY state").fetchall())
        return counts

    @staticmethod
    def _retryable(code: str | None) -> bool:
        entry = ERROR_CODES.get(code or "")
        return entry is None or entry.action == Action.RETRY

    # Status ---------------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        counts.update(self.connection.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
        return counts

    def conflicts(self) -> int:
        return self.connection.execute(
            "SELECT count(*) FROM outbox WHERE state = 'acknowledged' AND json_extract(result, '$.status') = 'conflict'"
        ).fetchone()[0]

    def rejections(self) -> list[dict]:
        rows = self.connection.execute(
            "SELECT instance_id, result FROM outbox WHERE state = 'rejected' ORDER BY finished_at"
        ).fetchall()
        return [{"instance_id": i, **json.loads(r)} for i, r in rows]

    def acknowledged_ballots(self) -> list[str]:
        """Ids of the ballots the server has acknowledged (their verdict may change later: re-check, quarantine)."""
        rows = self.connection.execute(
            "SELECT instance_id, envelope FROM outbox WHERE state = 'acknowledged' ORDER BY captured_at, instance_id"
        ).fetchall()
        return [i for i, e in rows if json.loads(e).get("kind", "ballot") == "ballot"]

    def update_verdicts(self, found: list[dict]) -> int:
        """Store the server's verdicts of acknowledged ballots (``POST /api/v1/sync/status``); returns how many."""
        changed = 0
        with self.transaction() as conn:
            for verdict in found:
                row = conn.execute(
                    "SELECT result FROM outbox WHERE instance_id = ? AND state = 'acknowledged'",
                    (verdict.get("instance_id"),),
                ).fetchone()
                if row is None:
                    continue
                result = {**json.loads(row[0] or "{}"), **{k: verdict.get(k) for k in BALLOT_VERDICT_KEYS}}
                conn.execute(
                    "UPDATE outbox SET result = ? WHERE instance_id = ?",
                    (json.dumps(result, ensure_ascii=False), verdict["instance_id"]),
                )
                changed += 1
        return changed

    def ballots(self) -> list[dict]:
        """Every record on the device with what it means now (see :func:`verdict_of`), oldest first."""
        rows = self.connection.execute(
            "SELECT instance_id, envelope, state, result, captured_at FROM outbox ORDER BY captured_at, instance_id"
        ).fetchall()
        listed = []
        for instance_id, envelope_text, state, result_text, captured_at in rows:
            envelope = json.loads(envelope_text)
            result = json.loads(result_text) if result_text else {}
            listed.append(
                {
                    "instance_id": instance_id,
                    "kind": envelope.get("kind", "ballot"),
                    "agency": envelope.get("agency"),
                    "captured_at": captured_at,
                    "state": state,
                    "verdict": verdict_of(state, result),
                    "reason": result.get("status_reason") or result.get("code"),
                    "result": result,
                }
            )
        return listed

    def envelope(self, instance_id: str) -> tuple[dict, str]:
        row = self.connection.execute(
            "SELECT envelope, state FROM outbox WHERE instance_id = ?", (instance_id,)
        ).fetchone()
        if row is None:
            raise KeyError(instance_id)
        return json.loads(row[0]), row[1]


#: What a record on the device means for its enumerator; the web app shows the same six.
VERDICTS = ("waiting", "countable", "not_countable", "sent", "rejected", "conflict")


def verdict_of(state: str, result: dict) -> str:
    """``waiting`` (not yet acknowledged), ``rejected``, ``conflict`` (kept aside for a supervisor),
    ``countable`` or ``not_countable`` (the server's verdict: ``status_reason`` says why), or ``sent`` when
    the server gave no verdict (an older server, or a re-check finding)."""
    if state == PENDING:
        return "waiting"
    if state == REJECTED_STATE:
        return "rejected"
    if result.get("status") == CONFLICT:
        return "conflict"
    if result.get("countable") is True:
        return "countable"
    if result.get("countable") is False:
        return "not_countable"
    return "sent"


def form_hash_of(definition_text: str) -> str:
    """The content hash a downloaded definition must have (the server's canonical JSON is hashed as is)."""
    return content_hash(json.loads(definition_text))
