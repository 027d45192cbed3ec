"""Questionnaires shipped with parsurvey.

The built-in satisfaction questionnaire follows the national method of 2017-2021: five factors
(yếu tố) with 22 five-level criteria, plus the respondent profile, the procedure used and the date
its result was received. It lives as JSON in ``builtin/`` (installed as package data) so that it
is reviewed, diffed and hashed exactly like an uploaded form.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from .model import Form

SATISFACTION_RESOURCE = "builtin/satisfaction.json"


@functools.cache
def _load(resource: str) -> str:
    return resources.files(__package__).joinpath(resource).read_text(encoding="utf-8")


def builtin_satisfaction_definition() -> dict[str, Any]:
    """The built-in questionnaire as its JSON definition (a fresh dict each call)."""
    return json.loads(_load(SATISFACTION_RESOURCE))


def builtin_satisfaction_form() -> Form:
    """The built-in satisfaction questionnaire (form_id ``satisfaction``, version ``2022.2``).

    A new :class:`Form` is built on each call so a caller that mutates a label cannot change the
    form (and its hash) for everybody else.
    """
    return Form.from_dict(builtin_satisfaction_definition())
