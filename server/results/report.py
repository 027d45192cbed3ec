"""The annual report of a round (báo cáo kết quả Chỉ số CCHC) as the province writes it: HTML from a
Jinja2 template, PNG charts (Biểu đồ 1, 2, ...), the same report as PDF (fpdf2) and as DOCX (python-docx)
laid out like a department's report, with placeholders for the document number and the signature.

Everything in it comes from one stored score run (and, for the history chart, the latest run of each
earlier year), so the report can be written again at any time and says which run it shows.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..errors import ApiError
from . import charts, narrative
from .exports import run_document
from .models import ScoreRun
from .presentation import (
    EXCLUSION_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    group_label,
    group_labels,
    method_label,
    ranked_rows,
    shown,
    text,
)
from .service import runs_by_year

TEMPLATES = Path(__file__).parent / "templates"


def _environment(labels: dict[str, str] | None = None) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = text
    env.filters["group"] = lambda code: group_label(code, labels)
    return env


#: The run's warnings as the Vietnamese report words them ({agency} is the agency's name).
WARNING_TEXTS = {
    "no_countable_ballots": "{agency}: không có phiếu hợp lệ nào được tính, chưa tính được chỉ số hài lòng.",
    "below_min_sample": "{agency}: số phiếu được tính dưới cỡ mẫu tối thiểu của phương pháp.",
    "criterion_no_valid_answers": "{agency}: một tiêu chí không có câu trả lời hợp lệ nào.",
    "factor_no_valid_answers": "{agency}: một yếu tố không có câu trả lời hợp lệ nào;"
    " chỉ số tính trên các yếu tố còn lại.",
    "question_missing_from_data": "Một câu hỏi của bộ tiêu chí không có trong dữ liệu phiếu.",
    "no_satisfaction_points": "{agency}: chưa có điểm hài lòng trong kết quả đã nhập.",
    "previous_year_partial": "Kết quả năm trước dùng để so sánh chưa đầy đủ (thiếu đơn vị): thay đổi của chỉ số"
    " trung bình và xếp hạng có thể chưa chính xác.",
}


def warning_text(warning: dict, names: dict[str, str]) -> str:
    """A run's warning in Vietnamese; an unknown one by its code only (its message is English)."""
    agency = warning.get("agency")
    words = WARNING_TEXTS.get(warning.get("code"), "Cảnh báo: {code}.")
    return words.format(agency=names.get(agency, agency or ""), code=warning.get("code"))


def _history(run: ScoreRun, labels: dict[str, str]) -> list[dict]:
    """Group means year by year: a year's published results where entered (what readers saw), else its
    latest run; this run for its own year."""
    from ..history import service as history

    years: dict[int, dict] = {}
    for earlier in runs_by_year(run.round.year):
        if earlier.round.year == run.round.year:
            earlier = run
        means = {g["group"]: g["mean"] for g in ((earlier.results.get("par") or {}).get("groups") or [])}
        if means:
            years[earlier.round.year] = {"year": earlier.round.year, "source": "run", "run": earlier.id, "means": means}
    for year in history.years():
        if year < run.round.year:
            means = {g: v["mean"] for g, v in history.group_means(year).items()}
            if means:
                years[year] = {"year": year, "source": "published", "run": None, "means": means}
    return [years[y] for y in sorted(years)]


def report_context(run: ScoreRun) -> dict:
    """Every figure of the report, rounded for display, grouped as the report shows them."""
    results = run.results
    rows = ranked_rows(results)
    labels = group_labels(results)
    stats = {g["group"]: g for g in ((results.get("par") or {}).get("groups") or [])}
    sat = {r["agency"]: r for r in results["satisfaction"]["agencies"]}
    par = {a["agency"]: a for a in (results.get("par") or {}).get("agencies", [])}
    survey_max = results["round"]["survey_max_points"]
    yoy = results.get("year_on_year")
    names = {code: info["name"] for code, info in results["agencies"].items()}
    full_max = max((info["max_points"] for info in results["agencies"].values()), default=None)
    summaries = {s["group"]: s for s in (yoy or {}).get("summary") or []}
    groups = []
    order = [g for g in labels if any(r["_group"] == g for r in rows)]
    for group in order:
        members = [r for r in rows if r["_group"] == group]
        for r in members:
            r["_reduced"] = full_max is not None and r["Điểm tối đa"] is not None and r["Điểm tối đa"] < shown(full_max)
        g = stats.get(group)
        mean_shown = shown((g or {}).get("mean"))
        ranked = [r for r in members if r["Chỉ số (%)"] is not None]
        item = {
            "key": group,
            "label": group_label(group, labels),
            "rows": members,
            "stats": g,
            "bands": [
                {
                    "code": b["code"],
                    "label": b["label"],
                    "count": (g or {}).get(f"n_{b['code']}", 0),
                    "members": [r["Cơ quan, đơn vị"] for r in ranked if par.get(r["Mã"], {}).get("band") == b["code"]],
                }
                for b in results["round"]["bands"]
            ],
            "above_mean": sum(1 for r in ranked if mean_shown is not None and r["Chỉ số (%)"] > mean_shown),
            "ballots": sum(r["Số phiếu"] or 0 for r in members),
            "reduced": [r for r in members if r["_reduced"]],
            "reduced_maxima": list(dict.fromkeys(r["Điểm tối đa"] for r in members if r["_reduced"])),
            "changes": [r for r in (yoy or {}).get("agencies", []) if r.get("group") == group],
            "summary": summaries.get(group),
            "chart_rows": [
                {
                    "name": r["Cơ quan, đơn vị"],
                    "index": r["Chỉ số (%)"],
                    "band": par.get(r["Mã"], {}).get("band"),
                    "satisfaction_points": sat.get(r["Mã"], {}).get("points"),
                    "ci_low": _points(sat.get(r["Mã"], {}).get("ci_low"), survey_max),
                    "ci_high": _points(sat.get(r["Mã"], {}).get("ci_high"), survey_max),
                }
                for r in members
            ],
        }
        item["sentences"] = narrative.group_sentences(item, results["round"]["year"])
        if yoy:
            item["change_sentences"] = narrative.change_sentences(
                _shown_summary(item["summary"]), item["label"], yoy["previous_year"], names
            )
            item["change_rows"] = [
                {
                    "name": names.get(c["agency"], c["agency"]),
                    "change": shown(c.get("displayed_change", c.get("index_change"))),
                }
                for c in item["changes"]
                if c.get("status") != "dropped" and c.get("index_change") is not None
            ]
        groups.append(item)
    reduced_maxima = sorted({r["Điểm tối đa"] for g in groups for r in g["reduced"]})
    return {
        "run": run_document(run),
        "created": f"{run.created_at:%d/%m/%Y %H:%M} UTC",
        "round": results["round"],
        "groups": groups,
        "labels": labels,
        "year_on_year": yoy,
        "areas": results.get("areas", {}).get("statistics") or [],
        "excluded": [{"reason": EXCLUSION_LABELS.get(k, k), "count": v} for k, v in results["excluded"].items()],
        "not_ranked": [
            {"name": names.get(r["agency"], r["agency"]), "reason": REASON_LABELS.get(r["reason"], r["reason"])}
            for r in results.get("not_ranked", [])
        ],
        "warnings": [warning_text(w, names) for w in results.get("warnings", []) if w.get("code") != "not_ranked"],
        "history": _history(run, labels),
        "names": names,
        "status_labels": STATUS_LABELS,
        "satisfaction_source": results["satisfaction"]["source"],
        "method_label": method_label(run.method),
        "full_max": full_max,
        "reduced_maxima": reduced_maxima,
        "ballots_by_group": [(g["label"], g["ballots"]) for g in groups],
        "lineage_labels": LINEAGE_LABELS,
        "appraisal_comparison": appraisal_comparison(results.get("appraisal_comparison"), labels),
    }


def appraisal_comparison(stored: dict | None, labels: dict[str, str]) -> dict | None:
    """Self-assessed against appraised points (an appraisal done and locked in parsurvey, kept by the run):
    a table per group (agency, both totals, difference) and per content area (both means, difference,
    agencies whose two differ), rounded for display; ``None`` when the run has none."""
    if not stored or not stored.get("agencies"):
        return None
    agencies = stored["agencies"]
    groups = []
    for key in [*labels, *sorted({a["group"] or "" for a in agencies} - set(labels))]:
        members = [a for a in agencies if (a["group"] or "") == key]
        if members:
            rows = [
                {
                    "agency": a["agency"],
                    "name": a["name"],
                    "self": shown(a["self"]),
                    "appraised": shown(a["appraised"]),
                    "difference": shown(a["appraised"] - a["self"]),
                }
                for a in members
            ]
            groups.append({"key": key, "label": group_label(key, labels), "rows": rows})
    areas = []
    for i, area in enumerate(stored["areas"]):
        own = [a["areas"][i]["self"] for a in agencies]
        appraised = [a["areas"][i]["appraised"] for a in agencies]
        mean_self, mean_appraised = sum(own) / len(own), sum(appraised) / len(appraised)
        areas.append(
            {
                "code": area["code"],
                "title": area["title"],
                "self": shown(mean_self),
                "appraised": shown(mean_appraised),
                "difference": shown(mean_appraised - mean_self),
                "differing": sum(1 for s, p in zip(own, appraised, strict=True) if shown(p - s) != 0),
            }
        )
    rows = [r for g in groups for r in g["rows"]]
    return {
        "groups": groups,
        "areas": areas,
        "sentence": narrative.appraisal_sentence(rows, len(agencies)),
    }


#: How the report names a unit's lineage in the year-on-year table.
LINEAGE_LABELS = {"merged_from": "hợp nhất từ", "split_from": "chia tách từ", "renamed_from": "đổi tên từ"}


def _shown_summary(summary: dict | None) -> dict | None:
    """The year summary with every figure rounded as displayed (so sentences agree with the tables)."""
    if summary is None:
        return None
    out = dict(summary)
    for key in ("mean", "previous_mean", "spread", "previous_spread", "largest_rise", "largest_fall"):
        out[key] = shown(summary.get(key))
    for key, a, b in (("mean_change", "mean", "previous_mean"), ("spread_change", "spread", "previous_spread")):
        out[key] = None if out[a] is None or out[b] is None else shown(out[a] - out[b])
    return out


def _points(index_bound, survey_max: float):
    return None if index_bound is None else index_bound / 100.0 * survey_max


def _draw_charts(context: dict, chart_dir: Path, advance) -> list[Path]:
    """Draw every chart, numbered "Biểu đồ N" in the order the report shows them; charts of a group too
    large for one readable axis come in parts (``charts.parts``)."""
    written: list[Path] = []
    number = 0
    survey_max = context["round"]["survey_max_points"]

    def add(holder: list, path: Path, title: str) -> None:
        nonlocal number
        number += 1
        holder.append({"file": f"charts/{path.name}", "title": f"Biểu đồ {number}: {title}", "number": number})
        written.append(path)

    def stem(name: str, part: int, count: int) -> str:
        return f"{name}.png" if count == 1 else f"{name}-{part}.png"

    for group in context["groups"]:
        group["charts"] = []
        ranked = [r for r in group["chart_rows"] if r["index"] is not None]
        pieces = charts.parts(ranked)
        for i, piece in enumerate(pieces if ranked else [], start=1):
            path = charts.index_chart(
                piece,
                group["key"],
                chart_dir / stem(f"chi-so-{group['key']}", i, len(pieces)),
                label=group["label"],
                part=(i, len(pieces)),
            )
            add(group["charts"], path, f"Chỉ số CCHC năm {context['round']['year']} - {group['label']}")
        scored = sorted(
            (r for r in group["chart_rows"] if r["satisfaction_points"] is not None),
            key=lambda r: (-r["satisfaction_points"], r["name"]),
        )
        pieces = charts.parts(scored)
        for i, piece in enumerate(pieces if scored else [], start=1):
            path = charts.satisfaction_chart(
                piece,
                group["key"],
                survey_max,
                chart_dir / stem(f"diem-hai-long-{group['key']}", i, len(pieces)),
                label=group["label"],
                part=(i, len(pieces)),
            )
            add(group["charts"], path, f"Điểm hài lòng (sắp xếp từ cao xuống thấp) - {group['label']}")
        advance()
    context["ballots_chart"] = []
    if any(count for _, count in context["ballots_by_group"]):
        path = charts.ballots_chart(context["ballots_by_group"], chart_dir / "so-phieu-theo-nhom.png")
        add(context["ballots_chart"], path, "Số phiếu khảo sát được tính theo nhóm")
    for group in context["groups"]:
        group["change_charts"] = []
        rows = sorted(group.get("change_rows") or [], key=lambda r: (-(r["change"] or 0), r["name"]))
        pieces = charts.parts(rows)
        for i, piece in enumerate(pieces if rows else [], start=1):
            path = charts.change_chart(
                piece,
                chart_dir / stem(f"thay-doi-{group['key']}", i, len(pieces)),
                label=group["label"],
                part=(i, len(pieces)),
            )
            add(group["change_charts"], path, f"Thay đổi Chỉ số CCHC so với năm trước - {group['label']}")
    context["history_chart"] = None
    context["history_charts"] = []
    if context["history"]:
        path = charts.history_chart(context["history"], chart_dir / "trung-binh-qua-cac-nam.png", context["labels"])
        add(context["history_charts"], path, "Chỉ số CCHC trung bình qua các năm")
        context["history_chart"] = f"charts/{path.name}"
    advance()
    return written


def write_report(
    run: ScoreRun, out: Path, *, pdf: bool = True, docx: bool = True, progress=None, document=None
) -> list[Path]:
    """Write report.html, charts/*.png, and (unless turned off) report.pdf (fpdf2) and report.docx
    (python-docx, the analyst's copy to finish in Word) into ``out``.

    ``document`` (optional) fills the placeholders of the official layout: ``agency`` (the issuing
    department), ``number`` (số văn bản), ``place``, ``signer``, ``signer_title``.
    ``progress`` (optional, e.g. a command line's bar) gets ``start(total)`` once the steps are known, then
    ``advance()`` after each group's charts, the other charts, the HTML, the PDF and the DOCX."""
    out.mkdir(parents=True, exist_ok=True)
    chart_dir = out / "charts"
    chart_dir.mkdir(exist_ok=True)
    context = report_context(run)
    context["document"] = document_fields(document)
    if progress is not None:
        progress.start(len(context["groups"]) + 4)
    advance = progress.advance if progress is not None else (lambda: None)
    written = _draw_charts(context, chart_dir, advance)
    html = _environment(context["labels"]).get_template("report.html.j2").render(**context)
    (out / "report.html").write_text(html, encoding="utf-8")
    written.insert(0, out / "report.html")
    advance()
    if pdf:
        from .report_pdf import write_pdf

        path = write_pdf(context, out, out / "report.pdf")
        if path is not None:
            written.insert(1, path)
    advance()
    if docx:
        from .report_docx import write_docx

        path = write_docx(context, out, out / "report.docx")
        if path is not None:
            written.insert(1, path)
    advance()
    return written


#: Placeholders of the official layout, left for the analyst to fill in Word when not given.
DOCUMENT_PLACEHOLDERS = {
    "authority": "UBND TỈNH ....................",
    "agency": "SỞ NỘI VỤ",
    "number": "Số:      /BC-SNV",
    "place": "...................., ngày ..... tháng ..... năm ........",
    "signer_title": "GIÁM ĐỐC",
    "signer": "(Ký, ghi rõ họ tên và đóng dấu)",
    "recipients": ["UBND tỉnh (để báo cáo);", "Các sở, ban, ngành;", "UBND các xã, phường, đặc khu;", "Lưu: VT."],
}


def document_fields(given: dict | None) -> dict:
    return {**DOCUMENT_PLACEHOLDERS, **{k: v for k, v in (given or {}).items() if v}}


MIMETYPES = {
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def report_file(run: ScoreRun, fmt: str) -> tuple[bytes, str, str]:
    """The report as one file to download: ``html`` with its charts inside (data: URIs), ``pdf`` or
    ``docx``. Returns (body, mimetype, file name)."""
    import base64
    import re
    import tempfile

    name = f"bao-cao-chi-so-cchc-{run.round.code}-lan-{run.id}.{fmt}"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        write_report(run, out, pdf=fmt == "pdf", docx=fmt == "docx")
        if fmt in ("pdf", "docx"):
            path = out / f"report.{fmt}"
            if not path.exists():
                library = "fpdf2" if fmt == "pdf" else "python-docx"
                raise ApiError(
                    "service_unavailable", f"The {fmt.upper()} cannot be written on this server ({library} is missing)."
                )
            return path.read_bytes(), MIMETYPES[fmt], name
        html = (out / "report.html").read_text(encoding="utf-8")

        def inline(match: re.Match) -> str:
            data = base64.b64encode((out / match.group(1)).read_bytes()).decode()
            return f'src="data:image/png;base64,{data}"'

        html = re.sub(r'src="(charts/[^"]+\.png)"', inline, html)
        return html.encode("utf-8"), MIMETYPES["html"], name


__all__ = ["report_context", "report_file", "shown", "write_report"]


def index_chart_png(run: ScoreRun, group: str) -> bytes:
    """The report's PAR index chart of one group, as PNG bytes (for screens)."""
    import io

    found = next((g for g in report_context(run)["groups"] if g["key"] == group), None)
    if found is None or not any(r["index"] is not None for r in found["chart_rows"]):
        raise ApiError("not_found", f"Score run {run.id} ranks no agency of group {group!r}.")
    buffer = io.BytesIO()
    charts.index_chart(found["chart_rows"], group, buffer, label=found["label"])
    return buffer.getvalue()
