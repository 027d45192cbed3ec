"""The previous year a round is compared with, and the comparison (``scoring.compare_years``).

Which previous year: the latest year before the round's that has either a score run or published
results entered (``server.history``). When a year has both, the **published** figures are used: they
are what readers of last year's report saw. Units merged, split or renamed since then are compared
with their predecessors by the rule of ``scoring.lineage``. A previous year with agencies missing
(published group counts or means that its rows do not reach, or a run that left units unranked) is
**partial**: the comparison is still made, flagged, and the run carries a ``previous_year_partial``
warning.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from scoring import ParResult, ScoringError, compare_years
from scoring.lineage import previous_with_lineage, year_summary

from ..extensions import db
from ..registry.lineage import lineage_map
from ..registry.models import SurveyRound
from .models import ScoreRun


def _previous_run(survey_round: SurveyRound) -> ScoreRun | None:
    return db.session.scalar(
        select(ScoreRun)
        .join(SurveyRound, ScoreRun.round_id == SurveyRound.id)
        .where(SurveyRound.year < survey_round.year)
        .order_by(SurveyRound.year.desc(), ScoreRun.id.desc())
        .limit(1)
    )


def previous_year(survey_round: SurveyRound) -> dict | None:
    """The table to compare with: {year, source ("published" or "run"), agencies (DataFrame), groups
    ({group: {mean, highest, lowest, spread}}), partial [...], and the run's round, id, method version}."""
    from ..history import service as history

    run = _previous_run(survey_round)
    published = [y for y in history.years() if y < survey_round.year and history.agency_rows(y)]
    run_year = run.round.year if run is not None else None
    if published and (run_year is None or published[-1] >= run_year):
        year = published[-1]
        rows = history.agency_rows(year)
        return {
            "year": year,
            "source": "published",
            "round": None,
            "run": None,
            "method_version": None,
            "agencies": pd.DataFrame(
                [
                    {
                        "agency": r.agency_code,
                        "group": r.group_code,
                        "index": r.index,
                        "index_displayed": r.index,
                        "rank": r.rank,
                    }
                    for r in rows
                ]
            ),
            "groups": history.group_means(year),
            "partial": history.partial_groups(year),
        }
    if run is None or not (run.results.get("par") or {}).get("agencies"):
        return None
    par = run.results["par"]
    return {
        "year": run.round.year,
        "source": "run",
        "round": run.round.code,
        "run": run.id,
        "method_version": run.method_version,
        "agencies": pd.DataFrame(par["agencies"]),
        "groups": {
            g["group"]: {"mean": g["mean"], "highest": g["highest"], "lowest": g["lowest"], "spread": g.get("spread")}
            for g in par.get("groups") or []
        },
        "partial": [{"agency": r["agency"], "reasons": [r["reason"]]} for r in run.results.get("not_ranked") or []],
    }


def compare(survey_round: SurveyRound, par_result: ParResult) -> tuple[dict | None, list[dict]]:
    """The round's ``year_on_year`` results and its warnings. Raises ScoringError on bad tables."""
    previous = previous_year(survey_round)
    if previous is None:
        return None, []
    current = par_result.agencies
    codes = [str(c) for c in current["agency"]]
    lineage = lineage_map()
    before, derived = previous_with_lineage(
        previous["agencies"], lineage, codes, dict(zip(codes, current["group"], strict=True))
    )
    change = compare_years(par_result, before, survey_round.method_version, previous["method_version"])
    if len(derived):
        info = derived.set_index("agency")
        change["lineage_kind"] = [info["kind"].get(a) for a in change["agency"]]
        change["predecessors"] = [info["predecessors"].get(a) for a in change["agency"]]
        change["missing_predecessors"] = [info["missing_predecessors"].get(a) for a in change["agency"]]
    current_groups = par_result.groups[["group", "mean", "highest", "lowest"]]
    previous_groups = pd.DataFrame(
        [{"group": g, **v} for g, v in previous["groups"].items()], columns=["group", "mean", "highest", "lowest"]
    )
    summary = year_summary(change, current_groups, previous_groups)
    warnings = []
    if previous["partial"]:
        warnings.append(
            {
                "code": "previous_year_partial",
                "message": f"the {previous['year']} results being compared with are partial (agencies missing):"
                " changes of group means and ranks may be wrong",
                "details": {"partial": previous["partial"]},
            }
        )
    from .records import records

    return (
        {
            "previous_round": previous["round"],
            "previous_year": previous["year"],
            "previous_run": previous["run"],
            "previous_source": previous["source"],
            "method_version": survey_round.method_version,
            "previous_method_version": previous["method_version"],
            "method_changed": previous["method_version"] is None
            or str(survey_round.method_version) != str(previous["method_version"]),
            "partial": previous["partial"],
            "agencies": records(change),
            "lineage": records(derived),
            "summary": records(summary),
            "previous_groups": previous["groups"],
        },
        warnings,
    )


__all__ = ["ScoringError", "compare", "previous_year"]
