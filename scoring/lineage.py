"""Year-on-year for units that were merged, split or renamed (the 2025 reorganisation), and the
year summary of the published report.

The rule for a unit's previous-year index (documented in the README, "Results"):

* **renamed from** one predecessor: the predecessor's row, rank included (the same unit under a new
  name; its rank compares when the group is the same);
* **split from** a predecessor: the predecessor's index (each part inherits its parent's result); no
  previous rank, since the parent was ranked as a different unit;
* **merged from** several predecessors: the **simple (unweighted) mean** of the predecessors'
  previous-year indexes that exist (and of the unit's own, when its code existed the year before); no
  previous rank. Why unweighted: the group mean of a published report is itself the unweighted mean
  of its units, and a published table carries neither ballots nor appraisal maximums of the units
  that were merged away, so a weighted mean could not be computed from it. Predecessors with no
  previous-year row are left out of the mean and listed in ``missing_predecessors``.

Pure functions over DataFrames; nothing here reads a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from scoring.text import nfc

KINDS = ("merged_from", "split_from", "renamed_from")


def previous_with_lineage(
    previous: pd.DataFrame,
    lineage: Mapping[str, Sequence[Mapping]],
    current: Iterable[str],
    current_groups: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The previous year's table with a derived row for each current unit that descends from others.

    Parameters
    ----------
    previous : DataFrame
        ``agency, index, rank`` (+ ``group``, ``index_displayed``): last year's results.
    lineage : mapping
        Successor code -> list of ``{"predecessor": code, "kind": one of KINDS}``.
    current : iterable of str
        This year's agency codes. Predecessors still among them keep their own row; the others are
        taken out of the table (they live on in their successor and are not "dropped").
    current_groups : mapping, optional
        This year's group of each agency: the group of a derived merged or split row.

    Returns
    -------
    (DataFrame, DataFrame)
        The previous table to compare against, and one row per derived unit: ``agency, kind,
        predecessors`` (codes used), ``missing_predecessors``, ``previous_index``.

    Examples
    --------
    >>> prev = pd.DataFrame({"agency": ["A", "B", "C"], "group": ["xa"] * 3,
    ...                      "index": [80.0, 90.0, 70.0], "rank": [2, 1, 3]})
    >>> table, derived = previous_with_lineage(prev, {"AB": [{"predecessor": "A", "kind": "merged_from"},
    ...                                                       {"predecessor": "B", "kind": "merged_from"}]},
    ...                                         ["AB", "C"])
    >>> float(table.set_index("agency").loc["AB", "index"])
    85.0
    """
    current = [nfc(c) for c in current]
    current_set = set(current)
    current_groups = {nfc(k): v for k, v in (current_groups or {}).items()}
    prev = previous.copy()
    prev["agency"] = [nfc(a) for a in prev["agency"]]
    if "index_displayed" not in prev.columns:
        prev["index_displayed"] = np.nan
    if "group" not in prev.columns:
        prev["group"] = None
    by_code = prev.set_index("agency", drop=False)
    derived_rows, derived_info, used = [], [], set()
    for successor in current:
        entries = [e for e in lineage.get(successor, []) if e.get("kind") in KINDS]
        if not entries:
            continue
        kind = "merged_from" if any(e["kind"] == "merged_from" for e in entries) else entries[0]["kind"]
        codes = [nfc(e["predecessor"]) for e in entries]
        own = successor in by_code.index
        if own and kind != "merged_from":
            continue  # the unit's own row is its previous year
        sources = [c for c in codes if c in by_code.index]
        missing = [c for c in codes if c not in by_code.index]
        if kind == "merged_from" and own:
            sources = [successor, *sources]
        used.update(c for c in sources if c != successor)
        if not sources:
            derived_info.append(
                {
                    "agency": successor,
                    "kind": kind,
                    "predecessors": [],
                    "missing_predecessors": missing,
                    "previous_index": None,
                }
            )
            continue
        rows = by_code.loc[sources]
        if kind == "renamed_from":
            base = rows.iloc[0]
            row = {
                "agency": successor,
                "group": base["group"],
                "index": float(base["index"]),
                "index_displayed": base["index_displayed"],
                "rank": base["rank"],
            }
        else:
            displayed = pd.to_numeric(rows["index_displayed"])
            row = {
                "agency": successor,
                "group": current_groups.get(successor, rows.iloc[0]["group"]),
                "index": float(pd.to_numeric(rows["index"]).mean()),
                "index_displayed": float(displayed.mean()) if displayed.notna().all() else np.nan,
                "rank": pd.NA,
            }
        derived_rows.append(row)
        derived_info.append(
            {
                "agency": successor,
                "kind": kind,
                "predecessors": [c for c in sources if c != successor]
                + ([successor] if kind == "merged_from" and own else []),
                "missing_predecessors": missing,
                "previous_index": row["index"],
            }
        )
    derived_codes = {r["agency"] for r in derived_rows}
    keep = ~prev["agency"].isin(derived_codes) & ~(prev["agency"].isin(used) & ~prev["agency"].isin(current_set))
    derived = pd.DataFrame(derived_rows, columns=["agency", "group", "index", "index_displayed", "rank"])
    parts = [part for part in (prev[keep], derived) if len(part)]
    table = pd.concat(parts, ignore_index=True) if parts else prev.iloc[0:0].copy()
    table["rank"] = pd.array(table["rank"], dtype="Int64")
    info = pd.DataFrame(
        derived_info, columns=["agency", "kind", "predecessors", "missing_predecessors", "previous_index"]
    )
    return table, info


def year_summary(changes: pd.DataFrame, current_groups: pd.DataFrame, previous_groups: pd.DataFrame) -> pd.DataFrame:
    """Per group, what the published report says about the year: the change of the mean and of the
    spread (highest − lowest), how many units improved / fell / held, and the largest rise and fall.

    ``changes`` is :func:`scoring.compare_years`' table (``agency, group, status, index_change``, and
    ``displayed_change`` when present, which is used since the report compares the published
    figures); ``current_groups`` and ``previous_groups`` have ``group, mean, highest, lowest``.

    Returns ``group, mean, previous_mean, mean_change, spread, previous_spread, spread_change,
    compared, improved, declined, unchanged, largest_rise_agency, largest_rise,
    largest_fall_agency, largest_fall``. Ties for the largest rise or fall go to the first agency by
    code. "Unchanged" is a change of exactly zero on the compared figure.
    """
    change_column = "displayed_change" if "displayed_change" in changes.columns else "index_change"
    prev = {nfc(str(r["group"])): r for r in previous_groups.to_dict("records")} if len(previous_groups) else {}
    out = []
    for g in current_groups.to_dict("records"):
        group = nfc(str(g["group"]))
        p = prev.get(group)
        rows = changes[(changes["group"] == group) & changes[change_column].notna()]
        rows = rows.sort_values("agency", kind="stable")
        delta = pd.to_numeric(rows[change_column])
        spread = _spread(g)
        previous_spread = _spread(p) if p is not None else None
        rise = rows.loc[delta.idxmax()] if len(rows) and delta.max() > 0 else None
        fall = rows.loc[delta.idxmin()] if len(rows) and delta.min() < 0 else None
        out.append(
            {
                "group": group,
                "mean": g["mean"],
                "previous_mean": None if p is None else p["mean"],
                "mean_change": None if p is None else g["mean"] - p["mean"],
                "spread": spread,
                "previous_spread": previous_spread,
                "spread_change": None if spread is None or previous_spread is None else spread - previous_spread,
                "compared": int(len(rows)),
                "improved": int((delta > 0).sum()),
                "declined": int((delta < 0).sum()),
                "unchanged": int((delta == 0).sum()),
                "largest_rise_agency": None if rise is None else rise["agency"],
                "largest_rise": None if rise is None else float(rise[change_column]),
                "largest_fall_agency": None if fall is None else fall["agency"],
                "largest_fall": None if fall is None else float(fall[change_column]),
            }
        )
    return pd.DataFrame(out)


def _spread(row) -> float | None:
    if row is None:
        return None
    high, low = row.get("highest"), row.get("lowest")
    if high is None or low is None or pd.isna(high) or pd.isna(low):
        return None
    return float(high) - float(low)
