"""The scoring rule of a leaf: known values for each kind of rule and the inputs it refuses."""

from __future__ import annotations

import pytest

from server.appraisal.rules import RuleError, check_rule, leaf_points

LEVELS = {"type": "levels", "levels": [0, 0.5, 1]}
SHARE = {"type": "proportional", "figure": "Tỷ lệ hồ sơ đúng hạn (%)", "full_at": 50}
PENALTY = {"type": "penalty", "per_unit": 0.25, "floor": -1}


@pytest.mark.parametrize(
    ("rule", "maximum", "value", "points"),
    [
        (LEVELS, 1, 0.5, 0.5),
        (LEVELS, 1, 1, 1.0),
        (SHARE, 8, 40, 6.4),  # 8 × 40 / 50
        (SHARE, 8, 75, 8.0),  # capped at full points
        (SHARE, 8, 0, 0.0),
        (PENALTY, 0, 0, 0.0),
        (PENALTY, 0, 3, -0.75),
        (PENALTY, 0, 10, -1.0),  # 10 × 0.25 = 2.5, floored at -1
    ],
)
def test_a_value_should_be_worth_what_the_rule_says(rule, maximum, value, points):
    assert leaf_points(rule, maximum, value) == pytest.approx(points)


@pytest.mark.parametrize(
    ("rule", "maximum", "value"),
    [(LEVELS, 1, 0.75), (SHARE, 8, -1), (PENALTY, 0, 1.5), (PENALTY, 0, -1), (LEVELS, 1, float("nan"))],
)
def test_a_value_the_rule_cannot_take_should_be_refused(rule, maximum, value):
    with pytest.raises(RuleError):
        leaf_points(rule, maximum, value)


@pytest.mark.parametrize(
    ("rule", "maximum"),
    [
        (None, 1),
        ({"type": "levels", "levels": [0, 2]}, 1),
        ({"type": "proportional", "figure": "x", "full_at": 0}, 1),
        ({"type": "proportional", "figure": "", "full_at": 100}, 1),
        ({"type": "penalty", "per_unit": 0.5, "floor": 1}, 0),
        ({"type": "penalty", "per_unit": 0.5, "floor": -1}, 2),
        ({"type": "bonus"}, 1),
    ],
)
def test_a_malformed_rule_should_be_refused(rule, maximum):
    with pytest.raises(RuleError):
        check_rule(rule, maximum)
