"""The annual report as PDF, drawn with fpdf2 (pure Python) from the same context as the HTML.

Vietnamese needs a Unicode font: DejaVu Sans, shipped inside matplotlib, is embedded. Returns None
when fpdf2 is not installed, so the HTML report never depends on it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .presentation import text


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def write_pdf(context: dict, out: Path, path: Path) -> Path | None:
    try:
        from fpdf import FPDF
        from fpdf.fonts import FontFace
    except ImportError:
        return None

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting logs every glyph at INFO
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    heading = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))

    def title(words: str, size: int = 12) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, 8, words, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font("DejaVu", "", 8)

    def table(headers: list[str], rows: list[list], widths: tuple | None = None) -> None:
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(headings_style=heading, col_widths=widths, line_height=5, text_align="LEFT") as t:
            t.row([str(h) for h in headers])
            for row in rows:
                t.row(["" if v is None else str(v) for v in row])
        pdf.ln(3)

    round_ = context["round"]
    run = context["run"]
    title(f"BÁO CÁO KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {round_['year']}", 14)
    pdf.multi_cell(0, 5, round_.get("title") or "", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.multi_cell(
        0,
        5,
        f"Lần chấm số {run['id']} ({context['created']});"
        f" phương pháp: {context['method_label']}, phiên bản {run['method_version']};"
        f" {run['ballots_included']} phiếu được tính, {run['ballots_excluded']} phiếu không được tính;"
        f" sha256 đầu vào {run['input_hash']}.",
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.ln(2)
    for number, group in enumerate(context["groups"], start=1):
        title(f"{number}. {group['label']}")
        table(
            [
                "Xếp hạng",
                "Cơ quan, đơn vị",
                "Điểm thẩm định",
                "Điểm hài lòng",
                "Tổng điểm",
                "Điểm tối đa",
                "Chỉ số (%)",
                "Xếp loại",
                "Ghi chú",
            ],
            [
                [
                    r["Xếp hạng"],
                    r["Cơ quan, đơn vị"],
                    text(r["Điểm thẩm định"]),
                    text(r["Điểm hài lòng"]),
                    text(r["Tổng điểm"]),
                    text(r["Điểm tối đa"]),
                    text(r["Chỉ số (%)"]),
                    r["Xếp loại"],
                    r["Ghi chú"],
                ]
                for r in group["rows"]
            ],
            (12, 60, 18, 18, 16, 16, 16, 18, 50),
        )
        if group["stats"]:
            s = group["stats"]
            table(
                [
                    "Trung bình",
                    "Cao nhất",
                    "Thấp nhất",
                    "Khoảng cách",
                    "Điểm hài lòng TB",
                    *[b["label"] for b in group["bands"]],
                ],
                [
                    [
                        text(s["mean"]),
                        text(s["highest"]),
                        text(s["lowest"]),
                        text(s["spread"]),
                        text(s["mean_satisfaction_points"]),
                        *[b["count"] for b in group["bands"]],
                    ]
                ],
            )
        for chart in group.get("charts", []):
            if pdf.get_y() > 120:
                pdf.add_page()
            pdf.image(str(out / chart["file"]), w=200)
            pdf.ln(2)
    yoy = context["year_on_year"]
    if yoy:
        pdf.add_page()
        title(f"So sánh với năm {yoy['previous_year']}")
        if yoy["method_changed"]:
            pdf.multi_cell(
                0,
                5,
                "Phương pháp tính đã thay đổi: các số liệu không hoàn toàn so sánh được.",
                new_x="LMARGIN",
                new_y="NEXT",
                align="L",
            )
        names = context["names"]
        table(
            [
                "Cơ quan, đơn vị",
                "Chỉ số (%)",
                "Năm trước (%)",
                "Thay đổi",
                "Xếp hạng",
                "Năm trước",
                "Thay đổi xếp hạng",
            ],
            [
                [
                    names.get(r["agency"], r["agency"]),
                    text(r["index"]),
                    text(r["previous_index"]),
                    text(r.get("displayed_change", r["index_change"])),
                    r["rank"],
                    r["previous_rank"],
                    r["rank_change"],
                ]
                for r in yoy["agencies"]
            ],
        )
    if context["areas"]:
        title("Kết quả theo lĩnh vực")
        table(
            ["Nhóm", "Lĩnh vực", "Điểm tối đa", "Điểm trung bình", "Thấp nhất", "Cao nhất", "Số đơn vị đạt tối đa"],
            [
                [
                    a["group"],
                    a["area"],
                    text(a["max_points"]),
                    text(a["mean_points"]),
                    text(a["lowest"]),
                    text(a["highest"]),
                    a["reached_maximum"],
                ]
                for a in context["areas"]
            ],
        )
    if context.get("history_chart"):
        if pdf.get_y() > 120:
            pdf.add_page()
        title("Chỉ số CCHC trung bình qua các năm")
        pdf.image(str(out / context["history_chart"]), w=200)
    pdf.output(str(path))
    return path
