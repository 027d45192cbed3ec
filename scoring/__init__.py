"""Scoring for parsurvey: the satisfaction index of each agency and the PAR index ranking.

What it is for
    Turning survey answers into criterion rates, factor and agency satisfaction indexes and points
    (with confidence intervals, sample sizes and reliability), and turning appraisal plus
    satisfaction points into the PAR index (Chỉ số CCHC) of each agency -- ranked within its group,
    banded, summarised per group and compared with the previous year.

How it is written
    Pure functions over pandas DataFrames that never modify their inputs; every result is
    unrounded, and rounding happens only for display (:mod:`scoring.rounding`). Formulas and
    references are in each function's docstring. Bad input raises :class:`ScoringError` with a stable
    ``code``; gaps in the data (an agency nobody answered for) come back as flags and
    :class:`ScoringWarning` records, never as a crash or a silent NaN.

What it may import
    The standard library, numpy, pandas and scipy -- nothing else. It is a leaf: no Flask, no
    database, no other parsurvey package (``server``, ``sync``, ``survey_forms``), so it runs from a
    notebook on a CSV export.

Modules
    ``satisfaction`` (survey scoring), ``answers`` (long/wide answer tables), ``criteria``,
    ``intervals`` (Wilson, bootstrap percentile), ``bootstrap``, ``reliability`` (Cronbach's alpha),
    ``par`` (PAR index, ranks, group and area statistics, year-on-year), ``bands``, ``rounding``,
    ``errors``, ``text`` (NFC normalisation), ``synthetic`` (benchmark data).
"""

from scoring.answers import answers_from_wide, answers_to_wide
from scoring.bands import DEFAULT_BANDS, KNOWN_LABELS, Band, Bands
from scoring.criteria import Criteria, parse_criteria
from scoring.errors import ERROR_CODES, WARNING_CODES, ScoringError, ScoringWarning
from scoring.intervals import index_interval, percentile_interval, wilson_interval, z_value
from scoring.par import (
    DISPLAY_ROUNDING,
    KNOWN_GROUPS,
    ParResult,
    area_statistics,
    compare_years,
    rank_par,
)
from scoring.par_input import appraisal_maximum, check_points
from scoring.reliability import AlphaResult, cronbach_alpha, factor_reliability
from scoring.rounding import (
    RULES,
    Rounding,
    present,
    round_decimal,
    round_half_even,
    round_half_up,
    round_values,
)
from scoring.satisfaction import (
    METHODS,
    SatisfactionMethod,
    SatisfactionResult,
    composite_index,
    score_satisfaction,
)
from scoring.synthetic import synthetic_ballots, synthetic_criteria

__all__ = [
    "DEFAULT_BANDS",
    "DISPLAY_ROUNDING",
    "ERROR_CODES",
    "KNOWN_GROUPS",
    "KNOWN_LABELS",
    "METHODS",
    "RULES",
    "WARNING_CODES",
    "AlphaResult",
    "Band",
    "Bands",
    "Criteria",
    "ParResult",
    "Rounding",
    "SatisfactionMethod",
    "SatisfactionResult",
    "ScoringError",
    "ScoringWarning",
    "answers_from_wide",
    "answers_to_wide",
    "appraisal_maximum",
    "area_statistics",
    "check_points",
    "compare_years",
    "composite_index",
    "cronbach_alpha",
    "factor_reliability",
    "index_interval",
    "parse_criteria",
    "percentile_interval",
    "present",
    "rank_par",
    "round_decimal",
    "round_half_even",
    "round_half_up",
    "round_values",
    "score_satisfaction",
    "synthetic_ballots",
    "synthetic_criteria",
    "wilson_interval",
    "z_value",
]
