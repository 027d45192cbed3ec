"""Ballots of the built-in questionnaire for tests: valid answers, envelopes and batches."""

from __future__ import annotations

import random
import uuid

from survey_forms import builtin_satisfaction_form
from sync.protocol import PROTOCOL_VERSION, make_envelope

FORM = builtin_satisfaction_form()


def answers(agency: str = "SNV", rng: random.Random | None = None, *, gave_feedback: bool = False) -> dict:
    rng = rng or random.Random(7)
    values = {
        "respondent_type": "individual",
        "sex": rng.choice(["male", "female"]),
        "age_band": rng.choice(["25_34", "35_49"]),
        "occupation": "farmer",
        "respondent_phone": f"09{rng.randrange(10**8):08d}",
        "agency_code": agency,
        "procedure": "Cấp giấy chứng nhận quyền sử dụng đất",
        "result_date": "2022-09-15",
        "gave_feedback": "yes" if gave_feedback else "no",
        "overall": rng.randint(3, 5),
        "comment": "Cán bộ hướng dẫn tận tình.",
    }
    for question in FORM.scored_questions():
        if question.name.startswith("c5_") and not gave_feedback:
            continue
        values[question.name] = rng.randint(1, 5)
    return values


def envelope(agency: str = "SNV", enumerator: str = "enumerator1", *, instance_id: str | None = None, **kw) -> dict:
    return make_envelope(
        form_id=FORM.form_id,
        form_version=FORM.version,
        agency=agency,
        enumerator=enumerator,
        answers=kw.pop("answers", None) or answers(agency, kw.pop("rng", None)),
        paradata=kw.pop("paradata", None)
        or {
            "started_at": "2022-09-20T08:00:00+07:00",
            "completed_at": "2022-09-20T08:12:30+07:00",
            "app_version": "test",
        },
        instance_id=instance_id or str(uuid.uuid4()),
    )


def batch(*envelopes: dict, device_id: str = "tablet-1") -> dict:
    return {"protocol": PROTOCOL_VERSION, "device_id": device_id, "items": list(envelopes)}
