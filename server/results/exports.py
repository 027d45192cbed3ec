"""Exports of a score run: CSV (UTF-8 with a byte-order mark, so Excel shows Vietnamese), XLSX and JSON
(unrounded, as stored).

The XLSX holds a sheet per group with its ranked table (displayed numbers), then "Tổng hợp nhóm" (one
row per group: mean, highest, lowest, spread, counts per band), "Dữ liệu chưa làm tròn" (every agency's
numbers unrounded, beside the displayed ones), satisfaction, factor and criterion detail, exclusions,
year-on-year change, content areas and provenance. Every sheet's headers are unique.

Headers are Vietnamese with diacritics; numbers are rounded for display here and nowhere else.
"""

from __future__ import annotations

import csv
import io
import json

from .models import ScoreRun
from .presentation import (
    EXCLUSION_LABELS,
    H_AGENCY,
    H_BALLOTS,
    H_CI_HIGH,
    H_CI_LOW,
    H_CODE,
    H_FACTORS_MISSING,
    H_NOTE,
    RANKED_HEADERS,
    REASON_LABELS,
    STATUS_LABELS,
    factor_label,
    group_label,
    group_labels,
    method_label,
    ranked_rows,
    shown,
)
from .report_tables import AREA_HEADERS

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUP_SHEET_HEADERS = [h for h in RANKED_HEADERS if h != "Nhóm"]


def run_document(run: ScoreRun) -> dict:
    """The run as one JSON-ready document: provenance and unrounded results."""
    return {
        "id": run.id,
        "round": run.round.code,
        "method": run.method,
        "method_version": run.method_version,
        "parameters": run.parameters,
        "ballots_included": run.ballots_included,
        "ballots_excluded": run.ballots_excluded,
        "excluded": run.excluded,
        "input_hash": run.input_hash,
        "created_at": run.created_at.isoformat(),
        "created_by": run.created_by.username if run.created_by else None,
        "origin": run.origin,
        "results": run.results,
    }


def export(run: ScoreRun, fmt: str) -> tuple[bytes, str, str]:
    """``(body, mimetype, filename)`` of a run in ``fmt`` (json, csv or xlsx)."""
    stem = f"ket-qua-{run.round.code}-lan-{run.id}"
    if fmt == "csv":
        return to_csv(run.results), "text/csv; charset=utf-8", f"{stem}.csv"
    if fmt == "xlsx":
        return to_xlsx(run), XLSX_MIMETYPE, f"{stem}.xlsx"
    body = json.dumps(run_document(run), ensure_ascii=False, indent=1).encode("utf-8")
    return body, "application/json", f"{stem}.json"


def to_csv(results: dict) -> bytes:
    """The ranked table of every group (and agencies not ranked), one row per agency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RANKED_HEADERS)
    for row in ranked_rows(results):
        writer.writerow(["" if row[h] is None else row[h] for h in RANKED_HEADERS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


#: How each interval was computed, as readers of the exports name it.
CI_METHOD_LABELS = {
    "bootstrap": "bootstrap theo phiếu",
    "bootstrap_random_groups": "bootstrap theo nhóm phiếu ngẫu nhiên",
    "wilson_ballots": "Wilson theo số phiếu (mẫu nhỏ hoặc trả lời đồng nhất)",
    "none": "",
}
BASIS_LABELS = {
    "displayed": "2 chữ số thập phân, làm tròn nửa lên; xếp hạng và xếp loại theo chỉ số đã làm tròn",
    "unrounded": "2 chữ số thập phân, làm tròn nửa lên khi hiển thị; xếp hạng và xếp loại theo chỉ số chưa làm tròn",
}


def _sheet(workbook, title: str, headers: list[str], rows: list[list], rounded: bool = True):
    from openpyxl.styles import Alignment, Font

    if len(set(headers)) != len(headers):
        raise ValueError(f"duplicate headers on sheet {title!r}")
    sheet = workbook.create_sheet(title[:31])
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row)
    if rounded:
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, float):
                    cell.number_format = "0.00"
    for letter, width in zip("ABCDEFGHIJKLMNOPQRSTU", [10, 10, 38, 12, 12, 12, 12, 12, 14], strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    return sheet


def to_xlsx(run: ScoreRun) -> bytes:
    from openpyxl import Workbook

    results = run.results
    workbook = Workbook()
    workbook.remove(workbook.active)
    rows = ranked_rows(results)
    groups = {g["group"]: g for g in ((results.get("par") or {}).get("groups") or [])}
    bands = results["round"]["bands"]
    group_names = group_labels(results)  # the province's groups, in its order and by its names
    present_groups = [g for g in group_names if any(r["_group"] == g for r in rows)]
    present_groups += sorted({r["_group"] for r in rows} - set(present_groups))
    for group in present_groups:
        body = [[r[h] for h in GROUP_SHEET_HEADERS] for r in rows if r["_group"] == group]
        _sheet(workbook, group_label(group, group_names), GROUP_SHEET_HEADERS, body)
    _summary_sheet(workbook, results, present_groups, groups, bands, group_names)
    _unrounded_sheet(workbook, results)

    agencies = results["agencies"]
    sat = results["satisfaction"]
    _sheet(
        workbook,
        "Hài lòng",
        [
            H_CODE,
            H_AGENCY,
            H_BALLOTS,
            "Phiếu không có câu trả lời hợp lệ",
            "Chỉ số hài lòng (%)",
            "Điểm hài lòng",
            H_CI_LOW,
            H_CI_HIGH,
            "Cách tính khoảng tin cậy",
            "Dưới cỡ mẫu tối thiểu",
            "Không có phiếu hợp lệ",
            "Số yếu tố có trả lời",
            H_FACTORS_MISSING,
        ],
        [
            [
                r["agency"],
                agencies.get(r["agency"], {}).get("name", r["agency"]),
                r.get("ballots"),
                r.get("empty_ballots"),
                shown(r.get("index")),
                shown(r.get("points")),
                shown(r.get("ci_low")),
                shown(r.get("ci_high")),
                CI_METHOD_LABELS.get(r.get("ci_method") or "none", r.get("ci_method")),
                "Có" if r.get("below_min_sample") else "",
                "Có" if r.get("no_countable_ballots") else "",
                None if r.get("factors_total") is None else f"{r.get('factors_scored')}/{r.get('factors_total')}",
                ", ".join(factor_label(results, f) for f in r.get("factors_without_answers") or []),
            ]
            for r in sat["agencies"]
        ],
    )
    _sheet(
        workbook,
        "Yếu tố",
        [
            H_CODE,
            H_AGENCY,
            "Yếu tố",
            "Tên yếu tố",
            "Trọng số",
            "Chỉ số (%)",
            H_CI_LOW,
            H_CI_HIGH,
            "Cách tính khoảng tin cậy",
            "Số phiếu có trả lời",
            "Số câu trả lời hợp lệ",
            "Số tiêu chí có trả lời",
            "Cronbach alpha",
            "Số phiếu tính alpha",
        ],
        [
            [
                r["agency"],
                agencies.get(r["agency"], {}).get("name", r["agency"]),
                r["factor"],
                factor_label(results, r["factor"]),
                r["weight"],
                shown(r["index"]),
                shown(r["ci_low"]),
                shown(r["ci_high"]),
                CI_METHOD_LABELS.get(r.get("ci_method") or "none", r.get("ci_method")),
                r.get("ballots"),
                r["valid"],
                r["criteria_scored"],
                shown(r["alpha"], 3),
                r["alpha_n"],
            ]
            for r in sat.get("factors", [])
        ],
    )
    labels = {c["question"]: c.get("label", "") for c in sat.get("criteria_definition", [])}
    _sheet(
        workbook,
        "Tiêu chí",
        [
            H_CODE,
            H_AGENCY,
            "Yếu tố",
            "Tiêu chí",
            "Câu hỏi",
            "Nội dung",
            "Số trả lời hợp lệ",
            "Không áp dụng",
            "Số trả lời hài lòng, rất hài lòng",
            "Tỷ lệ hài lòng (%)",
            "Wilson - cận dưới",
            "Wilson - cận trên",
            "Mức 1: Rất không hài lòng",
            "Mức 2: Không hài lòng",
            "Mức 3: Bình thường",
            "Mức 4: Hài lòng",
            "Mức 5: Rất hài lòng",
        ],
        [
            [
                r["agency"],
                agencies.get(r["agency"], {}).get("name", r["agency"]),
                r["factor"],
                r["criterion"],
                r["question"],
                labels.get(r["question"], ""),
                r["valid"],
                r["not_applicable"],
                r["satisfied"],
                shown(r["rate"]),
                shown(r["wilson_low"]),
                shown(r["wilson_high"]),
                *[r[f"level_{k}"] for k in range(1, 6)],
            ]
            for r in sat.get("criteria", [])
        ],
    )
    exclusions = [["Phiếu không được tính", EXCLUSION_LABELS.get(k, k), v, ""] for k, v in results["excluded"].items()]
    exclusions += [
        [
            "Không xếp hạng",
            agencies.get(r["agency"], {}).get("name", r["agency"]),
            None,
            REASON_LABELS.get(r["reason"], r["reason"]),
        ]
        for r in results.get("not_ranked", [])
    ]
    exclusions += [["Cảnh báo", w.get("agency") or "", None, w.get("message", "")] for w in results.get("warnings", [])]
    _sheet(workbook, "Loại trừ", ["Loại", "Lý do / đơn vị", H_BALLOTS, H_NOTE], exclusions)

    yoy = results.get("year_on_year")
    if yoy:
        _sheet(
            workbook,
            "So sánh năm trước",
            [
                H_CODE,
                H_AGENCY,
                "Nhóm",
                "Tình trạng",
                "Chỉ số (%)",
                "Chỉ số năm trước (%)",
                "Thay đổi chỉ số",
                "Xếp hạng",
                "Xếp hạng năm trước",
                "Thay đổi xếp hạng",
                "Đổi nhóm",
                "Phương pháp khác",
            ],
            [
                [
                    r["agency"],
                    agencies.get(r["agency"], {}).get("name", r["agency"]),
                    group_label(r.get("group") or "", group_names),
                    STATUS_LABELS.get(r["status"], r["status"]),
                    shown(r["index"]),
                    shown(r["previous_index"]),
                    shown(r.get("displayed_change", r["index_change"])),
                    r["rank"],
                    r["previous_rank"],
                    r["rank_change"],
                    "Có" if r["group_changed"] else "",
                    "Có" if r["method_changed"] else "",
                ]
                for r in yoy["agencies"]
            ],
        )
    areas = results.get("areas", {}).get("statistics") or []
    if areas:
        _sheet(
            workbook,
            "Lĩnh vực",
            AREA_HEADERS,
            [
                [
                    group_label(r["group"], group_names),
                    r["area"],
                    shown(r["max_points"]),
                    r["agencies"],
                    shown(r["mean_points"]),
                    shown(r["lowest"]),
                    shown(r["highest"]),
                    r["reached_maximum"],
                ]
                for r in areas
            ],
        )
    info = run_document(run)
    _sheet(
        workbook,
        "Thông tin",
        ["Mục", "Giá trị"],
        [
            ["Lần chấm", run.id],
            ["Đợt", f"{run.round.code} ({run.round.year}) {run.round.title}"],
            ["Phương pháp", method_label(info["method"])],
            ["Phiên bản phương pháp", info["method_version"]],
            ["Tham số", json.dumps(info["parameters"], ensure_ascii=False, sort_keys=True)],
            ["Số phiếu được tính", info["ballots_included"]],
            ["Số phiếu không được tính", info["ballots_excluded"]],
            ["Mã băm đầu vào (sha256)", info["input_hash"]],
            ["Thời điểm", info["created_at"]],
            ["Người thực hiện", info["created_by"] or info["origin"]],
            ["Làm tròn", BASIS_LABELS.get(_basis(results), _basis(results))],
            ["Đơn vị dưới cỡ mẫu tối thiểu", BELOW_MIN_LABELS.get(_below_rule(results), _below_rule(results))],
        ],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


BELOW_MIN_LABELS = {
    "rank_marked": "xếp hạng, có đánh dấu",
    "not_ranked": "không xếp hạng, liệt kê riêng",
}


def _settings(results: dict) -> dict:
    return results["round"].get("scoring_settings") or {}


def _basis(results: dict) -> str:
    return _settings(results).get("band_basis", "displayed")


def _below_rule(results: dict) -> str:
    return _settings(results).get("below_min_sample", "rank_marked")


def _summary_sheet(
    workbook, results: dict, present_groups: list[str], groups: dict, bands: list[dict], labels: dict[str, str]
) -> None:
    """One row per group: its statistics and the count of agencies per band (displayed numbers)."""
    headers = [
        "Nhóm",
        "Số đơn vị xếp hạng",
        "Số đơn vị được khảo sát",
        "Trung bình",
        "Cao nhất",
        "Thấp nhất",
        "Khoảng cách cao nhất - thấp nhất",
        "Điểm hài lòng trung bình",
        *[f"Số đơn vị xếp loại {b['label']}" for b in bands],
    ]
    body = []
    for group in present_groups:
        stats = groups.get(group)
        if not stats:
            continue
        body.append(
            [
                group_label(group, labels),
                stats.get("agencies"),
                stats.get("surveyed"),
                shown(stats.get("mean")),
                shown(stats.get("highest")),
                shown(stats.get("lowest")),
                shown(stats.get("spread")),
                shown(stats.get("mean_satisfaction_points")),
                *[stats.get(f"n_{b['code']}") for b in bands],
            ]
        )
    _sheet(workbook, "Tổng hợp nhóm", headers, body)


def _unrounded_sheet(workbook, results: dict) -> None:
    """Every agency's numbers as stored (unrounded), beside the displayed ranked tables."""
    agencies = results["agencies"]
    sat = {r["agency"]: r for r in results["satisfaction"]["agencies"]}
    par = {r["agency"]: r for r in ((results.get("par") or {}).get("agencies") or [])}
    not_ranked = {r["agency"]: r["reason"] for r in results.get("not_ranked", [])}
    headers = [
        H_CODE,
        H_AGENCY,
        "Nhóm",
        "Điểm thẩm định",
        "Điểm hài lòng",
        "Tổng điểm",
        "Điểm tối đa",
        "Chỉ số (%) chưa làm tròn",
        "Chỉ số (%) dùng để xếp hạng",
        "Xếp hạng",
        "Xếp loại",
        "Số phiếu",
        "Chỉ số hài lòng (%) chưa làm tròn",
        "Khoảng tin cậy - cận dưới",
        "Khoảng tin cậy - cận trên",
        "Cách tính khoảng tin cậy",
        "Dưới cỡ mẫu tối thiểu",
        H_FACTORS_MISSING,
        "Lý do không xếp hạng",
    ]
    body = []
    for code, info in agencies.items():
        p, s = par.get(code, {}), sat.get(code, {})
        body.append(
            [
                code,
                info["name"],
                group_label(info["group"], group_labels(results)),
                p.get("appraisal_points"),
                s.get("points") if info["surveyed"] else None,
                p.get("points"),
                info["max_points"],
                p.get("index"),
                p.get("index_displayed"),
                p.get("rank"),
                p.get("band_label"),
                s.get("ballots"),
                s.get("index"),
                s.get("ci_low"),
                s.get("ci_high"),
                s.get("ci_method"),
                "Có" if s.get("below_min_sample") and not s.get("no_countable_ballots") else "",
                ", ".join(s.get("factors_without_answers") or []),
                REASON_LABELS.get(not_ranked.get(code, ""), not_ranked.get(code, "")),
            ]
        )
    _sheet(workbook, "Dữ liệu chưa làm tròn", headers, body, rounded=False)
