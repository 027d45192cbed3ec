"""Answers typed as text (a CSV row, a paper ballot keyed in) turned into typed answer values.

Columns are named by question id. Empty cells are unanswered. select_multiple takes the chosen values
separated by spaces (the XLSForm / ODK convention). likert5 takes 1 to 5 or ``na``. Unknown columns
are kept as they are so that ``validate_answers`` reports them as ``unknown_question``. The result is
meant for ``validate_answers``, which then checks choices, ranges, constraints and skip logic.
"""

from __future__ import annotations

from typing import Any

from .likert import NOT_APPLICABLE
from .model import Form


def _number(text: str, kind: type) -> Any:
    value = float(text.replace(",", ".")) if kind is float else int(text)
    return value


def answers_from_text(form: Form, row: dict[str, str | None]) -> tuple[dict[str, Any], list[dict]]:
    """Return ``(answers, errors)``; errors are cells that cannot be read as their question's type."""
    answers: dict[str, Any] = {}
    errors: list[dict] = []
    names = {q.name: q for q in form.questions()}
    for column, raw in row.items():
        if column is None:
            errors.append({"path": "", "code": "wrong_type", "message": "The row has more cells than the header."})
            continue
        text = (raw or "").strip()
        if not text:
            continue
        question = names.get(column.strip())
        if question is None:
            answers[column.strip()] = text
            continue
        path = form.path_of(question.name)
        try:
            if question.type == "integer":
                answers[question.name] = _number(text, int)
            elif question.type == "decimal":
                answers[question.name] = _number(text, float)
            elif question.type == "likert5":
                answers[question.name] = NOT_APPLICABLE if text.lower() == NOT_APPLICABLE else int(text)
            elif question.type == "select_multiple":
                answers[question.name] = text.split()
            else:
                answers[question.name] = text
        except ValueError:
            errors.append({"path": path, "code": "wrong_type", "message": f"{text!r} is not a {question.type} value."})
    return answers, errors
