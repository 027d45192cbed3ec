"""The province's agency groups (nhóm xếp hạng): its own list with Vietnamese names and display order.

Before the 2025 reorganisation provinces ranked departments, districts and communes; since then
departments (sở, ban, ngành), wards (phường), communes (xã) and special zones (đặc khu). Every
installation starts with the three built-in groups (the migration converts existing agencies to them);
the province adds, renames and reorders its own. A group's code never changes once agencies use it.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ..bounds import POSITION_RANGE
from ..errors import ApiError
from ..extensions import db
from .models import Agency, AgencyGroup
from .names import nfc

GROUP_CODE = re.compile(r"^[a-z0-9_]{1,16}$")


def list_groups() -> list[AgencyGroup]:
    return list(db.session.scalars(select(AgencyGroup).order_by(AgencyGroup.position, AgencyGroup.id)))


def group_names() -> dict[str, str]:
    """Group code -> Vietnamese name, in display order."""
    return {g.code: g.name for g in list_groups()}


def get_group(code: str) -> AgencyGroup:
    group = db.session.scalar(select(AgencyGroup).where(AgencyGroup.code == code))
    if group is None:
        raise ApiError("not_found", f"No agency group {code!r}.")
    return group


def require_group(code: str | None, field: str = "group") -> str:
    """``code`` when it is one of the province's groups; else a 422 that lists them."""
    known = group_names()
    if code not in known:
        raise ApiError(
            "invalid_request", "Unknown agency group.", {field: [f"Must be one of {', '.join(known) or '(none yet)'}."]}
        )
    return code


def create_group(code: str, name: str, position: int | None = None) -> AgencyGroup:
    if not GROUP_CODE.match(code or ""):
        raise ApiError(
            "invalid_request", "Invalid group code.", {"code": ["Use 1 to 16 lower-case letters, digits or '_'."]}
        )
    if db.session.scalar(select(AgencyGroup.id).where(AgencyGroup.code == code)) is not None:
        raise ApiError("already_exists", f"An agency group with code {code!r} already exists.")
    if position is None:  # after the last, within the documented bound (a tie then goes by creation)
        last = db.session.scalar(select(func.max(AgencyGroup.position))) or 0
        position = min(last + 1, POSITION_RANGE.max)
    group = AgencyGroup(code=code, name=nfc(name), position=position)
    db.session.add(group)
    db.session.flush()
    return group


def update_group(code: str, changes: dict) -> AgencyGroup:
    group = get_group(code)
    if "name" in changes:
        group.name = nfc(changes["name"])
    if "position" in changes:
        group.position = changes["position"]
    db.session.flush()
    return group


def delete_group(code: str) -> None:
    group = get_group(code)
    if db.session.scalar(select(Agency.id).where(Agency.agency_group == code).limit(1)) is not None:
        raise ApiError("state_conflict", f"Agencies belong to group {code!r}: move them to another group first.")
    db.session.delete(group)
    db.session.flush()


def ensure_groups(groups: list[tuple[str, str]]) -> None:
    """Create the groups that are missing (code, name), in the order given; existing ones are left alone."""
    known = group_names()
    for code, name in groups:
        if code not in known:
            create_group(code, name)
            known[code] = name


def agency_count(code: str) -> int:
    return db.session.scalar(select(func.count(Agency.id)).where(Agency.agency_group == code)) or 0
