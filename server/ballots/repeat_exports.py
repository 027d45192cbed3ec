"""Repeat groups in the raw exports: one related table per repeat group, as ODK Central and KoboToolbox give them.

The ballots' table (server/ballots/exports.py) holds one row per ballot and leaves out the questions inside
repeat groups; each repeat group gets a table of its own, one row per instance: the ballot's ``instance_id``
(the key into the ballots' table), the instance's ``repeat_index`` (its number within its ballot, from 1;
``2.3`` for the third instance inside the second instance of the enclosing repeat) and ``parent_index`` (the
enclosing instance's ``repeat_index``, empty for a repeat at the top level), then the instance's answers in
form order (a ``select_multiple`` as its space-separated values). In XLSX each table is a sheet named after
the repeat group; in CSV, Stata and SPSS each is a file of its own (``…/ballots/export.csv?repeat=NAME``, and
``.dta``/``.sav``); a Stata or SPSS download of forms with repeats is a ZIP of the ballots' file and one file per
repeat group (ODK Central's "ZIP of CSVs"; exports.py), and ``parsurvey ballots export`` writes the repeats'
files beside the ballots' one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from survey_forms import Form
from survey_forms.model import Group, Question

from ..extensions import db
from ..forms.models import FormVersion
from ..forms.service import load_form
from .browse import filtered, ordered
from .models import Ballot

KEY_COLUMNS = ("instance_id", "repeat_index", "parent_index")
#: Excel's longest sheet name.
SHEET_NAME_MAX = 31


@dataclass
class RepeatTable:
    """One repeat group's table: where it sits (the repeats around it) and its answer columns."""

    name: str
    label: dict[str, str]
    path: tuple[str, ...]  # the repeats from the top down to this one, itself last
    columns: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    #: Each column's question (its labels and choices, for the Stata and SPSS files' variable and value labels).
    questions: dict[str, Question] = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        return [*KEY_COLUMNS, *self.columns]


def in_repeat(form: Form, name: str) -> bool:
    """Whether ``name`` sits inside a repeat group (its answers are in a related table, not the ballots' row)."""
    return bool(form.repeats_of(name))


def repeat_tables(versions: list[FormVersion], hidden: set[str] = frozenset()) -> list[RepeatTable]:
    """The repeat groups of the given form versions, in form order (newer versions add theirs at the end)."""
    tables: dict[str, RepeatTable] = {}
    for stored in versions:
        form = load_form(stored)
        for element in form.elements():
            if not (isinstance(element, Group) and element.repeat):
                continue
            table = tables.setdefault(
                element.name,
                RepeatTable(element.name, dict(element.label or {}), (*form.repeats_of(element.name), element.name)),
            )
            for child in form.scope_children(element.name):
                usable = isinstance(child, Question) and child.type != "note" and child.name not in hidden
                if usable and child.name not in table.types:
                    table.columns.append(child.name)
                    table.types[child.name] = child.type
                    table.questions[child.name] = child
    return list(tables.values())


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(map(str, value))
    return value


def _instances(answers: Any, path: tuple[str, ...], index: str = "") -> Iterator[tuple[str, str, dict]]:
    """``(repeat_index, parent_index, answers)`` of every instance at the end of ``path`` in a ballot's answers."""
    if not isinstance(answers, dict) or not path:
        return
    items = answers.get(path[0])
    if not isinstance(items, list):
        return
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        mine = f"{index}.{number}" if index else str(number)
        if len(path) == 1:
            yield mine, index, item
        else:
            yield from _instances(item, path[1:], mine)


def repeat_rows(export: Any, table: RepeatTable) -> Iterator[list]:
    """The rows of one repeat table for the ballots an export selects, in the export's order."""
    query = ordered(filtered(select(Ballot.instance_id, Ballot.answers), export.filters), export.filters.sort)
    result = db.session.execute(query.execution_options(yield_per=500))
    for instance_id, answers in result:
        for repeat_index, parent_index, item in _instances(answers, table.path):
            yield [instance_id, repeat_index, parent_index, *(_cell(item.get(c)) for c in table.columns)]


def file_name(main: str, table: RepeatTable) -> str:
    """A repeat table's file beside the ballots' one: ``phieu-2022.dta`` → ``phieu-2022-visit.dta``."""
    stem, dot, suffix = main.rpartition(".")
    return f"{stem}-{table.name}.{suffix}" if dot else f"{main}-{table.name}"


def table_named(export: Any, name: str) -> RepeatTable | None:
    return next((t for t in tables_of(export) if t.name == name), None)


def tables_of(export: Any) -> list[RepeatTable]:
    """The export's repeat tables (its form versions are known once it is prepared)."""
    return repeat_tables(getattr(export, "versions", []), getattr(export, "hidden", set()))


def sheet_name(table: RepeatTable, taken: set[str]) -> str:
    name = table.name[:SHEET_NAME_MAX]
    while name in taken:
        name = name[: SHEET_NAME_MAX - 1] + "_"
    taken.add(name)
    return name


def append_sheets(book: Any, export: Any) -> None:
    """One sheet per repeat group in an XLSX export (openpyxl write-only workbook)."""
    taken = {"values", "labels", "variables"}
    for table in tables_of(export):
        sheet = book.create_sheet(sheet_name(table, taken))
        sheet.append(table.header)
        for row in repeat_rows(export, table):
            sheet.append(row)


def csv_chunks(export: Any, name: str, rows_per_chunk: int = 500) -> Iterator[bytes] | None:
    """One repeat group's table as CSV (UTF-8 with a byte-order mark, like the ballots' table); None if the
    export's forms have no repeat of that name."""
    table = table_named(export, name)
    if table is None:
        return None

    def chunks() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write("\ufeff")
        writer.writerow(table.header)
        pending = 0
        for row in repeat_rows(export, table):
            writer.writerow(row)
            pending += 1
            if pending >= rows_per_chunk:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
                pending = 0
        yield buffer.getvalue().encode("utf-8")

    return chunks()
