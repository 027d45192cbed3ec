"""Charts of the annual report, drawn with matplotlib's object API on the Agg canvas (no display, no
global pyplot state, safe in a web worker). Labels are Vietnamese; DejaVu Sans, which matplotlib
ships, has every Vietnamese glyph.

The kinds follow the published report's Biểu đồ 1–5: the index of each agency of a group; the group
means over the years; the satisfaction points of each agency, sorted; the ballots per group; the
change of each agency's index against last year. A group of 130 communes does not fit one readable
axis: per-agency charts are drawn in parts of at most :data:`PER_CHART` agencies (one bar per line,
8-point names), so every label stays legible on an A4 page.
"""

from __future__ import annotations

from .presentation import group_label

BAND_COLOURS = {
    "excellent": "#1b7837",
    "good": "#5aae61",
    "fair": "#fdd835",
    "average": "#f4a582",
    "weak": "#d6604d",
}
DPI = 110
#: At most this many agencies on one per-agency chart (a taller one no longer fits a page legibly).
PER_CHART = 35


def _figure(rows: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, max(2.5, 0.3 * rows + 1.2)), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.set_layout_engine("constrained")
    return figure


def _comma(value: float, decimals: int = 2) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def parts(rows: list, size: int = PER_CHART) -> list[list]:
    """``rows`` cut into consecutive parts of at most ``size``, as even as possible (130 → 35, 35, 30, 30)."""
    if len(rows) <= size:
        return [rows]
    count = -(-len(rows) // size)
    base, extra = divmod(len(rows), count)
    out, start = [], 0
    for i in range(count):
        end = start + base + (1 if i < extra else 0)
        out.append(rows[start:end])
        start = end
    return out


def _title(words: str, part: int, of: int) -> str:
    return words if of == 1 else f"{words} (phần {part}/{of})"


def index_chart(rows: list[dict], group: str, path, *, label: str | None = None, part=(1, 1)):
    """Horizontal bars: the PAR index of each ranked agency of a group (by rank), coloured by band."""
    ranked = [r for r in rows if r["index"] is not None]
    figure = _figure(len(ranked))
    axes = figure.add_subplot()
    names = [r["name"] for r in ranked][::-1]
    values = [r["index"] for r in ranked][::-1]
    colours = [BAND_COLOURS.get(r["band"], "#4393c3") for r in ranked][::-1]
    bars = axes.barh(names, values, color=colours)
    axes.bar_label(bars, labels=[_comma(v) for v in values], padding=3, fontsize=8)
    axes.set_xlim(0, 105)
    axes.set_xlabel("Chỉ số CCHC (%)")
    axes.set_title(_title(f"Chỉ số CCHC - {label or group_label(group)}", *part))
    axes.tick_params(axis="y", labelsize=8)
    figure.savefig(path, format="png")
    return path


def satisfaction_chart(rows: list[dict], group: str, max_points: float, path, *, label: str | None = None, part=(1, 1)):
    """Horizontal bars sorted from the highest: satisfaction points of each surveyed agency, each bar
    labelled with its value, with its 95% interval."""
    scored = sorted(
        (r for r in rows if r["satisfaction_points"] is not None), key=lambda r: (-r["satisfaction_points"], r["name"])
    )
    figure = _figure(len(scored))
    axes = figure.add_subplot()
    names = [r["name"] for r in scored][::-1]
    values = [r["satisfaction_points"] for r in scored][::-1]
    # an interval that does not hold its point (possible for some interval methods) draws no whisker on that side
    low = [
        max(0.0, v - (r["ci_low"] if r["ci_low"] is not None else v)) for v, r in zip(values, scored[::-1], strict=True)
    ]
    high = [
        max(0.0, (r["ci_high"] if r["ci_high"] is not None else v) - v)
        for v, r in zip(values, scored[::-1], strict=True)
    ]
    bars = axes.barh(names, values, color="#4393c3", xerr=[low, high], ecolor="#333333", capsize=2)
    axes.bar_label(bars, labels=[_comma(v) for v in values], padding=8, fontsize=8)
    axes.set_xlim(0, max_points * 1.12)
    axes.set_xlabel(
        f"Điểm hài lòng (tối đa {_comma(max_points, 0) if float(max_points).is_integer() else _comma(max_points)})"
    )
    axes.set_title(_title(f"Điểm hài lòng - {label or group_label(group)}", *part))
    axes.tick_params(axis="y", labelsize=8)
    figure.savefig(path, format="png")
    return path


def history_chart(history: list[dict], path, labels: dict[str, str] | None = None):
    """Lines: the mean PAR index of each group, year by year."""
    labels = labels or {}
    figure = _figure(8)
    axes = figure.add_subplot()
    groups = list(dict.fromkeys([*labels, *(g for year in history for g in year["means"])]))
    groups = [g for g in groups if any(g in year["means"] for year in history)]
    for group in groups:
        points = [(year["year"], year["means"][group]) for year in history if group in year["means"]]
        axes.plot(
            [p[0] for p in points], [p[1] for p in points], marker="o", label=labels.get(group, group_label(group))
        )
        for x, y in points:
            axes.annotate(_comma(y), (x, y), textcoords="offset points", xytext=(0, 6), fontsize=8)
    years = [year["year"] for year in history]
    axes.set_xticks(years, [str(y) for y in years])
    axes.set_ylabel("Chỉ số CCHC trung bình (%)")
    axes.set_title("Chỉ số CCHC trung bình qua các năm")
    if groups:
        axes.legend()
    figure.savefig(path, format="png")
    return path


def ballots_chart(counts: list[tuple[str, int]], path):
    """Vertical bars: the ballots counted in each group."""
    figure = _figure(6)
    axes = figure.add_subplot()
    bars = axes.bar([c[0] for c in counts], [c[1] for c in counts], color="#4393c3")
    axes.bar_label(bars, labels=[f"{c[1]:,}".replace(",", ".") for c in counts], padding=3, fontsize=9)
    axes.set_ylabel("Số phiếu được tính")
    axes.set_title("Số phiếu khảo sát được tính theo nhóm")
    axes.tick_params(axis="x", labelsize=9)
    figure.savefig(path, format="png")
    return path


def change_chart(rows: list[dict], path, *, label: str, part=(1, 1)):
    """Horizontal bars sorted from the largest rise: each agency's index change against last year."""
    ordered = sorted((r for r in rows if r["change"] is not None), key=lambda r: (-r["change"], r["name"]))
    figure = _figure(len(ordered))
    axes = figure.add_subplot()
    names = [r["name"] for r in ordered][::-1]
    values = [r["change"] for r in ordered][::-1]
    colours = ["#1b7837" if v >= 0 else "#d6604d" for v in values]
    bars = axes.barh(names, values, color=colours)
    axes.bar_label(bars, labels=[("+" if v > 0 else "") + _comma(v) for v in values], padding=3, fontsize=8)
    axes.axvline(0, color="#333333", linewidth=0.8)
    span = max([abs(v) for v in values] or [1]) * 1.25
    axes.set_xlim(-span, span)
    axes.set_xlabel("Thay đổi chỉ số so với năm trước (điểm %)")
    axes.set_title(_title(f"Thay đổi Chỉ số CCHC - {label}", *part))
    axes.tick_params(axis="y", labelsize=8)
    figure.savefig(path, format="png")
    return path
