"""Synthetic survey data for benchmarks, tests and demos -- never for reporting.

:func:`synthetic_criteria` is a 22-criterion questionnaire across the national method's five factors
(the wording and the split of criteria between factors are illustrative, modelled on the 2017
method, not a copy of it). :func:`synthetic_ballots` draws a wide answer table with the features
that matter for scoring: agencies of very unequal size (some below the minimum sample), high
satisfaction with respondent-level correlation between answers (so factor alphas are realistic),
a feedback factor answered only by respondents who gave feedback, and a few skipped questions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.errors import ScoringError

_FACTORS = (
    (
        "access",
        "Tiếp cận dịch vụ",
        (
            "Nơi ngồi chờ có đủ chỗ ngồi",
            "Trang thiết bị phục vụ người dân đầy đủ",
            "Trang thiết bị hiện đại, dễ sử dụng",
            "Biển hiệu, chỉ dẫn rõ ràng, dễ tìm",
            "Dễ dàng tìm hiểu thông tin về dịch vụ",
        ),
    ),
    (
        "procedures",
        "Thủ tục hành chính",
        (
            "Thủ tục hành chính được niêm yết công khai đầy đủ",
            "Thủ tục hành chính được niêm yết công khai chính xác",
            "Thành phần hồ sơ phải nộp đúng quy định",
            "Phí, lệ phí phải nộp đúng quy định",
            "Thời hạn giải quyết đúng quy định",
        ),
    ),
    (
        "civil_servants",
        "Công chức giải quyết công việc",
        (
            "Công chức có thái độ giao tiếp lịch sự",
            "Công chức chú ý lắng nghe ý kiến",
            "Công chức trả lời, giải thích đầy đủ, rõ ràng",
            "Công chức hướng dẫn kê khai hồ sơ tận tình, chu đáo",
            "Công chức hướng dẫn kê khai hồ sơ dễ hiểu",
            "Công chức tuân thủ đúng quy định",
        ),
    ),
    (
        "results",
        "Kết quả cung ứng dịch vụ",
        (
            "Kết quả đúng quy định",
            "Kết quả có thông tin đầy đủ",
            "Kết quả có thông tin chính xác",
        ),
    ),
    (
        "feedback",
        "Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị",
        (
            "Có bố trí hình thức tiếp nhận góp ý, phản ánh, kiến nghị",
            "Dễ dàng thực hiện góp ý, phản ánh, kiến nghị",
            "Góp ý, phản ánh, kiến nghị được tiếp nhận, xử lý kịp thời",
        ),
    ),
)


def synthetic_criteria() -> pd.DataFrame:
    """A 22-criterion, five-factor criteria table: ``question, factor, factor_label, criterion, label``.

    Questions are ``q01`` .. ``q22``; criteria are numbered ``"1.1"`` .. ``"5.3"``.
    """
    rows = []
    number = 0
    for f, (key, factor_label, labels) in enumerate(_FACTORS, start=1):
        for c, label in enumerate(labels, start=1):
            number += 1
            rows.append((f"q{number:02d}", key, factor_label, f"{f}.{c}", label))
    return pd.DataFrame(rows, columns=["question", "factor", "factor_label", "criterion", "label"])


def synthetic_ballots(
    n_ballots: int,
    n_agencies: int,
    seed: int = 0,
    *,
    feedback_share: float = 0.25,
    skip_share: float = 0.01,
) -> pd.DataFrame:
    """A wide table of synthetic ballots: ``ballot_id, agency, q01 .. q22`` (nullable ``Int8``).

    Parameters
    ----------
    n_ballots, n_agencies : int
        Size. Agency sizes are multinomial with log-normal weights (σ = 0.8), so a few agencies are
        several times the median and some may fall below a minimum sample.
    seed : int
        Everything is drawn from ``numpy.random.default_rng(seed)``: the same arguments give the same
        table.
    feedback_share : float
        Share of respondents who gave feedback and so answer the five-th factor's criteria; for the
        others those answers are not applicable.
    skip_share : float
        Probability that any other answer is skipped.

    Notes
    -----
    Each agency has a quality ``μ_a ~ N(4.2, 0.25²)``; each respondent a mood ``m_i ~ N(μ_a, 0.5²)``;
    each answer is ``round(m_i + N(0, 0.6²))`` clipped to 1..5. Ballot ids are ``"B0000001"`` ...;
    agencies ``"CQ0001"`` ...; rows are in random (collection) order.
    """
    if n_ballots < 1 or n_agencies < 1:
        raise ScoringError("invalid_value", "n_ballots and n_agencies must be at least 1")
    rng = np.random.default_rng(seed)
    criteria = synthetic_criteria()
    weights = rng.lognormal(0.0, 0.8, n_agencies)
    sizes = rng.multinomial(n_ballots, weights / weights.sum())
    agency = np.repeat(np.arange(n_agencies), sizes)
    rng.shuffle(agency)
    quality = rng.normal(4.2, 0.25, n_agencies).astype(np.float32)
    mood = quality[agency] + rng.normal(0.0, 0.5, n_ballots).astype(np.float32)
    feedback = rng.random(n_ballots) < feedback_share
    is_feedback_item = (criteria["factor"] == "feedback").to_numpy()
    labels = np.array([f"CQ{a + 1:04d}" for a in range(n_agencies)], dtype=object)
    data: dict[str, object] = {
        "ballot_id": [f"B{i + 1:07d}" for i in range(n_ballots)],
        "agency": labels[agency],
    }
    for j, question in enumerate(criteria["question"]):
        noise = rng.normal(0.0, 0.6, n_ballots).astype(np.float32)
        level = np.clip(np.rint(mood + noise), 1, 5).astype(np.int8)
        skipped = ~feedback if is_feedback_item[j] else rng.random(n_ballots) < skip_share
        data[question] = pd.arrays.IntegerArray(level, skipped)
    return pd.DataFrame(data)
