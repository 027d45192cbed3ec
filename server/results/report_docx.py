"""The annual report as DOCX (python-docx), laid out like a department's report (văn bản hành chính,
after Nghị định 30/2020/NĐ-CP): the issuing authority and the national motto side by side, the document
number and the place and date left as placeholders, Times New Roman, the narrative, the tables and
the charts, then the recipients and the signature block to fill in. The analyst finishes it in Word.

Returns None when python-docx is not installed, so the HTML report never depends on it.
"""

from __future__ import annotations

from pathlib import Path

from . import report_tables as tables
from .presentation import text

FONT = "Times New Roman"


def write_docx(context: dict, out: Path, path: Path) -> Path | None:
    try:
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt
    except ImportError:
        return None

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.color.rgb = None

    def para(words: str, *, bold=False, italic=False, align=None, size=None, indent=True):
        p = doc.add_paragraph()
        run = p.add_run(words)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        elif indent:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Cm(1)
        return p

    def heading(words: str, level: int):
        h = doc.add_heading(words, level=level)
        for run in h.runs:
            run.font.name = FONT
        return h

    def table(headers: list[str], rows: list[list], size: int = 10):
        t = doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(t.rows[0].cells, headers, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(header))
            run.bold = True
            run.font.size = Pt(size)
        for row in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                run = cell.paragraphs[0].add_run("" if value is None else str(value))
                run.font.size = Pt(size)
        doc.add_paragraph()
        return t

    def figure(chart: dict):
        doc.add_picture(str(out / chart["file"]), width=Cm(16))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        para(chart["title"], italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=11)

    document = context["document"]
    round_ = context["round"]

    head = doc.add_table(rows=2, cols=2)
    left, right = head.rows[0].cells
    left.paragraphs[0].add_run(document["authority"]).font.size = Pt(12)
    agency = left.add_paragraph().add_run(document["agency"])
    agency.bold = True
    right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").bold = True
    right.add_paragraph().add_run("Độc lập - Tự do - Hạnh phúc").bold = True
    head.rows[1].cells[0].paragraphs[0].add_run(document["number"])
    head.rows[1].cells[1].paragraphs[0].add_run(document["place"]).italic = True
    for row in head.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph()
    para("BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    para(
        f"Kết quả xác định Chỉ số cải cách hành chính năm {round_['year']}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    if round_.get("title"):
        para(round_["title"], italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    run = context["run"]
    heading("I. Thông tin chung", 1)
    para(
        f"Kết quả được tính từ lần chấm số {run['id']} ({context['created']}); phương pháp tính điểm hài lòng:"
        f" {context['method_label']}, phiên bản {run['method_version']}; {run['ballots_included']} phiếu được tính,"
        f" {run['ballots_excluded']} phiếu không được tính. Điểm hài lòng tối đa {text(round_['survey_max_points'])}."
    )
    bands = "; ".join(
        f"{b['label']}: từ {text(b['min'])}%" if b.get("min") is not None else f"{b['label']}: dưới mức trên"
        for b in round_["bands"]
    )
    para(f"Xếp loại: {bands}.")

    heading("II. Kết quả Chỉ số CCHC theo nhóm", 1)
    for number, group in enumerate(context["groups"], start=1):
        heading(f"{number}. {group['label']}", 2)
        for sentence in group["sentences"]:
            para(sentence)
        table(*tables.ranked_table(group, notes=False), size=9)
        footnote = tables.reduced_footnote(group, context)
        if footnote:
            para(footnote, italic=True, size=11)
        stats = tables.stats_table(group)
        if stats:
            table(*stats)
        for band in group["bands"]:
            para(tables.band_sentence(band))
        for chart in group.get("charts", []):
            figure(chart)
    heading("Số phiếu khảo sát theo nhóm", 2)
    table(*tables.ballots_table(context))
    for chart in context.get("ballots_chart", []):
        figure(chart)

    yoy = context["year_on_year"]
    heading("III. So sánh với năm trước", 1)
    if yoy:
        partial = tables.partial_previous_sentence(yoy)
        if partial:
            para(partial, italic=True)
        for group in context["groups"]:
            for sentence in group.get("change_sentences") or []:
                para(sentence)
        table(*tables.year_on_year_table(context), size=9)
        for group in context["groups"]:
            for chart in group.get("change_charts", []):
                figure(chart)
    else:
        para("Chưa có kết quả của năm trước để so sánh.")

    heading("IV. Kết quả theo lĩnh vực", 1)
    if context["areas"]:
        table(*tables.areas_table(context), size=9)
    else:
        para("Điểm thẩm định theo lĩnh vực chưa được nhập.")
    comparison = context.get("appraisal_comparison")
    if comparison:
        heading("Điểm tự đánh giá và điểm thẩm định", 2)
        para(comparison["sentence"])
        for group in comparison["groups"]:
            para(group["label"], bold=True, indent=False)
            table(*tables.comparison_group_table(group))
        table(*tables.comparison_areas_table(comparison), size=9)

    heading("V. Chỉ số trung bình qua các năm", 1)
    if context["history"]:
        table(*tables.history_table(context))
        for chart in context.get("history_charts", []):
            figure(chart)

    heading("VI. Đơn vị chưa xếp hạng và cảnh báo", 1)
    if context["not_ranked"]:
        for item in context["not_ranked"]:
            para(f"{item['name']}: {item['reason']}.")
    else:
        para("Tất cả các đơn vị đều được xếp hạng.")
    for warning in context["warnings"]:
        para(warning, size=11)

    doc.add_paragraph()
    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    label = left.paragraphs[0].add_run("Nơi nhận:")
    label.bold, label.italic = True, True
    for recipient in document["recipients"]:
        left.add_paragraph().add_run(f"- {recipient}").font.size = Pt(11)
    right.paragraphs[0].add_run(document["signer_title"]).bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(3):
        right.add_paragraph()
    signer = right.add_paragraph()
    signer.add_run(document["signer"]).italic = True
    signer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.save(str(path))
    return path
