"""The demo province's synthetic 2022 fieldwork season, stored through the real code paths.

``parsurvey demo load`` (and so ``make run``) calls :func:`load_season` after the province, round, form
and users: 2,124 ballots as in the 2022 report (984 for the 16 surveyed departments, 1,140 for the 6
districts and their communes) sent through the sync intake by four enumerators, a handful that the
cleaning rules exclude, a re-check sample with MTTQ and CCB findings, one enumerator quarantined for
failed re-checks awaiting a supervisor's decision, one sync conflict, the 2022 appraisal points and a
score run. The ballots that count are built (``plan.py``) so that the score run reproduces every surveyed
department's published 2022 satisfaction points, and with the appraisal points the published index,
rank and band. The districts' figures are not in the published reference: their appraisal and
satisfaction points (``demo_data/hanam_2022_districts.csv``) are plausible values of our own.

Everything comes from one seed, so every load builds the same season. Releasing the quarantined
enumerator (whose ballots are all in two districts) changes those two districts' figures, as it should.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from sqlalchemy import func, select

from survey_forms import builtin_satisfaction_form
from sync.protocol import PROTOCOL_VERSION, make_envelope

from ..auth import service as auth
from ..auth.models import User
from ..ballots.intake import receive_batch
from ..ballots.models import Ballot
from ..extensions import db
from ..fieldwork import service as fieldwork
from ..recheck import service as recheck
from ..recheck.quality import apply_quarantines
from ..recheck.verification import record
from ..registry.models import SurveyRound
from ..results.appraisal import import_appraisal
from ..results.service import start_run
from .plan import SEED, plan_season

DATA = Path(__file__).resolve().parent.parent / "demo_data"
DEPARTMENTS_CSV = DATA / "hanam_2022_appraisal.csv"
DISTRICTS_CSV = DATA / "hanam_2022_districts.csv"
#: Users the season adds to the demo's (same password).
SEASON_USERS = [
    ("enumerator3", "enumerator", None, "Vũ Thị Lan (Bưu điện tỉnh)"),
    ("enumerator4", "enumerator", None, "Đỗ Văn Hùng (Bưu điện tỉnh)"),
]
ENUMERATORS = {
    "department": [("enumerator1", 0.65), ("enumerator3", 0.35)],
    "district": [("enumerator2", 0.75), ("enumerator3", 0.25)],
    "doubtful": [("enumerator4", 1.0)],
}
#: Departments: 984 ballots; the first eight surveyed departments of the list get 62, the rest 61.
DEPARTMENT_BALLOTS = (62, 61)
DISTRICT_BALLOTS = 190
#: Ballots the cleaning rules exclude, and those of the enumerator the re-check puts in quarantine.
EXCLUDED = {
    "SNV": {"too_short": 1},
    "SYT": {"outside_window": 1},
    "STNMT": {"too_short": 1},
    "SCT": {"outside_window": 1},
    "PHULY": {"too_short": 2},
    "BINHLUC": {"outside_window": 1, "too_short": 1},
    "LYNHAN": {"doubtful": 14},
    "KIMBANG": {"doubtful": 14},
}
SAMPLE = {"seed": SEED, "rate": 0.05, "min_per_enumerator": 4}
#: Of the re-checks of enumerators in good standing: this share confirmed, this share unreachable, the
#: rest left for the reviewers to do in the demo.
CONFIRMED, UNREACHABLE = 0.75, 0.1
DOUBTFUL_FINDINGS = ("interview_not_held", "answers_differ", "interview_not_held", "confirmed")
BATCH = 250


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def season_rows() -> list[dict]:
    """Per surveyed agency: group, ballots collected, target satisfaction points and exclusions."""
    rows = []
    departments = [r for r in _read(DEPARTMENTS_CSV) if r["satisfaction_points"]]
    for i, row in enumerate(departments):
        ballots = DEPARTMENT_BALLOTS[0] if i < len(departments) // 2 else DEPARTMENT_BALLOTS[1]
        rows.append({"code": row["agency"], "group": "department", "ballots": ballots, **_targets(row)})
    for row in _read(DISTRICTS_CSV):
        rows.append({"code": row["agency"], "group": "district", "ballots": DISTRICT_BALLOTS, **_targets(row)})
    return rows


def _targets(row: dict) -> dict:
    excluded = {"too_short": 0, "outside_window": 0, "doubtful": 0, **EXCLUDED.get(row["agency"], {})}
    return {"target_points": float(row["satisfaction_points"]), **excluded}


def appraisal_csv() -> bytes:
    """The 2022 appraisal points of every agency (departments as published, districts our own)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["agency", "appraisal_points"])
    for row in _read(DEPARTMENTS_CSV) + _read(DISTRICTS_CSV):
        writer.writerow([row["agency"], row["appraisal_points"]])
    return out.getvalue().encode("utf-8")


def _send(user: User, envelopes: list[dict], device_id: str) -> list[dict]:
    results = []
    for start in range(0, len(envelopes), BATCH):
        batch = {"protocol": PROTOCOL_VERSION, "device_id": device_id, "items": envelopes[start : start + BATCH]}
        results += receive_batch(user, batch, BATCH)
    return results


def load_season(survey_round: SurveyRound, supervisor: User, password: str) -> list[str]:
    """Store the season in a round that has no ballots yet; return what was done, line by line."""
    if db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.round_id == survey_round.id)):
        return ["fieldwork: already present"]
    existing = set(db.session.scalars(select(User.username)))
    for username, role, organisation, full_name in SEASON_USERS:
        if username not in existing:
            auth.create_user(username, role, organisation=organisation, full_name=full_name, password=password)

    plans = plan_season(season_rows(), ENUMERATORS)
    ballots = [ballot for plan in plans for ballot in plan.ballots]
    pairs: dict[tuple[str, str], int] = {}
    for ballot in ballots:
        pairs[ballot.enumerator, ballot.agency] = pairs.get((ballot.enumerator, ballot.agency), 0) + 1
    for (username, agency), count in sorted(pairs.items()):
        fieldwork.set_assignment(survey_round, username, agency, count)

    form = builtin_satisfaction_form()
    envelopes: dict[str, list[dict]] = {}
    for ballot in sorted(ballots, key=lambda b: b.started_at):
        envelopes.setdefault(ballot.enumerator, []).append(
            make_envelope(
                form_id=form.form_id,
                form_version=form.version,
                agency=ballot.agency,
                enumerator=ballot.enumerator,
                answers=ballot.answers,
                paradata={
                    "started_at": ballot.started_at.isoformat(),
                    "completed_at": ballot.completed_at.isoformat(),
                    "app_version": "demo-2022",
                },
                instance_id=ballot.instance_id,
            )
        )
    for number, (username, items) in enumerate(sorted(envelopes.items()), start=1):
        results = _send(auth.get_user(username), items, f"buu-dien-may-{number:02d}")
        refused = [r for r in results if r["status"] != "accepted"]
        if refused:
            raise RuntimeError(f"the demo season's ballots were refused: {refused[:3]}")
    done = [f"fieldwork: {len(ballots)} ballots from {len(envelopes)} enumerators"]
    done += _recheck(survey_round, supervisor, {b.instance_id: b for b in ballots})
    done += _conflict(envelopes["enumerator2"][0])
    summary = import_appraisal(survey_round, appraisal_csv(), "hanam_2022_appraisal_points.csv", supervisor)
    done.append(f"appraisal points: {len(summary['agencies'])} agencies")
    run = start_run(survey_round, None, supervisor, origin="demo")
    done.append(f"score run {run.id}: {run.ballots_included} ballots counted")
    return done


def _recheck(survey_round: SurveyRound, supervisor: User, planned: dict) -> list[str]:
    drawn = recheck.draw_sample(survey_round, supervisor, **SAMPLE)
    rng = random.Random(SEED)
    outcomes: dict[str, int] = {}
    doubtful_findings = iter(DOUBTFUL_FINDINGS)
    key_questions = ("c1_1", "overall")
    for assignment in recheck.list_assignments(survey_round):
        ballot = planned[assignment.ballot.instance_id]
        if ballot.kind == "doubtful":
            outcome = next(doubtful_findings, "interview_not_held")
        else:
            draw = rng.random()
            outcome = "confirmed" if draw < CONFIRMED else "unreachable" if draw < CONFIRMED + UNREACHABLE else None
        if outcome is None or assignment.reviewer is None:
            continue
        reasked = {}
        if outcome in ("confirmed", "answers_differ"):
            reasked = {name: ballot.answers[name] for name in key_questions}
            if outcome == "answers_differ":
                reasked["c1_1"] = 1 if reasked["c1_1"] >= 4 else 5
        notes = {
            "confirmed": "Người dân xác nhận đã được phỏng vấn.",
            "unreachable": "Gọi ba lần không liên lạc được.",
            "interview_not_held": "Người dân cho biết không có ai phỏng vấn.",
            "answers_differ": "Câu trả lời khác với phiếu gốc.",
        }[outcome]
        record(assignment.reviewer, assignment.id, outcome, reasked, notes)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    held = apply_quarantines(survey_round, supervisor)
    found = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
    return [
        f"re-check: {drawn['selected']} ballots sampled (seed {SEED}); findings: {found}",
        f"quarantine: {', '.join(q.enumerator.username for q in held) or 'nobody'} awaiting a decision",
    ]


def _conflict(envelope: dict) -> list[str]:
    """The same interview sent again from a second phone with an edited comment: kept aside, not stored."""
    edited = make_envelope(
        form_id=envelope["form_id"],
        form_version=envelope["form_version"],
        agency=envelope["agency"],
        enumerator=envelope["enumerator"],
        answers={**envelope["answers"], "comment": "Sửa lại: người dân góp ý thêm về thời gian chờ."},
        paradata=envelope["paradata"],
        instance_id=envelope["instance_id"],
    )
    results = _send(auth.get_user(envelope["enumerator"]), [edited], "buu-dien-may-du-phong")
    return [f"sync conflict: {results[0]['status']} for ballot {envelope['instance_id'][:8]}"]
