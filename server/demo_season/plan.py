"""The plan of the demo's synthetic 2022 fieldwork season: which ballots, by whom, when, with what answers.

Pure and deterministic (one seeded ``random.Random``): no database, no Flask. ``server.demo_season``
stores the plan through the real intake, re-check and results code.

How the answers hit a published figure. The default method scores an agency as

    index = 1/5 * sum over factors f of ( 1/k_f * sum over criteria c of f of satisfied_c / answered_c * 100 )

so, with every criterion of factors 1-4 answered on all ``n`` countable ballots (k = 4, 4, 6, 4) and
factor 5 on the ``m`` ballots whose respondent gave feedback (k = 4), the shortfall from 100 is

    100 - index = 20 * ( U124 / (4 n) + U3 / (6 n) + U5 / (4 m) )

where U124, U3 and U5 count the not-satisfied answers (levels 1-3) in factors 1, 2 and 4, in factor 3,
and in factor 5. :func:`shortfall_counts` searches these three whole numbers, near an even spread of
dissatisfaction over the criteria, so that the satisfaction points (index / 10) land at most 0.003 under the
target: well inside the half-hundredth that rounding to the two published decimals allows, so both the
points and the PAR index (appraisal + points) show exactly as published. Never above the target: the
group mean is taken over unrounded indexes, and the published 2022 department mean (89.59, from indexes
summing to 1702.30) leaves only 0.005 of room above, which the unsurveyed agencies' thirds already use.
The counts are then spread over the criteria of each factor and dealt to ballots at random. Only
ballots that will count are built this way; the ballots the season excludes (cleaning rules, the
quarantined enumerator) come on top and do not touch the figures.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction

SEED = 2022
VIETNAM = timezone(timedelta(hours=7))
FIELDWORK_DAYS = (date(2022, 9, 5), date(2022, 11, 25))
#: Factor id -> its criteria (the built-in questionnaire, the 2017 national method).
FACTORS = {
    "F1": ["c1_1", "c1_2", "c1_3", "c1_4"],
    "F2": ["c2_1", "c2_2", "c2_3", "c2_4"],
    "F3": ["c3_1", "c3_2", "c3_3", "c3_4", "c3_5", "c3_6"],
    "F4": ["c4_1", "c4_2", "c4_3", "c4_4"],
    "F5": ["c5_1", "c5_2", "c5_3", "c5_4"],
}
#: Points are at most this under the target (rounding to 2 decimals allows just under 0.005).
TOLERANCE = Fraction(3, 1000)
FEEDBACK_SHARE = 0.3

PROCEDURES = {
    "department": [
        "Cấp giấy phép xây dựng",
        "Cấp giấy chứng nhận quyền sử dụng đất",
        "Cấp giấy phép lái xe",
        "Đăng ký thành lập doanh nghiệp",
        "Cấp phiếu lý lịch tư pháp",
        "Cấp chứng chỉ hành nghề",
        "Cấp giấy phép kinh doanh vận tải",
        "Thẩm định hồ sơ dự án đầu tư",
    ],
    "district": [
        "Đăng ký hộ kinh doanh",
        "Chứng thực bản sao từ bản chính",
        "Đăng ký khai sinh",
        "Đăng ký kết hôn",
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "Xác nhận tình trạng hôn nhân",
    ],
}
COMMENTS = [
    "Cán bộ hướng dẫn tận tình, chu đáo.",
    "Thời gian chờ hơi lâu.",
    "Nên bố trí thêm ghế ngồi chờ.",
    "Thủ tục nhanh gọn, đúng hẹn.",
    "Cần niêm yết phí, lệ phí rõ hơn.",
]


@dataclass
class PlannedBallot:
    instance_id: str
    agency: str
    enumerator: str
    answers: dict
    started_at: datetime
    completed_at: datetime
    #: "countable" (built to hit the agency's target), "too_short", "outside_window" (cleaning rules
    #: exclude them) or "doubtful" (the enumerator the re-check puts in quarantine).
    kind: str = "countable"


@dataclass
class AgencyPlan:
    code: str
    group: str
    target_points: float
    ballots: list[PlannedBallot] = field(default_factory=list)


def shortfall_counts(target_points: float, n: int, max_points: float = 10.0) -> tuple[int, tuple[int, int, int]]:
    """``m`` (ballots whose respondent gave feedback) and (U124, U3, U5), the not-satisfied answers in
    factors 1, 2, 4 / factor 3 / factor 5 (see the module doc), nearest an even spread over the criteria."""
    goal = 100 - Fraction(str(target_points)) * 100 / Fraction(str(max_points))
    share = float(goal) / 100
    around = max(5, round(n * FEEDBACK_SHARE))
    for m in sorted(range(5, n + 1), key=lambda m: (abs(m - around), m))[:12]:
        natural = (round(share * 12 * n), round(share * 6 * n), round(share * 4 * m))
        best = None
        for u5 in range(max(0, natural[2] - 6), min(4 * m, natural[2] + 6) + 1):
            for u3 in range(max(0, natural[1] - 20), min(6 * n, natural[1] + 20) + 1):
                rest = goal / 20 - Fraction(u3, 6 * n) - Fraction(u5, 4 * m)
                u124 = round(rest * 4 * n)
                if not 0 <= u124 <= 12 * n:
                    continue
                error = (shortfall(u124, u3, u5, n, m) - goal) / 10  # points under the target
                if not 0 <= error <= TOLERANCE:
                    continue
                spread = abs(u124 - natural[0]) + abs(u3 - natural[1]) + abs(u5 - natural[2])
                if best is None or (spread, error) < best[0]:
                    best = ((spread, error), (u124, u3, u5))
        if best is not None:
            return m, best[1]
    raise ValueError(f"no answer counts reach {target_points} points with {n} ballots")


def shortfall(u124: int, u3: int, u5: int, n: int, m: int) -> Fraction:
    """100 - index for these counts (exact)."""
    return 20 * (Fraction(u124, 4 * n) + Fraction(u3, 6 * n) + Fraction(u5, 4 * m))


def index_of(answers: list[dict]) -> float:
    """The default method's index of these ballots (an independent check of the plan, not the scorer)."""
    factors = []
    for criteria in FACTORS.values():
        rates = []
        for name in criteria:
            levels = [a[name] for a in answers if isinstance(a.get(name), int)]
            if levels:
                rates.append(sum(level >= 4 for level in levels) / len(levels) * 100)
        if rates:
            factors.append(sum(rates) / len(rates))
    return sum(factors) / len(factors)


def _spread(total: int, names: list[str], rng: random.Random) -> dict[str, int]:
    """``total`` split over ``names`` as evenly as possible, the remainder to random ones."""
    base, extra = divmod(total, len(names))
    lucky = set(rng.sample(names, extra))
    return {name: base + (name in lucky) for name in names}


def scored_answers(n: int, m: int, counts: tuple[int, int, int], rng: random.Random) -> list[dict]:
    """Scored answers of ``n`` ballots (the first ``m`` gave feedback) with exactly these shortfalls."""
    u124, u3, u5 = counts
    per_criterion = {}
    per_criterion.update(_spread(u124, FACTORS["F1"] + FACTORS["F2"] + FACTORS["F4"], rng))
    per_criterion.update(_spread(u3, FACTORS["F3"], rng))
    per_criterion.update(_spread(u5, FACTORS["F5"], rng))
    ballots: list[dict] = [{"gave_feedback": "yes" if i < m else "no"} for i in range(n)]
    for criterion, unsatisfied in per_criterion.items():
        pool = list(range(m)) if criterion.startswith("c5_") else list(range(n))
        if unsatisfied > len(pool):
            # more than one factor-1/2/4 criterion's worth: _spread keeps each under n, so this cannot happen
            raise ValueError(f"{unsatisfied} not-satisfied answers for {criterion} among {len(pool)} ballots")
        low = set(rng.sample(pool, unsatisfied))
        for i in pool:
            ballots[i][criterion] = rng.choice((3, 3, 3, 2, 2, 1)) if i in low else rng.choice((4, 5, 5))
    for ballot in ballots:
        scored = [v for k, v in ballot.items() if k.startswith("c")]
        ballot["overall"] = 5 if min(scored) >= 4 else rng.choice((3, 4, 4))
    return ballots


def _random_counts(rng: random.Random, gave_feedback: bool) -> tuple[int, int, int]:
    """Shortfalls of one ballot that counts for nothing: a few not-satisfied answers at random."""
    return rng.randrange(4), rng.randrange(3), rng.randrange(2) if gave_feedback else 0


def _profile(rng: random.Random, agency: str, group: str, result_day: date) -> dict:
    return {
        "respondent_type": "organisation" if rng.random() < 0.15 else "individual",
        "sex": rng.choice(["male", "female"]),
        "age_band": rng.choice(["18_24", "25_34", "25_34", "35_49", "35_49", "50_64", "65_plus"]),
        "occupation": rng.choice(["public_servant", "business", "employee", "farmer", "farmer", "retired", "other"]),
        "respondent_phone": f"09{rng.randrange(10**8):08d}",
        "agency_code": agency,
        "procedure": rng.choice(PROCEDURES[group]),
        "result_date": result_day.isoformat(),
        "comment": rng.choice(COMMENTS) if rng.random() < 0.2 else "",
    }


def _interview(rng: random.Random, seconds: float) -> tuple[datetime, datetime]:
    first, last = FIELDWORK_DAYS
    while True:
        day = first + timedelta(days=rng.randrange((last - first).days + 1))
        if day.weekday() < 5:
            break
    start = datetime.combine(day, time(7, 30), VIETNAM) + timedelta(minutes=rng.randrange(9 * 60))
    return start, start + timedelta(seconds=round(seconds))


def _duration(rng: random.Random) -> float:
    """Interview length in seconds: log-normal around nine minutes, three to thirty."""
    return min(1800.0, max(180.0, rng.lognormvariate(6.3, 0.35)))


def _ballot(rng, agency, group, enumerator, scored, kind="countable") -> PlannedBallot:
    seconds = rng.uniform(45, 100) if kind == "too_short" else _duration(rng)
    started, completed = _interview(rng, seconds)
    if kind == "outside_window":
        result_day = date(2021, 12, 31) - timedelta(days=rng.randrange(20))
    else:
        result_day = max(date(2022, 1, 1), started.date() - timedelta(days=rng.randrange(25)))
    answers = {**_profile(rng, agency, group, result_day), **scored}
    answers = {k: v for k, v in answers.items() if v != ""}
    instance_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return PlannedBallot(instance_id, agency, enumerator, answers, started, completed, kind)


def plan_season(agencies: list[dict], enumerators: dict[str, list[tuple[str, float]]]) -> list[AgencyPlan]:
    """The season: ``agencies`` rows have ``code``, ``group``, ``ballots`` (all collected), ``target_points``,
    ``too_short``, ``outside_window`` and ``doubtful`` (ballots of the enumerator put in quarantine);
    ``enumerators`` maps a group to ``[(username, share), ...]`` of its countable ballots, and the key
    ``"doubtful"`` to the one enumerator whose ballots the re-check will hold."""
    rng = random.Random(SEED)
    plans = []
    for row in agencies:
        plan = AgencyPlan(row["code"], row["group"], row["target_points"])
        excluded = row["too_short"] + row["outside_window"] + row["doubtful"]
        n = row["ballots"] - excluded
        m, counts = shortfall_counts(row["target_points"], n)
        scored = scored_answers(n, m, counts, rng)
        rng.shuffle(scored)
        shares = enumerators[row["group"]]
        names = []
        for username, share in shares:
            names += [username] * round(share * n)
        names = (names + [shares[0][0]] * n)[:n]
        for answers, username in zip(scored, names, strict=True):
            plan.ballots.append(_ballot(rng, row["code"], row["group"], username, answers))
        kinds = ["too_short"] * row["too_short"] + ["outside_window"] * row["outside_window"]
        kinds += ["doubtful"] * row["doubtful"]
        for kind in kinds:
            username = enumerators["doubtful"][0][0] if kind == "doubtful" else shares[0][0]
            gave_feedback = rng.random() < FEEDBACK_SHARE
            extra = scored_answers(1, int(gave_feedback), _random_counts(rng, gave_feedback), rng)[0]
            plan.ballots.append(_ballot(rng, row["code"], row["group"], username, extra, kind))
        plan.ballots.sort(key=lambda b: b.started_at)
        countable = [b.answers for b in plan.ballots if b.kind == "countable"]
        points = index_of(countable) / 10
        if not -float(TOLERANCE) - 1e-9 <= points - row["target_points"] <= 1e-9:
            raise AssertionError(f"{row['code']}: planned {points} points, target {row['target_points']}")
        plans.append(plan)
    return plans
