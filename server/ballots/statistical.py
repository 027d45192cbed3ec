"""Stata (.dta) and SPSS (.sav) files written row by row, so a million ballots need bounded memory.

pyreadstat's ``write_dta``/``write_sav`` take a whole DataFrame (about 1 kB a ballot in memory). The
ReadStat C library inside pyreadstat writes row by row, so this module calls it directly (ctypes, the
functions of ``readstat.h`` that pyreadstat's writer extension exports): the files are the ones
pyreadstat would write, without the DataFrame.

ReadStat must know the number of rows and each text column's width before the first row, so rows are
written in two passes: the first spools the coded rows to a temporary file (``marshal``, a chunk at a
time) while counting them and measuring each text column; the second reads the spool back into ReadStat.
Memory then holds one chunk, whatever the number of ballots. The one exception is a Stata text column
with a value longer than 2,045 bytes (a "strL"): ReadStat needs those values before the first row, so that
column's distinct values are held in memory (rare in survey answers: long free text only).
"""

from __future__ import annotations

import ctypes
import marshal
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

#: readstat_type_t
STRING, DOUBLE, STRING_REF = 0, 5, 6
#: Stata 15 writes dta format 119; SPSS uncompressed sav is ReadStat's version 2 (as pyreadstat).
FORMAT_VERSION = {"dta": 119, "sav": 2}
#: Longest Stata str# (bytes); longer text becomes a strL.
DTA_STR_MAX = 2045
SPOOL_ROWS = 1000

_WRITER = ctypes.CFUNCTYPE(ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)


def _library():
    from pyreadstat import _readstat_writer

    lib = ctypes.CDLL(_readstat_writer.__file__)
    p, s, i, d = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_double
    for name, restype, argtypes in [
        ("readstat_writer_init", p, []),
        ("readstat_writer_free", None, [p]),
        ("readstat_set_data_writer", i, [p, _WRITER]),
        ("readstat_writer_set_file_format_version", i, [p, ctypes.c_uint8]),
        ("readstat_add_variable", p, [p, s, i, ctypes.c_size_t]),
        ("readstat_variable_set_label", None, [p, s]),
        ("readstat_add_label_set", p, [p, i, s]),
        ("readstat_label_double_value", None, [p, d, s]),
        ("readstat_variable_set_label_set", None, [p, p]),
        ("readstat_variable_add_missing_double_value", None, [p, d]),
        ("readstat_add_string_ref", p, [p, s]),
        ("readstat_begin_writing_dta", i, [p, p, ctypes.c_long]),
        ("readstat_begin_writing_sav", i, [p, p, ctypes.c_long]),
        ("readstat_validate_metadata", i, [p]),
        ("readstat_validate_variable", i, [p, p]),
        ("readstat_begin_row", i, [p]),
        ("readstat_insert_double_value", i, [p, p, d]),
        ("readstat_insert_string_value", i, [p, p, s]),
        ("readstat_insert_string_ref", i, [p, p, p]),
        ("readstat_insert_missing_value", i, [p, p]),
        ("readstat_end_row", i, [p]),
        ("readstat_end_writing", i, [p]),
        ("readstat_error_message", s, [i]),
    ]:
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


@dataclass
class Variable:
    """One column of the file: a number (with optional value labels and missing values) or text."""

    name: str
    label: str
    numeric: bool
    value_labels: dict[float, str] = field(default_factory=dict)
    missing: list[float] = field(default_factory=list)


class ReadStatError(RuntimeError):
    pass


def _check(lib, code: int) -> None:
    if code:
        raise ReadStatError(lib.readstat_error_message(code).decode())


def _text(value) -> bytes:
    return ("" if value is None else str(value)).replace("\x00", "").encode("utf-8")


def _spool(rows: Iterable[list], variables: list[Variable], handle) -> tuple[int, list[int]]:
    """Write the rows to the spool in chunks; return the row count and each text column's widest value."""
    texts = [i for i, v in enumerate(variables) if not v.numeric]
    widths = [1] * len(variables)
    count, chunk = 0, []
    for row in rows:
        for i in texts:
            row[i] = _text(row[i])
            if len(row[i]) > widths[i]:
                widths[i] = len(row[i])
        chunk.append(row)
        count += 1
        if len(chunk) >= SPOOL_ROWS:
            marshal.dump(chunk, handle)
            chunk = []
    if chunk:
        marshal.dump(chunk, handle)
    return count, widths


def _unspool(handle) -> Iterator[list]:
    handle.seek(0)
    while True:
        try:
            chunk = marshal.load(handle)
        except EOFError:
            return
        yield from chunk


def write(rows: Iterable[list], variables: list[Variable], path: str, fmt: str) -> int:
    """Write ``rows`` (numbers or None for numeric variables, text for the others) to a .dta or .sav file
    at ``path``; return the number of rows written."""
    lib = _library()
    with tempfile.TemporaryFile(prefix="parsurvey-spool-") as spool, open(path, "wb") as out:
        count, widths = _spool(rows, variables, spool)

        @_WRITER
        def emit(data, length, _context):
            out.write(ctypes.string_at(data, length))
            return length

        writer = lib.readstat_writer_init()
        try:
            _check(lib, lib.readstat_set_data_writer(writer, emit))
            _check(lib, lib.readstat_writer_set_file_format_version(writer, FORMAT_VERSION[fmt]))
            handles, long_columns = [], set()
            for index, (variable, width) in enumerate(zip(variables, widths, strict=True)):
                kind = DOUBLE if variable.numeric else STRING
                if fmt == "dta" and not variable.numeric and width > DTA_STR_MAX:
                    kind, width = STRING_REF, 0
                    long_columns.add(index)
                handle = lib.readstat_add_variable(
                    writer, variable.name.encode(), kind, 0 if variable.numeric else width
                )
                lib.readstat_variable_set_label(handle, variable.label.encode("utf-8"))
                if variable.value_labels:
                    label_set = lib.readstat_add_label_set(writer, DOUBLE, f"{variable.name}_l".encode())
                    for value, text in variable.value_labels.items():
                        lib.readstat_label_double_value(label_set, float(value), text.encode("utf-8"))
                    lib.readstat_variable_set_label_set(handle, label_set)
                for value in variable.missing:
                    lib.readstat_variable_add_missing_double_value(handle, float(value))
                handles.append(handle)
            refs = _string_refs(lib, writer, spool, long_columns)
            begin = lib.readstat_begin_writing_dta if fmt == "dta" else lib.readstat_begin_writing_sav
            _check(lib, begin(writer, None, count))
            _check(lib, lib.readstat_validate_metadata(writer))
            for handle in handles:
                _check(lib, lib.readstat_validate_variable(writer, handle))
            _rows(lib, writer, spool, variables, handles, long_columns, refs)
            _check(lib, lib.readstat_end_writing(writer))
        finally:
            lib.readstat_writer_free(writer)
    return count


def _string_refs(lib, writer, spool, columns: set[int]) -> dict[bytes, int]:
    """Stata strL values, added to ReadStat before the first row (its rule)."""
    refs: dict[bytes, int] = {}
    if columns:
        for row in _unspool(spool):
            for i in columns:
                if row[i] not in refs:
                    refs[row[i]] = lib.readstat_add_string_ref(writer, row[i])
    return refs


def _rows(lib, writer, spool, variables, handles, long_columns, refs) -> None:
    begin, end = lib.readstat_begin_row, lib.readstat_end_row
    number, text, ref, missing = (
        lib.readstat_insert_double_value,
        lib.readstat_insert_string_value,
        lib.readstat_insert_string_ref,
        lib.readstat_insert_missing_value,
    )
    plan = [
        (handle, "number" if variable.numeric else ("ref" if index in long_columns else "text"))
        for index, (variable, handle) in enumerate(zip(variables, handles, strict=True))
    ]
    for row in _unspool(spool):
        _check(lib, begin(writer))
        for (handle, kind), value in zip(plan, row, strict=True):
            if kind == "number":
                code = missing(writer, handle) if value is None else number(writer, handle, value)
            elif kind == "ref":
                code = ref(writer, handle, refs[value])
            else:
                code = text(writer, handle, value)
            if code:
                _check(lib, code)
        _check(lib, end(writer))
