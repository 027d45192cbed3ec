"""Vietnamese labels and display rounding for exports and the report.

Numbers are stored unrounded; they are rounded here, once, for people: two decimals, half-up as in
published PAR reports (``scoring.DISPLAY_ROUNDING``). Ranks and bands are already those of the index
as displayed (see ``scoring.par``).
"""

from __future__ import annotations

from typing import Any

from scoring import DISPLAY_ROUNDING, round_decimal

GROUP_LABELS = {"department": "Sở, ban, ngành", "district": "UBND cấp huyện", "commune": "UBND cấp xã"}
REASON_LABELS = {
    "no_appraisal_points": "Chưa có điểm thẩm định",
    "no_satisfaction_points": "Chưa có điểm hài lòng (không có phiếu được tính)",
    "below_min_sample": "Không xếp hạng: dưới cỡ mẫu tối thiểu",
}
EXCLUSION_LABELS: dict[str, str] = {
    "failed_recheck": "Không đạt phúc tra",
    "quarantined": "Tạm giữ để xác minh",
    "invalid": "Không hợp lệ",
}
STATUS_LABELS = {"continuing": "", "new": "Mới", "dropped": "Không còn trong năm nay"}

H_GROUP = "Nhóm"
H_RANK = "Xếp hạng"
H_CODE = "Mã"
H_AGENCY = "Cơ quan, đơn vị"
H_APPRAISAL = "Điểm thẩm định"
H_SATISFACTION = "Điểm hài lòng"
H_POINTS = "Tổng điểm"
H_MAX = "Điểm tối đa"
H_INDEX = "Chỉ số (%)"
H_BAND = "Xếp loại"
H_BALLOTS = "Số phiếu"
H_SAT_INDEX = "Chỉ số hài lòng (%)"
H_CI_LOW = "Khoảng tin cậy 95% - cận dưới"
H_CI_HIGH = "Khoảng tin cậy 95% - cận trên"
H_NOTE = "Ghi chú"
H_PREV_INDEX = "Chỉ số năm trước (%)"
H_INDEX_CHANGE = "Thay đổi chỉ số"
H_PREV_RANK = "Xếp hạng năm trước"
H_RANK_CHANGE = "Thay đổi xếp hạng"
H_FACTORS_MISSING = "Yếu tố không có câu trả lời"

RANKED_HEADERS = [
    H_GROUP,
    H_RANK,
    H_CODE,
    H_AGENCY,
    H_APPRAISAL,
    H_SATISFACTION,
    H_POINTS,
    H_MAX,
    H_INDEX,
    H_BAND,
    H_BALLOTS,
    H_SAT_INDEX,
    H_CI_LOW,
    H_CI_HIGH,
    H_PREV_INDEX,
    H_INDEX_CHANGE,
    H_PREV_RANK,
    H_RANK_CHANGE,
    H_FACTORS_MISSING,
    H_NOTE,
]


def shown(value: Any, decimals: int = DISPLAY_ROUNDING.decimals) -> float | None:
    """A number rounded for display (half-up on its decimal value), None when there is none."""
    if value is None:
        return None
    return round_decimal(value, decimals, DISPLAY_ROUNDING.rule)


def text(value: Any, decimals: int = 2) -> str:
    """A number as Vietnamese readers write it: decimal comma, e.g. ``95,39``; empty when missing."""
    number = shown(value, decimals)
    if number is None:
        return ""
    return f"{number:.{decimals}f}".replace(".", ",")


def group_label(group: str, labels: dict[str, str] | None = None) -> str:
    """A group's Vietnamese name: from ``labels`` (a run's own list), else the built-in names, else the code."""
    return (labels or {}).get(group) or GROUP_LABELS.get(group, group)


def group_labels(results: dict) -> dict[str, str]:
    """Group code -> name in display order: the province's list stored with the run (runs before the
    groups were the province's own list use the built-in names)."""
    labels = {g["code"]: g["name"] for g in results.get("groups") or []}
    for code, name in GROUP_LABELS.items():
        labels.setdefault(code, name)
    return labels


#: The satisfaction method of a run, as Vietnamese readers of the report and exports name it.
METHOD_LABELS = {
    "satisfied_share": "tỉ lệ hài lòng (hài lòng và rất hài lòng trên số câu trả lời hợp lệ)",
    "mean_score": "điểm trung bình các mức trả lời",
    "imported": "điểm hài lòng nhập từ kết quả đã công bố",
}


def method_label(method: str) -> str:
    """``imported`` → "điểm hài lòng nhập từ kết quả đã công bố"; an unknown method is shown as "khác"."""
    return METHOD_LABELS.get(method, "phương pháp khác")


def ranked_rows(results: dict) -> list[dict]:
    """One row per participating agency, by group then rank (agencies not ranked last in their group),
    with the headers of :data:`RANKED_HEADERS` and display-rounded numbers."""
    agencies = results["agencies"]
    sat = {r["agency"]: r for r in results["satisfaction"]["agencies"]}
    par = {r["agency"]: r for r in ((results.get("par") or {}).get("agencies") or [])}
    yoy = {r["agency"]: r for r in ((results.get("year_on_year") or {}).get("agencies") or [])}
    not_ranked = {r["agency"]: r["reason"] for r in results.get("not_ranked", [])}
    labels = group_labels(results)
    order = list(labels)
    rows = []
    for code, info in agencies.items():
        p = par.get(code, {})
        s = sat.get(code, {})
        y = yoy.get(code, {})
        notes = []
        if not info["surveyed"]:
            notes.append("Không khảo sát (không có TTHC)")
        if code in not_ranked:
            notes.append(REASON_LABELS.get(not_ranked[code], not_ranked[code]))
        if s.get("below_min_sample") and not s.get("no_countable_ballots") and code not in not_ranked:
            notes.append(f"Dưới cỡ mẫu tối thiểu ({s.get('ballots')} phiếu); xếp hạng có đánh dấu")
        missing = [factor_label(results, f) for f in s.get("factors_without_answers") or []]
        if missing:
            notes.append(
                f"Chỉ số hài lòng tính trên {s.get('factors_scored')}/{s.get('factors_total')} yếu tố"
                f" (không có câu trả lời: {', '.join(missing)})"
            )
        held = (results.get("held") or {}).get(code)
        if held:  # held by a quarantine: not invalid, and counted again if the quarantine is released
            notes.append(f"{held} phiếu đang tạm giữ để xác minh điều tra viên")
        if (results.get("year_on_year") or {}).get("method_changed") and y:
            notes.append("Phương pháp khác năm trước")
        rows.append(
            {
                "_group": info["group"],
                "_rank": p.get("rank"),
                H_GROUP: group_label(info["group"], labels),
                H_RANK: p.get("rank"),
                H_CODE: code,
                H_AGENCY: info["name"],
                H_APPRAISAL: shown(p.get("appraisal_points")),
                H_SATISFACTION: shown(s.get("points")) if info["surveyed"] else None,
                H_POINTS: shown(p.get("points")),
                H_MAX: shown(info["max_points"]),
                H_INDEX: shown(p.get("index_displayed")),
                H_BAND: p.get("band_label"),
                H_BALLOTS: s.get("ballots"),
                H_SAT_INDEX: shown(s.get("index")),
                H_CI_LOW: shown(s.get("ci_low")),
                H_CI_HIGH: shown(s.get("ci_high")),
                H_PREV_INDEX: shown(y.get("previous_index")),
                H_INDEX_CHANGE: shown(y.get("displayed_change", y.get("index_change"))),
                H_PREV_RANK: y.get("previous_rank"),
                H_RANK_CHANGE: y.get("rank_change"),
                H_FACTORS_MISSING: ", ".join(missing),
                H_NOTE: "; ".join(notes),
                "_below_min_sample": bool(p.get("below_min_sample")),
                "_factors_without_answers": list(s.get("factors_without_answers") or []),
            }
        )
    rows.sort(
        key=lambda r: (
            order.index(r["_group"]) if r["_group"] in order else len(order),
            r["_rank"] is None,
            r["_rank"] or 0,
            r[H_AGENCY],
        )
    )
    return rows


def factor_label(results: dict, factor: str) -> str:
    return results["satisfaction"].get("factor_labels", {}).get(factor, factor)


def ranking_view(results: dict) -> dict:
    """The ranked table of each group as screens show it: display-rounded numbers (ranked and banded on the
    index as displayed, like the report), band counts, and the group's mean, highest, lowest and spread."""
    rows = ranked_rows(results)
    stats = {g["group"]: g for g in ((results.get("par") or {}).get("groups") or [])}
    labels = group_labels(results)
    groups = []
    for group in dict.fromkeys(r["_group"] for r in rows):
        g = stats.get(group) or {}
        groups.append(
            {
                "group": group,
                "label": group_label(group, labels),
                "mean": shown(g.get("mean")),
                "highest": shown(g.get("highest")),
                "lowest": shown(g.get("lowest")),
                "spread": shown(g.get("spread")),
                "bands": [
                    {"code": b["code"], "label": b["label"], "count": g.get(f"n_{b['code']}", 0)}
                    for b in results["round"]["bands"]
                ],
                "rows": [
                    {
                        "rank": r[H_RANK],
                        "code": r[H_CODE],
                        "name": r[H_AGENCY],
                        "appraisal_points": r[H_APPRAISAL],
                        "satisfaction_points": r[H_SATISFACTION],
                        "points": r[H_POINTS],
                        "max_points": r[H_MAX],
                        "index": r[H_INDEX],
                        "band": r[H_BAND],
                        "index_change": r[H_INDEX_CHANGE],
                        "rank_change": r[H_RANK_CHANGE],
                        "below_min_sample": r["_below_min_sample"],
                        "factors_without_answers": r["_factors_without_answers"],
                        "note": r[H_NOTE],
                    }
                    for r in rows
                    if r["_group"] == group
                ],
            }
        )
    return {"groups": groups}
