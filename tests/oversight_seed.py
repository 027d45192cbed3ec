"""Thousands of ballots for the oversight tests, written straight into the database in one statement.

The sync API is tested elsewhere; here the point is a round big enough to page, filter and export.
Ballot ``n`` (from 1) is deterministic: agency ``agencies[(n - 1) % len(agencies)]``, enumerator
alternating, interview on day ``(n - 1) % 20`` of September 2022 (UTC+7), lasting ``300 + n`` seconds.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from server.auth.models import User
from server.ballots.models import Ballot
from server.bulk import insert_rows
from server.extensions import db
from server.forms.models import FormVersion
from server.registry.models import Agency, SurveyRound
from server.transaction import unit_of_work
from tests.sample_ballots import FORM, answers

VIETNAM = timezone(timedelta(hours=7))


def instance_id(n: int) -> str:
    return str(uuid.UUID(int=random.Random(n).getrandbits(128), version=4))


def interview_day(n: int) -> datetime:
    return datetime(2022, 9, 1, 8, 0, tzinfo=VIETNAM) + timedelta(days=(n - 1) % 20, minutes=n % 400)


def seed_ballots(
    count: int,
    *,
    round_code: str = "2022",
    agencies=("SNV", "STC", "SXD", "PHULY"),
    enumerators=("enumerator1", "enumerator2"),
    form_version: str = FORM.version,
    extra=None,
    paradata=None,
    start: int = 1,
) -> list[str]:
    """Insert ``count`` valid ballots of the demo round; returns their instance ids in order (n = start..).
    ``extra(n)`` and ``paradata(n)`` add answers and paradata to ballot n."""
    with unit_of_work():
        round_id = db.session.scalar(select(SurveyRound.id).where(SurveyRound.code == round_code))
        version_id = db.session.scalar(
            select(FormVersion.id).where(FormVersion.form_id == FORM.form_id, FormVersion.version == form_version)
        )
        agency_ids = {
            c: i for c, i in db.session.execute(select(Agency.code, Agency.id).where(Agency.code.in_(agencies)))
        }
        user_ids = {
            u: i for u, i in db.session.execute(select(User.username, User.id).where(User.username.in_(enumerators)))
        }
        rows, ids = [], []
        for n in range(start, start + count):
            agency = agencies[(n - 1) % len(agencies)]
            started = interview_day(n)
            completed = started + timedelta(seconds=300 + n)
            values = answers(agency, random.Random(n)) | (extra(n) if extra else {})
            ids.append(instance_id(n))
            rows.append(
                {
                    "instance_id": ids[-1],
                    "form_version_id": version_id,
                    "round_id": round_id,
                    "agency_id": agency_ids[agency],
                    "enumerator_id": user_ids[enumerators[n % len(enumerators)]],
                    "device_id": f"tablet-{n % 7}",
                    "answers": values,
                    "paradata": {"started_at": started.isoformat(), "completed_at": completed.isoformat()}
                    | (paradata(n) if paradata else {}),
                    "content_hash": hashlib.sha256(ids[-1].encode()).hexdigest(),
                    "started_at": started.astimezone(UTC),
                    "completed_at": completed.astimezone(UTC),
                    "received_at": completed.astimezone(UTC) + timedelta(hours=1),
                    "duration_seconds": float(300 + n),
                    "straight_lined": False,
                    "contact_key": None,
                    "status": "valid",
                    "status_reason": None,
                }
            )
        insert_rows(Ballot.__table__, rows)
    return ids
