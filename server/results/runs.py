"""A score run: countable ballots and appraisal points in, every number of the round's results out.

The steps, each done by a ``scoring`` function (this module only gathers inputs and packs outputs):

1. satisfaction per agency from the countable ballots, scored on the form's tagged criteria
   (``scoring.score_satisfaction``) -- or, for a year scored outside parsurvey, the satisfaction
   points imported with the appraisal points;
2. the PAR index of every agency that has appraisal points (and satisfaction points when it is
   surveyed), ranked and banded per group with the round's bands (``scoring.rank_par``) on the round's
   band basis; the others are listed as not ranked, with the reason. An agency below the minimum
   sample is ranked with a mark or not ranked, as the round's settings say (``settings.py``);
3. mean points per content area (``scoring.area_statistics``) when areas were imported;
4. the change against the previous year (``server.results.year_on_year``: a score run or the published
   results entered for that year; merged units against their predecessors), flagged when the method
   version differs or the previous year is partial.

Results are stored unrounded, NaN as null next to a flag that says why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from scoring import (
    DISPLAY_ROUNDING,
    Bands,
    SatisfactionMethod,
    ScoringError,
    area_statistics,
    rank_par,
    score_satisfaction,
)

from ..appraisal.comparison import appraisal_comparison
from ..ballots.countable import excluded_counts, held_by_agency
from ..errors import ApiError
from ..registry.groups import list_groups
from ..registry.models import SurveyRound
from .appraisal import appraisal_areas, appraisal_maximum, appraisal_rows
from .inputs import load_ballots
from .records import plain, records
from .settings import scoring_settings
from .year_on_year import compare as compare_with_previous_year

#: Parameters a run takes, with their defaults (the survey maximum and method version come from the round).
DEFAULT_PARAMETERS: dict[str, Any] = {
    "method": "satisfied_share",
    "min_ballots": 30,
    "confidence": 0.95,
    "bootstrap_resamples": 1000,
    "bootstrap_groups": 200,
    "seed": 20170101,
    "satisfaction_source": "auto",
}
SOURCES = ("auto", "ballots", "imported")


def round_bands(survey_round: SurveyRound) -> Bands:
    return Bands([(b["code"], b["label"], b.get("min")) for b in survey_round.bands])


def _fail(exc: ScoringError) -> ApiError:
    return ApiError("scoring_failed", exc.message, plain(exc.to_dict()))


def _method(survey_round: SurveyRound, parameters: dict) -> SatisfactionMethod:
    try:
        return SatisfactionMethod(
            method=parameters["method"],
            version=survey_round.method_version,
            max_points=float(survey_round.survey_max_points),
            min_ballots=parameters["min_ballots"],
            confidence=parameters["confidence"],
            bootstrap_resamples=parameters["bootstrap_resamples"],
            bootstrap_groups=parameters["bootstrap_groups"],
            seed=parameters["seed"],
        )
    except ScoringError as exc:
        raise ApiError("invalid_request", exc.message, {"parameters": [exc.message]}) from exc


def _empty_satisfaction(surveyed: list[str], method: SatisfactionMethod) -> tuple[list[dict], list[dict]]:
    """Satisfaction rows when the round has no countable ballot: every surveyed agency flagged."""
    rows, warnings = [], []
    for code in surveyed:
        rows.append(
            {
                "agency": code,
                "ballots": 0,
                "empty_ballots": 0,
                "index": None,
                "points": None,
                "ci_low": None,
                "ci_high": None,
                "ci_method": None,
                "below_min_sample": method.min_ballots > 0,
                "no_countable_ballots": True,
                "method": method.method,
                "method_version": str(method.version),
            }
        )
        warnings.append(
            {
                "code": "no_countable_ballots",
                "message": f"agency {code!r} has no countable ballot; its index is not computed",
                "agency": code,
                "factor": None,
                "question": None,
                "details": {},
            }
        )
    return rows, warnings


def _input_hash(parts: dict) -> str:
    return hashlib.sha256(
        json.dumps(plain(parts), sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


#: How many times :func:`compute_run` calls its ``step`` (a progress bar's length).
COMPUTE_STEPS = 3


def compute_run(
    survey_round: SurveyRound, parameters: dict | None = None, step: Callable[[], None] | None = None
) -> dict:
    """Score a round; returns the run's columns (``method`` ... ``results``), nothing stored.

    ``step()`` is called after reading the ballots, after scoring satisfaction and after ranking."""
    step = step or (lambda: None)
    settings = scoring_settings(survey_round)
    params = {
        **DEFAULT_PARAMETERS,
        "min_ballots": settings["min_ballots"],
        **{k: v for k, v in (parameters or {}).items() if v is not None},
    }
    unknown = sorted(set(params) - set(DEFAULT_PARAMETERS))
    if unknown or params["satisfaction_source"] not in SOURCES:
        raise ApiError(
            "invalid_request", "Unknown score-run parameters.", {"parameters": unknown or ["satisfaction_source"]}
        )
    method = _method(survey_round, params)
    survey_max = float(survey_round.survey_max_points)
    bands = round_bands(survey_round)
    participants = list(survey_round.participants)
    by_code = {p.agency.code: p for p in participants}
    surveyed = [p.agency.code for p in participants if p.surveyed]

    excluded = {str(k): int(v) for k, v in excluded_counts(survey_round.id).items()}
    ballots = load_ballots(survey_round.id)
    appraisal = appraisal_rows(survey_round)
    areas = appraisal_areas(survey_round)
    step()
    if ballots.count == 0 and not appraisal:
        raise ApiError(
            "nothing_to_score",
            f"Round {survey_round.code} has no countable ballots and no appraisal points: sync or import ballots,"
            " or import appraisal points, before scoring.",
            {"excluded": excluded},
        )
    imported = {row.agency.code: row.satisfaction_points for row in appraisal if row.satisfaction_points is not None}
    source = params["satisfaction_source"]
    if source == "auto":
        source = "imported" if ballots.count == 0 and imported else "ballots"

    warnings: list[dict] = []
    satisfaction: dict[str, Any] = {"source": source, "factors": [], "criteria": [], "reliability": []}
    if source == "imported":
        rows = []
        for code in surveyed:
            points = imported.get(code)
            rows.append(
                {
                    "agency": code,
                    "ballots": None,
                    "index": None if points is None else points / survey_max * 100.0,
                    "points": points,
                    "no_countable_ballots": False,
                    "no_satisfaction_points": points is None,
                    "method": "imported",
                    "method_version": str(method.version),
                }
            )
            if points is None:
                warnings.append(
                    {
                        "code": "no_satisfaction_points",
                        "message": f"no imported satisfaction points for {code!r}",
                        "agency": code,
                    }
                )
        satisfaction["agencies"] = rows
    elif ballots.count == 0:
        satisfaction["agencies"], more = _empty_satisfaction(surveyed, method)
        warnings += more
    else:
        try:
            result = score_satisfaction(ballots.frame, ballots.criteria.rows, method, layout="wide", agencies=surveyed)
        except ScoringError as exc:
            raise _fail(exc) from exc
        satisfaction["agencies"] = records(result.agencies)
        satisfaction["factors"] = records(result.factors)
        satisfaction["criteria"] = records(result.criteria)
        satisfaction["reliability"] = records(result.reliability)
        warnings += records(result.warnings_table())
    satisfaction["criteria_definition"] = ballots.criteria.rows
    satisfaction["factor_labels"] = ballots.criteria.factor_labels
    satisfaction["form_versions"] = ballots.criteria.form_versions
    satisfaction["missing_questions"] = ballots.missing_questions
    sat_points = {r["agency"]: r["points"] for r in satisfaction["agencies"]}
    sat_ballots = {r["agency"]: r.get("ballots") for r in satisfaction["agencies"]}
    below = {
        r["agency"]
        for r in satisfaction["agencies"]
        if source == "ballots" and r.get("below_min_sample") and not r.get("no_countable_ballots")
    }
    satisfaction["incomplete"] = [
        {
            "agency": r["agency"],
            "factors_without_answers": r["factors_without_answers"],
            "factors_scored": r.get("factors_scored"),
            "factors_total": r.get("factors_total"),
        }
        for r in satisfaction["agencies"]
        if r.get("factors_without_answers")
    ]
    step()

    # PAR index: every participant with appraisal points, and satisfaction points when surveyed
    appraised = {row.agency.code: row for row in appraisal}
    par_rows, not_ranked = [], []
    for p in participants:
        code = p.agency.code
        if code not in appraised:
            not_ranked.append({"agency": code, "reason": "no_appraisal_points"})
            continue
        points = sat_points.get(code) if p.surveyed else None
        if p.surveyed and points is None:
            not_ranked.append({"agency": code, "reason": "no_satisfaction_points"})
            continue
        if p.surveyed and code in below and settings["below_min_sample"] == "not_ranked":
            not_ranked.append({"agency": code, "reason": "below_min_sample", "ballots": sat_ballots.get(code)})
            continue
        par_rows.append(
            {
                "agency": code,
                "group": p.agency.agency_group,
                "appraisal_points": appraised[code].points,
                "satisfaction_points": points if p.surveyed else np.nan,
                "max_points": p.max_points,
                "surveyed": p.surveyed,
            }
        )
    for item in not_ranked:
        warnings.append({"code": "not_ranked", "message": f"{item['agency']} is not ranked: {item['reason']}", **item})
    par = None
    par_result = None
    if par_rows:
        appraisal_max = max(appraisal_maximum(p, survey_max) for p in participants)
        try:
            par_result = rank_par(
                pd.DataFrame(par_rows),
                bands,
                DISPLAY_ROUNDING if settings["band_basis"] == "displayed" else None,
                appraisal_max=appraisal_max,
                satisfaction_max=survey_max,
                groups=None,  # the province's own groups, checked by the registry
            )
        except ScoringError as exc:
            raise _fail(exc) from exc
        ranked = records(par_result.agencies)
        for row in ranked:  # the mark of an agency ranked on fewer ballots than the minimum sample
            row["below_min_sample"] = row["agency"] in below
            row["ballots"] = sat_ballots.get(row["agency"]) if row["surveyed"] else None
        par = {
            "agencies": ranked,
            "groups": records(par_result.groups),
            "rounding": {
                "decimals": DISPLAY_ROUNDING.decimals,
                "rule": DISPLAY_ROUNDING.rule,
                "band_basis": settings["band_basis"],
            },
        }
    step()
    area_stats = []
    if areas:
        area_points = [
            {"agency": row.agency.code, "group": row.agency.agency_group, "area": a.area.name, "points": a.points}
            for row in appraisal
            for a in row.areas
        ]
        if area_points:
            try:
                area_stats = records(area_statistics(pd.DataFrame(area_points), {a.name: a.max_points for a in areas}))
            except ScoringError as exc:
                raise _fail(exc) from exc

    year_on_year = None
    if par_result is not None:
        try:
            year_on_year, more = compare_with_previous_year(survey_round, par_result)
        except ScoringError as exc:
            raise _fail(exc) from exc
        warnings += more

    agencies = {
        p.agency.code: {
            "name": p.agency.name,
            "group": p.agency.agency_group,
            "surveyed": p.surveyed,
            "max_points": p.max_points,
            "ballot_quota": p.ballot_quota,
        }
        for p in participants
    }
    results = {
        "round": {
            "code": survey_round.code,
            "year": survey_round.year,
            "title": survey_round.title,
            "method_version": survey_round.method_version,
            "survey_max_points": survey_max,
            "bands": survey_round.bands,
            "scoring_settings": settings,
        },
        "agencies": agencies,
        "groups": [{"code": g.code, "name": g.name} for g in list_groups()],
        "satisfaction": satisfaction,
        "par": par,
        "not_ranked": not_ranked,
        "areas": {
            "definition": [{"name": a.name, "max_points": a.max_points} for a in areas],
            "statistics": area_stats,
        },
        "year_on_year": year_on_year,
        "excluded": excluded,
        "held": held_by_agency(survey_round.id),
        "warnings": [plain(w) for w in warnings],
    }
    comparison = appraisal_comparison(survey_round)
    if comparison is not None:
        results["appraisal_comparison"] = comparison
    inputs = {
        "ballots": {"count": ballots.count, "sha256": ballots.digest},
        "appraisal": sorted(
            [
                row.agency.code,
                row.points,
                row.satisfaction_points,
                sorted((a.area.name, a.points) for a in row.areas),
            ]
            for row in appraisal
        ),
        "areas": [(a.name, a.max_points) for a in areas],
        "participants": sorted((code, p.max_points, p.surveyed) for code, p in by_code.items()),
        "bands": survey_round.bands,
        "scoring_settings": settings,
        "survey_max_points": survey_max,
        "method": method.as_dict(),
        "parameters": params,
    }
    return {
        "method": "imported" if source == "imported" else method.method,
        "method_version": str(method.version),
        "parameters": {**params, "satisfaction_source": source, "method_detail": plain(method.as_dict())},
        "ballots_included": ballots.count if source == "ballots" else 0,
        "ballots_excluded": sum(excluded.values()),
        "excluded": excluded,
        "input_hash": _input_hash(inputs),
        "results": plain(results),
    }
