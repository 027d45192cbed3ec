"""Who may do what in the appraisal: agency officers for their agency, appraisers for their council
organisation's criteria, supervisors and admins (the council's secretariat, Tổ thư ký) for everything."""

from __future__ import annotations

from sqlalchemy import select

from ..auth.models import User
from ..auth.roles import AGENCY_OFFICER, APPRAISER, COUNCIL_ORGANISATIONS, MANAGERS
from ..auth.service import get_user
from ..errors import ApiError
from ..extensions import db
from ..registry.models import Agency
from .models import AppraisalMember


def member_of(user: User) -> AppraisalMember | None:
    return db.session.scalar(select(AppraisalMember).where(AppraisalMember.user_id == user.id))


def assign_member(username: str, agency_code: str | None = None, council_org: str | None = None) -> AppraisalMember:
    """Say which agency an agency officer speaks for, or which council organisation an appraiser sits for."""
    user = get_user(username)
    if user.role == AGENCY_OFFICER:
        agency = db.session.scalar(select(Agency).where(Agency.code == (agency_code or "")))
        if agency is None or council_org:
            raise ApiError(
                "invalid_request", "An agency officer needs the code of their agency.", {"agency": ["Unknown."]}
            )
        values = {"agency_id": agency.id, "council_org": None}
    elif user.role == APPRAISER:
        if council_org not in COUNCIL_ORGANISATIONS or agency_code:
            raise ApiError(
                "invalid_request",
                f"An appraiser needs a council organisation: {', '.join(COUNCIL_ORGANISATIONS)}.",
                {"council_org": ["Unknown."]},
            )
        values = {"agency_id": None, "council_org": council_org}
    else:
        raise ApiError(
            "invalid_request", f"{username} is a {user.role}; only agency officers and appraisers are members."
        )
    member = member_of(user) or AppraisalMember(user_id=user.id)
    for key, value in values.items():
        setattr(member, key, value)
    db.session.add(member)
    db.session.flush()
    return member


def list_members() -> list[dict]:
    """Every council member: appraisers by organisation, then agency officers by agency code, in one query."""
    rows = db.session.execute(
        select(
            User.username, User.full_name, User.role, User.active, AppraisalMember.council_org, Agency.code, Agency.name
        )
        .join(AppraisalMember, AppraisalMember.user_id == User.id)
        .outerjoin(Agency, Agency.id == AppraisalMember.agency_id)
    ).all()
    members = [
        {
            "username": username,
            "full_name": full_name or "",
            "role": role,
            "active": active,
            "agency": {"code": code, "name": name} if code else None,
            "council_org": org,
            "council_org_name": COUNCIL_ORGANISATIONS.get(org) if org else None,
        }
        for username, full_name, role, active, org, code, name in rows
    ]
    members.sort(key=lambda m: (m["agency"] is not None, m["council_org"] or m["agency"]["code"], m["username"]))
    return members


def officer_agency_id(user: User) -> int | None:
    member = member_of(user) if user.role == AGENCY_OFFICER else None
    return member.agency_id if member else None


def appraiser_org(user: User) -> str | None:
    member = member_of(user) if user.role == APPRAISER else None
    return member.council_org if member else None


def require_agency_reader(user: User, agency: Agency) -> None:
    """The agency's own officer, any appraiser, supervisors and admins may read its self-assessment."""
    if user.role in MANAGERS or (user.role == APPRAISER and appraiser_org(user)):
        return
    if user.role == AGENCY_OFFICER and officer_agency_id(user) == agency.id:
        return
    raise ApiError("forbidden", f"Only {agency.code}'s officer, the appraisers and supervisors may see this.")


def require_officer_of(user: User, agency: Agency) -> None:
    if user.role != AGENCY_OFFICER or officer_agency_id(user) != agency.id:
        raise ApiError("forbidden", f"Only the agency officer of {agency.code} may do this.")
