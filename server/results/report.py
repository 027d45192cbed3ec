"""The annual report of a round (báo cáo kết quả Chỉ số CCHC): HTML from a Jinja2 template, PNG charts
and, when fpdf2 is installed, the same report as PDF.

Everything in it comes from one stored score run (and, for the history chart, the latest run of each
earlier year), so the report can be written again at any time and says which run it shows.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..errors import ApiError
from . import charts
from .exports import run_document
from .models import ScoreRun
from .presentation import (
    EXCLUSION_LABELS,
    GROUP_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    group_label,
    method_label,
    ranked_rows,
    shown,
    text,
)
from .service import runs_by_year

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = text
    env.filters["group"] = group_label
    return env


def report_context(run: ScoreRun) -> dict:
    """Every figure of the report, rounded for display, grouped as the report shows them."""
    results = run.results
    rows = ranked_rows(results)
    stats = {g["group"]: g for g in ((results.get("par") or {}).get("groups") or [])}
    sat = {r["agency"]: r for r in results["satisfaction"]["agencies"]}
    survey_max = results["round"]["survey_max_points"]
    yoy = results.get("year_on_year")
    groups = []
    order = [g for g in GROUP_LABELS if any(r["_group"] == g for r in rows)]
    for group in order:
        members = [r for r in rows if r["_group"] == group]
        g = stats.get(group)
        groups.append(
            {
                "key": group,
                "label": group_label(group),
                "rows": members,
                "stats": g,
                "bands": [
                    {"label": b["label"], "count": (g or {}).get(f"n_{b['code']}", 0)}
                    for b in results["round"]["bands"]
                ],
                "changes": [r for r in (yoy or {}).get("agencies", []) if r.get("group") == group],
                "chart_rows": [
                    {
                        "name": r["Cơ quan, đơn vị"],
                        "index": r["Chỉ số (%)"],
                        "band": next(
                            (
                                a["band"]
                                for a in (results.get("par") or {}).get("agencies", [])
                                if a["agency"] == r["Mã"]
                            ),
                            None,
                        ),
                        "satisfaction_points": sat.get(r["Mã"], {}).get("points"),
                        "ci_low": _points(sat.get(r["Mã"], {}).get("ci_low"), survey_max),
                        "ci_high": _points(sat.get(r["Mã"], {}).get("ci_high"), survey_max),
                    }
                    for r in members
                ],
            }
        )
    history = []
    for earlier in runs_by_year(run.round.year):
        if earlier.round.year == run.round.year:
            earlier = run
        means = {g["group"]: g["mean"] for g in ((earlier.results.get("par") or {}).get("groups") or [])}
        if means:
            history.append({"year": earlier.round.year, "round": earlier.round.code, "run": earlier.id, "means": means})
    names = {code: info["name"] for code, info in results["agencies"].items()}
    return {
        "run": run_document(run),
        "created": f"{run.created_at:%d/%m/%Y %H:%M} UTC",
        "round": results["round"],
        "groups": groups,
        "year_on_year": yoy,
        "areas": results.get("areas", {}).get("statistics") or [],
        "excluded": [{"reason": EXCLUSION_LABELS.get(k, k), "count": v} for k, v in results["excluded"].items()],
        "not_ranked": [
            {"name": names.get(r["agency"], r["agency"]), "reason": REASON_LABELS.get(r["reason"], r["reason"])}
            for r in results.get("not_ranked", [])
        ],
        "warnings": [w for w in results.get("warnings", []) if w.get("code") != "not_ranked"],
        "history": history,
        "names": names,
        "status_labels": STATUS_LABELS,
        "satisfaction_source": results["satisfaction"]["source"],
        "method_label": method_label(run.method),
    }


def _points(index_bound, survey_max: float):
    return None if index_bound is None else index_bound / 100.0 * survey_max


def write_report(run: ScoreRun, out: Path, *, pdf: bool = True, progress=None) -> list[Path]:
    """Write report.html, charts/*.png and (with fpdf2 installed and ``pdf``) report.pdf into ``out``.

    ``progress`` (optional, e.g. a command line's bar) gets ``start(total)`` once the steps are known, then
    ``advance()`` after each group's charts, the history chart, the HTML and the PDF."""
    out.mkdir(parents=True, exist_ok=True)
    chart_dir = out / "charts"
    chart_dir.mkdir(exist_ok=True)
    context = report_context(run)
    if progress is not None:
        progress.start(len(context["groups"]) + 3)
    advance = progress.advance if progress is not None else (lambda: None)
    written: list[Path] = []
    survey_max = context["round"]["survey_max_points"]
    for group in context["groups"]:
        group["charts"] = []
        if any(r["index"] is not None for r in group["chart_rows"]):
            path = charts.index_chart(group["chart_rows"], group["key"], chart_dir / f"chi-so-{group['key']}.png")
            group["charts"].append({"file": f"charts/{path.name}", "title": f"Chỉ số CCHC - {group['label']}"})
        if any(r["satisfaction_points"] is not None for r in group["chart_rows"]):
            path = charts.satisfaction_chart(
                group["chart_rows"], group["key"], survey_max, chart_dir / f"diem-hai-long-{group['key']}.png"
            )
            group["charts"].append({"file": f"charts/{path.name}", "title": f"Điểm hài lòng - {group['label']}"})
        written += [out / c["file"] for c in group["charts"]]
        advance()
    context["history_chart"] = None
    if context["history"]:
        path = charts.history_chart(context["history"], chart_dir / "trung-binh-qua-cac-nam.png")
        context["history_chart"] = f"charts/{path.name}"
        written.append(path)
    advance()
    html = _environment().get_template("report.html.j2").render(**context)
    (out / "report.html").write_text(html, encoding="utf-8")
    written.insert(0, out / "report.html")
    advance()
    if pdf:
        from .report_pdf import write_pdf

        path = write_pdf(context, out, out / "report.pdf")
        if path is not None:
            written.insert(1, path)
    advance()
    return written


def report_file(run: ScoreRun, fmt: str) -> tuple[bytes, str, str]:
    """The report as one file to download: ``html`` with its charts inside (data: URIs), or ``pdf``.
    Returns (body, mimetype, file name)."""
    import base64
    import re
    import tempfile

    name = f"bao-cao-chi-so-cchc-{run.round.code}-lan-{run.id}.{fmt}"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        write_report(run, out, pdf=fmt == "pdf")
        if fmt == "pdf":
            path = out / "report.pdf"
            if not path.exists():
                raise ApiError("service_unavailable", "The PDF cannot be drawn on this server (fpdf2 is missing).")
            return path.read_bytes(), "application/pdf", name
        html = (out / "report.html").read_text(encoding="utf-8")

        def inline(match: re.Match) -> str:
            data = base64.b64encode((out / match.group(1)).read_bytes()).decode()
            return f'src="data:image/png;base64,{data}"'

        html = re.sub(r'src="(charts/[^"]+\.png)"', inline, html)
        return html.encode("utf-8"), "text/html", name


__all__ = ["report_context", "report_file", "shown", "write_report"]


def index_chart_png(run: ScoreRun, group: str) -> bytes:
    """The report's PAR index chart of one group, as PNG bytes (for screens)."""
    import io

    found = next((g for g in report_context(run)["groups"] if g["key"] == group), None)
    if found is None or not any(r["index"] is not None for r in found["chart_rows"]):
        raise ApiError("not_found", f"Score run {run.id} ranks no agency of group {group!r}.")
    buffer = io.BytesIO()
    charts.index_chart(found["chart_rows"], group, buffer)
    return buffer.getvalue()
