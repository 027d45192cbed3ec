"""The demo province: the 19 departments and 6 districts of the reference province (Hà Nam, 2022 PAR
index report), its 2022 round, the built-in questionnaire and one user per role, and (unless asked not
to) the synthetic 2022 fieldwork season of ``server.demo_season``: ballots, re-checks, a quarantine, a
conflict, the appraisal points and a score run that reproduces the published department table.

Loading twice changes nothing. The demo passwords are public: never load the demo into a real install.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select

from survey_forms import builtin_satisfaction_form

from .auth import service as auth
from .auth.models import User
from .demo_season import load_season
from .extensions import db
from .fieldwork import service as fieldwork
from .forms import service as forms
from .registry import service as registry
from .registry.groups import ensure_groups
from .registry.models import Agency

AGENCIES_CSV = Path(__file__).parent / "demo_data" / "hanam_agencies.csv"
DEMO_ROUND = "2022"
DEMO_PASSWORD = "demo-password"
DEMO_USERS = [
    ("admin", "admin", None, "Quản trị hệ thống"),
    ("supervisor", "supervisor", None, "Nguyễn Thị Hoa (Sở Nội vụ)"),
    ("enumerator1", "enumerator", None, "Trần Văn Nam (Bưu điện tỉnh)"),
    ("enumerator2", "enumerator", None, "Lê Thị Thu (Bưu điện tỉnh)"),
    ("mttq1", "reviewer", "MTTQ", "Phạm Văn Đức (Ủy ban MTTQ tỉnh)"),
    ("ccb1", "reviewer", "CCB", "Hoàng Văn Bình (Hội Cựu chiến binh tỉnh)"),
]
#: 2022 report: 984 department ballots over 16 surveyed departments, 1,140 district and commune ballots
#: over 6 districts.
QUOTAS = {"department": 62, "district": 190}
DEMO_ASSIGNMENTS = {"department": "enumerator1", "district": "enumerator2"}


#: The demo province's groups: its 2022 departments and districts, and the groups a province ranks since the
#: 2025 reorganisation (wards, communes, special zones), ready for its next rounds.
DEMO_GROUPS = [
    ("department", "Sở, ban, ngành"),
    ("district", "UBND cấp huyện"),
    ("commune", "UBND cấp xã"),
    ("ward", "UBND phường"),
    ("special_zone", "Đặc khu"),
]


def _agency_rows() -> list[dict]:
    with AGENCIES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_demo(with_fieldwork: bool = True) -> list[str]:
    """Create whatever part of the demo is missing; return what was done, line by line.

    ``with_fieldwork=False`` leaves the round empty (no ballots, re-checks, appraisal points or score run)."""
    done = []
    ensure_groups(DEMO_GROUPS)
    done.append(f"agency groups: {', '.join(name for _, name in DEMO_GROUPS)}")
    rows = _agency_rows()
    existing = set(db.session.scalars(select(Agency.code)))
    for row in rows:
        if row["code"] not in existing:
            registry.create_agency(row["code"], row["name"], row["group"], handles_procedures=row["surveyed"] == "yes")
    done.append(f"agencies: {len(rows) - len(existing & {r['code'] for r in rows})} added, {len(rows)} in the demo")

    if registry.find_round(DEMO_ROUND) is not None:
        done.append(f"round {DEMO_ROUND}: already present")
    else:
        registry.create_round(
            DEMO_ROUND,
            2022,
            date(2022, 1, 1),
            date(2022, 11, 30),
            title="Khảo sát sự hài lòng và Chỉ số CCHC năm 2022",
            method_version="2017",
            survey_max_points=10.0,
            participants=[
                {
                    "agency_code": row["code"],
                    "max_points": float(row["max_points_2022"]),
                    "ballot_quota": QUOTAS[row["group"]] if row["surveyed"] == "yes" else 0,
                }
                for row in rows
            ],
        )
        done.append(f"round {DEMO_ROUND}: created with {len(rows)} agencies")

    form = builtin_satisfaction_form()
    stored, created = forms.save_draft(form, DEMO_ROUND)
    if stored.state == "draft":
        forms.publish(form.form_id, form.version)
    done.append(f"form {form.form_id} {form.version}: {stored.state} sha256={stored.content_hash[:12]}")

    existing_users = set(db.session.scalars(select(User.username)))
    for username, role, organisation, full_name in DEMO_USERS:
        if username not in existing_users:
            auth.create_user(username, role, organisation=organisation, full_name=full_name, password=DEMO_PASSWORD)
    done.append(f"users: {', '.join(u[0] for u in DEMO_USERS)} (demo password: {DEMO_PASSWORD!r})")

    survey_round = registry.get_round(DEMO_ROUND)
    if survey_round.state == "open" and not fieldwork.list_assignments(survey_round):
        for participant in survey_round.participants:
            if participant.surveyed:
                username = DEMO_ASSIGNMENTS[participant.agency.agency_group]
                fieldwork.set_assignment(survey_round, username, participant.agency.code, participant.ballot_quota)
        done.append("assignments: enumerator1 to the surveyed departments, enumerator2 to the districts")
    if with_fieldwork and survey_round.state == "open":
        done += load_season(survey_round, auth.get_user("supervisor"), DEMO_PASSWORD)
    return done
