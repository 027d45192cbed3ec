"""The tables and fixed sentences of the annual report, once for every format that lays it out.

The DOCX (``report_docx``) and the PDF (``report_pdf``) draw the same report from the same context; each
function here gives one table as ``(headers, rows)`` with the numbers already shown as text, or one
sentence, so the two files differ only in layout and cannot drift apart in content.
"""

from __future__ import annotations

from .presentation import text

#: The formula the footnote on reduced maximums gives.
FORMULA = "Chỉ số CCHC = Tổng điểm đạt được / Điểm tối đa × 100%."

#: The area table's columns, in the report and in the XLSX export.
AREA_HEADERS = [
    "Nhóm",
    "Lĩnh vực",
    "Điểm tối đa",
    "Số đơn vị",
    "Điểm trung bình",
    "Thấp nhất",
    "Cao nhất",
    "Số đơn vị đạt tối đa",
]

Table = tuple[list[str], list[list]]


def ranked_table(group: dict, *, notes: bool) -> Table:
    """A group's ranked agencies; ``(*)`` marks a reduced maximum. ``notes`` adds the "Ghi chú" column."""
    headers = [
        "Xếp hạng",
        "Cơ quan, đơn vị",
        "Điểm thẩm định",
        "Điểm hài lòng",
        "Tổng điểm",
        "Điểm tối đa",
        "Chỉ số (%)",
        "Xếp loại",
    ]
    rows = [
        [
            r["Xếp hạng"],
            r["Cơ quan, đơn vị"] + (" (*)" if r.get("_reduced") else ""),
            text(r["Điểm thẩm định"]),
            text(r["Điểm hài lòng"]),
            text(r["Tổng điểm"]),
            text(r["Điểm tối đa"]),
            text(r["Chỉ số (%)"]),
            r["Xếp loại"],
        ]
        + ([r["Ghi chú"]] if notes else [])
        for r in group["rows"]
    ]
    return headers + (["Ghi chú"] if notes else []), rows


def reduced_footnote(group: dict, context: dict) -> str | None:
    """The footnote under a group with reduced maximums (agencies without procedures are not surveyed)."""
    if not group["reduced"]:
        return None
    maxima = ", ".join(text(m) for m in group["reduced_maxima"])
    return (
        f"(*) Đơn vị không có thủ tục hành chính nên không khảo sát sự hài lòng, điểm tối đa giảm còn {maxima}"
        f" điểm (thay vì {text(context['full_max'])} điểm). {FORMULA}"
    )


def stats_table(group: dict) -> Table | None:
    """A group's mean, highest, lowest, spread, mean satisfaction points and the count in each band."""
    s = group["stats"]
    if not s:
        return None
    headers = ["Trung bình", "Cao nhất", "Thấp nhất", "Khoảng cách", "Điểm hài lòng TB"]
    row = [text(s["mean"]), text(s["highest"]), text(s["lowest"]), text(s["spread"])]
    row.append(text(s["mean_satisfaction_points"]))
    bands = group["bands"]
    return headers + [b["label"] for b in bands], [row + [b["count"] for b in bands]]


def band_sentence(band: dict) -> str:
    """ "Tốt (3 đơn vị): A, B, C." — the agencies listed per band."""
    members = f": {', '.join(band['members'])}." if band["members"] else "."
    return f"{band['label']} ({band['count']} đơn vị){members}"


def ballots_table(context: dict) -> Table:
    return ["Nhóm", "Số phiếu được tính"], [[label, count] for label, count in context["ballots_by_group"]]


def partial_previous_sentence(yoy: dict) -> str | None:
    if not yoy.get("partial"):
        return None
    return (
        f"Kết quả năm {yoy['previous_year']} chưa đầy đủ (thiếu đơn vị): thay đổi của chỉ số trung bình và"
        " xếp hạng có thể chưa chính xác."
    )


def year_on_year_table(context: dict) -> Table:
    names = context["names"]
    headers = ["Cơ quan, đơn vị", "Chỉ số (%)", "Năm trước (%)", "Thay đổi"]
    headers += ["Xếp hạng", "Năm trước", "Thay đổi xếp hạng"]
    rows = [
        [
            names.get(r["agency"], r["agency"]),
            text(r["index"]),
            text(r["previous_index"]),
            text(r.get("displayed_change", r["index_change"])),
            r["rank"],
            r["previous_rank"],
            r["rank_change"],
        ]
        for r in context["year_on_year"]["agencies"]
    ]
    return headers, rows


def areas_table(context: dict) -> Table:
    labels = context["labels"]
    rows = [
        [
            labels.get(a["group"], a["group"]),
            a["area"],
            text(a["max_points"]),
            a.get("agencies"),
            text(a["mean_points"]),
            text(a["lowest"]),
            text(a["highest"]),
            a["reached_maximum"],
        ]
        for a in context["areas"]
    ]
    return list(AREA_HEADERS), rows


def comparison_group_table(group: dict) -> Table:
    """Self-assessed against appraised points, per agency of one group."""
    headers = ["Cơ quan, đơn vị", "Điểm tự đánh giá", "Điểm thẩm định", "Chênh lệch"]
    return headers, [[r["name"], text(r["self"]), text(r["appraised"]), text(r["difference"])] for r in group["rows"]]


def comparison_areas_table(comparison: dict) -> Table:
    """Self-assessed against appraised points, per content area."""
    headers = ["Lĩnh vực", "Tự đánh giá (trung bình)", "Thẩm định (trung bình)", "Chênh lệch"]
    headers.append("Số đơn vị có chênh lệch")
    rows = [
        [f"{a['code']}. {a['title']}", text(a["self"]), text(a["appraised"]), text(a["difference"]), a["differing"]]
        for a in comparison["areas"]
    ]
    return headers, rows


def history_table(context: dict) -> Table:
    """The mean index of each group over the years."""
    groups = context["groups"]
    return (
        ["Năm", *[g["label"] for g in groups]],
        [[h["year"], *[text(h["means"].get(g["key"])) for g in groups]] for h in context["history"]],
    )
