"""Paper ballots keyed in from a CSV or XLSX file: ``parsurvey ballots import FILE --round ROUND --by USER``,
``POST /api/v1/rounds/<code>/paper-ballots`` and the results screen's "Phiếu giấy" card.

The file has one row per ballot and one column per question id (``survey_forms.text_answers``:
likert answers 1 to 5 or ``na``, several choices separated by spaces), plus:

``agency``
    the agency's code (or give the form's ``agency_code`` answer; if both are given they must agree);
``enumerator``, optional
    the username of the enumerator who held the interview (default: the user keying in);
``instance_id``, optional
    a UUID written on the paper ballot. Without it, the id is derived from the round, the file name,
    the line and the answers, so importing the same file again stores nothing twice.

A header may carry a label before the id in square brackets, as the template writes it
(``Cơ quan, đơn vị [agency]``, ``Công chức hướng dẫn rõ ràng [c3_2]``); the id in brackets is used.
The columns ``line`` and ``reasons`` of a refused-rows file are ignored, so it can be corrected and
imported again.

**Blank scored items.** A scored likert item (a satisfaction criterion) left blank is stored as not
answered -- the method counts it for that criterion only (neither satisfied nor in the valid
answers) -- even when the form marks it required; the ballot records which items were blank
(``paradata.blank_scored``). Required questions that are not scored (agency, sex, the procedure ...)
still apply.

**Row by row.** Each row is checked exactly like a synced ballot (``survey_forms.validate_answers``,
the agency answer, the enumerator's assignment) and stored as a ``Ballot`` with device id
``paper:<file name>``; a row with a problem is refused alone, reported with its line and every
reason, and written to a refused-rows file (CSV, UTF-8 with BOM: ``line``, ``reasons``, then the
row's cells as read) that can be corrected and imported. A ballot already stored with the same
content is skipped (re-importing is idempotent); with other content the row is refused
(``payload_conflict``, a supervisor decides). Problems with the file itself (unreadable, no header,
no agency column, no ballot row) refuse the whole file.

:func:`paper_template` writes a template per form version (CSV, or XLSX with an instructions sheet),
with Vietnamese headers.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from survey_forms import LIKERT_LEVELS, NOT_APPLICABLE, NOT_APPLICABLE_LABEL, canonical_json, validate_answers
from survey_forms.text_answers import answers_from_text
from sync.protocol import make_envelope

from ..auth.models import User
from ..auth.roles import ENUMERATOR
from ..errors import ApiError
from ..extensions import db
from ..fieldwork.models import Assignment
from ..forms.models import FormVersion
from ..registry.models import Agency, SurveyRound
from ..results.tables import XLSX_MAGIC, read_table
from ..timeutil import utcnow
from .intake import AGENCY_QUESTION, derived_columns, parsed_form, store_ballots, stored_hashes

META_COLUMNS = ("agency", "enumerator", "instance_id")
#: Columns of a refused-rows file, ignored when it is imported again.
REFUSED_COLUMNS = ("line", "reasons")
PAPER_NAMESPACE = uuid.UUID("5b0c1a52-5d4e-4c39-9a55-7a1f0e1d2c01")
INSERT_CHUNK = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BRACKETED = re.compile(r"\[([^\[\]]+)\]\s*$")

#: Vietnamese labels of the template's own columns.
META_LABELS = {
    "agency": "Mã cơ quan, đơn vị",
    "enumerator": "Điều tra viên (tên đăng nhập)",
    "instance_id": "Mã phiếu (UUID, không bắt buộc)",
    "line": "Dòng",
    "reasons": "Lý do bị từ chối",
}


@dataclass
class PaperImport:
    """What an import did: ballots stored, ballots already stored (skipped), rows refused with reasons."""

    file: str
    form_id: str
    version: str
    accepted: int = 0
    duplicates: int = 0
    #: one per refused row: ``{"line", "problems": [{"path", "code", "message"}], "cells": {header: text}}``
    refused: list[dict] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    #: blank scored items stored as not answered, over all stored rows
    blank_scored: int = 0

    @property
    def errors(self) -> list[dict]:
        """Every problem, flat, with its line (sorted by line)."""
        return [{"line": r["line"], **p} for r in self.refused for p in r["problems"]]

    def refused_filename(self) -> str:
        stem = self.file.rsplit(".", 1)[0] if "." in self.file else self.file
        return f"{stem}-dong-bi-tu-choi.csv"

    def refused_csv(self) -> bytes:
        """The refused rows as a CSV (UTF-8 with BOM): ``line``, ``reasons``, then the row's cells as read."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([f"{META_LABELS[c]} [{c}]" for c in REFUSED_COLUMNS] + self.header)
        for row in self.refused:
            reasons = "; ".join(
                f"{p['path'] + ': ' if p['path'] else ''}{p['code']} - {p['message']}" for p in row["problems"]
            )
            writer.writerow([row["line"], reasons, *(row["cells"].get(h, "") for h in self.header)])
        return ("\ufeff" + out.getvalue()).encode("utf-8")

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "form_id": self.form_id,
            "version": self.version,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "blank_scored": self.blank_scored,
            "refused_rows": len(self.refused),
            "refused": [{"line": r["line"], "problems": r["problems"]} for r in self.refused],
            "refused_file": (
                {"filename": self.refused_filename(), "mimetype": "text/csv", "text": self.refused_csv().decode()}
                if self.refused
                else None
            ),
        }


def column_id(header: str) -> str:
    """``"Cơ quan, đơn vị [agency]"`` -> ``"agency"``; a header without brackets is the id itself."""
    found = _BRACKETED.search(header or "")
    return found.group(1).strip() if found else (header or "").strip()


def form_version_for(survey_round: SurveyRound, form_id: str | None, version: str | None) -> FormVersion:
    """The published form version paper ballots of the round are keyed into (named, or the round's only one)."""
    query = select(FormVersion).where(FormVersion.state != "draft")
    if form_id:
        query = query.where(FormVersion.form_id == form_id)
    if version:
        query = query.where(FormVersion.version == version)
    else:
        query = query.where(FormVersion.round_id == survey_round.id)
    found = list(db.session.scalars(query.order_by(FormVersion.id)))
    if not found:
        raise ApiError("unknown_form_version", f"No published form version for round {survey_round.code}.")
    if len(found) > 1:
        names = ", ".join(f"{v.form_id} {v.version}" for v in found)
        raise ApiError("invalid_request", f"Round {survey_round.code} has several form versions ({names}); name one.")
    chosen = found[0]
    if chosen.round_id not in (None, survey_round.id):
        # a version of another round is no version of this one: the same answer as one that does not exist
        raise ApiError(
            "unknown_form_version",
            f"Round {survey_round.code} has no form {chosen.form_id} {chosen.version} (it belongs to another round).",
        )
    return chosen


def _cell_text(value: Any) -> str:
    """A cell as the text a person typed: whole numbers without ".0", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _rows(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict[str, str] | None]]]:
    """Header and ``(line, cells)`` of a CSV or XLSX file; cells is None for a CSV row with extra cells."""
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        header, rows = read_table(data, filename)
        return header, [(r.line, {h: _cell_text(v) for h, v in r.cells.items()}) for r in rows]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(
            "invalid_request", f"{filename} is not UTF-8; save it as 'CSV UTF-8' (or send an .xlsx)."
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    out: list[tuple[int, dict[str, str] | None]] = []
    for cells in reader:
        if not header:
            header = [c.strip() for c in cells]
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            out.append((reader.line_num, None))
            continue
        out.append((reader.line_num, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}))
    return header, out


def import_paper_ballots(
    survey_round: SurveyRound,
    data: bytes,
    filename: str,
    entered_by: User,
    *,
    form_id: str | None = None,
    version: str | None = None,
    on_row: Callable[[], None] | None = None,
) -> PaperImport:
    """Check every row of the file, store the valid ones and report the others (see the module doc).

    ``on_row()`` (optional, e.g. a command line's progress bar) is called as each row is read."""
    stored_version = form_version_for(survey_round, form_id, version)
    if not stored_version.accepts_answers:
        raise ApiError("form_closed", f"{stored_version.form_id} {stored_version.version} no longer accepts answers.")
    form = parsed_form(stored_version.content_hash, stored_version.canonical)
    questions = {q.name for q in form.questions()}
    scored_paths = {form.path_of(q.name): q.name for q in form.scored_questions()}
    header, raw_rows = _rows(data, filename)
    ids = [column_id(h) for h in header]
    if not any(ids):
        raise ApiError("invalid_request", f"{filename} is empty.", {"file": ["No header row."]})
    if "agency" not in ids and AGENCY_QUESTION not in ids:
        raise ApiError("invalid_request", f"{filename} needs an 'agency' column.", {"file": ["No agency column."]})

    agencies = dict(db.session.execute(select(Agency.code, Agency.id)).all())
    surveyed = {p.agency_id for p in survey_round.participants if p.surveyed}
    users = {u.username: u for u in db.session.scalars(select(User))}
    assigned = set(
        db.session.execute(
            select(Assignment.enumerator_id, Assignment.agency_id).where(Assignment.round_id == survey_round.id)
        ).all()
    )
    result = PaperImport(filename, stored_version.form_id, stored_version.version, header=header)
    device_id = f"paper:{filename}"[:100]
    rows: dict[str, dict] = {}
    lines: dict[str, int] = {}
    cells_of: dict[int, dict[str, str]] = {}
    problems_of: dict[int, list[dict]] = {}
    blank_of: dict[str, int] = {}

    def error(line: int, path: str, code: str, message: str) -> None:
        problems_of.setdefault(line, []).append({"path": path, "code": code, "message": message})

    for line, raw in raw_rows:
        if on_row is not None:
            on_row()
        if raw is None:
            cells_of[line] = {}
            error(line, "", "wrong_type", "The row has more cells than the header.")
            continue
        cells_of[line] = raw
        cells = {i: v for i, v in zip(ids, (raw.get(h, "") for h in header), strict=True) if i not in REFUSED_COLUMNS}
        meta = {k: (cells.pop(k, None) or "").strip() for k in META_COLUMNS}
        answers, problems = answers_from_text(form, cells)
        for p in problems:
            error(line, p["path"], p["code"], p["message"])
        agency = meta["agency"] or str(answers.get(AGENCY_QUESTION) or "")
        if not agency:
            error(line, "agency", "missing_agency", "No agency on this row.")
            continue
        if AGENCY_QUESTION in questions:
            answered = answers.get(AGENCY_QUESTION)
            if answered is None:
                answers[AGENCY_QUESTION] = agency
            elif answered != agency:
                error(
                    line,
                    form.path_of(AGENCY_QUESTION),
                    "agency_mismatch",
                    f"The answer names {answered!r} but the row is for {agency!r}.",
                )
        agency_id = agencies.get(agency)
        if agency_id is None:
            error(line, "agency", "unknown_agency", f"No agency with code {agency!r}.")
            continue
        if agency_id not in surveyed:
            error(line, "agency", "not_surveyed", f"{agency} is not surveyed in round {survey_round.code}.")
        interviewer = users.get(meta["enumerator"] or entered_by.username)
        if interviewer is None:
            error(line, "enumerator", "unknown_user", f"No user {meta['enumerator']!r}.")
            continue
        if meta["enumerator"] and interviewer.role != ENUMERATOR:
            error(line, "enumerator", "not_an_enumerator", f"{interviewer.username} is a {interviewer.role}.")
        if interviewer.role == ENUMERATOR and (interviewer.id, agency_id) not in assigned:
            error(
                line, "enumerator", "not_assigned", f"{interviewer.username} is not assigned to {agency} in this round."
            )
        blank_scored = []
        for e in validate_answers(form, answers):
            item = e.to_dict()
            if item["code"] == "missing_required" and item["path"] in scored_paths:
                blank_scored.append(scored_paths[item["path"]])  # not answered: that criterion only
                continue
            error(line, item["path"], item["code"], item["message"])
        instance_id = meta["instance_id"]
        if instance_id:
            try:
                instance_id = str(uuid.UUID(instance_id))
            except ValueError:
                error(line, "instance_id", "wrong_type", f"{instance_id!r} is not a UUID.")
                continue
        else:
            seed = f"{survey_round.code}|{filename}|{line}|{canonical_json(answers).decode()}"
            instance_id = str(uuid.uuid5(PAPER_NAMESPACE, seed))
        if instance_id in lines:
            error(
                line,
                "instance_id",
                "duplicate_row",
                f"Instance id {instance_id} is already on line {lines[instance_id]}.",
            )
            continue
        if line in problems_of:
            continue
        lines[instance_id] = line
        blank_of[instance_id] = len(blank_scored)
        paradata = {"source": "paper"}
        envelope = make_envelope(
            form_id=stored_version.form_id,
            form_version=stored_version.version,
            agency=agency,
            enumerator=interviewer.username,
            answers=answers,
            paradata=paradata,
            instance_id=instance_id,
        )
        stored_paradata = {"source": "paper", "file": filename, "line": line, "entered_by": entered_by.username}
        if blank_scored:
            stored_paradata["blank_scored"] = blank_scored
        rows[instance_id] = {
            "instance_id": instance_id,
            "form_version_id": stored_version.id,
            "round_id": stored_version.round_id or survey_round.id,
            "agency_id": agency_id,
            "enumerator_id": interviewer.id,
            "device_id": device_id,
            "answers": envelope["answers"],
            "paradata": stored_paradata,
            "content_hash": envelope["content_hash"],
            "started_at": None,
            "completed_at": None,
            "received_at": utcnow(),
            **derived_columns(stored_version, answers, None, None),
        }
    if not raw_rows:
        raise ApiError("invalid_request", f"{filename} has no ballot rows.", {"file": ["The file has no ballot rows."]})

    stored = stored_hashes(set(rows))
    for instance_id, (_, stored_hash) in stored.items():
        if stored_hash == rows[instance_id]["content_hash"]:
            result.duplicates += 1
        else:
            error(
                lines[instance_id],
                "instance_id",
                "payload_conflict",
                f"Ballot {instance_id} is already stored with other content; the stored ballot is unchanged.",
            )
        del rows[instance_id]
    pending = list(rows.values())
    for start in range(0, len(pending), INSERT_CHUNK):
        chunk = pending[start : start + INSERT_CHUNK]
        inserted = store_ballots(chunk, entered_by.username)
        result.accepted += len(inserted)
        result.duplicates += len(chunk) - len(inserted)
        result.blank_scored += sum(blank_of[i] for i in inserted)
    db.session.flush()
    result.refused = [
        {"line": line, "problems": problems_of[line], "cells": cells_of.get(line, {})} for line in sorted(problems_of)
    ]
    return result


def _template_questions(form) -> list:
    return [q for q in form.questions() if q.answerable and q.type != "calculate" and q.name != AGENCY_QUESTION]


def _answer_help(question) -> str:
    """How to write the answer of a question on the template, in Vietnamese."""
    if question.type == "likert5":
        levels = "; ".join(f"{level} = {labels['vi']}" for level, labels in LIKERT_LEVELS.items())
        if question.allow_na:
            levels += f"; {NOT_APPLICABLE} = {NOT_APPLICABLE_LABEL['vi']}"
        return levels
    if question.type in ("select_one", "select_multiple"):
        choices = "; ".join(
            f"{c.value} = {c.label.get('vi') or next(iter(c.label.values()), '')}" for c in question.choices
        )
        return choices + (
            "; chọn nhiều: ghi các mã cách nhau bởi dấu cách" if question.type == "select_multiple" else ""
        )
    return {
        "integer": "số nguyên",
        "decimal": "số (dấu phẩy hoặc dấu chấm thập phân)",
        "date": "ngày dạng YYYY-MM-DD",
        "time": "giờ dạng HH:MM",
        "datetime": "ngày giờ dạng YYYY-MM-DDTHH:MM",
    }.get(question.type, "chữ")


def _required_help(question) -> str:
    if question.scoring is not None:
        return "Không (để trống = không trả lời tiêu chí này)"
    return "Có" if question.required else "Không"


def template_headers(form) -> list[str]:
    """The template's header row: the agency and enumerator columns, then a column per question."""
    meta = [f"{META_LABELS[c]} [{c}]" for c in META_COLUMNS]
    return meta + [f"{q.label.get('vi') or q.name} [{q.name}]" for q in _template_questions(form)]


def paper_template(stored_version: FormVersion, fmt: str) -> tuple[bytes, str, str]:
    """``(body, mimetype, filename)`` of the empty paper-ballot file of a form version (csv or xlsx)."""
    form = parsed_form(stored_version.content_hash, stored_version.canonical)
    headers = template_headers(form)
    stem = f"phieu-giay-{stored_version.form_id}-{stored_version.version}"
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow(headers)
        return ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", f"{stem}.csv"
    if fmt != "xlsx":
        raise ApiError("invalid_request", f"Unknown template format {fmt!r}; use csv or xlsx.")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Phiếu"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for position in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(position)].width = 18
    for position, question in enumerate(_template_questions(form), start=len(META_COLUMNS) + 1):
        if question.type == "likert5":
            allowed = "1,2,3,4,5" + (f",{NOT_APPLICABLE}" if question.allow_na else "")
        elif question.type == "select_one" and len(",".join(question.choice_values)) < 250:
            allowed = ",".join(question.choice_values)
        else:
            continue
        letter = get_column_letter(position)
        check = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True)
        check.add(f"{letter}2:{letter}5000")
        sheet.add_data_validation(check)
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Mã cột", "Câu hỏi", "Bắt buộc", "Cách ghi câu trả lời"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.append(["agency", META_LABELS["agency"], "Có", "mã cơ quan, đơn vị trong danh mục của đợt"])
    guide.append(["enumerator", META_LABELS["enumerator"], "Không", "mặc định: người nhập phiếu"])
    guide.append(["instance_id", META_LABELS["instance_id"], "Không", "mã UUID ghi trên phiếu, nếu có"])
    for question in _template_questions(form):
        guide.append(
            [question.name, question.label.get("vi") or question.name, _required_help(question), _answer_help(question)]
        )
    for letter, width in zip("ABCD", (16, 60, 24, 80), strict=True):
        guide.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), XLSX_MIMETYPE, f"{stem}.xlsx"
