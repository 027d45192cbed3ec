"""The scoring rule of a leaf criterion: what a value entered by an agency or an appraiser is worth.

Pure functions over plain data (no database), so the XLSX import, the API and the bench share them.
"""

from __future__ import annotations

import math

RULE_TYPES = ("levels", "proportional", "penalty")
_TOL = 1e-9


class RuleError(ValueError):
    """A rule, or a value entered against it, is wrong; the message says why."""


def check_rule(rule: dict | None, max_points: float) -> None:
    """Raise :class:`RuleError` unless ``rule`` is a well-formed rule for a leaf of ``max_points``."""
    if not isinstance(rule, dict) or rule.get("type") not in RULE_TYPES:
        raise RuleError(f"A leaf needs a rule, one of {', '.join(RULE_TYPES)}.")
    kind = rule["type"]
    if kind == "levels":
        levels = rule.get("levels")
        if not levels or not all(isinstance(v, int | float) and math.isfinite(v) for v in levels):
            raise RuleError("A 'levels' rule needs its points, e.g. 0; 0.5; 1.")
        if any(v < 0 or v > max_points + _TOL for v in levels):
            raise RuleError(f"Every level must lie between 0 and the maximum {max_points:g}.")
    elif kind == "proportional":
        full_at = rule.get("full_at")
        if not isinstance(full_at, int | float) or not full_at > 0:
            raise RuleError("A 'proportional' rule needs the figure that earns full points (full_at > 0).")
        if not str(rule.get("figure") or "").strip():
            raise RuleError("A 'proportional' rule needs the name of the reported figure.")
    else:
        per_unit, floor = rule.get("per_unit"), rule.get("floor")
        if not isinstance(per_unit, int | float) or not per_unit > 0:
            raise RuleError("A 'penalty' rule needs the points taken per case (per_unit > 0).")
        if not isinstance(floor, int | float) or floor > 0:
            raise RuleError("A 'penalty' rule needs its floor, zero or negative (e.g. -2).")
        if max_points != 0:
            raise RuleError("A penalty leaf has a maximum of 0.")


def leaf_points(rule: dict, max_points: float, value: float) -> float:
    """Points of a leaf for ``value``: the chosen level, the reported figure, or the number of penalty cases.

    levels: ``value`` must be one of the levels; proportional: ``max × min(value, full_at) / full_at``
    for a figure ≥ 0; penalty: ``max(floor, −per_unit × value)`` for a whole count ≥ 0.
    """
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        raise RuleError("Enter a number.")
    kind = rule["type"]
    if kind == "levels":
        for level in rule["levels"]:
            if abs(level - value) <= _TOL:
                return float(level)
        raise RuleError(f"{value:g} is not one of the levels {'; '.join(f'{v:g}' for v in rule['levels'])}.")
    if kind == "proportional":
        if value < 0:
            raise RuleError("The reported figure cannot be negative.")
        return max_points * min(value, rule["full_at"]) / rule["full_at"]
    if value < 0 or abs(value - round(value)) > _TOL:
        raise RuleError("The number of penalty cases is a whole number, zero or more.")
    return max(float(rule["floor"]), -rule["per_unit"] * round(value))


def applies_to(groups: list | None, agency_group: str) -> bool:
    return groups is None or agency_group in groups
