"""Charts of the annual report, drawn with matplotlib's object API on the Agg canvas (no display, no
global pyplot state, safe in a web worker). Labels are Vietnamese; DejaVu Sans, which matplotlib
ships, has every Vietnamese glyph."""

from __future__ import annotations

from pathlib import Path

from .presentation import group_label

BAND_COLOURS = {
    "excellent": "#1b7837",
    "good": "#5aae61",
    "fair": "#fdd835",
    "average": "#f4a582",
    "weak": "#d6604d",
}
DPI = 120


def _figure(rows: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, max(2.5, 0.32 * rows + 1.2)), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.set_layout_engine("constrained")
    return figure


def index_chart(rows: list[dict], group: str, path: Path) -> Path:
    """Horizontal bars: the PAR index of each ranked agency of a group, coloured by band."""
    ranked = [r for r in rows if r["index"] is not None]
    figure = _figure(len(ranked))
    axes = figure.add_subplot()
    names = [r["name"] for r in ranked][::-1]
    values = [r["index"] for r in ranked][::-1]
    colours = [BAND_COLOURS.get(r["band"], "#4393c3") for r in ranked][::-1]
    bars = axes.barh(names, values, color=colours)
    axes.bar_label(bars, labels=[f"{v:.2f}".replace(".", ",") for v in values], padding=3, fontsize=8)
    axes.set_xlim(0, 105)
    axes.set_xlabel("Chỉ số CCHC (%)")
    axes.set_title(f"Chỉ số CCHC - {group_label(group)}")
    axes.tick_params(axis="y", labelsize=8)
    figure.savefig(path, format="png")
    return path


def satisfaction_chart(rows: list[dict], group: str, max_points: float, path: Path) -> Path:
    """Horizontal bars: satisfaction points of each surveyed agency, with its 95% interval."""
    scored = [r for r in rows if r["satisfaction_points"] is not None]
    figure = _figure(len(scored))
    axes = figure.add_subplot()
    names = [r["name"] for r in scored][::-1]
    values = [r["satisfaction_points"] for r in scored][::-1]
    low = [v - (r["ci_low"] if r["ci_low"] is not None else v) for v, r in zip(values, scored[::-1], strict=True)]
    high = [(r["ci_high"] if r["ci_high"] is not None else v) - v for v, r in zip(values, scored[::-1], strict=True)]
    axes.barh(names, values, color="#4393c3", xerr=[low, high], ecolor="#333333", capsize=2)
    axes.set_xlim(0, max_points * 1.05)
    axes.set_xlabel(f"Điểm hài lòng (tối đa {max_points:g})")
    axes.set_title(f"Điểm hài lòng - {group_label(group)}")
    axes.tick_params(axis="y", labelsize=8)
    figure.savefig(path, format="png")
    return path


def history_chart(history: list[dict], path: Path) -> Path:
    """Lines: the mean PAR index of each group, year by year."""
    figure = _figure(8)
    axes = figure.add_subplot()
    groups = list(dict.fromkeys(g for year in history for g in year["means"]))
    for group in groups:
        points = [(year["year"], year["means"][group]) for year in history if group in year["means"]]
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=group_label(group))
        for x, y in points:
            axes.annotate(f"{y:.2f}".replace(".", ","), (x, y), textcoords="offset points", xytext=(0, 6), fontsize=8)
    years = [year["year"] for year in history]
    axes.set_xticks(years, [str(y) for y in years])
    axes.set_ylabel("Chỉ số CCHC trung bình (%)")
    axes.set_title("Chỉ số CCHC trung bình qua các năm")
    if groups:
        axes.legend()
    figure.savefig(path, format="png")
    return path
