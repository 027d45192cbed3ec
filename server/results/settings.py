"""A round's scoring settings: the rule for agencies below the minimum sample, the band basis and the
minimum sample itself. Every score run of the round reads them (``runs.compute_run``) and records them
in its results (``results.round.scoring_settings``) and its input hash.

``below_min_sample``
    ``rank_marked`` (default): an agency with fewer countable ballots than ``min_ballots`` is ranked,
    and marked (``below_min_sample: true`` on its PAR row, a note in the tables and exports);
    ``not_ranked``: it is listed among the agencies not ranked, reason ``below_min_sample``.
``band_basis``
    ``displayed`` (default, as published): rank and band on the index rounded half-up to two
    decimals; ``unrounded``: on the exact index.
``min_ballots``
    the minimum sample (30 by default); a score run's own ``min_ballots`` parameter overrides it.
"""

from __future__ import annotations

from typing import Any

from ..auth.models import User
from ..errors import ApiError
from ..extensions import db
from ..registry.models import SurveyRound
from .models import BAND_BASES, BELOW_MIN_SAMPLE_RULES, RoundScoringSettings

DEFAULTS: dict[str, Any] = {"below_min_sample": "rank_marked", "band_basis": "displayed", "min_ballots": 30}


def scoring_settings(survey_round: SurveyRound) -> dict[str, Any]:
    """The round's settings, defaults filled in."""
    stored = db.session.get(RoundScoringSettings, survey_round.id)
    if stored is None:
        return dict(DEFAULTS)
    return {key: getattr(stored, key) for key in DEFAULTS}


def update_scoring_settings(survey_round: SurveyRound, changes: dict[str, Any], user: User | None = None) -> dict:
    """Change some of the round's settings; unknown keys or values are refused, nothing changed."""
    problems: dict[str, list[str]] = {}
    for key, value in changes.items():
        if key not in DEFAULTS:
            problems[key] = ["Unknown setting."]
        elif key == "below_min_sample" and value not in BELOW_MIN_SAMPLE_RULES:
            problems[key] = [f"One of {', '.join(BELOW_MIN_SAMPLE_RULES)}."]
        elif key == "band_basis" and value not in BAND_BASES:
            problems[key] = [f"One of {', '.join(BAND_BASES)}."]
        elif key == "min_ballots" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems[key] = ["A whole number, 0 or more."]
    if problems:
        raise ApiError("invalid_request", "Invalid scoring settings.", problems)
    stored = db.session.get(RoundScoringSettings, survey_round.id)
    if stored is None:
        stored = RoundScoringSettings(round_id=survey_round.id, **DEFAULTS)
        db.session.add(stored)
    for key, value in changes.items():
        setattr(stored, key, value)
    stored.updated_by = user
    db.session.flush()
    return scoring_settings(survey_round)
