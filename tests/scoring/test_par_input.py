"""The one check of a row of points (scoring.par_input), shared by the appraisal import and ``par rank``."""

from __future__ import annotations

import pytest

from scoring import appraisal_maximum, check_points

SURVEYED = {"max_points": 100.0, "surveyed": True, "survey_max": 10.0}
NOT_SURVEYED = {"max_points": 60.0, "surveyed": False, "survey_max": 10.0}


def codes(problems):
    return [(column, code) for column, code, _ in problems]


def test_the_appraisal_maximum_is_the_maximum_less_the_survey_when_surveyed():
    assert appraisal_maximum(100, True, 10) == 90 and appraisal_maximum(60, False, 10) == 60


@pytest.mark.parametrize(
    ("appraisal", "satisfaction", "agency", "expected"),
    [
        (85.5, 9.89, SURVEYED, []),  # Sở Thông tin và Truyền thông, 2022: fine
        (56.75, None, NOT_SURVEYED, []),  # Văn phòng UBND tỉnh, 2022: fine
        (-0.5, 9.0, SURVEYED, [("appraisal_points", "negative_points")]),
        (90.01, 9.0, SURVEYED, [("appraisal_points", "above_maximum")]),
        (60.5, None, NOT_SURVEYED, [("appraisal_points", "above_maximum")]),
        (56.75, 9.0, NOT_SURVEYED, [("satisfaction_points", "not_surveyed")]),
        (85.0, 10.01, SURVEYED, [("satisfaction_points", "above_maximum")]),
        (85.0, -1.0, SURVEYED, [("satisfaction_points", "negative_points")]),
        (None, 9.0, SURVEYED, [("appraisal_points", "missing_value")]),
    ],
)
def test_each_row_problem_has_its_code(appraisal, satisfaction, agency, expected):
    _, problems = check_points("X", appraisal, satisfaction, **agency)
    assert codes(problems) == expected


def test_areas_are_summed_checked_against_their_maximum_and_the_total():
    area_max = {"TTHC": 19.0, "Phạt": 0.0}
    total, problems = check_points("X", None, None, **SURVEYED, areas={"TTHC": 18.5, "Phạt": -1.0}, area_max=area_max)
    assert total == 17.5 and problems == []
    _, problems = check_points("X", 20.0, None, **SURVEYED, areas={"TTHC": 19.5, "Phạt": 0.0}, area_max=area_max)
    assert codes(problems) == [("TTHC", "above_area_maximum"), ("appraisal_points", "total_mismatch")]


def test_satisfaction_is_required_only_when_asked_as_par_rank_does():
    assert check_points("X", 85.0, None, **SURVEYED)[1] == []  # the server computes it from ballots
    problems = check_points("X", 85.0, None, **SURVEYED, satisfaction_required=True)[1]
    assert codes(problems) == [("satisfaction_points", "missing_value")]
