"""Appraisal points (điểm thẩm định) of a round: read a CSV or XLSX file, check it, store it whole.

The file has one row per agency and these columns (English or the Vietnamese export headers):

``agency`` (or ``agency_code``, ``Cơ quan, đơn vị``)
    the agency's code or its name in the registry; it must take part in the round;
``appraisal_points`` (or ``Điểm thẩm định``)
    the total appraised points; may be left out when content areas are given (it is then their sum);
``satisfaction_points`` (or ``Điểm hài lòng``), optional
    only for a year whose survey was scored outside parsurvey;
``name``, ``group`` (or ``Tên``, ``Nhóm``), optional
    shown to people, ignored here;
any other column
    a content area (lĩnh vực), with the agency's points in it. A row whose agency is ``max_points``
    (or ``Điểm tối đa``) gives each area's maximum; a penalty area has a maximum of 0 and negative
    points.

The maximum appraisal points of an agency are its round maximum minus the survey maximum when it is
surveyed (100 - 10 = 90), else its whole round maximum (60 for an agency without administrative
procedures). The points of each row are checked by ``scoring.par_input.check_points``, the check
``parsurvey par rank`` uses too (same codes). Every problem is reported with its line; one problem
and nothing is stored. A new import replaces the round's appraisal points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select

from scoring.par_input import appraisal_maximum as scoring_appraisal_maximum
from scoring.par_input import check_points

from ..auth.models import User
from ..errors import ApiError
from ..extensions import db
from ..registry.models import Agency, SurveyRound
from .models import AppraisalArea, AppraisalAreaPoints, AppraisalPoints
from .tables import Row, nfc, number, read_table

#: Accepted headers (casefolded) -> field.
HEADERS = {
    "agency": "agency",
    "agency_code": "agency",
    "cơ quan, đơn vị": "agency",
    "appraisal_points": "appraisal_points",
    "điểm thẩm định": "appraisal_points",
    "satisfaction_points": "satisfaction_points",
    "điểm hài lòng": "satisfaction_points",
    "name": None,
    "tên": None,
    "group": None,
    "nhóm": None,
}
MAX_ROW_LABELS = {"max_points", "điểm tối đa", "tối đa"}


@dataclass
class _Parsed:
    areas: list[tuple[str, float]] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def error(self, line: int, column: str | None, code: str, message: str) -> None:
        self.errors.append({"line": line, "column": column, "code": code, "message": message})


def appraisal_maximum(participant, survey_max_points: float) -> float:
    """Largest appraisal points an agency can get in its round."""
    return scoring_appraisal_maximum(participant.max_points, participant.surveyed, survey_max_points)


def _cell_number(parsed: _Parsed, row: Row, column: str) -> tuple[bool, float | None]:
    try:
        return True, number(row.cells.get(column))
    except ValueError:
        parsed.error(row.line, column, "not_a_number", f"{row.cells.get(column)!r} is not a number.")
        return False, None


def parse_appraisal(data: bytes, filename: str, survey_round: SurveyRound) -> _Parsed:
    """Read and check an appraisal file against the round; nothing is stored here."""
    header, rows = read_table(data, filename)
    parsed = _Parsed()
    columns: dict[str, str] = {}
    area_columns: list[str] = []
    for name in header:
        key = HEADERS.get(name.casefold(), "area") if name else None
        if key == "area":
            area_columns.append(name)
        elif key:
            if key in columns:
                parsed.error(1, name, "duplicate_column", f"Columns {columns[key]!r} and {name!r} both give {key}.")
            columns[key] = name
    if "agency" not in columns:
        parsed.error(1, None, "missing_column", "The file needs an 'agency' column (code or name of the agency).")
    if "appraisal_points" not in columns and not area_columns:
        parsed.error(1, None, "missing_column", "The file needs an 'appraisal_points' column or content-area columns.")
    if parsed.errors:
        return parsed

    participants = {}
    for participant in survey_round.participants:
        participants[participant.agency.code.casefold()] = participant
        participants[nfc(participant.agency.name).casefold()] = participant
    known_codes = {c.casefold() for c in db.session.scalars(select(Agency.code))}
    known_names = {nfc(n).casefold() for n in db.session.scalars(select(Agency.name))}

    agency_col = columns["agency"]
    max_rows = [r for r in rows if nfc(str(r.cells.get(agency_col) or "")).casefold() in MAX_ROW_LABELS]
    area_max: dict[str, float] = {}
    if area_columns:
        if not max_rows:
            parsed.error(
                1,
                None,
                "missing_area_maximum",
                "Content-area columns need a 'max_points' row with each area's maximum.",
            )
        elif len(max_rows) > 1:
            parsed.error(
                max_rows[1].line,
                agency_col,
                "duplicate_row",
                f"A second max_points row (first on line {max_rows[0].line}).",
            )
        else:
            for column in area_columns:
                ok, value = _cell_number(parsed, max_rows[0], column)
                if ok and value is None:
                    parsed.error(max_rows[0].line, column, "missing_value", f"No maximum for area {column!r}.")
                elif ok and value < 0:
                    parsed.error(
                        max_rows[0].line, column, "invalid_maximum", f"Area {column!r} has a negative maximum."
                    )
                elif ok:
                    area_max[column] = value
    parsed.areas = [(column, area_max.get(column, 0.0)) for column in area_columns]

    seen: dict[int, int] = {}
    survey_max = float(survey_round.survey_max_points)
    for row in rows:
        if row in max_rows:
            continue
        label = nfc(str(row.cells.get(agency_col) or ""))
        if not label:
            parsed.error(row.line, agency_col, "missing_value", "No agency on this row.")
            continue
        participant = participants.get(label.casefold())
        if participant is None:
            if label.casefold() in known_codes or label.casefold() in known_names:
                parsed.error(
                    row.line, agency_col, "not_in_round", f"{label} does not take part in round {survey_round.code}."
                )
            else:
                parsed.error(row.line, agency_col, "unknown_agency", f"No agency with code or name {label!r}.")
            continue
        agency = participant.agency
        if agency.id in seen:
            parsed.error(
                row.line,
                agency_col,
                "duplicate_row",
                f"{agency.name} ({agency.code}) is already on line {seen[agency.id]}.",
            )
            continue
        seen[agency.id] = row.line

        areas: dict[str, float] = {}
        for column in area_columns:
            ok, value = _cell_number(parsed, row, column)
            if ok and value is not None:
                areas[column] = value
        total = None
        if "appraisal_points" in columns:
            ok, total = _cell_number(parsed, row, columns["appraisal_points"])
            if not ok:
                continue
        satisfaction = None
        if "satisfaction_points" in columns:
            ok, satisfaction = _cell_number(parsed, row, columns["satisfaction_points"])
        total, problems = check_points(
            agency.name,
            total,
            satisfaction,
            max_points=participant.max_points,
            surveyed=participant.surveyed,
            survey_max=survey_max,
            areas=areas,
            area_max=area_max,
            columns=columns,
        )
        for column, code, message in problems:
            parsed.error(row.line, column, code, message)
        if total is None:
            continue
        parsed.rows.append(
            {"participant": participant, "points": total, "satisfaction_points": satisfaction, "areas": areas}
        )
    if not parsed.rows and not parsed.errors:
        parsed.error(1, None, "empty_file", "The file has no agency rows.")
    return parsed


def import_appraisal(survey_round: SurveyRound, data: bytes, filename: str, user: User | None = None) -> dict:
    """Replace the round's appraisal points by the file's, or store nothing and list every problem."""
    parsed = parse_appraisal(data, filename, survey_round)
    if parsed.errors:
        raise ApiError(
            "invalid_appraisal",
            f"{filename}: {len(parsed.errors)} problem(s); nothing was imported.",
            parsed.errors,
        )
    replace_appraisal_points(survey_round, parsed.areas, parsed.rows, filename, user)
    return appraisal_summary(survey_round)


def replace_appraisal_points(
    survey_round: SurveyRound, areas_: list[tuple[str, float]], rows: list[dict], source: str, user: User | None
) -> None:
    """Replace the round's appraisal points (what the score run reads) by checked ``rows``: each with its
    ``participant``, total ``points``, ``satisfaction_points`` (or None) and ``areas`` (name -> points).
    The one store of both the CSV import and the appraisal locked in parsurvey (``server.appraisal``)."""
    db.session.execute(delete(AppraisalPoints).where(AppraisalPoints.round_id == survey_round.id))
    db.session.execute(delete(AppraisalArea).where(AppraisalArea.round_id == survey_round.id))
    areas = {}
    for position, (name, maximum) in enumerate(areas_):
        areas[name] = AppraisalArea(round_id=survey_round.id, name=name, position=position, max_points=maximum)
        db.session.add(areas[name])
    for item in rows:
        stored = AppraisalPoints(
            round_id=survey_round.id,
            agency=item["participant"].agency,
            points=item["points"],
            satisfaction_points=item["satisfaction_points"],
            source=source[:300],
            imported_by=user,
            areas=[AppraisalAreaPoints(area=areas[name], points=value) for name, value in item["areas"].items()],
        )
        db.session.add(stored)
    db.session.flush()


def appraisal_rows(survey_round: SurveyRound) -> list[AppraisalPoints]:
    return list(
        db.session.scalars(
            select(AppraisalPoints).where(AppraisalPoints.round_id == survey_round.id).order_by(AppraisalPoints.id)
        )
    )


def appraisal_areas(survey_round: SurveyRound) -> list[AppraisalArea]:
    return list(
        db.session.scalars(
            select(AppraisalArea).where(AppraisalArea.round_id == survey_round.id).order_by(AppraisalArea.position)
        )
    )


def appraisal_summary(survey_round: SurveyRound) -> dict[str, Any]:
    """The round's stored appraisal points, as plain data."""
    return {
        "round": survey_round.code,
        "areas": [{"name": a.name, "max_points": a.max_points} for a in appraisal_areas(survey_round)],
        "agencies": [
            {
                "agency_code": row.agency.code,
                "agency_name": row.agency.name,
                "appraisal_points": row.points,
                "satisfaction_points": row.satisfaction_points,
                "areas": {a.area.name: a.points for a in row.areas},
                "source": row.source,
                "imported_at": row.imported_at,
            }
            for row in appraisal_rows(survey_round)
        ],
    }
