"""``parsurvey par rank``: the PAR ranking of a plain table of points, by ``scoring.rank_par`` alone.

Input columns ``agency,group,appraisal_points,satisfaction_points,max_points`` (empty satisfaction
points for agencies not surveyed). Output: ``agencies`` (agency, group, points, index, rank, band)
and ``groups`` (group, mean, highest, lowest, spread, counts per band, mean satisfaction points).
Indexes are shown rounded to two decimals (half-up, as published); rank and band are decided on that
displayed index (``band_basis="displayed"``, as published) or on the unrounded one (``"unrounded"``);
``index_unrounded`` keeps the exact value.

The input is checked row by row exactly as the server's import of appraisal points checks it
(``scoring.par_input.check_points``: same codes -- ``above_maximum``, ``negative_points``,
``not_surveyed`` ...): an agency is surveyed when the ``surveyed`` column says so or, without that
column, when its maximum exceeds the appraisal maximum (100 > 90; a 60-point agency is not surveyed
and may not be given satisfaction points). Every problem is reported with its line, then nothing is
ranked (``ScoringError("invalid_appraisal")`` with ``details["problems"]``).
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from scoring import DISPLAY_ROUNDING, ScoringError, rank_par, round_decimal
from scoring.par_input import TOLERANCE, check_points

from .records import records


def _shown(value):
    return None if value is None else round_decimal(value, DISPLAY_ROUNDING.decimals, DISPLAY_ROUNDING.rule)


BAND_BASES = ("displayed", "unrounded")
_FLAGS = {"yes": True, "true": True, "1": True, "có": True, "no": False, "false": False, "0": False, "không": False}


def _number(text: str | None) -> float:
    """A cell as a number; blank is None; raises ValueError otherwise (decimal comma accepted)."""
    value = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(text)
    return number


def check_table(table: pd.DataFrame, appraisal_max: float, satisfaction_max: float) -> tuple[pd.DataFrame, list[dict]]:
    """Check every row as the server's appraisal import does; returns the table with ``surveyed`` and the
    problems (``line, column, code, message``; line 1 is the header)."""
    problems: list[dict] = []

    def problem(line: int, column: str | None, code: str, message: str) -> None:
        problems.append({"line": line, "column": column, "code": code, "message": message})

    for column in ("agency", "group", "appraisal_points", "satisfaction_points", "max_points"):
        if column not in table.columns:
            problem(1, column, "missing_column", f"The table needs a {column!r} column.")
    if problems:
        return table, problems
    seen: dict[str, int] = {}
    surveyed_flags: list[bool] = []
    for position, row in enumerate(table.to_dict(orient="records")):
        line = position + 2
        agency = (row.get("agency") or "").strip()
        if not agency:
            problem(line, "agency", "missing_value", "No agency on this row.")
        elif agency in seen:
            problem(line, "agency", "duplicate_row", f"{agency} is already on line {seen[agency]}.")
        else:
            seen[agency] = line
        values: dict[str, float | None] = {}
        for column in ("appraisal_points", "satisfaction_points", "max_points"):
            text = row.get(column)
            if text is None or not str(text).strip():
                values[column] = None
                continue
            try:
                values[column] = _number(str(text))
            except ValueError:
                problem(line, column, "not_a_number", f"{text!r} is not a number.")
                values[column] = float("nan")
        maximum = values["max_points"]
        if maximum is None or not maximum > 0:
            if maximum is None or maximum == maximum:  # blank or a number <= 0 (NaN was reported above)
                problem(
                    line, "max_points", "invalid_maximum", f"The maximum points of {agency} must be a positive number."
                )
            surveyed_flags.append(False)
            continue
        flag = str(row.get("surveyed") or "").strip().casefold() if "surveyed" in table.columns else ""
        if flag:
            if flag not in _FLAGS:
                problem(line, "surveyed", "invalid_value", f"surveyed must be yes or no, not {row.get('surveyed')!r}.")
            surveyed = _FLAGS.get(flag, False)
        else:
            surveyed = maximum > appraisal_max + TOLERANCE
        surveyed_flags.append(surveyed)
        if any(v is not None and v != v for v in values.values()):
            continue
        _, found = check_points(
            agency or f"line {line}",
            values["appraisal_points"],
            values["satisfaction_points"],
            max_points=maximum,
            surveyed=surveyed,
            survey_max=satisfaction_max,
            satisfaction_required=True,
        )
        for column, code, message in found:
            problem(line, column, code, message)
    return table.assign(surveyed=surveyed_flags), problems


def rank_table(
    data: bytes,
    fmt: str = "json",
    bands: str | None = None,
    appraisal_max: float = 90.0,
    satisfaction_max: float = 10.0,
    band_basis: str = "displayed",
) -> bytes:
    """Rank a CSV table; returns the JSON or CSV output as UTF-8 bytes.

    Raises ``ScoringError("invalid_appraisal")`` listing every row problem (see the module doc)."""
    if band_basis not in BAND_BASES:
        raise ScoringError("invalid_rounding", f"band basis must be one of {list(BAND_BASES)}, not {band_basis!r}")
    try:
        table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ScoringError("invalid_value", f"the table is not a UTF-8 CSV with a header row ({exc})") from exc
    table.columns = [c.strip() for c in table.columns]
    table = table.astype(object).where(table.notna(), None)
    table, problems = check_table(table, appraisal_max, satisfaction_max)
    if problems:
        lines = len({p["line"] for p in problems})
        raise ScoringError(
            "invalid_appraisal",
            f"{len(problems)} problem(s) on {lines} line(s); nothing was ranked.",
            problems=problems,
        )
    rounding = DISPLAY_ROUNDING if band_basis == "displayed" else None
    # Any group label: the province's own groups (ward, special_zone, ...) live in its registry, not here.
    kwargs = {"appraisal_max": appraisal_max, "satisfaction_max": satisfaction_max, "groups": None}
    result = rank_par(table, bands, rounding, **kwargs) if bands else rank_par(table, rounding=rounding, **kwargs)
    agencies = [
        {
            "agency": r["agency"],
            "group": r["group"],
            "appraisal_points": r["appraisal_points"],
            "satisfaction_points": r["satisfaction_points"],
            "points": _shown(r["points"]),
            "max_points": r["max_points"],
            "index": _shown(r["index"]),
            "index_unrounded": r["index"],
            "rank": r["rank"],
            "band": r["band"],
            "band_label": r["band_label"],
        }
        for r in records(result.agencies)
    ]
    groups = [
        {
            "group": g["group"],
            "agencies": g["agencies"],
            "mean": _shown(g["mean"]),
            "highest": _shown(g["highest"]),
            "lowest": _shown(g["lowest"]),
            "spread": _shown(g["spread"]),
            "bands": {key: g[f"n_{key}"] for key in result.bands.keys},
            "mean_satisfaction_points": _shown(g["mean_satisfaction_points"]),
        }
        for g in records(result.groups)
    ]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        columns = ["agency", "group", "points", "index", "rank", "band", "band_label"]
        writer.writerow(columns)
        for a in agencies:
            writer.writerow(["" if a[c] is None else a[c] for c in columns])
        return out.getvalue().encode("utf-8")
    body = {"bands": str(result.bands), "band_basis": band_basis, "agencies": agencies, "groups": groups}
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
