"""Agency lineage (nguồn gốc đơn vị): which earlier units an agency was merged from, split from or
renamed from, and when. The year-on-year change of such a unit is computed from its predecessors'
previous-year results by the rule in ``scoring.lineage``."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import ApiError
from ..extensions import db
from .models import LINEAGE_KINDS, Agency, AgencyLineage


def set_lineage(agency: Agency, entries: list[dict]) -> Agency:
    """Replace an agency's predecessors by ``entries`` ({predecessor, kind, effective_date}).

    A renamed unit has exactly one predecessor; a unit cannot descend from itself, and an agency is
    listed once. Problems come back together, and then nothing changes."""
    errors: dict[str, list[str]] = {}
    codes = [e["predecessor"] for e in entries]
    found = {a.code: a for a in db.session.scalars(select(Agency).where(Agency.code.in_(codes)))} if codes else {}
    for i, entry in enumerate(entries):
        code = entry["predecessor"]
        if code == agency.code:
            errors.setdefault(f"predecessors.{i}", []).append("An agency cannot descend from itself.")
        elif code not in found:
            errors.setdefault(f"predecessors.{i}", []).append(f"No agency with code {code!r}.")
        if codes.count(code) > 1:
            errors.setdefault(f"predecessors.{i}", []).append(f"{code!r} is listed twice.")
        if entry["kind"] not in LINEAGE_KINDS:
            errors.setdefault(f"predecessors.{i}", []).append(f"kind must be one of {', '.join(LINEAGE_KINDS)}.")
    kinds = {e["kind"] for e in entries}
    if "renamed_from" in kinds and len(entries) > 1:
        errors.setdefault("predecessors", []).append("A renamed unit has exactly one predecessor.")
    if errors:
        raise ApiError("invalid_request", "The lineage is not valid; nothing was changed.", errors)
    agency.lineage.clear()
    db.session.flush()
    for entry in entries:
        agency.lineage.append(
            AgencyLineage(
                predecessor=found[entry["predecessor"]], kind=entry["kind"], effective_date=entry.get("effective_date")
            )
        )
    db.session.flush()
    return agency


def lineage_map(codes: list[str] | None = None) -> dict[str, list[dict]]:
    """Successor code -> [{predecessor, kind, effective_date}] for every agency with a lineage
    (of ``codes`` only, when given)."""
    query = select(AgencyLineage).join(Agency, AgencyLineage.agency_id == Agency.id).order_by(AgencyLineage.id)
    if codes is not None:
        query = query.where(Agency.code.in_(codes))
    out: dict[str, list[dict]] = {}
    for entry in db.session.scalars(query):
        out.setdefault(entry.agency.code, []).append(
            {
                "predecessor": entry.predecessor.code,
                "kind": entry.kind,
                "effective_date": entry.effective_date.isoformat() if entry.effective_date else None,
            }
        )
    return out
