"""One check of an agency's points, shared by the server's appraisal import and ``parsurvey par rank``.

Both read a table of points typed by people; both must refuse the same rows with the same codes, so
neither can score what the other refuses. :func:`check_points` returns the problems of one agency's
row as ``(column, code, message)``; the caller adds the line and decides what to do (the server refuses
the file, ``par rank`` exits with every problem listed).

Codes (each is also the ``code`` of a row problem of the server's ``invalid_appraisal`` error):

``missing_value``
    no appraisal points (and no content areas to sum), or -- when satisfaction is required, as in
    ``par rank`` -- no satisfaction points for a surveyed agency;
``above_maximum``
    appraisal points above the agency's appraisal maximum (its maximum minus the survey maximum when
    surveyed, 100 - 10 = 90; its whole maximum, e.g. 60, when not), or satisfaction points above the
    survey maximum;
``negative_points``
    negative appraisal points in total, or negative satisfaction points;
``not_surveyed``
    satisfaction points for an agency that is not surveyed (a 60-point agency without administrative
    procedures);
``above_area_maximum``
    points in a content area above the area's maximum;
``total_mismatch``
    a total that is not the sum of the content areas given.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Tolerance of the comparisons with maximums (points are written with at most four decimals).
TOLERANCE = 1e-6
#: Tolerance of a total against the sum of its areas (three decimals as written by councils).
SUM_TOLERANCE = 0.0005

Problem = tuple[str | None, str, str]


def appraisal_maximum(max_points: float, surveyed: bool, survey_max: float) -> float:
    """Largest appraisal points of an agency: its maximum minus the survey's when surveyed, else all of it."""
    return max_points - survey_max if surveyed else max_points


def check_points(
    agency: str,
    appraisal: float | None,
    satisfaction: float | None,
    *,
    max_points: float,
    surveyed: bool,
    survey_max: float,
    areas: Mapping[str, float] | None = None,
    area_max: Mapping[str, float] | None = None,
    satisfaction_required: bool = False,
    columns: Mapping[str, str] | None = None,
) -> tuple[float | None, list[Problem]]:
    """The agency's total appraisal points (the areas' sum when no total is given) and every problem.

    ``columns`` names the file's columns for ``appraisal_points`` and ``satisfaction_points`` in the
    problems (default: those names). Area problems name the area's column.
    """
    columns = columns or {}
    col_app = columns.get("appraisal_points", "appraisal_points")
    col_sat = columns.get("satisfaction_points", "satisfaction_points")
    problems: list[Problem] = []
    areas = dict(areas or {})
    area_max = dict(area_max or {})
    for name, value in areas.items():
        if name in area_max and value > area_max[name] + TOLERANCE:
            problems.append(
                (
                    name,
                    "above_area_maximum",
                    f"{value:g} points in {name!r} for {agency} exceed the area maximum of {area_max[name]:g}.",
                )
            )
    total = appraisal
    if total is None:
        if not areas:
            problems.append((col_app, "missing_value", f"No appraisal points for {agency}."))
            return None, problems
        total = sum(areas.values())
    elif areas and abs(total - sum(areas.values())) > SUM_TOLERANCE:
        problems.append(
            (
                col_app,
                "total_mismatch",
                f"The total {total:g} is not the sum of the areas ({sum(areas.values()):g}) for {agency}.",
            )
        )
    maximum = appraisal_maximum(max_points, surveyed, survey_max)
    if total > maximum + TOLERANCE:
        why = f"its maximum of {max_points:g}" + (
            f" minus the survey's {survey_max:g}" if surveyed else " (not surveyed)"
        )
        problems.append(
            (col_app, "above_maximum", f"{total:g} appraisal points for {agency} exceed {maximum:g}, {why}.")
        )
    if total < 0:
        problems.append((col_app, "negative_points", f"Negative appraisal points ({total:g}) for {agency}."))
    if satisfaction is not None:
        if not surveyed:
            problems.append(
                (
                    col_sat,
                    "not_surveyed",
                    f"{agency} is not surveyed (maximum {max_points:g}); leave its satisfaction points empty.",
                )
            )
        elif satisfaction < 0:
            problems.append(
                (col_sat, "negative_points", f"Negative satisfaction points ({satisfaction:g}) for {agency}.")
            )
        elif satisfaction > survey_max + TOLERANCE:
            problems.append(
                (
                    col_sat,
                    "above_maximum",
                    f"{satisfaction:g} satisfaction points for {agency} are not between 0 and {survey_max:g}.",
                )
            )
    elif surveyed and satisfaction_required:
        problems.append((col_sat, "missing_value", f"No satisfaction points for {agency}, which is surveyed."))
    return total, problems
