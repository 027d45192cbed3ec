"""Ballot status changes: the allowed transitions, supervisor overrides, and their audit entries."""

from __future__ import annotations

from ..audit import Event, append
from ..ballots.models import Ballot
from ..errors import ApiError

#: Transitions the system makes by itself; anything else needs a supervisor override with a reason.
AUTOMATIC = {
    ("received", "valid"),
    ("received", "invalid"),
    ("valid", "selected"),
    ("selected", "confirmed"),
    ("selected", "failed"),
    ("confirmed", "failed"),
    ("failed", "confirmed"),
    ("confirmed", "selected"),
    ("failed", "selected"),
}
#: Statuses a supervisor may set by hand.
OVERRIDABLE = ("valid", "invalid", "confirmed", "failed")


def change(ballots: list[Ballot], to_status: str, reason: str | None, actor: str, action: str, details=None) -> int:
    """Move ballots along an automatic transition and log each move; returns how many moved."""
    events = []
    for ballot in ballots:
        if ballot.status == to_status and ballot.status_reason == reason:
            continue
        if (ballot.status, to_status) not in AUTOMATIC and ballot.status != to_status:
            raise ApiError(
                "state_conflict", f"Ballot {ballot.instance_id} cannot go from {ballot.status} to {to_status}."
            )
        events.append(
            Event(
                actor,
                "ballot",
                ballot.instance_id,
                action,
                {"from": ballot.status, "to": to_status, **(details or {})},
                reason or "",
            )
        )
        ballot.status, ballot.status_reason = to_status, reason
    append(events)
    return len(events)


def override(ballot: Ballot, to_status: str, reason: str, actor: str) -> Ballot:
    """A supervisor sets a ballot's status by hand; the reason is required and logged."""
    if to_status not in OVERRIDABLE:
        raise ApiError(
            "invalid_request", "This status cannot be set by hand.", {"status": [f"One of {', '.join(OVERRIDABLE)}."]}
        )
    if not reason or not reason.strip():
        raise ApiError("invalid_request", "An override needs a reason.", {"reason": ["Required."]})
    append(
        [
            Event(
                actor,
                "ballot",
                ballot.instance_id,
                "override",
                {"from": ballot.status, "to": to_status},
                reason.strip(),
            )
        ]
    )
    ballot.status, ballot.status_reason = to_status, f"override: {reason.strip()}"[:200]
    return ballot
