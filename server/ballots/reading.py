"""What a reader sees beside a ballot's stored values: its re-checks and their findings.

Loaded for a whole page of the ballot table in two queries, never one per ballot.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..recheck.models import RecheckAssignment, Verification


def rechecks_of(ballot_ids: list[int], *, details: bool = False) -> dict[int, list[dict]]:
    """Per ballot id, its re-checks in the order drawn: organisation, reviewer and outcome (``None``
    while awaited); with ``details`` also the re-asked answers, notes and when the finding was recorded."""
    found: dict[int, list[dict]] = defaultdict(list)
    if not ballot_ids:
        return found
    assignments = db.session.scalars(
        select(RecheckAssignment)
        .where(RecheckAssignment.ballot_id.in_(ballot_ids))
        .options(selectinload(RecheckAssignment.reviewer))
        .order_by(RecheckAssignment.id)
    ).all()
    findings: dict[int, Verification] = {}
    if assignments:
        for finding in db.session.scalars(
            select(Verification)
            .where(Verification.assignment_id.in_([a.id for a in assignments]))
            .order_by(Verification.id)
        ):
            findings[finding.assignment_id] = finding  # the latest finding of each re-check
    for assignment in assignments:
        finding = findings.get(assignment.id)
        item = {
            "organisation": assignment.organisation,
            "reviewer": assignment.reviewer.username if assignment.reviewer else None,
            "reason": assignment.reason,
            "outcome": finding.outcome if finding else None,
        }
        if details:
            item["reasked"] = dict(finding.reasked) if finding else {}
            item["notes"] = finding.notes if finding else ""
            item["recorded_at"] = finding.recorded_at.isoformat() if finding else None
        found[assignment.ballot_id].append(item)
    return found
