"""Import and read earlier years' published results. Use cases flush but never commit.

Two tables per year, each from a CSV or XLSX file (English or Vietnamese headers), each import
replacing that year's rows of its kind, all or nothing with every problem's line:

* agencies: ``agency`` (Mã), ``name`` (Tên), ``group`` (Nhóm: a group code or name), ``points``
  (Tổng điểm), ``index`` (Chỉ số), ``rank`` (Xếp hạng), ``band`` (Xếp loại);
* groups: ``group`` (Nhóm), ``mean`` (Trung bình), ``highest`` (Cao nhất), ``lowest`` (Thấp nhất),
  optionally ``agencies`` (Số đơn vị).

A year is **partial** when a group's published count of units is larger than its agency rows, or
when the mean of its agency rows differs from the published group mean by more than rounding
(0.01): then agencies are missing, and year-on-year means and ranks would be wrong.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from ..auth.models import User
from ..errors import ApiError
from ..extensions import db
from ..registry.groups import group_names
from ..registry.names import nfc
from ..results.tables import number, read_table
from .models import PublishedAgencyResult, PublishedGroupResult

AGENCY_HEADERS = {
    "agency": "agency",
    "mã": "agency",
    "mã cơ quan": "agency",
    "name": "name",
    "tên": "name",
    "cơ quan, đơn vị": "name",
    "group": "group",
    "nhóm": "group",
    "points": "points",
    "tổng điểm": "points",
    "index": "index",
    "chỉ số": "index",
    "chỉ số (%)": "index",
    "rank": "rank",
    "xếp hạng": "rank",
    "band": "band",
    "xếp loại": "band",
}
GROUP_HEADERS = {
    "group": "group",
    "nhóm": "group",
    "mean": "mean",
    "trung bình": "mean",
    "chỉ số trung bình": "mean",
    "highest": "highest",
    "cao nhất": "highest",
    "lowest": "lowest",
    "thấp nhất": "lowest",
    "agencies": "agencies",
    "số đơn vị": "agencies",
}
#: Published means are of two-decimal indexes: a larger gap means units are missing.
MEAN_TOLERANCE = 0.01


def _columns(header: list[str], known: dict[str, str], needed: tuple[str, ...]) -> tuple[dict[str, str], list[dict]]:
    columns, errors = {}, []
    for name in header:
        key = known.get(name.casefold())
        if key is None:
            errors.append({"line": 1, "column": name, "code": "unknown_key", "message": f"Unknown column {name!r}."})
        elif key in columns:
            errors.append({"line": 1, "column": name, "code": "duplicate_column", "message": f"{name!r} twice."})
        else:
            columns[key] = name
    for key in needed:
        if key not in columns:
            errors.append({"line": 1, "column": key, "code": "missing_column", "message": f"No {key!r} column."})
    return columns, errors


def _group_lookup() -> dict[str, str]:
    lookup = {}
    for code, name in group_names().items():
        lookup[code.casefold()] = code
        lookup[nfc(name).casefold()] = code
    return lookup


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ApiError("invalid_request", "The year is out of range.", {"year": ["Between 2000 and 2100."]})


def _read_published(year: int, data: bytes, filename: str, known: dict[str, str], needed: tuple[str, ...]):
    """The file's rows, each as ``(cells by column key, problem)`` where ``problem(column, code, message)``
    records a refusal against that row's line into ``errors``; a bad header refuses the file at once."""
    _check_year(year)
    header, rows = read_table(data, filename)
    columns, errors = _columns(header, known, needed)
    if not rows and not errors:
        errors.append({"line": 1, "column": None, "code": "empty_file", "message": "The file has no rows."})
    _refuse_if_any(errors)

    def each():
        for row in rows:

            def problem(column: str, code: str, message: str, line=row.line) -> None:
                errors.append({"line": line, "column": columns.get(column, column), "code": code, "message": message})

            yield row, {key: row.cells.get(name) for key, name in columns.items()}, problem

    return each(), errors


def _refuse_if_any(errors: list[dict]) -> None:
    if errors:
        raise ApiError("invalid_import", "The file cannot be imported; nothing was stored.", errors)


def import_agency_results(year: int, data: bytes, filename: str, user: User | None = None) -> dict:
    """Replace ``year``'s published agency rows by the file's."""
    rows, errors = _read_published(year, data, filename, AGENCY_HEADERS, ("agency", "group", "index"))
    groups = _group_lookup()
    seen: dict[str, int] = {}
    parsed = []
    for row, cell, problem in rows:
        code = _text(cell["agency"])
        if not code or len(code) > 32:
            problem("agency", "missing_value" if not code else "invalid_value", "An agency code of 1 to 32 characters.")
        elif code in seen:
            problem("agency", "duplicate_row", f"{code!r} is also on line {seen[code]}.")
        else:
            seen[code] = row.line
        group = groups.get(_text(cell["group"]).casefold())
        if group is None:
            problem("group", "invalid_group", f"{_text(cell['group'])!r} is not one of {', '.join(group_names())}.")
        values = {}
        for key, low, high in (("points", 0, 1000), ("index", 0, 100)):
            try:
                value = number(cell.get(key))
            except ValueError:
                problem(key, "invalid_value", f"{cell.get(key)!r} is not a number.")
                continue
            if value is None and key == "index":
                problem(key, "missing_value", "No index on this row.")
            elif value is not None and not low <= value <= high:
                problem(key, "out_of_range", f"{value:g} is outside {low}–{high}.")
            values[key] = value
        rank = None
        try:
            rank_value = number(cell.get("rank"))
            if rank_value is not None:
                if rank_value < 1 or not float(rank_value).is_integer():
                    raise ValueError(rank_value)
                rank = int(rank_value)
        except ValueError:
            problem("rank", "invalid_value", f"{cell.get('rank')!r} is not a rank (1, 2, ...).")
        parsed.append(
            {
                "agency_code": code,
                "agency_name": _text(cell.get("name")),
                "group_code": group,
                "points": values.get("points"),
                "index": values.get("index"),
                "rank": rank,
                "band": _text(cell.get("band")),
            }
        )
    _refuse_if_any(errors)
    db.session.execute(delete(PublishedAgencyResult).where(PublishedAgencyResult.year == year))
    for item in parsed:
        db.session.add(PublishedAgencyResult(year=year, source=filename, imported_by=user, **item))
    db.session.flush()
    return year_summary(year)


def import_group_results(year: int, data: bytes, filename: str) -> dict:
    """Replace ``year``'s published group summaries by the file's."""
    rows, errors = _read_published(year, data, filename, GROUP_HEADERS, ("group", "mean"))
    groups = _group_lookup()
    seen: dict[str, int] = {}
    parsed = []
    for row, cell, problem in rows:
        group = groups.get(_text(cell["group"]).casefold())
        if group is None:
            problem("group", "invalid_group", f"{_text(cell['group'])!r} is not one of {', '.join(group_names())}.")
        elif group in seen:
            problem("group", "duplicate_row", f"{group!r} is also on line {seen[group]}.")
        else:
            seen[group] = row.line
        values: dict[str, float | None] = {}
        for key in ("mean", "highest", "lowest", "agencies"):
            try:
                value = number(cell.get(key))
            except ValueError:
                problem(key, "invalid_value", f"{cell.get(key)!r} is not a number.")
                continue
            if key == "mean" and value is None:
                problem(key, "missing_value", "No mean on this row.")
            elif value is not None and key != "agencies" and not 0 <= value <= 100:
                problem(key, "out_of_range", f"{value:g} is outside 0–100.")
            elif value is not None and key == "agencies" and (value < 0 or not float(value).is_integer()):
                problem(key, "invalid_value", f"{value:g} is not a number of units.")
            values[key] = value
        low, mean, high = values.get("lowest"), values.get("mean"), values.get("highest")
        if None not in (low, mean, high) and not low <= mean <= high:
            problem("mean", "out_of_range", "The mean must lie between the lowest and the highest.")
        parsed.append(
            {
                "group_code": group,
                "mean": mean,
                "highest": high,
                "lowest": low,
                "agencies": None if values.get("agencies") is None else int(values["agencies"]),
            }
        )
    _refuse_if_any(errors)
    db.session.execute(delete(PublishedGroupResult).where(PublishedGroupResult.year == year))
    for item in parsed:
        db.session.add(PublishedGroupResult(year=year, source=filename, **item))
    db.session.flush()
    return year_summary(year)


def agency_rows(year: int) -> list[PublishedAgencyResult]:
    return list(
        db.session.scalars(
            select(PublishedAgencyResult)
            .where(PublishedAgencyResult.year == year)
            .order_by(PublishedAgencyResult.group_code, PublishedAgencyResult.rank, PublishedAgencyResult.agency_code)
        )
    )


def group_rows(year: int) -> list[PublishedGroupResult]:
    return list(
        db.session.scalars(
            select(PublishedGroupResult).where(PublishedGroupResult.year == year).order_by(PublishedGroupResult.id)
        )
    )


def years() -> list[int]:
    found = set(db.session.scalars(select(PublishedAgencyResult.year).distinct()))
    found |= set(db.session.scalars(select(PublishedGroupResult.year).distinct()))
    return sorted(found)


def group_means(year: int) -> dict[str, dict]:
    """Group -> {mean, highest, lowest, spread} of a published year: the published summary where there
    is one, else computed from the agency rows (unweighted mean, as published reports compute it)."""
    out: dict[str, dict] = {}
    for g in group_rows(year):
        spread = None if g.highest is None or g.lowest is None else g.highest - g.lowest
        out[g.group_code] = {"mean": g.mean, "highest": g.highest, "lowest": g.lowest, "spread": spread}
    by_group: dict[str, list[float]] = {}
    for row in agency_rows(year):
        by_group.setdefault(row.group_code, []).append(row.index)
    for group, values in by_group.items():
        if group not in out:
            out[group] = {
                "mean": sum(values) / len(values),
                "highest": max(values),
                "lowest": min(values),
                "spread": max(values) - min(values),
            }
    return out


def partial_groups(year: int) -> list[dict]:
    """The groups of a published year whose agency rows are incomplete, with why (see the module)."""
    rows = agency_rows(year)
    out = []
    for g in group_rows(year):
        values = [r.index for r in rows if r.group_code == g.group_code]
        reasons = []
        if g.agencies is not None and len(values) < g.agencies:
            reasons.append(f"{len(values)} of {g.agencies} units")
        if values and abs(sum(values) / len(values) - g.mean) > MEAN_TOLERANCE:
            reasons.append(f"mean of the rows {sum(values) / len(values):.2f} against the published {g.mean:.2f}")
        if not values:
            reasons.append("no agency rows")
        if reasons:
            out.append({"group": g.group_code, "rows": len(values), "published": g.agencies, "reasons": reasons})
    return out


def year_summary(year: int) -> dict:
    rows = agency_rows(year)
    return {
        "year": year,
        "agencies": [
            {
                "agency": r.agency_code,
                "name": r.agency_name,
                "group": r.group_code,
                "points": r.points,
                "index": r.index,
                "rank": r.rank,
                "band": r.band,
            }
            for r in rows
        ],
        "groups": [
            {"group": g.group_code, "mean": g.mean, "highest": g.highest, "lowest": g.lowest, "agencies": g.agencies}
            for g in group_rows(year)
        ],
        "partial": partial_groups(year),
    }


def list_years() -> list[dict]:
    out = []
    for year in years():
        out.append(
            {
                "year": year,
                "agencies": len(agency_rows(year)),
                "groups": len(group_rows(year)),
                "partial": partial_groups(year),
            }
        )
    return out


def delete_year(year: int) -> None:
    db.session.execute(delete(PublishedAgencyResult).where(PublishedAgencyResult.year == year))
    db.session.execute(delete(PublishedGroupResult).where(PublishedGroupResult.year == year))
    db.session.flush()
