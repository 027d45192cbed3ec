"""The sentences of the published report, written in Vietnamese from a run's numbers.

Each function takes the figures the report shows (already rounded for display) and returns plain
sentences: the group's mean, best and worst and spread; how many are above the mean; band
membership; the change against last year. Numbers are written as Vietnamese readers write them
(decimal comma), with "điểm %" for differences of an index.
"""

from __future__ import annotations

from .presentation import text


def _pct(value) -> str:
    return f"{text(value)}%"


def _signed(value) -> str:
    shown = text(abs(value))
    return f"tăng {shown} điểm %" if value > 0 else f"giảm {shown} điểm %" if value < 0 else "không thay đổi"


def group_sentences(group: dict, year: int) -> list[str]:
    """Mean, best, worst, spread, above the mean and bands of one group (``report_context``'s group)."""
    stats = group.get("stats")
    ranked = [r for r in group["rows"] if r["Chỉ số (%)"] is not None]
    if not stats or not ranked:
        return [f"Nhóm {group['label']} chưa có đơn vị được xếp hạng năm {year}."]
    best = [r["Cơ quan, đơn vị"] for r in ranked if r["Chỉ số (%)"] == ranked[0]["Chỉ số (%)"]]
    worst = [r["Cơ quan, đơn vị"] for r in ranked if r["Chỉ số (%)"] == ranked[-1]["Chỉ số (%)"]]
    out = [
        f"Năm {year}, Chỉ số CCHC trung bình của nhóm {group['label']} ({len(ranked)} đơn vị)"
        f" đạt {_pct(stats['mean'])}."
        f" Đơn vị có chỉ số cao nhất là {', '.join(best)} ({_pct(ranked[0]['Chỉ số (%)'])});"
        f" thấp nhất là {', '.join(worst)} ({_pct(ranked[-1]['Chỉ số (%)'])});"
        f" khoảng cách giữa đơn vị cao nhất và thấp nhất là {text(stats['spread'])} điểm %.",
        f"Có {group['above_mean']}/{len(ranked)} đơn vị đạt chỉ số cao hơn mức trung bình của nhóm.",
    ]
    reached = [f"{b['count']} đơn vị đạt loại {b['label']}" for b in group["bands"] if b["count"]]
    empty = [b["label"] for b in group["bands"] if not b["count"]]
    sentence = "Về xếp loại: " + "; ".join(reached)
    if empty:
        sentence += f"; không có đơn vị xếp loại {', '.join(empty)}"
    out.append(sentence + ".")
    return out


def change_sentences(summary: dict | None, label: str, previous_year: int, names: dict[str, str]) -> list[str]:
    """The year summary of one group (``scoring.lineage.year_summary``'s row) as the report writes it."""
    if not summary or summary.get("previous_mean") is None and not summary.get("compared"):
        return [f"Nhóm {label} không có kết quả năm {previous_year} để so sánh."]
    out = []
    if summary.get("mean_change") is not None:
        part = (
            f"So với năm {previous_year}, chỉ số trung bình của nhóm {label} {_signed(summary['mean_change'])}"
            f" (từ {_pct(summary['previous_mean'])} lên {_pct(summary['mean'])})"
            if summary["mean_change"] > 0
            else f"So với năm {previous_year}, chỉ số trung bình của nhóm {label} {_signed(summary['mean_change'])}"
            f" (từ {_pct(summary['previous_mean'])} xuống {_pct(summary['mean'])})"
            if summary["mean_change"] < 0
            else f"So với năm {previous_year}, chỉ số trung bình của nhóm {label} không thay đổi"
            f" ({_pct(summary['mean'])})"
        )
        if summary.get("spread_change") is not None:
            change = summary["spread_change"]
            part += (
                "; khoảng cách giữa đơn vị cao nhất và thấp nhất "
                + (
                    "không thay đổi"
                    if change == 0
                    else f"{'tăng' if change > 0 else 'giảm'} {text(abs(change))} điểm %"
                )
                + f" (từ {text(summary['previous_spread'])} {'lên' if change > 0 else 'xuống' if change < 0 else 'còn'}"
                f" {text(summary['spread'])} điểm %)"
            )
        out.append(part + ".")
    if summary.get("compared"):
        sentence = (
            f"Trong {summary['compared']} đơn vị so sánh được, {summary['improved']} đơn vị tăng chỉ số,"
            f" {summary['declined']} đơn vị giảm"
        )
        if summary.get("unchanged"):
            sentence += f", {summary['unchanged']} đơn vị giữ nguyên"
        sentence += "."
        if summary.get("largest_rise_agency"):
            code = summary["largest_rise_agency"]
            sentence += f" Đơn vị tăng nhiều nhất là {names.get(code, code)} (+{text(summary['largest_rise'])} điểm %)"
            if summary.get("largest_fall_agency"):
                code = summary["largest_fall_agency"]
                sentence += (
                    f"; giảm nhiều nhất là {names.get(code, code)} (−{text(abs(summary['largest_fall']))} điểm %)."
                )
            else:
                sentence += "."
        elif summary.get("largest_fall_agency"):
            code = summary["largest_fall_agency"]
            sentence += (
                f" Đơn vị giảm nhiều nhất là {names.get(code, code)} (−{text(abs(summary['largest_fall']))} điểm %)."
            )
        out.append(sentence)
    return out


def appraisal_sentence(rows: list[dict], count: int) -> str:
    """How the council's appraisal compares with the agencies' self-assessment (rows of shown totals:
    ``name``, ``self``, ``appraised``, ``difference``)."""
    lower = [r for r in rows if r["difference"] < 0]
    higher = [r for r in rows if r["difference"] > 0]
    sentence = (
        f"Qua thẩm định, {len(lower)}/{count} đơn vị có điểm thẩm định thấp hơn điểm tự đánh giá"
        f", {len(higher)} đơn vị cao hơn và {count - len(lower) - len(higher)} đơn vị bằng điểm tự đánh giá"
    )
    if lower or higher:
        widest = max(rows, key=lambda r: (abs(r["difference"]), r["difference"] < 0))
        direction = "thấp hơn" if widest["difference"] < 0 else "cao hơn"
        sentence += (
            f"; chênh lệch lớn nhất là {widest['name']} (điểm thẩm định {text(widest['appraised'])}"
            f" {direction} điểm tự đánh giá {text(widest['self'])}, chênh lệch {text(abs(widest['difference']))} điểm)"
        )
    return sentence + "."
