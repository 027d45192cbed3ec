"""The sync wire contract, version 1: a batch of envelopes up, one result per envelope down.

A device sends ``POST /api/v1/sync/batches``::

    {"protocol": 1, "device_id": "tablet-07", "items": [<envelope>, ...]}

An envelope carries one record captured on the device. Its ``instance_id`` (a UUID) is fixed at
capture and never regenerated, so resending is always safe: the server answers each envelope with

- ``accepted``: stored now;
- ``duplicate``: the same id with the same content is already stored (acknowledge, nothing changed);
- ``conflict``: the same id with other content is stored; the stored record is untouched and the new
  content is kept aside for a supervisor (acknowledge: resending will not help);
- ``rejected``: the record can never be stored as it is (``code`` and ``errors`` say why);
- ``error``: a code from ``sync.codes`` whose action says whether to retry later.

Only the standard library and ``survey_forms`` are used, so devices can check envelopes before sending.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from survey_forms import canonical_json, content_hash
from survey_forms.canonical import lone_surrogates

PROTOCOL_VERSION = 1
MAX_ITEMS_PER_BATCH = 500
#: A ballot from an enumerator, or a re-check finding from an MTTQ or CCB reviewer.
RECORD_KINDS = ("ballot", "verification")

ACCEPTED, DUPLICATE, CONFLICT, REJECTED, ERROR = "accepted", "duplicate", "conflict", "rejected", "error"
STATUSES = (ACCEPTED, DUPLICATE, CONFLICT, REJECTED, ERROR)
#: Statuses after which the device stops sending the envelope.
FINAL_STATUSES = (ACCEPTED, DUPLICATE, CONFLICT, REJECTED)

ENVELOPE_KEYS = {
    "kind",
    "instance_id",
    "form_id",
    "form_version",
    "agency",
    "enumerator",
    "answers",
    "paradata",
    "content_hash",
}
#: ``location_start`` / ``location_end``: where the device was when the interview started and ended, only when
#: the round collects locations and the enumerator's device allowed it (a refusal leaves them out):
#: ``{"latitude": float, "longitude": float, "accuracy": float (metres), "captured_at": ISO 8601 with offset}``.
LOCATION_KEYS = ("location_start", "location_end")
PARADATA_KEYS = {"started_at", "completed_at", "app_version", "gps", *LOCATION_KEYS}
#: What a ballot's status means for the enumerator, as the sync answer and the status call give it
#: (``ballot_status``, ``status_reason`` and ``countable`` beside ``status`` in an item result).
BALLOT_VERDICT_KEYS = ("ballot_status", "status_reason", "countable")
VERIFICATION_KEYS = {
    "kind",
    "instance_id",
    "assignment_id",
    "outcome",
    "reasked",
    "notes",
    "reviewer",
    "paradata",
    "content_hash",
}
KEYS = {"ballot": ENVELOPE_KEYS, "verification": VERIFICATION_KEYS}
#: The largest whole number every party reads exactly (JavaScript's Number.MAX_SAFE_INTEGER): a larger one
#: would be hashed by the browser as another number, so it is refused with its own message.
MAX_EXACT_INTEGER = 2**53 - 1


def envelope_hash(envelope: dict) -> str:
    """SHA-256 of the canonical JSON of everything in the envelope except the hash itself."""
    return content_hash({k: v for k, v in envelope.items() if k != "content_hash"})


def make_verification(
    *,
    assignment_id: int,
    outcome: str,
    reviewer: str,
    reasked: dict | None = None,
    notes: str = "",
    paradata: dict,
    instance_id: str | None = None,
) -> dict:
    """Build a re-check finding envelope with a fresh instance id (unless given) and its content hash."""
    envelope = {
        "kind": "verification",
        "instance_id": instance_id or str(uuid.uuid4()),
        "assignment_id": assignment_id,
        "outcome": outcome,
        "reviewer": reviewer,
        "reasked": reasked or {},
        "notes": notes,
        "paradata": paradata,
    }
    envelope = json.loads(canonical_json(envelope))
    envelope["content_hash"] = envelope_hash(envelope)
    return envelope


def make_envelope(
    *,
    form_id: str,
    form_version: str,
    agency: str,
    enumerator: str,
    answers: dict,
    paradata: dict,
    instance_id: str | None = None,
    kind: str = "ballot",
) -> dict:
    """Build an envelope with a fresh instance id (unless given) and its content hash."""
    envelope = {
        "kind": kind,
        "instance_id": instance_id or str(uuid.uuid4()),
        "form_id": form_id,
        "form_version": form_version,
        "agency": agency,
        "enumerator": enumerator,
        "answers": answers,
        "paradata": paradata,
    }
    # Round-trip through canonical JSON: what is hashed is exactly what travels.
    envelope = json.loads(canonical_json(envelope))
    envelope["content_hash"] = envelope_hash(envelope)
    return envelope


@dataclass
class EnvelopeProblem:
    """Why an envelope cannot be read at all (as opposed to answers that fail the form)."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _short_string(value: Any, limit: int) -> bool:
    """A non-empty identifier of at most ``limit`` characters, none of them a control character."""
    return isinstance(value, str) and 0 < len(value) <= limit and value.isprintable()


def parse_timestamp(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 string with an offset, or None."""
    if not _short_string(value, 40):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    try:  # in UTC and a day either side (any time zone's day): year 1 early or 9999 late overflows
        utc = parsed.astimezone(UTC)
        utc - timedelta(days=1), utc + timedelta(days=1)
    except OverflowError:
        return None
    return parsed


def _number(value: Any, low: float, high: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high


def check_location(value: Any) -> list[str]:
    """Problems with one location of the paradata (empty when it is well formed)."""
    if not isinstance(value, dict):
        return ["Must be an object with latitude, longitude, accuracy and captured_at."]
    problems = [
        f"Unknown field {key!r}." for key in sorted(set(value) - {"latitude", "longitude", "accuracy", "captured_at"})
    ]
    if not _number(value.get("latitude"), -90, 90):
        problems.append("latitude must be a number from -90 to 90.")
    if not _number(value.get("longitude"), -180, 180):
        problems.append("longitude must be a number from -180 to 180.")
    if not _number(value.get("accuracy"), 0, 1e7):
        problems.append("accuracy must be a number of metres, not negative.")
    if parse_timestamp(value.get("captured_at")) is None:
        problems.append("captured_at must be an ISO 8601 timestamp with a UTC offset.")
    return problems


def check_envelope(envelope: Any) -> dict[str, list[str]]:
    """Every structural problem of one envelope (empty when it is well formed). Never raises."""
    problem = EnvelopeProblem()
    if not isinstance(envelope, dict):
        problem.add("_envelope", "An envelope must be a JSON object.")
        return problem.errors
    # First, so that no message below repeats a string that cannot be written back as UTF-8.
    for path, char in lone_surrogates(envelope):
        problem.add(path, f"Holds a lone surrogate ({char}): text must be valid Unicode (UTF-8).")
    if problem.errors:
        return problem.errors
    kind = envelope.get("kind", "ballot")
    if kind not in RECORD_KINDS:
        problem.add("kind", f"Must be one of {', '.join(RECORD_KINDS)}.")
        return problem.errors
    keys = KEYS[kind]
    for key in sorted(set(envelope) - keys):
        problem.add(key, "Unknown field.")
    for key in sorted(keys - {"kind", "notes", "reasked"} - set(envelope)):
        problem.add(key, "Missing data for required field.")
    if "instance_id" in envelope and not _is_uuid(envelope["instance_id"]):
        problem.add("instance_id", "Must be a UUID in its canonical lower-case form.")
    limits = {"form_id": 64, "form_version": 32, "agency": 32, "enumerator": 64, "outcome": 20, "reviewer": 64}
    for key, limit in limits.items():
        if key in keys and key in envelope and not _short_string(envelope[key], limit):
            problem.add(key, f"Must be a non-empty string of at most {limit} printable characters.")
    if kind == "verification":
        assignment_id = envelope.get("assignment_id")
        if "assignment_id" in envelope and (
            isinstance(assignment_id, bool) or not isinstance(assignment_id, int) or assignment_id < 1
        ):
            problem.add("assignment_id", "Must be a positive whole number.")
        if not isinstance(envelope.get("reasked", {}), dict):
            problem.add("reasked", "Must be an object keyed by question name.")
        if not isinstance(envelope.get("notes", ""), str) or len(envelope.get("notes", "")) > 2000:
            problem.add("notes", "Must be text of at most 2,000 characters.")
    if "answers" in envelope and not isinstance(envelope["answers"], dict):
        problem.add("answers", "Must be an object keyed by question name.")
    paradata = envelope.get("paradata")
    if "paradata" in envelope:
        if not isinstance(paradata, dict):
            problem.add("paradata", "Must be an object.")
        else:
            for key in sorted(set(paradata) - PARADATA_KEYS):
                problem.add(f"paradata.{key}", "Unknown field.")
            # started_at may be null: a ballot keyed in after the interview has no known duration.
            times = {key: parse_timestamp(paradata.get(key)) for key in ("started_at", "completed_at")}
            for key, value in times.items():
                if value is None and not (key == "started_at" and paradata.get(key) is None):
                    problem.add(f"paradata.{key}", "Must be an ISO 8601 timestamp with a UTC offset.")
            if None not in times.values() and times["completed_at"] < times["started_at"]:
                problem.add("paradata.completed_at", "Is before started_at.")
            for key in LOCATION_KEYS:
                if key in paradata:
                    for message in check_location(paradata[key]):
                        problem.add(f"paradata.{key}", message)
    if not problem.errors:
        for path, digits in _huge_integers(envelope):
            problem.add(path, f"Holds a {digits}-digit whole number; at most {MAX_EXACT_INTEGER:,} can travel exactly.")
    if "content_hash" in envelope and not problem.errors:
        try:
            expected = envelope_hash(envelope)
        except (ValueError, TypeError):
            problem.add("content_hash", "The envelope holds values that are not JSON (NaN, infinity).")
        else:
            if envelope["content_hash"] != expected:
                problem.add("content_hash", "Does not match the envelope's content; it was changed in transit.")
    return problem.errors


def _huge_integers(value: Any, path: str = "") -> list[tuple[str, int]]:
    """``(path, digits)`` of every whole number too large to be read exactly by every party."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [(path, len(str(abs(value))))] if abs(value) > MAX_EXACT_INTEGER else []
    if isinstance(value, dict):
        return [found for k, item in value.items() for found in _huge_integers(item, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _huge_integers(item, f"{path}[{index}]")]
    return []


def check_batch(batch: Any, max_items: int = MAX_ITEMS_PER_BATCH) -> dict[str, list[str]]:
    """Problems with the batch wrapper itself (items are checked one by one, separately)."""
    problem = EnvelopeProblem()
    if not isinstance(batch, dict):
        problem.add("_batch", "A batch must be a JSON object.")
        return problem.errors
    for key in sorted(set(batch) - {"protocol", "device_id", "items"}):
        problem.add(key, "Unknown field.")
    if batch.get("protocol") != PROTOCOL_VERSION:
        problem.add("protocol", f"This server speaks protocol {PROTOCOL_VERSION}.")
    if not _short_string(batch.get("device_id"), 100):
        problem.add("device_id", "Must be a non-empty string of at most 100 printable characters.")
    elif next(lone_surrogates(batch["device_id"]), None):
        problem.add("device_id", "Holds a lone surrogate: text must be valid Unicode (UTF-8).")
    items = batch.get("items")
    if not isinstance(items, list) or not items:
        problem.add("items", "Must be a non-empty list of envelopes.")
    elif len(items) > max_items:
        problem.add("items", f"At most {max_items} envelopes per batch; split it.")
    return problem.errors


def item_result(
    instance_id: str | None, status: str, code: str | None = None, message: str = "", errors=None, verdict=None
) -> dict:
    """One entry of the server's answer, in the order of the batch's items.

    A stored ballot's entry (accepted, duplicate, conflict) also carries its verdict after the server's
    cleaning rules: ``ballot_status`` (valid, invalid, selected, confirmed, failed ...), ``status_reason``
    (e.g. ``interview_too_short``; null when none) and ``countable`` (whether it counts for scoring now).
    Older devices ignore these fields."""
    result: dict = {"instance_id": instance_id, "status": status}
    if code:
        result["code"] = code
    if message:
        result["message"] = message
    if errors:
        result["errors"] = errors
    if verdict:
        result.update({key: verdict.get(key) for key in BALLOT_VERDICT_KEYS})
    return result
