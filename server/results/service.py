"""Use cases for results: appraisal points, score runs. They flush but never commit."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from ..auth.models import User
from ..errors import ApiError
from ..extensions import db
from ..registry.models import SurveyRound
from ..registry.service import get_round
from .appraisal import appraisal_summary, import_appraisal
from .models import ScoreRun
from .runs import compute_run

__all__ = [
    "appraisal_summary",
    "appraisal_template",
    "get_run",
    "import_appraisal",
    "latest_run",
    "list_runs",
    "start_run",
    "runs_by_year",
]


def start_run(
    survey_round: SurveyRound,
    parameters: dict | None = None,
    user: User | None = None,
    origin: str = "api",
    step: Callable[[], None] | None = None,
):
    """Score the round now and store the run with its provenance (``step``: see ``compute_run``)."""
    run = ScoreRun(round=survey_round, created_by=user, origin=origin, **compute_run(survey_round, parameters, step))
    db.session.add(run)
    db.session.flush()
    return run


def appraisal_template(survey_round: SurveyRound) -> tuple[bytes, str]:
    """A CSV (UTF-8 with BOM, so Excel shows the Vietnamese) with one row per agency of the round:
    code, name and group filled, appraisal_points left empty for the council's figures."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["agency", "name", "group", "appraisal_points"])
    for participant in survey_round.participants:
        agency = participant.agency
        writer.writerow([agency.code, agency.name, agency.agency_group, ""])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), f"diem-tham-dinh-{survey_round.code}.csv"


def get_run(run_id: int) -> ScoreRun:
    run = db.session.get(ScoreRun, run_id)
    if run is None:
        raise ApiError("not_found", f"No score run {run_id}.")
    return run


def list_runs(survey_round: SurveyRound) -> list[ScoreRun]:
    """The round's runs, newest first (results are not loaded until read)."""
    return list(
        db.session.scalars(select(ScoreRun).where(ScoreRun.round_id == survey_round.id).order_by(ScoreRun.id.desc()))
    )


def latest_run(round_code: str) -> ScoreRun | None:
    runs = list_runs(get_round(round_code))
    return runs[0] if runs else None


def runs_by_year(up_to_year: int) -> list[ScoreRun]:
    """The latest run of every round up to a year, oldest year first: the history the report charts."""
    latest: dict[int, ScoreRun] = {}
    query = (
        select(ScoreRun)
        .join(SurveyRound, ScoreRun.round_id == SurveyRound.id)
        .where(SurveyRound.year <= up_to_year)
        .order_by(SurveyRound.year, ScoreRun.id)
    )
    for run in db.session.scalars(query):
        latest[run.round.year] = run
    return [latest[year] for year in sorted(latest)]
