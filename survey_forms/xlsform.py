"""Importing questionnaires written as XLSForm workbooks.

Survey teams design questionnaires in spreadsheets, in the XLSForm convention that ODK and
KoboToolbox use. pyxform reads the workbook (survey / choices / settings sheets, column aliases,
``label::Language (code)`` translations, grouping by ``begin group``/``end group``); this module
converts pyxform's result into our JSON definition and then into a :class:`Form` through
:meth:`Form.from_dict`, so an imported form obeys exactly the same rules as a JSON one.

Anything parsurvey cannot honour is refused with ``unsupported_construct``, naming the sheet row
and the construct; nothing that changes what is asked or scored is silently dropped (a media question,
say). What only changes how ODK Collect shows a form, or what parsurvey records by
itself, is imported without effect and reported as a warning (``ignored_construct``), as ODK's own
tools do: display columns (``appearance``, media, ``guidance_hint``), ODK-only settings
(``instance_name``, ``submission_url``, ``public_key``, ``style``, ...), the ``entities`` sheet, the
``trigger`` column, ``parameters`` other than a range's, ``pulldata()`` (it gives ``""``) and the metadata
rows ``start``, ``end``, ``today``, ``deviceid``/``imei``, ``username`` (every ballot's paradata holds these).
pyxform's own errors become ``invalid_xlsform``, and so does a file its readers cannot read (damaged, not UTF-8).

Supported:

* ``begin repeat``/``end repeat`` (a repeat group; ``repeat_count`` its number of instances),
  ``begin loop over LIST`` (a group per choice, questions named ``<name>_<choice>``, as pyxform expands it),
  ``choice_filter`` (the choices sheet's other columns kept with each choice), ``select_one_external``
  (choices from the ``external_choices`` sheet), ``select_one_from_file`` (the value typed in, warned),
  ``acknowledge``/``trigger`` (answered ``OK``), ``range`` (a number with its bounds and step as a
  constraint), ``hidden`` (an empty calculation), a note with a calculation (a calculate);
* survey types ``begin group``/``end group``, ``select_one LIST``, ``select_multiple LIST`` (also
  the older ``select one from LIST``; ``or_other`` adds the ``other`` choice and the ``NAME_other``
  text question, as pyxform does), ``integer``, ``decimal``, ``text``, ``date``, ``note``;
* survey columns ``type``, ``name``, ``label``, ``hint``, ``required`` (yes/no/true/false only),
  ``relevant``, ``constraint``, ``constraint_message``, ``required_message`` (and their pyxform
  aliases), with translations as ``label::Vietnamese (vi)`` / ``label::English (en)`` (a language is
  taken from the code in parentheses, or a bare code such as ``label::vi``, or a common language
  name such as ``label::French``; another name is kept under a private code ``und-<name>``, with a
  warning); a plain ``label`` is the settings' ``default_language``, else Vietnamese, unless every
  label column names one other language, which then is the default; references are ``${name}`` or
  XPath paths (``/data/group/name``, ``../name``), read as ``${name}``;
* ``scoring_factor`` and ``scoring_criterion`` survey columns (see below);
* choices columns ``list_name``, ``name``, ``label``; a choice value is anything without white space
  (diacritics included);
* settings ``form_id``, ``version``, ``form_title`` (may be translated) and ``default_language``, all
  optional as in pyxform: the form id defaults to the file name, the title to the form id, and the
  version to ``auto-`` and 12 hex digits of the content's hash (so it changes exactly when the form
  does).

Likert and scoring rule: a ``select_one`` whose list has exactly the choice values
``1, 2, 3, 4, 5`` (any order), optionally plus ``na``, becomes a ``likert5`` question, with
``allow_na`` set when ``na`` is present; the list's labels are replaced by the standard
:data:`~survey_forms.likert.LIKERT_LEVELS`. ``scoring_factor``/``scoring_criterion`` are plain
survey columns - pyxform passes unknown survey columns through unchanged as keys of the question -
and are only allowed on such likert questions, where they become ``{"factor", "criterion"}``.
Factors are declared by a choices list named ``scoring_factors`` (``name`` = factor id, labels =
factor label); without that list the factors are the distinct ``scoring_factor`` values in order of
first use, labelled with their id.

Row numbers: pyxform does not report the rows its output came from, so each survey and choices row
is given a hidden ``_parsurvey_row`` column before conversion, which pyxform carries through like
any other unknown column.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from pyxform import aliases
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from .canonical import canonical_json
from .definition import FORM_ID, FORM_ID_MAX
from .errors import FormDefinitionError
from .expressions import ExpressionError, parse
from .likert import NOT_APPLICABLE
from .model import Form

ROW_KEY = "_parsurvey_row"
FILE_TYPES = (".xlsx", ".xlsm", ".xls", ".csv", ".md")
LIKERT_VALUES = frozenset({"1", "2", "3", "4", "5"})
FACTORS_LIST = "scoring_factors"

SURVEY_COLUMNS = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "bind.required",
        "bind.relevant",
        "bind.constraint",
        "bind.jr:constraintMsg",
        "bind.jr:requiredMsg",
        "bind.calculate",
        "choice_filter",
        "control.jr:count",
        "parameters",
        "scoring_factor",
        "scoring_criterion",
    }
)
#: Columns that only change how a question looks on ODK Collect (or carry media parsurvey does not show):
#: the form is imported without them, with a warning.
DISPLAY_COLUMNS = frozenset(
    {
        "control.appearance",
        "control.autoplay",
        "control.rows",
        "media.image",
        "media.big-image",
        "media.audio",
        "media.video",
        "guidance_hint",
        "image",
    }
)
#: Survey columns that change what is asked, or when, and that parsurvey does not do yet: refused. Every
#: other column parsurvey does not use is imported without effect, with a warning (ODK ignores unknown
#: columns too).
REFUSED_COLUMNS = frozenset(
    {
        "disabled",
        "bind.jr:preload",
        "bind.jr:preloadParams",
    }
)
#: Why a column parsurvey does not use is harmless, for the warning.
IGNORED_BECAUSE = {
    "bind.readonly": "read-only questions can be answered in parsurvey",
    "default": "default answers are not filled in beforehand",
    "trigger": "a calculation is recomputed whenever an answer changes",
}
CHOICES_COLUMNS = frozenset({"list name", "list_name", "name", "label"})
SETTINGS_COLUMNS = frozenset({"id_string", "version", "title", "default_language"})
#: Settings about ODK Collect, Central or the XForm itself, with nothing to do in parsurvey: warned about.
IGNORED_SETTINGS = frozenset(
    {
        "instance_name",
        "submission_url",
        "public_key",
        "style",
        "namespaces",
        "auto_send",
        "auto_delete",
        "allow_choice_duplicates",
        "clean_text_values",
        "add_none_option",
        "sms_keyword",
        "sms_separator",
        "sms_allow_media",
        "sms_date_format",
        "sms_datetime_format",
        "sms_response",
        "prefix",
        "delimiter",
        "compact_prefix",
        "compact_delimiter",
        "omit_instanceID",
        "xml_root",
        "name",
        "flat",
        "attribute",
        "client_editable",
        "entity_version",
        "entity_features",
        "entities",
    }
)
#: ODK metadata rows: parsurvey records these facts itself, in every ballot's paradata.
METADATA = {
    "start": "paradata.started_at",
    "end": "paradata.completed_at",
    "today": "the date of paradata.completed_at",
    "deviceid": "the device_id of the sync batch",
    "username": "the enumerator",
    "phonenumber": None,
    "imei": "the device_id of the sync batch",
    "start-geopoint": None,
    "audit": None,
    "simserial": None,
    "subscriberid": None,
    "email": None,
}
#: Labels of the choices pyxform adds by itself (``or_other``, ``add_none_option``).
ADDED_CHOICES = {
    "other": {"vi": "Khác", "en": "Other"},
    "none": {"vi": "Không có", "en": "None"},
}
OTHER_LABEL = {"vi": "Ghi rõ lựa chọn khác", "en": "Specify other"}
TYPES = {
    "group": "group",
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "text",
    "string": "text",
    "phone number": "text",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "dateTime": "datetime",
    "barcode": "barcode",
    "geopoint": "geopoint",
    "gps": "geopoint",
    "image": "image",
    "photo": "image",
    "audio": "audio",
    "video": "video",
    "file": "file",
    "osm": "file",  # the .osm file OpenMapKit returns to ODK Collect (check_raw_rows warns)
    "calculate": "calculate",
    "note": "note",
    "repeat": "group",
    "select one external": "select_one",
    "acknowledge": "select_one",
    "trigger": "select_one",
    "range": "integer",
    "hidden": "calculate",
}
#: Bind attributes pyxform makes of a question's ``parameters`` that only tell ODK Collect how to capture
#: the answer (``max-pixels``: how far Collect scales a photo down): imported without effect; the question's
#: ``parameters`` are listed as a warning.
IGNORED_BINDS = frozenset({"orx:max-pixels"})
#: ``acknowledge`` (and the older ``trigger``) is answered ``OK``, as ODK Collect stores it.
ACKNOWLEDGED = {"value": "OK", "label": {"vi": "Đồng ý", "en": "OK"}}
#: ``phone number`` is a text of digits in ODK (pyxform's question type dictionary).
PHONE_CONSTRAINT = r"regex(., '^\d*$')"
PHONE_HINT = {"vi": "Chỉ nhập chữ số.", "en": "Enter numbers only."}
ELEMENT_KEYS = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "bind",
        "children",
        "choices",
        "itemset",
        "list_name",
        "parameters",
        "control",
        "choice_filter",
        "query",
        "scoring_factor",
        "scoring_criterion",
        ROW_KEY,
    }
)
BIND_KEYS = {"required": "required", "relevant": "relevant", "constraint": "constraint", "calculate": "calculation"}
#: ``${name}`` written as an XPath path: ``/data/group/name``, ``../name`` or ``../../name``.
_PATH_REFERENCE = re.compile(r"(?<![\w$}.])(?:/[A-Za-z_][\w.-]*)+/([A-Za-z_][\w.-]*)|(?:\.\./)+([A-Za-z_][\w.-]*)")
FORM_KEYS = frozenset(
    {
        "type",
        "name",
        "title",
        "id_string",
        "sms_keyword",
        "default_language",
        "children",
        "version",
        "choices",
    }
)
#: Language names used in XLSForm column headers without a code (``label::French``), with their ISO 639-1
#: code. A name not listed here gets a private code (``und-<letters>``), with a warning.
LANGUAGE_NAMES = {
    "vietnamese": "vi",
    "tiếng việt": "vi",
    "english": "en",
    "tiếng anh": "en",
    "french": "fr",
    "français": "fr",
    "spanish": "es",
    "español": "es",
    "portuguese": "pt",
    "português": "pt",
    "arabic": "ar",
    "swahili": "sw",
    "kiswahili": "sw",
    "hindi": "hi",
    "nepali": "ne",
    "bengali": "bn",
    "bangla": "bn",
    "urdu": "ur",
    "chinese": "zh",
    "japanese": "ja",
    "korean": "ko",
    "thai": "th",
    "khmer": "km",
    "lao": "lo",
    "burmese": "my",
    "indonesian": "id",
    "malay": "ms",
    "tagalog": "tl",
    "german": "de",
    "italian": "it",
    "dutch": "nl",
    "russian": "ru",
    "ukrainian": "uk",
    "turkish": "tr",
    "persian": "fa",
    "dari": "prs",
    "pashto": "ps",
    "amharic": "am",
    "somali": "so",
    "hausa": "ha",
    "yoruba": "yo",
    "igbo": "ig",
    "zulu": "zu",
    "luganda": "lg",
    "kinyarwanda": "rw",
    "chichewa": "ny",
    "haitian creole": "ht",
}
_LABEL_COLUMN = re.compile(r"\blabel::([A-Za-z][\w()-]*(?:\s*\([A-Za-z-]+\))?)")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
_CODE_IN_PARENS = re.compile(r"\(\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\s*\)\s*$")
_SUPPORTED_TYPE = re.compile(
    r"(begin|end)[ _]group"
    r"|(select_one|select one|select1|select_multiple|select all that apply)( from)? \S+( or_other| or specify other)?"
    r"|(begin|end)[ _]repeat|begin[ _]loop[ _]over \S+|end[ _]loop"
    r"|(select_one|select_multiple)_(from_file \S+\.(csv|xml|geojson)|external \S+)"
    r"|integer|int|decimal|text|string|phone number|date|time|datetime|barcode|geopoint|gps|calculate|note"
    r"|acknowledge|trigger|range|hidden"
    r"|image|photo|audio|video|file"
    r"|(uri:)?(" + "|".join(METADATA) + ")"
)


def form_from_xlsform(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    filename: str | None = None,
    warnings: list[dict[str, str]] | None = None,
) -> Form:
    """Convert an XLSForm workbook into a :class:`Form`.

    ``source`` is a path, the file's bytes, or a binary file object. ``filename`` (optional)
    tells the file type (``.xlsx``, ``.xls``, ``.csv``, ``.md``) when bytes or a file object are
    given (without it pyxform guesses), and gives the form id when the settings sheet does not, as
    pyxform does. Raises :class:`FormDefinitionError` with every problem. What is imported without
    effect (display columns, ODK-only settings, metadata rows) is appended to ``warnings``, each
    ``{"path", "code": "ignored_construct", "message"}``.
    """
    data, file_type = _read_source(source, filename)
    if isinstance(source, str | os.PathLike) and filename is None:
        filename = Path(source).name
    try:
        workbook = get_xlsform(xlsform=io.BytesIO(data), file_type=file_type)
    except PyXFormError as exc:
        raise _invalid(exc) from None
    except Exception as exc:  # a damaged or mislabelled file: openpyxl, xlrd, zlib, the CSV and Markdown
        # readers raise many types (not UTF-8, a broken zip or compound document, XML that does not parse)
        raise _invalid(ValueError(f"the file is not a readable XLSForm ({type(exc).__name__}: {exc})")) from None
    converter = _Converter(workbook, _form_id_from(filename))
    converter.check_raw_rows()
    try:
        pyxform_dict = workbook_to_json(workbook_dict=converter.marked_workbook(), warnings=[])
    except PyXFormError as exc:
        if converter.errors:  # what the rows show is the clearer answer
            raise FormDefinitionError(converter.errors) from None
        raise _invalid(exc) from None
    # One pass reports everything: the rows' problems, then the converted form's about other rows.
    raw = len(converter.errors)
    definition = converter.convert(pyxform_dict)
    if converter.errors:
        raise FormDefinitionError(_once_per_place(converter.errors[:raw], converter.errors[raw:]))
    if definition["version"] is None:
        definition["version"] = _content_version(definition)
    try:
        form = Form.from_dict(definition)
    except FormDefinitionError as exc:
        raise FormDefinitionError([converter.locate(error) for error in exc.errors]) from None
    if warnings is not None:
        warnings.extend(converter.warnings)
    return form


_PLACE = re.compile(r"(survey|choices|settings)(\[\d+\])?")


def _once_per_place(raw: list[dict[str, str]], converted: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows' problems, and the converted form's about rows (or the settings) the first left alone."""

    def place(error: dict[str, str]) -> str:
        match = _PLACE.match(error["path"])
        if match is None:
            return error["path"]
        return "settings" if match.group(1) == "settings" else match.group()

    taken = {place(error) for error in raw}
    return raw + [error for error in converted if place(error) not in taken]


def _form_id_from(filename: str | None) -> str:
    """pyxform's default form id: the file's name without its extension, as it is when it is a valid form id
    (``Khảo sát 2024.xlsx`` gives ``Khảo sát 2024``), else made one."""
    stem = unicodedata.normalize("NFC", Path(filename).stem) if filename else "data"
    if len(stem) <= FORM_ID_MAX and FORM_ID.fullmatch(stem):
        return stem
    form_id = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.-") or "data"
    return form_id if re.match(r"[A-Za-z_]", form_id) else f"_{form_id}"


def _content_version(definition: dict[str, Any]) -> str:
    """A version for a workbook whose settings give none: changes exactly when the form changes."""
    digest = hashlib.sha256(canonical_json({**definition, "version": ""})).hexdigest()
    return f"auto-{digest[:12]}"


def _invalid(exc: Exception) -> FormDefinitionError:
    return FormDefinitionError([{"path": "", "code": "invalid_xlsform", "message": str(exc)}])


def _read_source(source: Any, filename: str | None) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        filename = filename or path.name
        data = path.read_bytes()
    elif hasattr(source, "read"):
        raw = source.read()
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        name = getattr(source, "name", None)
        if filename is None and isinstance(name, str):
            filename = name
    else:
        raise TypeError("source must be a path, bytes or a binary file object")
    file_type = None
    if filename:
        suffix = Path(filename).suffix.lower()
        if suffix in FILE_TYPES:
            file_type = suffix
        elif suffix:
            expected = ", ".join(FILE_TYPES)
            raise _invalid(ValueError(f"{filename}: unsupported file type {suffix!r}; use {expected}"))
    return data, file_type


def _column(header: str, header_aliases: Mapping[str, Any]) -> str:
    """The canonical name of a column header, as pyxform would read it (``bind.relevant``)."""
    separator = "::" if "::" in header else ":"
    first, _, rest = header.partition(separator)
    key = "_".join(first.split()).lower()
    canonical = header_aliases.get(key, key)
    if isinstance(canonical, tuple):
        canonical = ".".join(canonical)
    if canonical in ("bind", "media") and rest:
        # "bind::jr:constraintMsg::English (en)", or with single colons "bind:jr:constraintMsg"
        attribute = rest.split("::")[0] if separator == "::" else rest
        canonical = f"{canonical}." + attribute.strip()
    return canonical


def _language_code(name: str, default: str) -> str | None:
    if name == "default":
        return default
    match = _CODE_IN_PARENS.search(name)
    if match:
        language, dash, region = match.group(1).partition("-")
        return language.lower() + dash + region
    bare = name.strip()
    if _LANGUAGE_CODE.fullmatch(bare.lower()):
        return bare.lower()
    return LANGUAGE_NAMES.get(bare.lower())


def _element_names(items: list[Any]) -> set[str]:
    names: set[str] = set()
    for item in items:
        if isinstance(item, dict) and "type" in item and "name" in item:
            names.add(str(item["name"]))
            names |= _element_names(item.get("children", []))
    return names


def _loop_copy(item: Any, names: set[str], suffix: str, label: str) -> Any:
    """One choice's copy of a loop's body: its questions named ``<name>_<choice>`` (references too)."""
    if isinstance(item, dict):
        out = {k: _loop_copy(v, names, suffix, label) for k, v in item.items() if k not in ("choices", "columns")}
        for key in ("choices", "columns"):
            if key in item:
                out[key] = item[key]
        if "type" in item and str(item.get("name")) in names:
            out["name"] = f"{item['name']}_{suffix}"
        return out
    if isinstance(item, list):
        return [_loop_copy(v, names, suffix, label) for v in item]
    if isinstance(item, str):
        text = item.replace("%(label)s", label).replace("%(name)s", suffix)
        return re.sub(
            r"\$\{([A-Za-z_][\w-]*)\}",
            lambda m: f"${{{m.group(1)}_{suffix}}}" if m.group(1) in names else m.group(0),
            text,
        )
    return item


class _Converter:
    def __init__(self, workbook: DefinitionData, default_form_id: str = "data"):
        self.workbook = workbook
        self.default_form_id = default_form_id
        self.errors: list[dict[str, str]] = []
        self.warnings: list[dict[str, str]] = []
        self.private_languages: set[str] = set()
        #: Keys pyxform gives the columns imported without effect (element keys, bind attributes).
        self.ignored_keys: set[str] = set()
        self.raw_types: dict[int, str] = {}
        self.settings_given: set[str] = set()
        self.default_language = "vi"
        self.locations: dict[str, str] = {}
        self.factor_order: list[str] = []
        #: The calculations pyxform adds for a repeat_count that is a number or an expression, by name.
        self.generated_counts: dict[str, str] = {}

    def unsupported(self, path: str, message: str) -> None:
        self.errors.append({"path": path, "code": "unsupported_construct", "message": message})

    def ignored(self, path: str, message: str) -> None:
        self.warnings.append({"path": path, "code": "ignored_construct", "message": message})

    # ------------------------------------------------------------------ before pyxform

    def check_raw_rows(self) -> None:
        """Refuse what pyxform would drop or rewrite silently, with the row it is on."""
        book = self.workbook
        if book.entities:
            self.ignored("entities", "the 'entities' sheet is not used: parsurvey keeps no ODK Central entities")
        survey, choices = book.survey or [], book.choices or []
        osm_rows = any(
            str(v).lower().split()[:1] == ["osm"]
            for row in survey
            for k, v in row.items()
            if _column(k, aliases.survey_header) == "type"
        )
        if book.osm and not osm_rows:  # only osm questions read it: the refused question is the one report
            self.ignored("osm", "the 'osm' sheet is not used: no osm question reads it")
        self._check_columns("survey", survey, aliases.survey_header, SURVEY_COLUMNS, REFUSED_COLUMNS)
        filtered = any(
            _column(k, aliases.survey_header) == "choice_filter" and v for row in survey for k, v in row.items()
        )
        # A choices sheet's other columns are what a choice_filter reads (kept); without a filter they do nothing.
        self._check_columns("choices", choices, aliases.list_header, CHOICES_COLUMNS, frozenset(), quiet=filtered)
        for number, row in enumerate(book.survey or [], start=2):
            kind = next((str(v) for k, v in row.items() if _column(k, aliases.survey_header) == "type"), None)
            if kind is None:
                if row:  # pyxform (and so ODK) skips it: say so, it may be a slip
                    self.ignored(f"survey[{number}]", f"survey sheet row {number}: a row without a type is skipped")
                continue
            self.raw_types[number] = kind
            if kind.lower().split()[:1] == ["osm"]:
                # ODK Collect hands an osm question to OpenMapKit and stores the .osm file it returns: here the
                # answer is that file, as for a file question; the tags to ask are not offered.
                self.ignored(
                    f"survey[{number}].type",
                    f"survey sheet row {number}: type {kind!r} is answered with the OpenStreetMap (.osm) file, "
                    "as a file question; the 'osm' sheet's tags are not asked",
                )
            elif not _SUPPORTED_TYPE.fullmatch(" ".join(kind.split()).lower()):
                self.unsupported(f"survey[{number}].type", f"survey sheet row {number}: type {kind!r}")
        settings = book.settings or []
        for number, row in enumerate(settings, start=2):
            if number > 2 and row:
                self.unsupported(f"settings[{number}]", f"settings sheet row {number}: only one settings row is read")
                continue
            for header in row:
                canonical = _column(header, aliases.settings_header)
                if canonical in IGNORED_SETTINGS or header.strip() in IGNORED_SETTINGS:
                    self.ignored(f"settings[{number}].{header}", f"settings sheet: {header!r} is not used")
                elif canonical not in SETTINGS_COLUMNS:
                    self.unsupported(f"settings[{number}].{header}", f"settings sheet row {number}: setting {header!r}")
                self.settings_given.add(canonical)

    def _check_columns(
        self,
        sheet: str,
        rows: list[dict[str, Any]],
        header_aliases: Mapping[str, Any],
        allowed: frozenset[str],
        refused: frozenset[str],
        quiet: bool = False,
    ) -> None:
        used: dict[str, list[int]] = {}
        for number, row in enumerate(rows, start=2):
            for header in row:
                if _column(header, header_aliases) not in allowed:
                    used.setdefault(header, []).append(number)
        for header, numbers in used.items():
            canonical = _column(header, header_aliases)
            if canonical not in refused:
                if quiet and canonical not in DISPLAY_COLUMNS:
                    continue
                if canonical in DISPLAY_COLUMNS:
                    why = "it only changes how ODK Collect shows the form"
                else:
                    why = IGNORED_BECAUSE.get(canonical, "parsurvey does not use it, as ODK ignores unknown columns")
                self.ignored(f"{sheet}[{numbers[0]}].{header}", f"{sheet} sheet: column {header!r} is not used: {why}")
                self.ignored_keys.update({header, canonical, canonical.rpartition(".")[2], canonical.partition(".")[0]})
                continue
            others = f" (also rows {', '.join(map(str, numbers[1:6]))}{'…' if len(numbers) > 6 else ''})"
            self.unsupported(
                f"{sheet}[{numbers[0]}].{header}",
                f"{sheet} sheet row {numbers[0]}: column {header!r} is not supported"
                + (others if len(numbers) > 1 else ""),
            )

    def marked_workbook(self) -> DefinitionData:
        """A copy of the workbook whose survey and choices rows carry their row number."""
        book = self.workbook
        changes: dict[str, Any] = {}
        for sheet in ("survey", "choices"):
            rows = getattr(book, sheet)
            if not rows:
                continue
            changes[sheet] = [({**row, ROW_KEY: str(n)} if row else row) for n, row in enumerate(rows, start=2)]
            header = getattr(book, f"{sheet}_header")
            if header:
                changes[f"{sheet}_header"] = [{**header[0], ROW_KEY: None}, *header[1:]]
        return dataclasses.replace(book, **changes)

    # ------------------------------------------------------------------ after pyxform

    def convert(self, source: dict[str, Any]) -> dict[str, Any]:
        for key in source:
            if key not in FORM_KEYS and key not in IGNORED_SETTINGS and key.lower() not in IGNORED_SETTINGS:
                self.unsupported(f"settings.{key}", f"setting {key!r} is not supported")
        if "default_language" in self.settings_given:
            code = _language_code(str(source.get("default_language", "")), "vi")
            if code is None:
                self.unsupported(
                    "settings.default_language",
                    f"default_language {source.get('default_language')!r} has no language code like 'vi'",
                )
            else:
                self.default_language = code
        else:
            self.default_language = self.label_language()
        form_id = source.get("id_string") if "id_string" in self.settings_given else self.default_form_id
        title = source.get("title") if "title" in self.settings_given else form_id
        out: dict[str, Any] = {
            "form_id": form_id,
            "version": source.get("version") if "version" in self.settings_given else None,
            "title": self.text(title, "settings.form_title", "settings sheet"),
            "default_language": self.default_language,
        }
        self.locations.update({"form_id": "settings sheet", "version": "settings sheet", "title": "settings sheet"})
        children = []
        self.children(source.get("children", []), "children", children)
        factors = self.factors(source.get("choices", {}))
        if factors:
            out["scoring"] = {"factors": factors}
        out["children"] = children
        return out

    def label_language(self) -> str:
        """The default language when the settings name none: Vietnamese, unless every label column names
        one language and none is Vietnamese (``label::English (en)`` only), in which case the first of them."""
        codes = []
        for header in (self.workbook.survey_header or [{}])[0]:
            first, _, rest = header.partition("::" if "::" in header else ":")
            if _column(first, aliases.survey_header) != "label":
                continue
            if not rest:
                return "vi"
            code = _language_code(rest, "vi")
            if code is not None and code not in codes:
                codes.append(code)
        return "vi" if not codes or "vi" in codes else codes[0]

    def text(self, value: Any, path: str, where: str) -> Any:
        if isinstance(value, str):
            return {self.default_language: value}
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for name, text in value.items():
            code = _language_code(str(name), self.default_language)
            if code is None:
                letters = "".join(ch for ch in str(name) if ch.isascii() and ch.isalnum())[:8]
                code = "und-" + letters.ljust(2, "x")
                if code not in self.private_languages:
                    self.private_languages.add(code)
                    self.ignored(path, f"{where}: language {name!r} has no code; it is kept as {code!r}")
            if code in out:
                self.unsupported(path, f"{where}: two columns give the {code!r} text")
            else:
                out[code] = text
        return out

    def hint(self, value: Any, path: str, where: str) -> Any:
        """A hint is optional: one without a text in the default language shows "-" there, as pyxform writes a
        missing translation (a label without it stays refused: every question is asked in that language)."""
        out = self.text(value, path, where)
        if isinstance(out, dict) and out and self.default_language not in out:
            out[self.default_language] = "-"
            self.ignored(
                path, f"{where}: the hint has no {self.default_language!r} text; '-' is shown there, as ODK does"
            )
        return out

    def children(self, items: list[dict[str, Any]], path: str, out: list[dict[str, Any]]) -> None:
        for child in items:
            converted = self.element(child, f"{path}[{len(out)}]", out)
            if converted is not None:
                out.append(converted)

    def element(self, data: dict[str, Any], path: str, siblings: list[dict[str, Any]]) -> dict[str, Any] | None:
        row = data.get(ROW_KEY)
        if row is None and siblings and data.get("type") == "text":
            other = self.other_text(data, siblings)
            if other is not None:
                return other
        if row is None:
            if data.get("type") == "group" and data.get("name") == "meta":
                # pyxform's automatic instanceID block; anything a row put there is refused.
                for child in data.get("children", []):
                    if child.get(ROW_KEY) is not None:
                        number = int(child[ROW_KEY])
                        kind = self.raw_types.get(number, child.get("type"))
                        self.unsupported(f"survey[{number}]", f"survey sheet row {number}: {kind!r}")
                return None
            name = str(data.get("name", ""))
            calculation = (data.get("bind") or {}).get("calculate")
            if data.get("type") == "calculate" and name.endswith("_count") and calculation is not None:
                self.generated_counts[name] = str(calculation)  # a repeat_count that is not a reference
                return None
            if name.startswith(("generated_table_list_label_", "reserved_name_for_field_list_labels_")):
                self.ignored(path, f"the table-list layout's row {name!r} added by pyxform is not shown")
                return None
            self.unsupported(path, f"element {data.get('name')!r} added by pyxform (from an unsupported construct)")
            return None
        number = int(row)
        where = f"survey sheet row {number}"
        self.locations[path] = where
        raw_type = self.raw_types.get(number, str(data.get("type")))
        metadata = str(data.get("type")).removeprefix("uri:")
        if metadata in METADATA:
            recorded = METADATA[metadata]
            self.ignored(
                f"survey[{number}].type",
                f"{where}: {raw_type!r} is recorded by parsurvey itself as {recorded}"
                if recorded
                else f"{where}: {raw_type!r} is not recorded by the web app",
            )
            return None
        source_type = str(data.get("type"))
        if source_type == "loop":
            return self.loop(data, path, number, where)
        if source_type == "note" and "calculate" in data.get("bind", {}):
            source_type = "calculate"  # a note with a calculation has a value in ODK, read by other questions
        if source_type.lower().split()[:1] == ["osm"]:
            source_type = "osm"  # pyxform keeps a type it does not know as written ("OSM building")
        kind = TYPES.get(source_type)
        if kind is None:
            self.unsupported(f"survey[{number}].type", f"{where}: {raw_type!r} is not supported")
            return None
        for key, value in data.items():
            if key in ("control", "media", "guidance_hint", "flat") or key in self.ignored_keys:
                continue  # warned about by check_raw_rows ("flat": pyxform copies that ignored setting here)
            if key == "tags" and source_type == "osm":
                continue  # warned about by check_raw_rows ("flat": pyxform copies that ignored setting here)
            if key == "parameters" and value and source_type != "range":
                self.ignored(f"survey[{number}].parameters", f"{where}: parameters {value!r} are not used")
            elif key not in ELEMENT_KEYS:
                self.unsupported(f"survey[{number}].{key}", f"{where}: {key!r} is not supported")
        out: dict[str, Any] = {"type": kind, "name": data.get("name")}
        if "label" in data:
            out["label"] = self.text(data["label"], path, where)
        if "hint" in data:
            out["hint"] = self.hint(data["hint"], path, where)
        self.binds(data.get("bind", {}), out, path, number, where)
        if "label" not in out and kind not in ("group", "calculate"):
            self.unlabelled(data, out, number, where)
        if data.get("type") == "phone number":
            given = out.get("constraint")
            out["constraint"] = f"({given}) and {PHONE_CONSTRAINT}" if given else PHONE_CONSTRAINT
            out.setdefault("hint", dict(PHONE_HINT))
        if kind == "group":
            if source_type == "repeat":
                out["repeat"] = True
                count = (data.get("control") or {}).get("jr:count")
                generated = re.fullmatch(r"\$\{([\w-]+)\}", str(count or ""))
                if generated and generated.group(1) in self.generated_counts:
                    count = self.generated_counts[generated.group(1)]
                if count not in (None, ""):
                    out["repeat_count"] = self.checked(str(count), number, where, "repeat_count")
                    if out["repeat_count"] is None:
                        del out["repeat_count"]
            children: list[dict[str, Any]] = []
            self.children(data.get("children", []), f"{path}.children", children)
            out["children"] = children
            return out
        if source_type in ("acknowledge", "trigger"):
            out["choices"] = [dict(ACKNOWLEDGED, label=dict(ACKNOWLEDGED["label"]))]
            return out
        if source_type == "range":
            self.range(data.get("parameters") or {}, out, number, where)
            return out
        if source_type == "hidden":
            out.setdefault("calculation", "''")
            return out
        if kind in ("select_one", "select_multiple"):
            if "choice_filter" in data and str(data["choice_filter"]).strip():
                choice_filter = self.checked(str(data["choice_filter"]), number, where, "choice_filter")
                if choice_filter is not None:
                    out["choice_filter"] = choice_filter
            if source_type == "select one external":
                data = {**data, "choices": self.external_choices(str(data.get("itemset")))}
            elif not isinstance(data.get("choices"), list):
                self.ignored(
                    f"survey[{number}].type",
                    f"{where}: the choices are in the file {data.get('itemset')!r}, which is not attached; "
                    "the answer is taken as the choice's value, typed in",
                )
                out["type"] = "text"
                out.pop("choice_filter", None)
                return out
            self.select(data, out, path, number, where)
        scoring = {k: data[k] for k in ("scoring_factor", "scoring_criterion") if k in data}
        if scoring:
            if out["type"] != "likert5":
                self.unsupported(
                    f"survey[{number}].scoring_factor",
                    f"{where}: scoring columns are only allowed on a select_one of the values 1-5",
                )
            else:
                out["scoring"] = {}
                if "scoring_factor" in scoring:
                    out["scoring"]["factor"] = scoring["scoring_factor"]
                    if scoring["scoring_factor"] not in self.factor_order:
                        self.factor_order.append(scoring["scoring_factor"])
                if "scoring_criterion" in scoring:
                    out["scoring"]["criterion"] = scoring["scoring_criterion"]
        return out

    def unlabelled(self, data: dict[str, Any], out: dict[str, Any], number: int, where: str) -> None:
        """pyxform takes a question without a label when it has a hint or a media label (ODK Collect then shows
        the hint, or the picture): the hint becomes the label (the same words on screen), or, for a media label
        parsurvey does not show, the question's name; either with a warning. Without both it stays refused."""
        if "hint" in out:
            out["label"] = out.pop("hint")
            self.ignored(f"survey[{number}].label", f"{where}: no label; the hint is shown as the label, as ODK does")
        elif data.get("media"):
            out["label"] = {self.default_language: str(data.get("name"))}
            self.ignored(
                f"survey[{number}].label",
                f"{where}: the label is only a media file, which is not shown; the question's name is shown instead",
            )

    def binds(self, bind: dict[str, Any], out: dict[str, Any], path: str, number: int, where: str) -> None:
        for key, value in bind.items():
            if key in ("jr:constraintMsg", "jr:requiredMsg"):
                target = "constraint_message" if key == "jr:constraintMsg" else "required_message"
                out[target] = self.text(value, path, where)
                continue
            if key in self.ignored_keys or key == "type":
                continue  # warned about by check_raw_rows; "type" is pyxform's own (a range's decimal)
            if key in IGNORED_BINDS:
                continue  # warned about with the question's other parameters (element)
            if key not in BIND_KEYS:
                self.unsupported(f"survey[{number}].{key}", f"{where}: {key!r} is not supported")
                continue
            if key == "required":
                flag = aliases.yes_no.get(str(value).strip(), {"false()": False}.get(str(value).strip()))
                if flag is None:  # ODK's dynamic required: an expression
                    flag = self.checked(str(value), number, where, "required")
                if flag is not None:
                    out["required"] = flag
                continue
            value = self.references(str(value))
            try:
                parse(value)
            except ExpressionError as exc:
                self.unsupported(f"survey[{number}].{key}", f"{where}: {key} {value!r}: {exc.message}")
                continue
            if "pulldata(" in value:
                self.pulldata(number, where)
            out[BIND_KEYS[key]] = value

    def select(self, data: dict[str, Any], out: dict[str, Any], path: str, number: int, where: str) -> None:
        choices = data.get("choices")
        if not isinstance(choices, list):
            self.unsupported(f"survey[{number}].type", f"{where}: choices from {data.get('itemset')!r} (a file)")
            return
        values = [str(c.get("name")) for c in choices]
        if (
            out["type"] == "select_one"
            and LIKERT_VALUES <= set(values)
            and set(values) <= LIKERT_VALUES | {NOT_APPLICABLE}
            and len(values) == len(set(values))
        ):
            out["type"] = "likert5"
            if NOT_APPLICABLE in values:
                out["allow_na"] = True
            return
        converted = []
        for i, choice in enumerate(choices):
            choice_path = f"{path}.choices[{i}]"
            sheet = "choices"
            if "_external_row" in choice:
                sheet = "external_choices"
                choice = {k: v for k, v in choice.items() if k != "_external_row"} | {
                    ROW_KEY: str(choice["_external_row"])
                }
            if choice.get(ROW_KEY) is None:
                added = ADDED_CHOICES.get(str(choice.get("name")))
                if added is None:
                    self.unsupported(
                        f"survey[{number}].type", f"{where}: choice {choice.get('name')!r} added by pyxform"
                    )
                else:  # or_other, add_none_option: pyxform's own choice, with our labels
                    converted.append({"value": choice["name"], "label": dict(added)})
                continue
            choice_where = f"{sheet} sheet row {choice[ROW_KEY]}"
            self.locations[choice_path] = choice_where
            columns = {}
            for key, value in choice.items():
                if key in ("name", "label", ROW_KEY, "media", "image", "audio", "video") or key in self.ignored_keys:
                    continue
                if (
                    "choice_filter" in out
                    and isinstance(value, str | int | float)
                    and re.fullmatch(r"[A-Za-z_]\w*", key)
                ):
                    columns[key] = str(value)
            filter_text = out.get("choice_filter", "")
            if "label" in filter_text and "label" in choice:
                labels = self.text(choice["label"], choice_path, choice_where)
                columns["label"] = labels.get(self.default_language, next(iter(labels.values()), ""))
                columns.update({f"label_{code}": text for code, text in labels.items()})
            item: dict[str, Any] = {"value": choice.get("name")}
            if "label" in choice:
                item["label"] = self.text(choice["label"], choice_path, choice_where)
            elif choice.get("name") is not None:
                item["label"] = {self.default_language: str(choice["name"])}
            if columns:
                item["columns"] = columns
            converted.append(item)
        out["choices"] = converted

    def checked(self, expression: str, number: int, where: str, key: str) -> str | None:
        """An expression written as parsurvey reads it (``${name}`` references), or None if unreadable."""
        value = self.references(expression)
        if key == "choice_filter":  # a label column by language: label::English -> label_en
            value = _LABEL_COLUMN.sub(
                lambda m: f"label_{_language_code(m.group(1), self.default_language) or 'x'}", value
            )
        try:
            parse(value, choice_columns=key == "choice_filter")
        except ExpressionError as exc:
            self.unsupported(f"survey[{number}].{key}", f"{where}: {key} {value!r}: {exc.message}")
            return None
        if "pulldata(" in value:
            self.pulldata(number, where)
        return value

    def pulldata(self, number: int, where: str) -> None:
        self.ignored(
            f"survey[{number}]",
            f"{where}: pulldata() reads a CSV attached to the form in ODK; parsurvey attaches none, so it gives ''",
        )

    def range(self, parameters: dict[str, Any], out: dict[str, Any], number: int, where: str) -> None:
        """ODK's ``range``: a number from ``start`` to ``end`` by ``step`` (1, 10 and 1 by default)."""
        bounds = {}
        for key, default in (("start", "1"), ("end", "10"), ("step", "1")):
            text = str(parameters.get(key, default)).strip()
            try:
                bounds[key] = float(text)
            except ValueError:
                self.unsupported(f"survey[{number}].parameters", f"{where}: range {key} {text!r} is not a number")
                return
        if not all(float(b).is_integer() for b in bounds.values()):
            out["type"] = "decimal"
        low, high = sorted((bounds["start"], bounds["end"]))
        shown = {k: (str(int(v)) if v.is_integer() else repr(v)) for k, v in (("low", low), ("high", high))}
        rule = f". >= {shown['low']} and . <= {shown['high']}"
        step = bounds["step"]
        if out["type"] == "integer" and step not in (0, 1):
            rule += f" and (. - {int(bounds['start'])}) mod {int(abs(step))} = 0"
        given = out.get("constraint")
        out["constraint"] = f"({given}) and {rule}" if given else rule

    def external_choices(self, list_name: str) -> list[dict[str, Any]]:
        """The rows of the workbook's ``external_choices`` sheet for ``list_name`` (select_one_external)."""
        out = []
        for number, row in enumerate(self.workbook.external_choices or [], start=2):
            fields = {_column(k, aliases.list_header): v for k, v in row.items()}
            name = fields.get("list_name", fields.get("list name"))
            if str(name) == list_name:
                choice = {k: v for k, v in fields.items() if k not in ("list_name", "list name")}
                choice[ROW_KEY] = None
                choice["_external_row"] = number
                out.append(choice)
        return out

    def loop(self, data: dict[str, Any], path: str, number: int, where: str) -> dict[str, Any] | None:
        """``begin loop over LIST``: the questions asked once per choice of LIST, as pyxform expands it - a
        group per choice, its questions named ``<name>_<choice>`` and ``%(label)s`` replaced by its label."""
        name = str(data.get("name"))
        body = data.get("children", [])
        names = _element_names(body)
        groups = []
        for column in data.get("columns", []):
            suffix = str(column.get("name"))
            label = column.get("label")
            label_text = label if isinstance(label, str) else next(iter((label or {}).values()), suffix)
            group = {"type": "group", "name": f"{name}_{suffix}", "label": label or suffix, ROW_KEY: str(number)}
            group["children"] = _loop_copy(body, names, suffix, str(label_text))
            groups.append(group)
        group = {"type": "group", "name": name, "children": groups, ROW_KEY: str(number)}
        if "label" in data:
            group["label"] = data["label"]
        return self.element(group, path, [])

    def other_text(self, data: dict[str, Any], siblings: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The text question pyxform adds after a ``select_one LIST or_other``: kept, with ODK's meaning."""
        name = str(data.get("name", ""))
        base = next((q for q in siblings if f"{q.get('name')}_other" == name), None)
        if base is None or "other" not in [c.get("value") for c in base.get("choices", [])]:
            return None
        return {
            "type": "text",
            "name": name,
            "label": dict(OTHER_LABEL),
            "relevant": f"selected(${{{base['name']}}}, 'other')",
        }

    def references(self, expression: str) -> str:
        """``/data/group/name`` and ``../name`` paths written as ``${name}`` (names are unique in a form)."""
        return _PATH_REFERENCE.sub(lambda m: f"${{{m.group(1) or m.group(2)}}}", expression)

    def factors(self, lists: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
        declared = lists.get(FACTORS_LIST)
        if declared is None:
            return [{"id": factor, "label": {"vi": factor}} for factor in self.factor_order]
        out = []
        for i, choice in enumerate(declared):
            path = f"scoring.factors[{i}]"
            where = f"choices sheet row {choice.get(ROW_KEY)}"
            self.locations[path] = where
            factor: dict[str, Any] = {"id": choice.get("name")}
            if "label" in choice:
                factor["label"] = self.text(choice["label"], path, where)
            out.append(factor)
        return out

    def locate(self, error: dict[str, str]) -> dict[str, str]:
        """Prefix a Form.from_dict error with the sheet row its path came from."""
        path = error["path"]
        best = ""
        for prefix in self.locations:
            if len(prefix) > len(best) and (path == prefix or path.startswith((prefix + ".", prefix + "["))):
                best = prefix
        if not best:
            return error
        return {**error, "message": f"{self.locations[best]}: {error['message']}"}
