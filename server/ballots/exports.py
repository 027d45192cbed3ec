"""Raw data exports: one row per ballot, filtered like the ballot table, for analysts.

Formats, as ODK Central and KoboToolbox users expect them:

- CSV: UTF-8 with a byte-order mark (Excel then shows Vietnamese), streamed row by row from a
  server-side cursor, so a million ballots export in bounded memory;
- XLSX: a ``values`` sheet (stored codes), a ``labels`` sheet (choice labels in the chosen language) and
  a ``variables`` sheet (each column's question label and type); written with openpyxl's write-only
  mode, row by row, to a temporary file; past Excel's 1,048,576 rows a sheet, the ballots continue in
  ``values 2`` / ``labels 2`` (and so on);
- Stata (.dta) and SPSS (.sav) through the ReadStat library inside pyreadstat, with variable labels and
  value labels, written row by row to a temporary file (statistical.py), so memory stays bounded too; with
  repeat groups a ZIP of the ballots' file and one file per repeat group (repeat_exports.py).

Columns: the metadata (instance id, form version, agency code and name, enumerator, device, started,
completed, received, duration, status and reason, re-check organisations and outcomes, the GPS fixes
at start and end), then every question of the form versions in the export, in form order.
``select_multiple`` answers give the list (space-separated values, as ODK does) and one 0/1 column per
choice (``question/choice``; ``question_choice`` in Stata and SPSS, whose names allow no slash).
Contact answers (the round's ``contact_questions``) are never exported.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from json import loads
from operator import itemgetter
from typing import BinaryIO

from sqlalchemy import Text, cast, func, select

from survey_forms.likert import LIKERT_LEVELS, NOT_APPLICABLE, NOT_APPLICABLE_LABEL
from survey_forms.model import Question

from ..auth.models import User
from ..extensions import db
from ..forms.models import FormVersion
from ..forms.service import load_form
from ..recheck.models import RecheckAssignment, Verification
from ..recheck.settings import DEFAULTS, settings_of
from ..registry.models import Agency, SurveyRound
from . import repeat_exports, statistical
from .browse import BallotFilters, filtered, ordered
from .models import Ballot

FORMATS = ("csv", "xlsx", "dta", "sav")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "dta": "application/x-stata-dta",
    "sav": "application/x-spss-sav",
}
#: A Stata or SPSS download of forms with repeat groups: the ballots' file and one file per repeat group.
ZIP_MIMETYPE = "application/zip"
#: Rows fetched from the database at a time (PostgreSQL: a server-side cursor).
BATCH = 2000
#: Stata's and SPSS's coded value for "not applicable" on the five-level scale.
NA_CODE = 9

STATUS_LABELS = {
    "vi": {
        "received": "Đã nhận",
        "valid": "Hợp lệ",
        "invalid": "Không hợp lệ",
        "selected": "Đang phúc tra",
        "confirmed": "Đã xác nhận",
        "failed": "Không đạt phúc tra",
    },
    "en": {
        "received": "Received",
        "valid": "Valid",
        "invalid": "Invalid",
        "selected": "Being re-checked",
        "confirmed": "Confirmed",
        "failed": "Failed re-check",
    },
}

#: Re-check outcomes and cleaning rules as the labels sheet words them.
OUTCOME_LABELS = {
    "vi": {
        "confirmed": "Xác nhận",
        "unreachable": "Không liên lạc được",
        "not_eligible": "Không thuộc đối tượng",
        "interview_not_held": "Không có cuộc phỏng vấn",
        "answers_differ": "Câu trả lời khác với phiếu",
        "pending": "Chờ kết quả",
    },
    "en": {
        "confirmed": "Confirmed",
        "unreachable": "Unreachable",
        "not_eligible": "Not eligible",
        "interview_not_held": "Interview not held",
        "answers_differ": "Answers differ",
        "pending": "Awaiting a finding",
    },
}
RULE_LABELS = {
    "vi": {
        "interview_after_receipt": "Ngày phỏng vấn sau ngày máy chủ nhận phiếu",
        "interview_before_window": "Ngày phỏng vấn trước thời gian khảo sát",
        "result_date_outside_window": "Ngày nhận kết quả ngoài thời gian khảo sát",
        "result_after_interview": "Ngày nhận kết quả sau ngày phỏng vấn",
        "interview_too_short": "Phỏng vấn quá ngắn",
        "override": "Giám sát sửa",
        "re-check": "Phúc tra",
    },
    "en": {
        "interview_after_receipt": "Interview dated after receipt",
        "interview_before_window": "Interview before the survey window",
        "result_date_outside_window": "Result date outside the survey window",
        "result_after_interview": "Result received after the interview",
        "interview_too_short": "Interview too short",
        "override": "Set by a supervisor",
        "re-check": "Re-check",
    },
}

#: (name, Vietnamese label, English label) of the metadata columns, in order.
METADATA = [
    ("instance_id", "Mã phiếu", "Instance id"),
    ("form_version", "Phiên bản phiếu", "Form version"),
    ("agency_code", "Mã cơ quan", "Agency code"),
    ("agency_name", "Tên cơ quan", "Agency name"),
    ("enumerator", "Điều tra viên", "Enumerator"),
    ("device_id", "Thiết bị", "Device"),
    ("started_at", "Bắt đầu phỏng vấn", "Interview started"),
    ("completed_at", "Kết thúc phỏng vấn", "Interview completed"),
    ("received_at", "Máy chủ nhận", "Received by the server"),
    ("duration_seconds", "Thời lượng (giây)", "Duration (seconds)"),
    ("status", "Trạng thái", "Status"),
    ("status_reason", "Lý do trạng thái", "Status reason"),
    ("recheck_organisation", "Tổ chức phúc tra", "Re-check organisation"),
    ("recheck_outcome", "Kết quả phúc tra", "Re-check outcome"),
    ("location_start_latitude", "Vĩ độ lúc bắt đầu", "Latitude at start"),
    ("location_start_longitude", "Kinh độ lúc bắt đầu", "Longitude at start"),
    ("location_start_accuracy", "Sai số vị trí lúc bắt đầu (m)", "Accuracy at start (m)"),
    ("location_end_latitude", "Vĩ độ lúc kết thúc", "Latitude at end"),
    ("location_end_longitude", "Kinh độ lúc kết thúc", "Longitude at end"),
    ("location_end_accuracy", "Sai số vị trí lúc kết thúc (m)", "Accuracy at end (m)"),
]
FIX_KEYS = ("latitude", "longitude", "accuracy")
META_NAMES = {name for name, _, _ in METADATA}
NUMERIC_METADATA = {
    "duration_seconds",
    *(f"location_{w}_{k}" for w in ("start", "end") for k in ("latitude", "longitude", "accuracy")),
}
TIME_METADATA = {"started_at", "completed_at", "received_at"}


@dataclass
class Column:
    """One exported column: where its value comes from and how to label it."""

    name: str
    label: dict[str, str]
    kind: str  # "meta", "question", "choice" (a select_multiple's 0/1 column), "key" (of a repeat's table)
    question_type: str = ""
    question: str = ""
    choice: str = ""
    #: Stored value → label per language (select_one, likert5, and the metadata status).
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)


def _text(label: dict | None, lang: str, default: str) -> str:
    if not label:
        return default
    return label.get(lang) or label.get("vi") or next(iter(label.values()), default)


def export_columns(form_versions: list[FormVersion], hidden: set[str]) -> list[Column]:
    """The metadata columns, then each question of the given versions in form order (newer versions
    add their new questions at the end)."""
    columns = [
        Column(name, {"vi": vi, "en": en}, "meta", value_labels=STATUS_LABELS if name == "status" else {})
        for name, vi, en in METADATA
    ]
    seen: set[str] = set()
    for stored in form_versions:
        form = load_form(stored)
        for question in form.questions():
            if question.type == "note" or question.name in seen or question.name in hidden:
                continue
            if repeat_exports.in_repeat(form, question.name):  # in the repeat's own table
                continue
            seen.add(question.name)
            label = dict(question.label)
            # A question named like a metadata column (the built-in form's agency_code) gets its own name.
            column_name = f"{question.name}_answer" if question.name in META_NAMES else question.name
            columns.append(question_column(question, column_name))
            if question.type == "select_multiple":
                for choice in question.choices:
                    both = {
                        lang: f"{_text(label, lang, question.name)}: {_text(dict(choice.label), lang, choice.value)}"
                        for lang in ("vi", "en")
                    }
                    name = f"{question.name}/{choice.value}"
                    columns.append(Column(name, both, "choice", "select_multiple", question.name, choice.value))
    return columns


def question_column(question: Question, name: str) -> Column:
    """A question's column: its label, and its value labels (select_one and select_multiple choices, the
    five-level scale)."""
    labels: dict[str, dict[str, str]] = {}
    if question.type == "likert5":
        for lang in ("vi", "en"):
            labels[lang] = {str(level): text[lang] for level, text in LIKERT_LEVELS.items()}
            labels[lang][NOT_APPLICABLE] = NOT_APPLICABLE_LABEL[lang]
    elif question.type in ("select_one", "select_multiple"):
        for lang in ("vi", "en"):
            labels[lang] = {c.value: _text(dict(c.label), lang, c.value) for c in question.choices}
    return Column(name, dict(question.label), "question", question.type, question.name, value_labels=labels)


#: The key columns of a repeat group's table (repeat_exports.KEY_COLUMNS) as Stata and SPSS label them.
REPEAT_KEYS = {
    "instance_id": {"vi": "Mã phiếu", "en": "Instance id"},
    "repeat_index": {"vi": "Số thứ tự lượt", "en": "Repeat instance"},
    "parent_index": {"vi": "Lượt bao ngoài", "en": "Enclosing repeat instance"},
}


def repeat_columns(table: repeat_exports.RepeatTable) -> list[Column]:
    """A repeat group's table as columns: the keys (text), then its questions (a select_multiple as its list)."""
    keys = [Column(name, REPEAT_KEYS[name], "key") for name in repeat_exports.KEY_COLUMNS]
    return keys + [question_column(table.questions[name], name) for name in table.columns]


@dataclass
class Export:
    """A filtered set of ballots, ready to be written in any of the formats."""

    filters: BallotFilters
    lang: str = "vi"
    columns: list[Column] = field(default_factory=list)
    round_code: str = "ballots"

    def prepare(self) -> Export:
        query = filtered(select(Ballot), self.filters)
        version_ids = db.session.scalars(query.with_only_columns(Ballot.form_version_id).distinct().order_by(None))
        versions = sorted(
            db.session.scalars(select(FormVersion).where(FormVersion.id.in_(list(version_ids)))),
            key=lambda v: v.id,
        )
        hidden = set(DEFAULTS["contact_questions"])
        if self.filters.round_id is not None:
            survey_round = db.session.get(SurveyRound, self.filters.round_id)
            hidden = set(settings_of(survey_round)["contact_questions"])
            self.round_code = survey_round.code
        self.columns = export_columns(versions, hidden)
        self.versions, self.hidden = versions, hidden  # for the repeat groups' tables (repeat_exports)
        return self

    def _rechecks(self) -> dict[int, tuple[str, str]]:
        """Per ballot id: its re-check organisations and outcomes ("MTTQ; CCB", "confirmed; pending")."""
        ids = filtered(select(Ballot.id), self.filters)
        rows = db.session.execute(
            select(RecheckAssignment.ballot_id, RecheckAssignment.organisation, Verification.outcome)
            .outerjoin(Verification, Verification.assignment_id == RecheckAssignment.id)
            .where(RecheckAssignment.ballot_id.in_(ids))
            .order_by(RecheckAssignment.id, Verification.id)
        )
        found: dict[int, dict[str, str]] = {}
        for ballot_id, organisation, outcome in rows:
            found.setdefault(ballot_id, {})[organisation] = outcome or "pending"
        return {k: ("; ".join(v), "; ".join(v.values())) for k, v in found.items()}

    def records(self) -> Iterator[list]:
        """Each ballot's values in column order (stored codes; times in Vietnam time, ISO 8601)."""
        rechecks = self._rechecks()
        query = filtered(
            select(
                Ballot.id,
                Ballot.instance_id,
                FormVersion.version,
                Agency.code,
                Agency.name,
                User.username,
                Ballot.device_id,
                _local_text(Ballot.started_at),
                _local_text(Ballot.completed_at),
                _local_text(Ballot.received_at),
                Ballot.duration_seconds,
                Ballot.status,
                Ballot.status_reason,
                *(Ballot.paradata[f"location_{w}"][k].as_float() for w in ("start", "end") for k in FIX_KEYS),
                # The answers as text, parsed here: one json.loads a row, without the driver's per-value work.
                cast(Ballot.answers, Text),
            )
            .join(FormVersion, FormVersion.id == Ballot.form_version_id)
            .join(Agency, Agency.id == Ballot.agency_id)
            .join(User, User.id == Ballot.enumerator_id),
            self.filters,
        )
        query = ordered(query, self.filters.sort, joined=True)
        questions = [c for c in self.columns if c.kind != "meta"]
        first = len(self.columns) - len(questions)
        names = [c.question for c in questions]
        blank = dict.fromkeys(names)
        pick = itemgetter(*names) if len(names) > 1 else (lambda d: (d[names[0]],) if names else ())
        source = {c.question: first + i for i, c in enumerate(questions) if c.kind == "question"}
        multiple = [
            (first + i, c.kind, c.choice, source[c.question]) for i, c in enumerate(questions) if c.kind == "choice"
        ]
        lists = [
            first + i for i, c in enumerate(questions) if c.kind == "question" and c.question_type == "select_multiple"
        ]
        # Core rows from a server-side cursor (PostgreSQL), BATCH at a time: no ORM work per row.
        result = db.session.connection().execution_options(stream_results=True, yield_per=BATCH).execute(query)
        for row in result:
            (
                ballot_id,
                instance_id,
                version,
                agency_code,
                agency_name,
                enumerator,
                device,
                started,
                completed,
                received,
                duration,
                status,
                reason,
                *fixes,
                answers,
            ) = row
            answers = loads(answers) if answers else {}
            organisations, outcomes = rechecks.get(ballot_id, ("", ""))
            values = [
                instance_id,
                version,
                agency_code,
                agency_name,
                enumerator,
                device,
                started,
                completed,
                received,
                duration,
                status,
                reason or "",
                organisations,
                outcomes,
                *fixes,
            ]
            # Every question column's answer in one C-level lookup (absent answers come from the defaults) ...
            values.extend(pick({**blank, **answers}))
            # ... then the few select_multiple columns are rewritten in place: 0/1 per choice, then the list.
            for position, kind, choice, source in multiple:
                answer = values[source]
                if kind == "choice":
                    values[position] = None if answer is None else int(isinstance(answer, list) and choice in answer)
            for position in lists:
                if isinstance(values[position], list):
                    values[position] = " ".join(map(str, values[position]))
            yield values

    def label_of(self, column: Column, value):
        """A value as the labels sheet shows it."""
        if value is None or value == "":
            return value
        if column.name == "recheck_outcome":
            return "; ".join(OUTCOME_LABELS[self.lang].get(v, v) for v in str(value).split("; "))
        if column.name == "status_reason":
            return reason_words(str(value), self.lang)
        labels = column.value_labels.get(self.lang, {})
        if column.question_type == "select_multiple" and column.kind == "question":
            return "; ".join(labels.get(v, v) for v in str(value).split())
        return labels.get(str(value), value) if labels else value


def reason_words(reason: str, lang: str) -> str:
    """A status reason in words: "re-check: answers_differ" → "Phúc tra: Câu trả lời khác với phiếu"."""
    rules = RULE_LABELS[lang]
    kind, _, rest = reason.partition(":")
    if kind == "re-check":
        outcomes = ", ".join(OUTCOME_LABELS[lang].get(o.strip(), o.strip()) for o in rest.split(","))
        return f"{rules[kind]}: {outcomes}"
    if kind == "override":
        return f"{rules[kind]}: {rest.strip()}"
    return rules.get(reason, reason)


def _local_text(column):
    """A stored UTC time as Vietnam time in ISO 8601 text, formatted by the database (a million rows
    then need no datetime objects in Python)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Ho_Chi_Minh", column), 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"')
    return func.strftime("%Y-%m-%dT%H:%M:%S+07:00", column, "+7 hours")


# --- CSV --------------------------------------------------------------------------------------------


def csv_chunks(export: Export, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The CSV in chunks of bytes: the byte-order mark and header, then rows as they are read (from a
    server-side cursor on PostgreSQL), so memory stays bounded however many ballots there are.

    (Having PostgreSQL write the CSV with ``COPY … TO STDOUT`` was tried and is slower: extracting ~40
    answers from each row's JSON costs the database more than Python's json module and csv writer.)"""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([c.name for c in export.columns])
    pending = 0
    for values in export.records():
        writer.writerow(values)
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------------------


#: Rows in one Excel sheet, the header included (Excel's limit).
XLSX_SHEET_ROWS = 1_048_576


def sheet_names(part: int) -> tuple[str, str]:
    """The values and labels sheets of one part: "values", "labels", then "values 2", "labels 2", ..."""
    return ("values", "labels") if part == 1 else (f"values {part}", f"labels {part}")


def write_xlsx(export: Export, target, sheet_rows: int = XLSX_SHEET_ROWS) -> int:
    """Values and labels sheets written row by row (openpyxl's write-only mode: rows go to temporary files
    as inline strings, so memory stays bounded), then the variables sheet. More ballots than a sheet
    holds (1,048,575 under the header) continue in "values 2" and "labels 2", and so on, each with its
    header. Returns the number of value/label sheet pairs."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    header = [c.name for c in export.columns]
    label_header = [_text(c.label, export.lang, c.name) for c in export.columns]
    part, room = 0, 0
    values_sheet = labels_sheet = None
    for values in export.records():
        if room == 0:
            part += 1
            values_name, labels_name = sheet_names(part)
            values_sheet, labels_sheet = book.create_sheet(values_name), book.create_sheet(labels_name)
            values_sheet.append(header)
            labels_sheet.append(label_header)
            room = sheet_rows - 1
        values_sheet.append(values)
        labels_sheet.append([export.label_of(c, v) for c, v in zip(export.columns, values, strict=True)])
        room -= 1
    if part == 0:  # no ballot matched: the headers alone
        part = 1
        book.create_sheet("values").append(header)
        book.create_sheet("labels").append(label_header)
    variables = book.create_sheet("variables")
    heading = {"vi": ["Tên cột", "Nhãn", "Loại câu hỏi"], "en": ["Column", "Label", "Question type"]}
    variables.append(heading.get(export.lang, heading["vi"]))
    for c in export.columns:
        variables.append([c.name, _text(c.label, export.lang, c.name), c.question_type or "metadata"])
    repeat_exports.append_sheets(book, export)
    book.save(target)
    return part


# --- Stata and SPSS ---------------------------------------------------------------------------------


def statistical_names(columns: list[Column]) -> list[str]:
    """Names Stata and SPSS accept: letters, digits and _, starting with a letter, at most 32 long, unique."""
    names, taken = [], set()
    for column in columns:
        name = re.sub(r"[^A-Za-z0-9_]", "_", column.name)
        if not re.match(r"[A-Za-z]", name):
            name = f"v_{name}"
        name = name[:32]
        base, n = name, 1
        while name.lower() in taken:
            n += 1
            name = f"{base[: 32 - len(str(n)) - 1]}_{n}"
        taken.add(name.lower())
        names.append(name)
    return names


def _coding(column: Column, lang: str) -> dict[str, int] | None:
    """Stored value → number, for columns Stata and SPSS keep as labelled numbers."""
    if column.question_type == "likert5" and column.kind == "question":
        return {**{str(level): level for level in LIKERT_LEVELS}, NOT_APPLICABLE: NA_CODE}
    if (column.kind == "meta" and column.name == "status") or column.question_type == "select_one":
        values = list(column.value_labels.get(lang, {}))
        if all(v.lstrip("-").isdigit() for v in values):
            return {v: int(v) for v in values}
        return {v: i for i, v in enumerate(values, start=1)}
    return None


def _number(value) -> float | None:
    try:
        return None if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return None


def write_statistical(export: Export, path: str, fmt: str, table: repeat_exports.RepeatTable | None = None) -> int:
    """A Stata 15 (.dta) or SPSS (.sav) file with variable labels and value labels, written row by row
    (see statistical.py: memory stays bounded however many ballots there are): the ballots' table, or the
    table of one repeat group (one row per instance). Returns the row count."""
    if table is None:
        return _write_statistical(export.columns, export.records(), export.lang, path, fmt)
    return _write_statistical(repeat_columns(table), repeat_exports.repeat_rows(export, table), export.lang, path, fmt)


def _write_statistical(columns: list[Column], records: Iterator[list], lang: str, path: str, fmt: str) -> int:
    names = statistical_names(columns)
    codings = [_coding(c, lang) for c in columns]
    limit = 80  # Stata's label length; SPSS allows more
    variables = []
    for name, column, coding in zip(names, columns, codings, strict=True):
        numeric = (
            coding is not None
            or column.kind == "choice"
            or (column.kind == "meta" and column.name in NUMERIC_METADATA)
            or column.question_type in ("integer", "decimal")
        )
        variable = statistical.Variable(name, _text(column.label, lang, column.name)[:limit], numeric)
        if coding is not None:
            labels = column.value_labels.get(lang, {})
            variable.value_labels = {float(code): str(labels.get(v, v))[:limit] for v, code in coding.items()}
        elif column.kind == "choice":
            variable.value_labels = {0.0: "Không" if lang == "vi" else "No", 1.0: "Có" if lang == "vi" else "Yes"}
        if fmt == "sav" and column.question_type == "likert5" and column.kind == "question":
            variable.missing = [NA_CODE]
        variables.append(variable)
    plan = [(coding, variable.numeric) for coding, variable in zip(codings, variables, strict=True)]

    def rows() -> Iterator[list]:
        for values in records:
            row = []
            for (coding, numeric), value in zip(plan, values, strict=True):
                if coding is not None and value is not None:
                    value = coding.get(str(value))
                row.append(_number(value) if numeric else value)
            yield row

    return statistical.write(rows(), variables, path, fmt)


def _temporary(suffix: str) -> str:
    handle = tempfile.NamedTemporaryFile(prefix="parsurvey-export-", suffix=suffix, delete=False)
    handle.close()
    return handle.name


def _written(suffix: str, write: Callable[[str], object]) -> str:
    """A temporary file ``write`` fills; removed again if writing fails."""
    path = _temporary(suffix)
    try:
        write(path)
    except BaseException:
        os.unlink(path)
        raise
    return path


def write_file(export: Export, fmt: str, repeat: repeat_exports.RepeatTable | None = None) -> tuple[str, str, str]:
    """Write a non-streamed format to a temporary file: ``(path, content type, download name)`` (the caller
    removes the file: :func:`open_unlinked`). Stata and SPSS hold one table a file, so for forms with repeat
    groups (unless one ``repeat`` table is asked for) the download is a ZIP of the ballots' file and one file
    per repeat group, as ODK Central's "ZIP of CSVs": ``phieu-2022.dta``, ``phieu-2022-visit.dta``, ..."""
    main = filename(export, fmt)
    if fmt == "xlsx":
        return _written(".xlsx", lambda path: write_xlsx(export, path)), MIMETYPES[fmt], main
    if repeat is not None:
        path = _written(f".{fmt}", lambda path: write_statistical(export, path, fmt, repeat))
        return path, MIMETYPES[fmt], repeat_exports.file_name(main, repeat)
    tables = repeat_exports.tables_of(export)
    if not tables:
        return _written(f".{fmt}", lambda path: write_statistical(export, path, fmt)), MIMETYPES[fmt], main

    def archive_of(path: str) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, table in [(main, None), *((repeat_exports.file_name(main, t), t) for t in tables)]:
                part = _written(f".{fmt}", lambda part, table=table: write_statistical(export, part, fmt, table))
                try:  # each file is written, copied into the archive from disk in blocks, and removed
                    archive.write(part, name)
                finally:
                    os.unlink(part)

    return _written(".zip", archive_of), ZIP_MIMETYPE, main.rpartition(".")[0] + f"-{fmt}.zip"


def open_unlinked(path: str) -> BinaryIO:
    """The written file, open for reading and already removed from its folder: it is gone when the answer
    that sends it is closed, or dropped unsent (nothing is left behind in the temporary folder)."""
    handle = open(path, "rb")  # noqa: SIM115 - the answer that sends it closes it
    os.unlink(path)
    return handle


def write_files(export: Export, fmt: str, out: str) -> list[str]:
    """The ballots' table in ``out`` and, for CSV, Stata and SPSS, each repeat group's table in a file beside it
    (``out.dta`` → ``out-visit.dta``), as ``parsurvey ballots export`` writes them; returns the files written."""
    if fmt == "xlsx":
        write_xlsx(export, out)  # the repeat groups are sheets of the workbook
        return [out]
    written = []
    for table in [None, *repeat_exports.tables_of(export)]:
        path = out if table is None else repeat_exports.file_name(out, table)
        if fmt == "csv":
            chunks = csv_chunks(export) if table is None else repeat_exports.csv_chunks(export, table.name)
            with open(path, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
        else:
            write_statistical(export, path, fmt, table)
        written.append(path)
    return written


def filename(export: Export, fmt: str) -> str:
    return f"phieu-{export.round_code}.{fmt}"
