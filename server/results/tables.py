"""Reading uploaded tables (CSV or XLSX) into rows that remember their line in the file.

Every problem found later is reported against that line, so the person who keyed the file can fix
it. CSV files are read as UTF-8 (a byte-order mark, as Excel writes it, is accepted); XLSX files
with openpyxl, first sheet, values rather than formulas.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..errors import ApiError

XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Row:
    """One data row: its line (CSV line or sheet row number) and its cells by header."""

    line: int
    cells: dict[str, Any]


def nfc(text: Any) -> Any:
    return unicodedata.normalize("NFC", text.strip()) if isinstance(text, str) else text


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(data: bytes, filename: str) -> tuple[list[str], list[Row]]:
    """Header and rows of a CSV or XLSX file (chosen by content, then by name); blank rows skipped."""
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, filename)
    return _read_csv(data, filename)


def _read_csv(data: bytes, filename: str) -> tuple[list[str], list[Row]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(
            "invalid_request",
            f"{filename} is not UTF-8 text; save the CSV as 'CSV UTF-8' (or send an .xlsx).",
            {"file": [str(exc)]},
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[Row] = []
    for cells in reader:
        if header is None:
            if all(_is_blank(c) for c in cells):
                continue
            header = [nfc(c) for c in cells]
            continue
        if all(_is_blank(c) for c in cells):
            continue
        if len(cells) > len(header):
            extra = cells[len(header) :]
            if any(not _is_blank(c) for c in extra):
                raise ApiError(
                    "invalid_request",
                    f"{filename} line {reader.line_num} has more cells than the header.",
                    {"file": [f"line {reader.line_num}: {len(cells)} cells, header has {len(header)}"]},
                )
        rows.append(Row(reader.line_num, {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header)}))
    if header is None:
        raise ApiError("invalid_request", f"{filename} is empty.", {"file": ["No header row."]})
    return header, rows


def _read_xlsx(data: bytes, filename: str) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ApiError(
            "invalid_request", f"{filename} is not a readable .xlsx workbook.", {"file": [str(exc)]}
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        rows: list[Row] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if all(_is_blank(v) for v in values):
                continue
            if header is None:
                header = [nfc(str(v)) if v is not None else "" for v in values]
                continue
            rows.append(Row(number, {h: values[i] if i < len(values) else None for i, h in enumerate(header) if h}))
    finally:
        workbook.close()
    if header is None:
        raise ApiError("invalid_request", f"{filename} has an empty first sheet.", {"file": ["No header row."]})
    return [h for h in header if h], rows


def number(value: Any) -> float | None:
    """A cell as a finite number; None when blank. Raises ValueError when it is not a number.

    Accepts numbers, and text with a decimal point or a decimal comma ("85,5").
    """
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        result = float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        result = float(text)
    if not math.isfinite(result):
        raise ValueError(value)
    return result
