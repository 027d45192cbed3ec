"""Cleaning rules: does a received ballot count as valid? Pure functions of the ballot and settings."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

#: The reasons ``clean`` gives, in the order it checks them (the web app checks the same at capture,
#: server/web/static/rules.js, and shows the same texts; a browser test runs both on the same cases).
CLEANING_REASONS = (
    "interview_after_receipt",
    "interview_before_window",
    "result_date_outside_window",
    "result_after_interview",
    "interview_too_short",
)

#: How far a device's clock may run ahead of the server's before an interview counts as dated after its
#: receipt (a phone's clock set by hand, a time zone slip): a day.
CLOCK_TOLERANCE = timedelta(days=1)


def _parse_date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def clean(
    answers: dict,
    started_at: datetime | None,
    completed_at: datetime | None,
    window: tuple[date, date],
    settings: dict,
    received_at: datetime | None = None,
) -> tuple[str, str | None]:
    """Return ``("valid", None)`` or ``("invalid", reason_code)`` for the first rule a ballot breaks.

    - ``interview_after_receipt``: the interview is dated after the server received it (more than
      :data:`CLOCK_TOLERANCE` later: a device clock set to 2099 says nothing true about the interview);
    - ``interview_before_window``: the interview is dated before the round's survey window opens;
    - ``result_date_outside_window``: the procedure's result was received outside the survey window;
    - ``result_after_interview``: the result date is after the interview (the respondent cannot have used it);
    - ``interview_too_short``: the interview lasted less than ``min_interview_seconds``.
    """
    stamps = [stamp for stamp in (started_at, completed_at) if stamp is not None]
    if received_at is not None and any(stamp > received_at + CLOCK_TOLERANCE for stamp in stamps):
        return "invalid", "interview_after_receipt"
    if any(stamp.date() < window[0] for stamp in stamps):
        return "invalid", "interview_before_window"
    result_date = _parse_date(answers.get("result_date"))
    if result_date is not None:
        if not window[0] <= result_date <= window[1]:
            return "invalid", "result_date_outside_window"
        if completed_at is not None and result_date > completed_at.date():
            return "invalid", "result_after_interview"
    duration = duration_seconds(started_at, completed_at)
    if duration is not None and duration < settings["min_interview_seconds"]:
        return "invalid", "interview_too_short"
    return "valid", None


def straight_lined(answers: dict, scored_questions: list[str], minimum: int = 5) -> bool:
    """Every scored criterion answered with the same level (at least ``minimum`` answered)."""
    levels = [answers[name] for name in scored_questions if isinstance(answers.get(name), int)]
    return len(levels) >= minimum and len(set(levels)) == 1


def contact_key(answers: dict, contact_questions: list[str]) -> str | None:
    """A stable key of the respondent's contact answers (digits only), or None without any."""
    parts = [
        "".join(ch for ch in str(answers[name]) if ch.isalnum()) for name in contact_questions if answers.get(name)
    ]
    parts = [p for p in parts if p]
    if not parts:
        return None
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def duration_seconds(started_at: datetime | None, completed_at: datetime | None) -> float | None:
    if started_at is None or completed_at is None:
        return None
    return (completed_at - started_at).total_seconds()
