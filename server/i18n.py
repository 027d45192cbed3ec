"""The API's messages in the caller's language: gettext through Flask-Babel, one catalogue.

The catalogue is ``server/translations/vi/LC_MESSAGES/messages.po`` (compiled beside it as
``messages.mo``, which is committed and packaged, so a fresh clone needs no build step;
``tests/server/test_messages.py`` checks that the two agree and that every error code has its
Vietnamese text). The language is chosen per request from ``Accept-Language`` (``vi`` or ``en``;
English when neither is asked for, as before). The web app always asks for the language on screen.

Messages are translated where they are made centrally, at the error envelope: the message of the
error code (``sync.codes``), any specific message the catalogue holds word for word, and each per-item
or per-field problem by its code (answer validation, form definitions and XLSForms, appraisal files).
Service modules keep raising plain English; devices decide from codes, never from messages.
"""

from __future__ import annotations

import re

from flask import has_request_context, request
from flask_babel import gettext

from sync.codes import ERROR_CODES

LANGUAGES = ("en", "vi")
DEFAULT_LANGUAGE = "en"


def select_locale() -> str:
    """The language of this request's messages: the best of ``Accept-Language`` among ours."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark for translation, translate later"
    return text


#: Per-item problems by code: what a screen shows for a problem in another language than English.
#: The English text of a problem stays more precise (it names the value); the translation says what is
#: wrong, and the path, sheet row or file line beside it says where. A form's own constraint message
#: (``constraint_failed``) is the author's text and is never replaced.
ITEM_MESSAGES = {
    # answers (survey_forms.answers)
    "missing_required": N_("An answer is required."),
    "not_relevant": N_("Answered although skip logic hides this question."),
    "not_answerable": N_("This element takes no answer."),
    "unknown_question": N_("The form has no such question."),
    "wrong_type": N_("The answer has the wrong type for this question."),
    "unknown_choice": N_("The answer is not one of the question's choices."),
    "out_of_range": N_("The answer is outside the allowed values."),
    "invalid_character": N_("The text holds a control character that cannot be stored."),
    # form definitions and XLSForms (survey_forms.definition, survey_forms.xlsform)
    "unknown_key": N_("Unknown key or column."),
    "missing_key": N_("A required key or setting is missing."),
    "invalid_type": N_("The value has the wrong type."),
    "invalid_name": N_("The name is not valid (letters, digits and _ only)."),
    "invalid_value": N_("The value is not valid."),
    "invalid_expression": N_("The expression cannot be read."),
    "duplicate_name": N_("This name is already used in the form."),
    "empty_choices": N_("A select question needs at least one choice."),
    "duplicate_choice": N_("The same choice appears twice."),
    "unknown_reference": N_("The expression names a question the form lacks."),
    "unknown_factor": N_("The scoring factor is not declared."),
    "circular_reference": N_("The skip logic depends on itself."),
    "unsupported_construct": N_("This XLSForm construct is not supported."),
    "ignored_construct": N_("Imported without effect: parsurvey does not use this (ODK ignores it or shows it only)."),
    "invalid_xlsform": N_("The file is not a readable XLSForm."),
    # appraisal and registry files (server.results.appraisal, server.registry.imports)
    "not_a_number": N_("Not a number."),
    "duplicate_column": N_("Two columns give the same thing."),
    "missing_column": N_("A required column is missing."),
    "missing_value": N_("A required value is missing."),
    "unknown_agency": N_("No agency with this code or name."),
    "not_in_round": N_("The agency does not take part in this round."),
    "not_surveyed": N_("The agency is not surveyed in this round."),
    "duplicate_row": N_("The same agency appears on two rows."),
    "above_maximum": N_("The points are above the agency's maximum."),
    "above_area_maximum": N_("The points are above the content area's maximum."),
    "negative_points": N_("Points cannot be negative here."),
    "invalid_maximum": N_("The maximum is not valid."),
    "missing_area_maximum": N_("A content area has no maximum."),
    "total_mismatch": N_("The appraisal points are not the sum of the content areas."),
    "empty_file": N_("The file has no data rows."),
    "already_exists": N_("It already exists."),
    "invalid_group": N_("Unknown agency group."),
    "not_found": N_("Not found."),
    # paper ballots (server.ballots.paper)
    "missing_agency": N_("No agency on this row."),
    "agency_mismatch": N_("The agency answer differs from the row's agency."),
    "unknown_user": N_("No user with this name."),
    "not_an_enumerator": N_("This user is not an enumerator."),
    "not_assigned": N_("The enumerator is not assigned to this agency in the round."),
    "payload_conflict": N_("A ballot with this id is already stored with other answers."),
}

#: Field messages of the request parser (marshmallow) and of the use cases that the screens show.
FIELD_MESSAGES = (
    N_("Missing data for required field."),
    N_("Unknown field."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid string."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Field may not be null."),
    N_("Must be one of: admin, supervisor, enumerator, reviewer."),
    N_("A reviewer needs an organisation: MTTQ, CCB."),
    N_("Only reviewers belong to an organisation."),
    N_("Use at least 8 characters."),
    N_("Use 1 to 64 letters, digits, '.' or '_'."),
    N_("Only reviewers have a home agency (it keeps them off its re-checks)."),
    N_("Use 1 to 32 letters, digits, '.', '_' or '-'."),
    N_("The survey window ends before it starts."),
    N_("Tick 'for testing only' to publish a version that belongs to no round."),
)

#: Whole messages raised by use cases, translated word for word when the catalogue has them.
MESSAGES = (
    N_("Sheet %(sheet)s, row %(row)s"),
    N_("Sheet %(sheet)s"),
    N_("The user cannot be created."),
    N_("The user cannot be changed."),
    N_("The request has missing, unknown or invalid fields."),
    N_("The request body is not valid JSON."),
    N_("The form definition is not valid."),
    N_("The XLSForm cannot be imported."),
    N_("The answers do not satisfy the form."),
    N_("The file cannot be imported; nothing was stored."),
    N_("The change conflicts with data already stored."),
    N_("The classification bands are not valid."),
    N_("A form version that belongs to no round cannot be filled; publish it into a round."),
)


#: Where an XLSForm problem is, as ``survey_forms.xlsform`` writes it before the message.
_LOCATION = re.compile(r"^(?P<sheet>\w+) sheet(?: row (?P<row>\d+))?: ")


def _located(english: str, translated: str) -> str:
    """Keep the sheet and row an English problem message starts with, in this request's language."""
    found = _LOCATION.match(english)
    if found is None:
        return translated
    if found["row"]:
        where = gettext("Sheet %(sheet)s, row %(row)s", sheet=found["sheet"], row=found["row"])
    else:
        where = gettext("Sheet %(sheet)s", sheet=found["sheet"])
    return f"{where}: {translated}"


def _translated(text: str) -> str | None:
    """The catalogue's translation of ``text`` in this request's language, or None if it has none."""
    if not isinstance(text, str) or not text:
        return None
    result = gettext(text)
    return result if result != text else None


def _items(errors, english: bool):
    """Translate per-item problems (dicts with a code) and plain field messages, recursively."""
    if isinstance(errors, list):
        return [_items(item, english) for item in errors]
    if isinstance(errors, dict):
        code = errors.get("code")
        if isinstance(code, str) and isinstance(errors.get("message"), str) and not english:
            out = {key: _items(value, english) for key, value in errors.items() if key != "message"}
            known = ITEM_MESSAGES.get(code)
            if code == "constraint_failed" or known is None:
                out["message"] = _translated(errors["message"]) or errors["message"]
            else:
                out["message"] = _translated(errors["message"]) or _located(errors["message"], gettext(known))
            return out
        return {key: _items(value, english) for key, value in errors.items()}
    if isinstance(errors, str) and not english:
        return _translated(errors) or errors
    return errors


def localize(code: str, message: str, errors):
    """The envelope's message and details in this request's language (unchanged in English)."""
    english = not has_request_context() or select_locale() == DEFAULT_LANGUAGE
    if english:
        return message, errors
    specific = _translated(message)
    if specific is None:
        registered = ERROR_CODES.get(code)
        specific = gettext(registered.description) if registered else message
    return specific, _items(errors, english)


def localize_results(results: list[dict]) -> list[dict]:
    """A sync batch's per-item results with their messages in this request's language."""
    if not has_request_context() or select_locale() == DEFAULT_LANGUAGE:
        return results
    out = []
    for result in results:
        if result.get("code") and result.get("message"):
            message, errors = localize(result["code"], result["message"], result.get("errors"))
            result = {**result, "message": message}
            if "errors" in result:
                result["errors"] = errors
        out.append(result)
    return out


def localize_problems(errors):
    """Per-item problems outside an error envelope (a test ballot's check) in this request's language."""
    if not has_request_context() or select_locale() == DEFAULT_LANGUAGE:
        return errors
    return _items(errors, False)
