"""PAR index (Chỉ số cải cách hành chính) of each agency: points, index, rank, band, group statistics.

An agency's points obtained are its appraisal points (điểm thẩm định, at most 90) plus its
satisfaction points (at most 10); an agency that was not surveyed (it handles no administrative
procedures) has no satisfaction points and a reduced maximum (60 in 2022)::

    points = appraisal_points + satisfaction_points        (satisfaction = 0 if not surveyed)
    index  = points / max_points × 100

Agencies are ranked within their group (departments, districts ...), ties sharing the best rank
(the "min" method: 1, 2, 2, 4), and put in bands (:mod:`scoring.bands`).

**Displayed or unrounded index?** Published reports print the index to two decimals and rank and
band on what they print: two agencies shown as 90.54 share a rank, and 94.996 shown as 95.00 is
"Excellent". The default ``rounding=Rounding(2, "half_up")`` does the same -- rank and band use the
index rounded half-up to two decimals -- and reproduces every published rank and index of the
Hà Nam 2022 department table (tests/scoring/data). ``rounding=None`` ranks and bands on the
unrounded index. Either way the unrounded ``index`` is kept; group means and spreads use it.

Reference: Ministry of Home Affairs, Decision 876/QĐ-BNV (2022) approving the scheme for determining
the PAR index of ministries and provinces, and the province's yearly PAR index decisions (e.g. the
Hà Nam Department of Home Affairs report on 2022 results, December 2022).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.bands import DEFAULT_BANDS, Bands, as_bands
from scoring.errors import ScoringError
from scoring.rounding import Rounding
from scoring.text import nfc

#: Groups ranked separately; pass ``groups=None`` to accept any label.
KNOWN_GROUPS: tuple[str, ...] = ("department", "district", "commune")
#: Published reports show, rank and band the index at two decimals, rounded half-up.
DISPLAY_ROUNDING = Rounding(2, "half_up")
PAR_COLUMNS = ("agency", "group", "appraisal_points", "satisfaction_points", "max_points")
_TOL = 1e-9
_EXAMPLES = 10


@dataclass(frozen=True)
class ParResult:
    """Result of :func:`rank_par`.

    Attributes
    ----------
    agencies : DataFrame
        ``agency, group, appraisal_points, satisfaction_points, surveyed, points, max_points, index,
        index_displayed, rank, band, band_label`` -- by group, then rank; ``index`` unrounded,
        ``index_displayed`` rounded by ``rounding`` (equal to ``index`` when it is None).
    groups : DataFrame
        ``group, agencies, surveyed, mean, highest, lowest, spread, n_<band> ...,
        mean_satisfaction_points`` -- statistics of the unrounded index; band counts on the banding
        basis; mean satisfaction points over surveyed agencies.
    bands : Bands
    rounding : Rounding or None
        The basis used for rank and band.
    """

    agencies: pd.DataFrame
    groups: pd.DataFrame
    bands: Bands
    rounding: Rounding | None


def _fail(code: str, what: str, agencies: Iterable[Any]) -> ScoringError:
    names = list(agencies)
    shown = ", ".join(repr(a) for a in names[:_EXAMPLES]) + (" ..." if len(names) > _EXAMPLES else "")
    return ScoringError(code, f"{what}: {shown}", agencies=names)


def _numbers(df: pd.DataFrame, column: str, agencies: np.ndarray) -> np.ndarray:
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    wrong = np.isnan(values) & df[column].notna().to_numpy()
    if wrong.any():
        raise _fail("invalid_value", f"{column} is not a number for", agencies[wrong])
    return values


def _surveyed_flags(values: pd.Series, agencies: np.ndarray) -> np.ndarray:
    def flag(v: Any) -> Any:
        if isinstance(v, bool | np.bool_):
            return bool(v)
        text = str(v).strip().lower()
        return {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}.get(text)

    flags = [flag(v) for v in values.tolist()]
    bad = np.array([f is None for f in flags])
    if bad.any():
        raise _fail("invalid_value", "surveyed must be yes/no for", agencies[bad])
    return np.array(flags, dtype=bool)


def rank_par(
    table: pd.DataFrame,
    bands: Bands | str | Iterable[Any] = DEFAULT_BANDS,
    rounding: Rounding | None = DISPLAY_ROUNDING,
    *,
    appraisal_max: float = 90.0,
    satisfaction_max: float = 10.0,
    groups: Iterable[str] | None = KNOWN_GROUPS,
) -> ParResult:
    """Compute, rank and band the PAR index of every agency.

    Parameters
    ----------
    table : DataFrame
        ``agency, group, appraisal_points, satisfaction_points, max_points`` and optionally
        ``surveyed`` (yes/no). Satisfaction points are empty (NaN) for agencies not surveyed.
        Without a ``surveyed`` column an agency is surveyed when it has satisfaction points.
    bands : Bands, spec string or list of tuples
        Default :data:`scoring.bands.DEFAULT_BANDS` (2022).
    rounding : Rounding or None
        Basis of rank and band: the index as displayed (default two decimals, half-up, as
        published) or, with None, the unrounded index.
    appraisal_max, satisfaction_max : float
        Maximum appraisal points (90) and survey points (10) of the year's method.
    groups : iterable of str or None
        Allowed group labels (default :data:`KNOWN_GROUPS`); None allows any non-empty label.

    Returns
    -------
    ParResult

    Raises
    ------
    ScoringError
        ``empty_input``, ``missing_columns``, ``duplicate_agency``, ``unknown_group``,
        ``invalid_value``, ``invalid_max_points``, ``missing_satisfaction`` (satisfaction missing for
        a surveyed agency, or for one whose maximum cannot be reached by appraisal alone),
        ``appraisal_above_maximum``, ``satisfaction_above_maximum``, ``points_above_maximum``,
        ``negative_points``, ``invalid_bands``. Each lists every offending agency.

    Notes
    -----
    ``index = (appraisal + satisfaction) / max_points × 100``; rank within group by descending
    index (ties share the lowest rank number: 1, 2, 2, 4). The input is not modified.

    Examples
    --------
    Two rows of the Hà Nam 2022 department table (published: 95.39 rank 1; 94.58 rank 5):

    >>> t = pd.DataFrame({"agency": ["Sở Thông tin và Truyền thông", "Văn phòng UBND tỉnh"],
    ...                   "group": "department", "appraisal_points": [85.50, 56.75],
    ...                   "satisfaction_points": [9.89, None], "max_points": [100, 60]})
    >>> rank_par(t).agencies[["index_displayed", "rank", "band"]].values.tolist()
    [[95.39, 1, 'excellent'], [94.58, 2, 'good']]
    """
    bands = as_bands(bands)
    if rounding is not None and not isinstance(rounding, Rounding):
        raise ScoringError("invalid_rounding", "rounding must be a scoring.rounding.Rounding or None")
    if not isinstance(table, pd.DataFrame):
        raise ScoringError("invalid_value", "the PAR table must be a pandas DataFrame")
    missing = [c for c in PAR_COLUMNS if c not in table.columns]
    if missing:
        raise ScoringError("missing_columns", f"the PAR table lacks column(s) {missing}", columns=missing)
    if len(table) == 0:
        raise ScoringError("empty_input", "the PAR table has no rows")

    agency = np.array([nfc(a) for a in table["agency"].tolist()], dtype=object)
    if pd.isna(agency).any():
        raise ScoringError("invalid_value", f"{int(pd.isna(agency).sum())} row(s) have no agency")
    dup = pd.Series(agency).duplicated(keep="first").to_numpy()
    if dup.any():
        raise _fail("duplicate_agency", "agencies listed more than once", pd.unique(agency[dup]))
    group = np.array([nfc(g) for g in table["group"].tolist()], dtype=object)
    allowed = None if groups is None else {nfc(g) for g in groups}
    bad_group = np.array(
        [
            pd.isna(g) or (isinstance(g, str) and not g.strip()) or (allowed is not None and g not in allowed)
            for g in group
        ]
    )
    if bad_group.any():
        raise _fail(
            "unknown_group",
            f"group missing or not one of {sorted(allowed) if allowed else 'the allowed groups'} for",
            agency[bad_group],
        )

    appraisal = _numbers(table, "appraisal_points", agency)
    satisfaction = _numbers(table, "satisfaction_points", agency)
    max_points = _numbers(table, "max_points", agency)
    if np.isnan(appraisal).any():
        raise _fail("invalid_value", "appraisal points are missing for", agency[np.isnan(appraisal)])
    bad_max = ~(max_points > 0) | ~np.isfinite(max_points)
    if bad_max.any():
        raise _fail("invalid_max_points", "maximum points are missing, zero or negative for", agency[bad_max])
    has_sat = ~np.isnan(satisfaction)
    if "surveyed" in table.columns:
        surveyed = _surveyed_flags(table["surveyed"], agency)
        extra = ~surveyed & has_sat
        if extra.any():
            raise _fail("invalid_value", "satisfaction points given for agencies marked not surveyed", agency[extra])
    else:
        surveyed = has_sat
    needs = (surveyed & ~has_sat) | (~has_sat & (max_points > appraisal_max + _TOL))
    if needs.any():
        raise _fail(
            "missing_satisfaction",
            "satisfaction points are missing for surveyed agencies (or ones whose maximum exceeds"
            f" the appraisal maximum of {appraisal_max:g})",
            agency[needs],
        )
    over = appraisal > appraisal_max + _TOL
    if over.any():
        raise _fail("appraisal_above_maximum", f"appraisal points above {appraisal_max:g} for", agency[over])
    sat = np.where(has_sat, satisfaction, 0.0)
    over = has_sat & (satisfaction > satisfaction_max + _TOL)
    if over.any():
        raise _fail("satisfaction_above_maximum", f"satisfaction points above {satisfaction_max:g} for", agency[over])
    if (has_sat & (satisfaction < 0)).any():
        raise _fail("invalid_value", "negative satisfaction points for", agency[has_sat & (satisfaction < 0)])
    points = appraisal + sat
    if (points > max_points + _TOL).any():
        raise _fail("points_above_maximum", "points above the maximum for", agency[points > max_points + _TOL])
    if (points < 0).any():
        raise _fail("negative_points", "negative total points for", agency[points < 0])

    index = points / max_points * 100.0
    displayed = index.copy() if rounding is None else rounding.apply(index)
    basis = pd.Series(displayed)
    rank = basis.groupby(group, sort=False).rank(method="min", ascending=False).astype(np.int64).to_numpy()
    band = bands.classify(displayed)

    agencies = pd.DataFrame(
        {
            "agency": pd.Series(agency, dtype=object),
            "group": pd.Series(group, dtype=object),
            "appraisal_points": appraisal,
            "satisfaction_points": np.where(has_sat, satisfaction, np.nan),
            "surveyed": surveyed,
            "points": points,
            "max_points": max_points,
            "index": index,
            "index_displayed": displayed,
            "rank": rank,
            "band": pd.Series(band, dtype=object),
            "band_label": pd.Series([bands.label(b) for b in band], dtype=object),
        }
    )
    group_order = {g: i for i, g in enumerate(dict.fromkeys(group.tolist()))}
    agencies = (
        agencies.assign(_g=agencies["group"].map(group_order), _a=agencies["agency"].astype(str))
        .sort_values(["_g", "rank", "_a"], kind="stable")
        .drop(columns=["_g", "_a"])
        .reset_index(drop=True)
    )
    return ParResult(agencies, _group_statistics(agencies, bands), bands, rounding)


def _group_statistics(agencies: pd.DataFrame, bands: Bands) -> pd.DataFrame:
    rows = []
    for g, part in agencies.groupby("group", sort=False):
        row: dict[str, Any] = {
            "group": g,
            "agencies": len(part),
            "surveyed": int(part["surveyed"].sum()),
            "mean": float(part["index"].mean()),
            "highest": float(part["index"].max()),
            "lowest": float(part["index"].min()),
            "spread": float(part["index"].max() - part["index"].min()),
        }
        for key in bands.keys:
            row[f"n_{key}"] = int((part["band"] == key).sum())
        sat = part.loc[part["surveyed"], "satisfaction_points"]
        row["mean_satisfaction_points"] = float(sat.mean()) if len(sat) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def area_statistics(
    area_points: pd.DataFrame,
    areas: pd.DataFrame | Mapping[Any, float],
    agencies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Mean points per content area (lĩnh vực) and group, and how many agencies reached its maximum.

    Parameters
    ----------
    area_points : DataFrame
        ``agency, area, points`` (one row per agency and area; penalty items may be negative), with a
        ``group`` column or with ``agencies`` given.
    areas : DataFrame or mapping
        ``area, max_points`` (or ``{area: max_points}``); a penalty area has a maximum of 0.
    agencies : DataFrame, optional
        ``agency, group`` -- e.g. ``ParResult.agencies`` or the PAR input table.

    Returns
    -------
    DataFrame
        ``group, area, max_points, agencies, mean_points, lowest, highest, reached_maximum`` --
        ``agencies`` counts those with points for the area; ``reached_maximum`` those with
        ``points >= max_points``. Areas in the order of ``areas``; groups in order of appearance.

    Raises
    ------
    ScoringError
        ``empty_input``, ``missing_columns``, ``unknown_area``, ``duplicate_area``,
        ``unknown_group``, ``invalid_value``, ``points_above_maximum``.
    """
    if isinstance(areas, Mapping):
        areas = pd.DataFrame({"area": list(areas), "max_points": list(areas.values())})
    for name, df, cols in (
        ("area table", areas, ("area", "max_points")),
        ("area points", area_points, ("agency", "area", "points")),
    ):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ScoringError("missing_columns", f"the {name} lacks column(s) {missing}", columns=missing)
        if len(df) == 0:
            raise ScoringError("empty_input", f"the {name} has no rows")
    area_names = [nfc(a) for a in areas["area"].tolist()]
    if len(set(area_names)) != len(area_names):
        raise ScoringError("duplicate_area", "the area table lists an area more than once")
    area_max = dict(zip(area_names, pd.to_numeric(areas["max_points"], errors="coerce").tolist(), strict=True))
    if any(pd.isna(v) for v in area_max.values()):
        raise ScoringError("invalid_value", "every area needs a numeric max_points")

    data = pd.DataFrame(
        {
            "agency": [nfc(a) for a in area_points["agency"].tolist()],
            "area": [nfc(a) for a in area_points["area"].tolist()],
            "points": pd.to_numeric(area_points["points"], errors="coerce").to_numpy(dtype=np.float64),
        }
    )
    if "group" in area_points.columns:
        data["group"] = [nfc(g) for g in area_points["group"].tolist()]
    elif agencies is not None:
        mapping = dict(zip((nfc(a) for a in agencies["agency"]), (nfc(g) for g in agencies["group"]), strict=True))
        data["group"] = data["agency"].map(mapping)
    else:
        raise ScoringError(
            "missing_columns", "area points need a group column or the agencies table", columns=["group"]
        )
    if data["group"].isna().any():
        raise _fail("unknown_group", "no group for", pd.unique(data.loc[data["group"].isna(), "agency"]))
    unknown = ~data["area"].isin(area_names)
    if unknown.any():
        raise ScoringError(
            "unknown_area", f"area points refer to unknown areas {sorted(map(str, data.loc[unknown, 'area'].unique()))}"
        )
    if data.duplicated(["agency", "area"]).any():
        raise _fail(
            "duplicate_area",
            "two rows for one area for",
            pd.unique(data.loc[data.duplicated(["agency", "area"]), "agency"]),
        )
    if data["points"].isna().any():
        raise _fail(
            "invalid_value", "points missing or not numeric for", pd.unique(data.loc[data["points"].isna(), "agency"])
        )
    data["max_points"] = data["area"].map(area_max).astype(np.float64)
    over = data["points"] > data["max_points"] + _TOL
    if over.any():
        raise _fail(
            "points_above_maximum", "area points above the area maximum for", pd.unique(data.loc[over, "agency"])
        )
    data["reached"] = data["points"] >= data["max_points"] - _TOL

    rows = []
    for g in dict.fromkeys(data["group"].tolist()):
        part = data[data["group"] == g]
        for area in area_names:
            cell = part[part["area"] == area]
            rows.append(
                {
                    "group": g,
                    "area": area,
                    "max_points": float(area_max[area]),
                    "agencies": len(cell),
                    "mean_points": float(cell["points"].mean()) if len(cell) else np.nan,
                    "lowest": float(cell["points"].min()) if len(cell) else np.nan,
                    "highest": float(cell["points"].max()) if len(cell) else np.nan,
                    "reached_maximum": int(cell["reached"].sum()),
                }
            )
    return pd.DataFrame(rows)


def compare_years(
    current: pd.DataFrame | ParResult,
    previous: pd.DataFrame | ParResult,
    current_method_version: str | None,
    previous_method_version: str | None,
) -> pd.DataFrame:
    """Change of each agency's index and rank against the previous year.

    Parameters
    ----------
    current, previous : DataFrame or ParResult
        ``ParResult.agencies``-like tables with ``agency, index, rank`` (and ``group``,
        ``index_displayed`` when available).
    current_method_version, previous_method_version : str or None
        Versions of the scoring method of each year; when they differ (or one is unknown) every
        row is flagged ``method_changed`` -- the figures are not strictly comparable.

    Returns
    -------
    DataFrame
        ``agency, group, status, index, previous_index, index_change, rank, previous_rank,
        rank_change, group_changed, method_changed`` (+ ``displayed_change`` when both tables have
        ``index_displayed``). ``status`` is "continuing", "new" (no previous row) or "dropped" (no
        current row). ``index_change = index - previous_index``; ``rank_change = previous_rank -
        rank`` (positive = moved up), left empty when the group changed, as ranks of different
        groups do not compare.
    """
    frames = []
    for name, df in (("current", current), ("previous", previous)):
        df = df.agencies if isinstance(df, ParResult) else df
        missing = [c for c in ("agency", "index", "rank") if c not in df.columns]
        if missing:
            raise ScoringError("missing_columns", f"the {name} table lacks column(s) {missing}", columns=missing)
        keys = pd.Series([nfc(a) for a in df["agency"].tolist()], dtype=object)
        if keys.duplicated().any():
            raise _fail(
                "duplicate_agency",
                f"agencies listed more than once in the {name} table",
                pd.unique(keys[keys.duplicated()]),
            )
        part = pd.DataFrame(
            {
                "agency": keys,
                "group": df["group"].map(nfc).to_numpy(dtype=object) if "group" in df.columns else None,
                "index": pd.to_numeric(df["index"]).to_numpy(dtype=np.float64),
                "rank": pd.array(df["rank"], dtype="Int64"),
                "index_displayed": (
                    pd.to_numeric(df["index_displayed"]).to_numpy(dtype=np.float64)
                    if "index_displayed" in df.columns
                    else np.nan
                ),
            }
        )
        frames.append(part)
    cur, prev = frames
    both_displayed = (
        "index_displayed" in _agencies_of(current).columns and "index_displayed" in _agencies_of(previous).columns
    )
    merged = cur.merge(prev, on="agency", how="outer", suffixes=("", "_prev"), indicator=True, sort=False)
    status = merged["_merge"].map({"both": "continuing", "left_only": "new", "right_only": "dropped"})
    group_changed = (merged["_merge"] == "both") & (
        merged["group"].astype(object) != merged["group_prev"].astype(object)
    )
    group_changed &= merged["group"].notna() & merged["group_prev"].notna()
    rank_change = (merged["rank_prev"] - merged["rank"]).astype("Int64")
    rank_change[group_changed.to_numpy()] = pd.NA
    method_changed = (
        current_method_version is None
        or previous_method_version is None
        or str(current_method_version) != str(previous_method_version)
    )
    out = pd.DataFrame(
        {
            "agency": merged["agency"].astype(object),
            "group": merged["group"].where(merged["group"].notna(), merged["group_prev"]).astype(object),
            "status": status.astype(object),
            "index": merged["index"],
            "previous_index": merged["index_prev"],
            "index_change": merged["index"] - merged["index_prev"],
            "rank": merged["rank"],
            "previous_rank": merged["rank_prev"],
            "rank_change": rank_change,
            "group_changed": group_changed.to_numpy(dtype=bool),
            "method_changed": method_changed,
        }
    )
    if both_displayed:
        out["displayed_change"] = merged["index_displayed"] - merged["index_displayed_prev"]
    order = {"continuing": 0, "new": 0, "dropped": 1}
    out = (
        out.assign(
            _s=out["status"].map(order), _g=out["group"].astype(str), _r=out["rank"].fillna(out["previous_rank"])
        )
        .sort_values(["_s", "_g", "_r", "agency"], kind="stable")
        .drop(columns=["_s", "_g", "_r"])
        .reset_index(drop=True)
    )
    return out


def _agencies_of(table: pd.DataFrame | ParResult) -> pd.DataFrame:
    return table.agencies if isinstance(table, ParResult) else table
