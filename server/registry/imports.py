"""The province's agency list from a CSV or XLSX file: every row checked, all or nothing.

Columns (English or Vietnamese headers): ``code`` (Mã), ``name`` (Tên), ``group`` (Nhóm: the code or the
Vietnamese name of one of the province's groups, ``GET /api/v1/agency-groups``), optionally
``handles_procedures`` (Có TTHC: yes/no, có/không, 1/0; default yes), ``parent`` (Đơn vị cha: another
agency's code) and the lineage: ``merged_from`` (Sáp nhập từ), ``split_from`` (Chia tách từ) or
``renamed_from`` (Đổi tên từ) -- predecessor codes separated by ``;`` -- with ``effective_date`` (Ngày
hiệu lực, YYYY-MM-DD or DD/MM/YYYY), and ``office_latitude`` and ``office_longitude`` (Vĩ độ, Kinh độ: the
one-stop office in WGS 84 degrees, for the location check; both columns, and on each row both values or
neither). A code already in the
registry is updated; a new one is created. Every problem comes back with its line and column
(``422 invalid_import``), and then nothing is stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..bounds import AGENCY_WORDS, RECORD_DAY_RANGE
from ..errors import ApiError
from ..extensions import db
from .groups import group_names
from .lineage import set_lineage
from .models import LINEAGE_KINDS, Agency
from .names import nfc

HEADERS = {
    "code": "code",
    "mã": "code",
    "mã cơ quan": "code",
    "name": "name",
    "tên": "name",
    "tên cơ quan": "name",
    "group": "group",
    "nhóm": "group",
    "handles_procedures": "handles_procedures",
    "có tthc": "handles_procedures",
    "parent": "parent",
    "parent_code": "parent",
    "đơn vị cha": "parent",
    "office_latitude": "office_latitude",
    "latitude": "office_latitude",
    "vĩ độ": "office_latitude",
    "office_longitude": "office_longitude",
    "longitude": "office_longitude",
    "kinh độ": "office_longitude",
    "merged_from": "merged_from",
    "sáp nhập từ": "merged_from",
    "split_from": "split_from",
    "chia tách từ": "split_from",
    "renamed_from": "renamed_from",
    "đổi tên từ": "renamed_from",
    "effective_date": "effective_date",
    "ngày hiệu lực": "effective_date",
}
RANGES = {"office_latitude": 90, "office_longitude": 180}
GROUP_NAMES = {
    "department": "department",
    "sở, ban, ngành": "department",
    "sở ban ngành": "department",
    "district": "district",
    "huyện": "district",
    "ubnd huyện": "district",
    "commune": "commune",
    "xã": "commune",
    "xã, phường": "commune",
}


def _group_lookup() -> dict[str, str]:
    """What a file may write for a group: the built-in aliases of the three built-in groups, then each
    of the province's groups by its code and its Vietnamese name (case-folded)."""
    known = group_names()
    lookup = {alias: code for alias, code in GROUP_NAMES.items() if code in known}
    for code, name in known.items():
        lookup[code.casefold()] = code
        lookup[name.casefold()] = code
    return lookup


def _date(text: str):
    from datetime import date, datetime

    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return date.fromisoformat("bad")  # raises ValueError


YES = {"yes", "true", "1", "có", "x"}
NO = {"no", "false", "0", "không"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def import_agencies(data: bytes, filename: str) -> dict:
    from ..results.tables import read_table

    header, rows = read_table(data, filename)
    columns = {}
    errors: list[dict] = []
    for name in header:
        key = HEADERS.get(name.casefold())
        if key is None:
            errors.append({"line": 1, "column": name, "code": "unknown_key", "message": f"Unknown column {name!r}."})
        elif key in columns:
            errors.append({"line": 1, "column": name, "code": "duplicate_column", "message": f"{name!r} twice."})
        else:
            columns[key] = name
    for needed in ("code", "name", "group"):
        if needed not in columns:
            errors.append({"line": 1, "column": needed, "code": "missing_column", "message": f"No {needed!r} column."})
    if ("office_latitude" in columns) != ("office_longitude" in columns):
        absent = "office_longitude" if "office_latitude" in columns else "office_latitude"
        errors.append({"line": 1, "column": absent, "code": "missing_column", "message": f"No {absent!r} column."})
    if not rows and not errors:
        errors.append({"line": 1, "column": None, "code": "empty_file", "message": "The file has no agency rows."})
    if errors:
        raise ApiError("invalid_import", "The file cannot be imported; nothing was stored.", errors)

    existing = {a.code: a for a in db.session.scalars(select(Agency))}
    groups = _group_lookup()
    lineages: list[tuple[int, str, list[dict]]] = []
    codes_in_file: dict[str, int] = {}
    rows_office: dict[str, dict] = {}
    parsed = []
    for row in rows:
        cell = {key: _text(row.cells.get(header_name)) for key, header_name in columns.items()}

        def problem(column: str, code: str, message: str, line=row.line) -> None:
            errors.append({"line": line, "column": columns.get(column, column), "code": code, "message": message})

        code = cell["code"]
        if not code:
            problem("code", "missing_value", "No code on this row.")
        elif len(code) > 32 or not all(ch.isalnum() or ch in "_.-" for ch in code):
            problem("code", "invalid_value", f"{code!r}: use 1 to 32 letters, digits, '.', '_' or '-'.")
        elif code in AGENCY_WORDS:
            problem("code", "invalid_value", f"{code!r} names the agency import (/api/v1/agencies/import).")
        elif code in codes_in_file:
            problem("code", "duplicate_row", f"{code!r} is also on line {codes_in_file[code]}.")
        else:
            codes_in_file[code] = row.line
        if not cell["name"]:
            problem("name", "missing_value", "No name on this row.")
        group = groups.get(cell["group"].casefold())
        if group is None:
            problem("group", "invalid_group", f"{cell['group']!r} is not one of {', '.join(group_names())}.")
        effective = None
        if cell.get("effective_date"):
            try:
                effective = _date(cell["effective_date"])
            except ValueError:
                problem("effective_date", "invalid_value", f"{cell['effective_date']!r}: write YYYY-MM-DD.")
            else:
                if not RECORD_DAY_RANGE.min <= effective <= RECORD_DAY_RANGE.max:
                    problem(
                        "effective_date",
                        "invalid_value",
                        f"{cell['effective_date']!r}: a day from {RECORD_DAY_RANGE.min} to {RECORD_DAY_RANGE.max}.",
                    )
                    effective = None
        entries = [
            {"predecessor": p.strip(), "kind": kind, "effective_date": effective}
            for kind in LINEAGE_KINDS
            for p in (cell.get(kind) or "").split(";")
            if p.strip()
        ]
        if entries:
            lineages.append((row.line, code, entries))
        handles = True
        if cell.get("handles_procedures"):
            flag = cell["handles_procedures"].casefold()
            if flag in YES:
                handles = True
            elif flag in NO:
                handles = False
            else:
                problem("handles_procedures", "invalid_value", f"{cell['handles_procedures']!r}: write yes or no.")
        office = {}
        for key, bound in RANGES.items():
            text = cell.get(key, "").replace(",", ".")  # 20,5431 as a Vietnamese spreadsheet may write it
            try:
                office[key] = float(text) if text else None
            except ValueError:
                problem(key, "invalid_value", f"{cell[key]!r} is not a number of degrees.")
                continue
            if office[key] is not None and not -bound <= office[key] <= bound:
                problem(key, "invalid_value", f"{cell[key]!r}: must be between -{bound} and {bound}.")
        if len(office) == 2 and (office["office_latitude"] is None) != (office["office_longitude"] is None):
            problem("office_longitude", "invalid_value", "Give the latitude and the longitude together, or neither.")
        if "office_latitude" in columns or "office_longitude" in columns:
            rows_office[code] = office
        parsed.append((row, code, cell["name"], group, handles, cell.get("parent") or None))
    for row, code, _, _, _, parent in parsed:
        if parent and parent not in existing and parent not in codes_in_file:
            errors.append(
                {"line": row.line, "column": columns["parent"], "code": "unknown_agency", "message": f"{parent!r}."}
            )
        elif parent and parent == code:
            errors.append(
                {"line": row.line, "column": columns["parent"], "code": "invalid_value", "message": "Itself."}
            )
    for line, _code, entries in lineages:
        for entry in entries:
            if entry["predecessor"] not in existing and entry["predecessor"] not in codes_in_file:
                errors.append(
                    {
                        "line": line,
                        "column": columns[entry["kind"]],
                        "code": "unknown_agency",
                        "message": f"{entry['predecessor']!r}.",
                    }
                )
    if errors:
        raise ApiError("invalid_import", "The file cannot be imported; nothing was stored.", errors)

    created = updated = 0
    for _, code, name, group, handles, _ in parsed:
        agency = existing.get(code)
        if agency is None:
            agency = Agency(code=code, name=name, agency_group=group, handles_procedures=handles)
            db.session.add(agency)
            existing[code] = agency
            created += 1
        else:
            agency.name, agency.agency_group, agency.handles_procedures = name, group, handles
            updated += 1
        if code in rows_office:
            agency.office_latitude = rows_office[code].get("office_latitude")
            agency.office_longitude = rows_office[code].get("office_longitude")
    db.session.flush()
    if "parent" in columns:
        for _, code, _, _, _, parent in parsed:
            existing[code].parent = existing[parent] if parent else None
        db.session.flush()
    for line, code, entries in lineages:
        try:
            set_lineage(existing[code], entries)
        except ApiError as exc:
            raise ApiError(
                "invalid_import",
                "The file cannot be imported; nothing was stored.",
                [{"line": line, "column": None, "code": "invalid_value", "message": str(exc.errors)}],
            ) from exc
    return {"created": created, "updated": updated, "rows": len(parsed)}
