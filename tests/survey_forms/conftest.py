"""Shared fixtures: a small form that uses every element type, group relevance and scoring."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from survey_forms import Form

MINI_FORM: dict[str, Any] = {
    "form_id": "mini",
    "version": "1.0",
    "title": {"vi": "Phiếu thử nghiệm", "en": "Test form"},
    "default_language": "vi",
    "scoring": {"factors": [{"id": "F1", "label": {"vi": "Tiếp cận dịch vụ", "en": "Access"}}]},
    "children": [
        {
            "type": "group",
            "name": "profile",
            "label": {"vi": "Người trả lời", "en": "Respondent"},
            "children": [
                {
                    "type": "select_one",
                    "name": "sex",
                    "label": {"vi": "Giới tính", "en": "Sex"},
                    "required": True,
                    "choices": [
                        {"value": "male", "label": {"vi": "Nam", "en": "Male"}},
                        {"value": "female", "label": {"vi": "Nữ", "en": "Female"}},
                    ],
                },
                {
                    "type": "integer",
                    "name": "age",
                    "label": {"vi": "Tuổi", "en": "Age"},
                    "constraint": ". >= 18 and . <= 120",
                    "constraint_message": {"vi": "Tuổi phải từ 18 đến 120", "en": "Age must be 18 to 120"},
                },
            ],
        },
        {
            "type": "select_one",
            "name": "gave_feedback",
            "label": {"vi": "Có góp ý không?", "en": "Gave feedback?"},
            "required": True,
            "choices": [
                {"value": "yes", "label": {"vi": "Có", "en": "Yes"}},
                {"value": "no", "label": {"vi": "Không", "en": "No"}},
            ],
        },
        {
            "type": "group",
            "name": "feedback",
            "label": {"vi": "Góp ý", "en": "Feedback"},
            "relevant": "${gave_feedback} = 'yes'",
            "children": [
                {
                    "type": "likert5",
                    "name": "c5_1",
                    "label": {"vi": "Tiếp nhận góp ý", "en": "Feedback received"},
                    "required": True,
                    "scoring": {"factor": "F1", "criterion": "5.1"},
                },
                {
                    "type": "select_multiple",
                    "name": "channels",
                    "label": {"vi": "Kênh góp ý", "en": "Channels"},
                    "choices": [
                        {"value": "phone", "label": {"vi": "Điện thoại", "en": "Phone"}},
                        {"value": "web", "label": {"vi": "Cổng thông tin", "en": "Web portal"}},
                        {"value": "desk", "label": {"vi": "Trực tiếp", "en": "In person"}},
                    ],
                },
            ],
        },
        {
            "type": "text",
            "name": "praise",
            "label": {"vi": "Điều Ông/Bà hài lòng nhất", "en": "What pleased you most"},
            "relevant": "${c5_1} >= 4",
        },
        {
            "type": "likert5",
            "name": "c1_1",
            "label": {"vi": "Nơi ngồi chờ", "en": "Waiting area"},
            "required": True,
            "allow_na": True,
            "scoring": {"factor": "F1", "criterion": "1.1"},
        },
        {"type": "decimal", "name": "fee", "label": {"vi": "Lệ phí", "en": "Fee"}, "constraint": ". >= 0"},
        {"type": "date", "name": "visit_date", "label": {"vi": "Ngày đến", "en": "Visit date"}},
        {"type": "note", "name": "thanks", "label": {"vi": "Xin cảm ơn", "en": "Thank you"}},
    ],
}

#: A complete, valid answer set for MINI_FORM.
MINI_ANSWERS: dict[str, Any] = {
    "sex": "female",
    "age": 40,
    "gave_feedback": "yes",
    "c5_1": 5,
    "channels": ["phone", "web"],
    "praise": "Cán bộ nhiệt tình",
    "c1_1": 4,
    "fee": 12.5,
    "visit_date": "2022-09-15",
}


@pytest.fixture
def mini_dict() -> dict[str, Any]:
    """A fresh copy of the small form definition, safe to mutate."""
    return copy.deepcopy(MINI_FORM)


@pytest.fixture
def mini_form() -> Form:
    return Form.from_dict(copy.deepcopy(MINI_FORM))


@pytest.fixture
def mini_answers() -> dict[str, Any]:
    return copy.deepcopy(MINI_ANSWERS)
