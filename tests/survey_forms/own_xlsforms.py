"""parsurvey's own corpus of XLSForms, written for these tests (no public form is copied): one workbook per
feature class that public forms use, as their authors write them (pyxform's spellings and defaults).

``write_corpus(folder)`` writes them as .xlsx with openpyxl; bench/xlsform_corpus.py measures any folder,
and tests/survey_forms/test_own_corpus.py keeps the share imported from falling.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

Sheets = dict[str, list[list]]

YES_NO = [["yes_no", "yes", "Có"], ["yes_no", "no", "Không"]]
CHOICES_HEADER = ["list_name", "name", "label"]

CORPUS: dict[str, Sheets] = {
    # Settings pyxform does not require: the id comes from the file name.
    "bare_minimum": {"survey": [["type", "name", "label"], ["text", "ten", "Họ và tên"], ["integer", "tuoi", "Tuổi"]]},
    "settings_full": {
        "survey": [["type", "name", "label"], ["date", "ngay", "Ngày phỏng vấn"]],
        "settings": [
            ["form_id", "version", "form_title", "default_language"],
            ["khao_sat", "2024061", "Khảo sát", "vi"],
        ],
    },
    "groups_and_skips": {
        "survey": [
            ["type", "name", "label", "relevant", "required"],
            ["select_one yes_no", "da_den", "Đã đến bộ phận một cửa?", None, "yes"],
            ["begin group", "chi_tiet", "Chi tiết", "${da_den} = 'yes'"],
            ["begin group", "thoi_gian", "Thời gian"],
            ["integer", "phut", "Chờ bao nhiêu phút?", None, "true"],
            ["end group"],
            ["text", "y_kien", "Ý kiến", "${phut} > 30"],
            ["end group"],
        ],
        "choices": [CHOICES_HEADER, *YES_NO],
    },
    "selects_both_syntaxes": {
        "survey": [
            ["type", "name", "label"],
            ["select one from kenh", "kenh", "Kênh"],
            ["select_multiple kenh", "kenh_khac", "Các kênh khác"],
            ["select all that apply from kenh", "kenh_ca", "Mọi kênh"],
        ],
        "choices": [
            CHOICES_HEADER,
            ["kenh", "mot_cua", "Một cửa"],
            ["kenh", "truc_tuyen", "Trực tuyến"],
            ["kenh", "buu_dien", "Bưu điện"],
        ],
    },
    "or_other": {
        "survey": [["type", "name", "label"], ["select_one nghe or_other", "nghe", "Nghề nghiệp"]],
        "choices": [CHOICES_HEADER, ["nghe", "nong_dan", "Nông dân"], ["nghe", "cong_nhan", "Công nhân"]],
    },
    "language_columns": {
        "survey": [
            [
                "type",
                "name",
                "label::French",
                "label::English (en)",
                "hint::French",
                "constraint",
                "constraint_message::French",
            ],
            ["integer", "age", "Âge", "Age", "En années", ". < 120", "Trop âgé"],
            ["select_one sexe", "sexe", "Sexe", "Sex"],
        ],
        "choices": [
            ["list_name", "name", "label::French", "label::English (en)"],
            ["sexe", "f", "Femme", "Female"],
            ["sexe", "h", "Homme", "Male"],
        ],
    },
    "diacritic_choice_values": {
        "survey": [["type", "name", "label"], ["select_multiple noi", "noi", "Nơi đã đến"]],
        "choices": [
            CHOICES_HEADER,
            ["noi", "ủy_ban", "Ủy ban"],
            ["noi", "bưu_điện", "Bưu điện"],
            ["noi", "thuế", "Thuế"],
        ],
    },
    "repeat_household": {
        "survey": [
            ["type", "name", "label", "repeat_count", "relevant", "constraint"],
            ["integer", "so_nguoi", "Số người trong hộ", None, None, ". > 0"],
            ["begin repeat", "nguoi", "Thành viên", "${so_nguoi}"],
            ["text", "ho_ten", "Họ tên"],
            ["begin group", "thong_tin", "Thông tin"],
            ["integer", "tuoi", "Tuổi", None, None, ". < 120"],
            ["text", "truong", "Trường", None, "../tuoi < 18"],
            ["end group"],
            ["end repeat"],
        ],
    },
    "nested_repeats_and_node_sets": {
        "survey": [
            ["type", "name", "label", "calculation", "relevant"],
            ["begin repeat", "lan", "Lần đến"],
            ["date", "ngay", "Ngày"],
            ["begin repeat", "buoc", "Bước"],
            ["text", "ghi_chu", "Ghi chú", None, "position(..) > 1"],
            ["end repeat"],
            ["end repeat"],
            ["calculate", "so_lan", None, "count(${lan})"],
            ["calculate", "lan_dau", None, "indexed-repeat(${ngay}, ${lan}, 1)"],
            ["note", "tom_tat", "Đã đến ${so_lan} lần"],
        ],
    },
    "cascading_selects": {
        "survey": [
            ["type", "name", "label", "choice_filter"],
            ["select_one tinh", "tinh", "Tỉnh"],
            ["select_one huyen", "huyen", "Huyện", "tinh=${tinh}"],
            ["select_one xa", "xa", "Xã", "huyen=${huyen} and name != ''"],
        ],
        "choices": [
            ["list_name", "name", "label", "tinh", "huyen"],
            ["tinh", "ha_nam", "Hà Nam"],
            ["tinh", "nam_dinh", "Nam Định"],
            ["huyen", "ly_nhan", "Lý Nhân", "ha_nam"],
            ["huyen", "y_yen", "Ý Yên", "nam_dinh"],
            ["xa", "nhan_hau", "Nhân Hậu", None, "ly_nhan"],
            ["xa", "khac", "Khác", None, "ly_nhan"],
            ["xa", "khac", "Khác", None, "y_yen"],
        ],
        "settings": [["allow_choice_duplicates"], ["yes"]],
    },
    "external_choices": {
        "survey": [
            ["type", "name", "label", "choice_filter"],
            ["select_one tinh", "tinh", "Tỉnh"],
            ["select_one_external xa", "xa", "Xã", "tinh=${tinh}"],
        ],
        "choices": [CHOICES_HEADER, ["tinh", "ha_nam", "Hà Nam"]],
        "external_choices": [["list_name", "name", "label", "tinh"], ["xa", "nhan_hau", "Nhân Hậu", "ha_nam"]],
    },
    "choices_from_file": {
        "survey": [["type", "name", "label"], ["select_one_from_file co_quan.csv", "co_quan", "Cơ quan"]],
    },
    "calculations": {
        "survey": [
            ["type", "name", "label", "calculation"],
            ["date", "ngay_sinh", "Ngày sinh"],
            ["calculate", "tuoi_ngay", None, "int(today() - ${ngay_sinh})"],
            ["calculate", "bat_dau", None, "once(now())"],
            ["calculate", "nhom", None, "if(${tuoi_ngay} > 6570, 'lớn', 'nhỏ')"],
            ["calculate", "ten_day_du", None, "concat(coalesce(${ngay_sinh}, 'chưa rõ'), ' - ', ${nhom})"],
            ["calculate", "thang", None, "format-date(${ngay_sinh}, '%m/%Y')"],
        ],
    },
    "metadata_rows": {
        "survey": [
            ["type", "name", "label"],
            ["start", "start"],
            ["end", "end"],
            ["today", "today"],
            ["deviceid", "deviceid"],
            ["username", "username"],
            ["phonenumber", "phonenumber"],
            ["text", "y_kien", "Ý kiến"],
        ],
    },
    "odk_question_types": {
        "survey": [
            ["type", "name", "label"],
            ["geopoint", "vi_tri", "Vị trí"],
            ["barcode", "ma", "Mã vạch"],
            ["time", "gio", "Giờ"],
            ["datetime", "luc", "Lúc"],
            ["decimal", "so_tien", "Số tiền"],
        ],
    },
    "widgets_without_media": {
        "survey": [
            ["type", "name", "label", "parameters", "appearance"],
            ["acknowledge", "dong_y", "Tôi đồng ý tham gia"],
            ["trigger", "da_doc", "Đã đọc hướng dẫn"],
            ["note", "ghi_nho", "Hãy đọc kỹ"],
            ["range", "diem", "Điểm", "start=0 end=10 step=2", "distress"],
            ["range", "muc", "Mức", "start=0.5 end=2.5 step=0.5"],
            ["hidden", "an"],
        ],
    },
    "pulldata_lookup": {
        "survey": [
            ["type", "name", "label", "calculation"],
            ["text", "ma_ho", "Mã hộ"],
            ["calculate", "ten_chu_ho", None, "pulldata('ho', 'ten', 'ma', ${ma_ho})"],
        ],
    },
    "display_columns": {
        "survey": [
            ["type", "name", "label", "appearance", "media::image", "guidance_hint", "default", "read_only"],
            ["select_one yes_no", "hai_long", "Hài lòng?", "horizontal", "smile.png", "Hỏi chậm", "yes", "no"],
            ["text", "gop_y", "Góp ý", "multiline"],
        ],
        "choices": [CHOICES_HEADER, *YES_NO],
    },
    "messages_per_language": {
        "survey": [
            [
                "type",
                "name",
                "label::Tiếng Việt (vi)",
                "label::English (en)",
                "required",
                "required_message::Tiếng Việt (vi)",
                "required_message::English (en)",
                "constraint",
                "constraint_message::Tiếng Việt (vi)",
                "constraint_message::English (en)",
            ],
            [
                "integer",
                "con",
                "Số con",
                "Children",
                "yes",
                "Cần trả lời",
                "Required",
                ". <= 20",
                "Quá nhiều",
                "Too many",
            ],
        ],
    },  # fmt: skip
    "dynamic_required": {
        "survey": [
            ["type", "name", "label", "required", "required_message"],
            ["select_one yes_no", "co_con", "Có con không?", "yes"],
            ["integer", "so_con", "Số con", "${co_con} = 'yes'", "Hãy nhập số con"],
        ],
        "choices": [CHOICES_HEADER, *YES_NO],
    },
    "path_references": {
        "survey": [
            ["type", "name", "label", "relevant"],
            ["begin group", "ho", "Hộ"],
            ["integer", "so_nguoi", "Số người"],
            ["end group"],
            ["text", "ghi_chu", "Ghi chú", "/data/ho/so_nguoi > 5"],
        ],
    },
    "loop_over_list": {
        "survey": [
            ["type", "name", "label"],
            ["begin loop over cay", "trong", "Cây trồng"],
            ["integer", "dien_tich", "Diện tích trồng %(label)s"],
            ["end loop"],
        ],
        "choices": [CHOICES_HEADER, ["cay", "lua", "Lúa"], ["cay", "ngo", "Ngô"]],
    },
    "table_list": {
        "survey": [
            ["type", "name", "label", "appearance"],
            ["begin group", "bang", "Đánh giá", "table-list"],
            ["select_one yes_no", "sach", "Sạch sẽ"],
            ["select_one yes_no", "nhanh", "Nhanh chóng"],
            ["end group"],
        ],
        "choices": [CHOICES_HEADER, *YES_NO],
    },
    "entities_sheet": {
        "survey": [["type", "name", "label"], ["text", "ten", "Tên"]],
        "entities": [["dataset", "label"], ["nguoi", "${ten}"]],
    },
    # A photo: the media question types come with the OpenRosa attachments work (issue 13), not here.
    "photo_question": {"survey": [["type", "name", "label"], ["image", "anh", "Ảnh biên nhận"]]},
    # Names with a hyphen, as ODK's own example forms write them (XML names allow it), read as ${name-x}.
    "hyphenated_names": {
        "survey": [
            ["type", "name", "label", "relevant", "constraint"],
            ["integer", "so-nguoi", "Số người trong hộ", None, ". >= 1"],
            ["select_multiple yes_no", "co-bao-hiem", "Có bảo hiểm y tế?", "${so-nguoi} > 0"],
            ["text", "ghi-chu", "Ghi chú", "selected(${co-bao-hiem}, 'no') and ${so-nguoi} - 1 >= 0"],
        ],
        "choices": [CHOICES_HEADER, *YES_NO],
    },
    # A photo whose size Collect caps (parameters max-pixels): the parameter is ignored, the photo type is
    # what another part of issue 13 adds.
    "photo_max_pixels": {
        "survey": [["type", "name", "label", "parameters"], ["image", "anh_so_ho", "Ảnh sổ hộ khẩu", "max-pixels=1024"]]
    },
    # Questions without a label, as pyxform takes them: one with a hint only, a note whose label is a picture.
    "hint_without_label": {
        "survey": [
            ["type", "name", "label", "hint", "media::image"],
            ["text", "ma_ho", None, "Mã hộ ghi trên phiếu"],
            ["note", "so_do", None, None, "so_do.png"],
            ["integer", "tuoi", "Tuổi"],
        ]
    },
    # A hint given in one language only, not the default one: ODK shows "-" in the others.
    "hint_in_one_language": {
        "survey": [
            ["type", "name", "label::Vietnamese (vi)", "label::English (en)", "hint::English (en)"],
            ["text", "dia_chi", "Địa chỉ", "Address", "Street and number"],
        ]
    },
    # An OpenStreetMap question with its tags on the osm sheet: a file question (the .osm file), warned on its row.
    "osm_building": {
        "survey": [["type", "name", "label"], ["osm nha", "toa_nha", "Tòa nhà"], ["text", "ghi_chu", "Ghi chú"]],
        "osm": [["list_name", "name", "label"], ["nha", "so_tang", "Số tầng"]],
    },
}


def write_corpus(folder: Path) -> list[Path]:
    """Every workbook of :data:`CORPUS` as ``folder/<name>.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, sheets in CORPUS.items():
        book = Workbook()
        book.remove(book.active)
        for sheet_name, rows in sheets.items():
            sheet = book.create_sheet(sheet_name)
            for row in rows:
                sheet.append(row)
        path = folder / f"{name}.xlsx"
        book.save(path)
        paths.append(path)
    return paths


if __name__ == "__main__":  # write them somewhere to point bench/xlsform_corpus.py at
    import sys

    print("\n".join(str(p) for p in write_corpus(Path(sys.argv[1]))))
