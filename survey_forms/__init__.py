"""Questionnaire definitions and answer validation for parsurvey.

This package knows what a satisfaction questionnaire is (the form), what a valid set of answers
to it is (the ballot's answers), and how to identify a form version (its content hash). The
server, the sync code, the device client and the scoring code all rely on it, so it is a *leaf*:
it imports only the Python standard library, ``pyxform`` and ``defusedxml`` (for XLSForm import,
XForm output and reading submitted XForm instances, loaded lazily).
No web framework, database or data-frame library may be imported here, and expressions are never
run through ``eval``/``exec``.

Form JSON format
----------------
::

    {
      "form_id": "satisfaction",          # [A-Za-z_][A-Za-z0-9_.-]*, at most 64
      "version": "2022.1",                 # [A-Za-z0-9._-]+, at most 32
      "title": {"vi": "…", "en": "…"},     # language code -> text; "vi" is required
      "default_language": "vi",            # optional, default "vi"; must be a key of title
      "scoring": {"factors": [{"id": "F1", "label": {"vi": "…", "en": "…"}}]},   # optional
      "children": [ element, … ]
    }

Elements (``type`` and ``name`` always; names ``[A-Za-z_][A-Za-z0-9_-]*``, unique across the whole
form, groups included; every text is a ``{"vi": …, …}`` object):

* ``group``: ``label``?, ``hint``?, ``relevant``?, ``children`` (answers do not nest); with ``"repeat": true``
  a repeat group, answered by a list of instances (each an object of the answers inside it), and
  ``repeat_count``? (an expression) the number of instances it must have; no scored question inside;
* ``note``: ``label``, ``hint``?, ``relevant``? - display only, never answered;
* ``select_one`` / ``select_multiple``: ``choices`` = ``[{"value": "male", "label": {…}}, …]``
  (non-empty, values without white space and distinct); ``choice_filter``? offers only the choices for
  which it is true, its bare names reading each choice's ``columns`` (``{"state": "hn"}``; ``name`` is the
  value) - values may then repeat under different parents;
* ``integer``, ``decimal``, ``text``, ``date``, ``time``, ``datetime``, ``barcode``, ``geopoint``, ``image``,
  ``audio``, ``video``, ``file`` (answer values in :mod:`survey_forms.answers`; a media answer is the name
  of a file sent beside the ballot);
* ``likert5``: the five-level scale of :data:`LIKERT_LEVELS`; ``allow_na`` (bool) accepts
  ``"na"``; ``scoring`` = ``{"factor": "F1", "criterion": "1.1"}`` marks a scored criterion, the
  factor being one of the form's scoring factors;
* every non-group, non-note element also takes ``label``, ``hint``?, ``required`` (bool),
  ``relevant``, ``constraint``, ``constraint_message`` and ``required_message`` (expressions as described in
  :mod:`survey_forms.expressions`; ``.`` is the answer itself and only allowed in constraints).

Unknown keys anywhere are refused. Problems are reported together in
:class:`FormDefinitionError` ``.errors``, each ``{"path", "code", "message"}`` with codes from
:data:`FORM_ERROR_CODES`. Answer rules are described in :mod:`survey_forms.answers`.

Public API
----------
:class:`Form` (with :meth:`Form.from_dict`, ``to_dict``, ``content_hash``, ``questions``,
``question``, ``path_of``, ``scored_questions``, ``factors``), :class:`Question`, :class:`Group`,
:class:`Choice`, :func:`validate_answers` returning :class:`AnswerError` items (codes in
:data:`ANSWER_ERROR_CODES`), :func:`canonical_json` / :func:`content_hash`,
:func:`builtin_satisfaction_form`, and :func:`form_from_xlsform`.
"""

from __future__ import annotations

import os
from typing import IO

from . import definition  # noqa: F401  (it sets Form.from_dict)
from .answers import validate_answers
from .builtin_forms import builtin_satisfaction_definition, builtin_satisfaction_form
from .canonical import canonical_json, content_hash
from .errors import ANSWER_ERROR_CODES, FORM_ERROR_CODES, AnswerError, FormDefinitionError
from .expressions import Expression, ExpressionError
from .likert import LIKERT_LEVELS, NOT_APPLICABLE, NOT_APPLICABLE_LABEL
from .model import MEDIA_TYPES, QUESTION_TYPES, Choice, Factor, Form, Group, Question, ScoringTag


def form_from_xlsform(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    filename: str | None = None,
    warnings: list[dict[str, str]] | None = None,
) -> Form:
    """Convert an XLSForm workbook into a :class:`Form` (see :mod:`survey_forms.xlsform`); what is imported
    without effect is appended to ``warnings``.

    A thin wrapper so that importing the package does not import pyxform (about 0.3 s): most
    users of this package only validate answers.
    """
    from .xlsform import form_from_xlsform as convert

    return convert(source, filename=filename, warnings=warnings)


__all__ = [
    "ANSWER_ERROR_CODES",
    "FORM_ERROR_CODES",
    "LIKERT_LEVELS",
    "NOT_APPLICABLE",
    "NOT_APPLICABLE_LABEL",
    "MEDIA_TYPES",
    "QUESTION_TYPES",
    "AnswerError",
    "Choice",
    "Expression",
    "ExpressionError",
    "Factor",
    "Form",
    "FormDefinitionError",
    "Group",
    "Question",
    "ScoringTag",
    "builtin_satisfaction_definition",
    "builtin_satisfaction_form",
    "canonical_json",
    "content_hash",
    "form_from_xlsform",
    "validate_answers",
]
