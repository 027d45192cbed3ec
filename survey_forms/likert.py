"""The five-level satisfaction scale used by the national PAR satisfaction method.

Scoring counts levels 4 and 5 as satisfied, so the numeric order matters and must never change.
``NOT_APPLICABLE`` is the answer for a criterion that does not apply to the respondent: it is
neither satisfied nor dissatisfied and is left out of the rates.
"""

from __future__ import annotations

#: Answer value meaning "does not apply" (không áp dụng); allowed only where ``allow_na`` is set.
NOT_APPLICABLE = "na"

#: Level -> labels. 1 is the worst, 5 the best.
LIKERT_LEVELS: dict[int, dict[str, str]] = {
    1: {"vi": "Rất không hài lòng", "en": "Very dissatisfied"},
    2: {"vi": "Không hài lòng", "en": "Dissatisfied"},
    3: {"vi": "Bình thường", "en": "Neutral"},
    4: {"vi": "Hài lòng", "en": "Satisfied"},
    5: {"vi": "Rất hài lòng", "en": "Very satisfied"},
}

#: Label of the not-applicable answer, for renderers that offer it.
NOT_APPLICABLE_LABEL: dict[str, str] = {"vi": "Không áp dụng", "en": "Not applicable"}
