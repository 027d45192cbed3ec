"""``parsurvey par rank``: the PAR ranking of a plain table of points, by ``scoring.rank_par`` alone.

Input columns ``agency,group,appraisal_points,satisfaction_points,max_points`` (empty satisfaction
points for agencies not surveyed). Output: ``agencies`` (agency, group, points, index, rank, band)
and ``groups`` (group, mean, highest, lowest, spread, counts per band, mean satisfaction points).
Indexes are shown rounded to two decimals (half-up, as published), the basis of rank and band;
``index_unrounded`` keeps the exact value.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from scoring import DISPLAY_ROUNDING, rank_par, round_decimal

from .runs import records


def _shown(value):
    return None if value is None else round_decimal(value, DISPLAY_ROUNDING.decimals, DISPLAY_ROUNDING.rule)


def rank_table(
    data: bytes,
    fmt: str = "json",
    bands: str | None = None,
    appraisal_max: float = 90.0,
    satisfaction_max: float = 10.0,
) -> bytes:
    """Rank a CSV table; returns the JSON or CSV output as UTF-8 bytes."""
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False, na_values=[""])
    table.columns = [c.strip() for c in table.columns]
    kwargs = {"appraisal_max": appraisal_max, "satisfaction_max": satisfaction_max}
    result = rank_par(table, bands, DISPLAY_ROUNDING, **kwargs) if bands else rank_par(table, **kwargs)
    agencies = [
        {
            "agency": r["agency"],
            "group": r["group"],
            "appraisal_points": r["appraisal_points"],
            "satisfaction_points": r["satisfaction_points"],
            "points": _shown(r["points"]),
            "max_points": r["max_points"],
            "index": r["index_displayed"],
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
    body = {"bands": str(result.bands), "agencies": agencies, "groups": groups}
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
