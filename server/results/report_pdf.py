"""The annual report as PDF, drawn with fpdf2 (pure Python) from the same context as the HTML.

Vietnamese needs a Unicode font: DejaVu Sans, shipped inside matplotlib, is embedded. Returns None
when fpdf2 is not installed, so the HTML report never depends on it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import report_tables as tables


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

    def para(words: str) -> None:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, words, new_x="LMARGIN", new_y="NEXT", align="J")
        pdf.ln(1)

    def figure(chart: dict) -> None:
        if pdf.get_y() > 110:
            pdf.add_page()
        pdf.image(str(out / chart["file"]), h=min(170, 190 - pdf.get_y()), keep_aspect_ratio=True, w=250)
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(0, 5, chart["title"], new_x="LMARGIN", new_y="NEXT", align="C")
        pdf.ln(2)

    document = context["document"]
    round_ = context["round"]
    run = context["run"]
    pdf.set_font("DejaVu", "", 9)
    top = pdf.get_y()
    pdf.multi_cell(120, 5, f"{document['authority']}\n{document['agency']}\n{document['number']}", align="C")
    pdf.set_xy(150, top)
    pdf.multi_cell(
        130, 5, f"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n{document['place']}", align="C"
    )
    pdf.ln(4)
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
        for sentence in group["sentences"]:
            para(sentence)
        table(*tables.ranked_table(group, notes=True), (12, 60, 18, 18, 16, 16, 16, 18, 50))
        stats = tables.stats_table(group)
        if stats:
            table(*stats)
        footnote = tables.reduced_footnote(group, context)
        if footnote:
            para(footnote)
        for band in group["bands"]:
            para(tables.band_sentence(band))
        for chart in group.get("charts", []):
            figure(chart)
    title("Số phiếu khảo sát theo nhóm")
    table(*tables.ballots_table(context))
    for chart in context.get("ballots_chart", []):
        figure(chart)
    yoy = context["year_on_year"]
    if yoy:
        pdf.add_page()
        title(f"So sánh với năm {yoy['previous_year']}")
        partial = tables.partial_previous_sentence(yoy)
        if partial:
            para(partial)
        for group in context["groups"]:
            for sentence in group.get("change_sentences") or []:
                para(sentence)
        if yoy["method_changed"]:
            pdf.multi_cell(
                0,
                5,
                "Phương pháp tính đã thay đổi: các số liệu không hoàn toàn so sánh được.",
                new_x="LMARGIN",
                new_y="NEXT",
                align="L",
            )
        table(*tables.year_on_year_table(context))
        for group in context["groups"]:
            for chart in group.get("change_charts", []):
                figure(chart)
    if context["areas"]:
        title("Kết quả theo lĩnh vực")
        table(*tables.areas_table(context))
    comparison = context.get("appraisal_comparison")
    if comparison:
        title("Điểm tự đánh giá và điểm thẩm định")
        para(comparison["sentence"])
        for group in comparison["groups"]:
            para(group["label"])
            table(*tables.comparison_group_table(group))
        table(*tables.comparison_areas_table(comparison))
    if context["history"]:
        title("Chỉ số CCHC trung bình qua các năm")
        table(*tables.history_table(context))
        for chart in context.get("history_charts", []):
            figure(chart)
    if context["not_ranked"] or context["warnings"]:
        title("Đơn vị chưa xếp hạng và cảnh báo")
        for item in context["not_ranked"]:
            para(f"{item['name']}: {item['reason']}")
        for warning in context["warnings"]:
            para(warning)
    pdf.ln(4)
    top = pdf.get_y()
    if top > 160:
        pdf.add_page()
        top = pdf.get_y()
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(120, 5, "Nơi nhận:\n" + "\n".join(f"- {r}" for r in document["recipients"]), align="L")
    pdf.set_xy(150, top)
    pdf.multi_cell(130, 5, f"{document['signer_title']}\n\n\n\n{document['signer']}", align="C")
    pdf.output(str(path))
    return path
