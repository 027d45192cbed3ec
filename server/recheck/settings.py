"""A round's quality settings: cleaning rules, re-check questions, contact fields and quarantine.

Stored per round (``SurveyRound.quality_settings``) over these defaults, so each year can change them
and old rounds keep theirs.
"""

from __future__ import annotations

from ..errors import ApiError

DEFAULTS = {
    #: An interview shorter than this (completed_at - started_at) is invalid.
    "min_interview_seconds": 120,
    #: Questions a reviewer asks again; their answers are compared with the original ones.
    "key_questions": ["result_date", "procedure", "c1_1", "c3_1", "c4_1", "overall"],
    #: Answers holding the respondent's contact details: shown to the assigned reviewer and supervisors only.
    "contact_questions": ["respondent_phone"],
    #: An enumerator whose failed share of decided re-checks exceeds this is quarantined ...
    "quarantine_failure_rate": 0.3,
    #: ... once at least this many of their ballots have a decided re-check.
    "quarantine_min_decided": 3,
    #: Reviewers never get ballots of their own agency.
    "exclude_own_agency": True,
    #: Devices ask for the GPS position at the start and end of each interview (paradata location_start and
    #: location_end); a refusal never blocks capture.
    "collect_location": False,
    #: An interview whose GPS fix is farther than this (metres) from its agency's office is flagged.
    "location_threshold_m": 1000,
}


def settings_of(survey_round) -> dict:
    return {**DEFAULTS, **(survey_round.quality_settings or {})}


def checked(changes: dict) -> dict:
    unknown = sorted(set(changes) - set(DEFAULTS))
    if unknown:
        raise ApiError("invalid_request", "Unknown quality settings.", {key: ["Unknown setting."] for key in unknown})
    errors = {}
    for key, value in changes.items():
        default = DEFAULTS[key]
        if isinstance(default, bool) and not isinstance(value, bool):
            errors[key] = ["Must be true or false."]
        elif isinstance(default, list) and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            errors[key] = ["Must be a list of question names."]
        elif isinstance(default, int | float) and not isinstance(default, bool):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                errors[key] = ["Must be a number, not negative."]
            elif key == "quarantine_failure_rate" and value > 1:
                errors[key] = ["A share between 0 and 1."]
    if errors:
        raise ApiError("invalid_request", "Invalid quality settings.", errors)
    return changes
