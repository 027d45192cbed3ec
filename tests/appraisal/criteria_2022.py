"""The 2022 criteria set as a test fixture, written from /work/shared/docs/domain.md ("Appraisal points,
up to 90"): seven content areas of 14/10/19/8/13/6/20 = 90 points, plus the survey's 10 (the round's
``survey_max_points``, scored from ballots). The criteria under each area are illustrative of the
province's sheet: each kind of rule (levels, proportional to a reported figure, penalty with a floor),
one pair of alternatives by agency group (2.3), and the council organisation of each area as in the 2022
report (Home Affairs, Justice, People's Committee office, Finance, Information and Communications;
Science and Technology for the ISO and initiative criteria).
"""

from __future__ import annotations

import io

from openpyxl import Workbook

AREAS = {"1": 14, "2": 10, "3": 19, "4": 8, "5": 13, "6": 6, "7": 20}

HEADER = [
    "Mã",
    "Nội dung",
    "Điểm tối đa",
    "Cách chấm",
    "Các mức",
    "Số liệu",
    "Đạt tối đa khi",
    "Điểm trừ mỗi trường hợp",
    "Mức trừ tối đa",
    "Nhóm áp dụng",
    "Cơ quan thẩm định",
]

# code, title, max, rule, levels, figure, full_at, per_unit, floor, groups, council
ROWS = [
    ("1", "Công tác chỉ đạo, điều hành cải cách hành chính", 14, None, None, None, None, None, None, None, "SNV"),
    ("1.1", "Kế hoạch cải cách hành chính năm", 3, None, None, None, None, None, None, None, None),
    ("1.1.1", "Ban hành kế hoạch kịp thời", 1, "mức", "0; 0,5; 1", None, None, None, None, None, None),
    (
        "1.1.2",
        "Mức độ hoàn thành kế hoạch",
        2,
        "tỷ lệ",
        None,
        "Tỷ lệ nhiệm vụ hoàn thành (%)",
        100,
        None,
        None,
        None,
        None,
    ),
    ("1.2", "Báo cáo cải cách hành chính định kỳ", 2, "mức", "0; 1; 2", None, None, None, None, None, None),
    (
        "1.3",
        "Kiểm tra cải cách hành chính",
        3,
        "tỷ lệ",
        None,
        "Tỷ lệ đơn vị được kiểm tra (%)",
        30,
        None,
        None,
        None,
        None,
    ),
    ("1.4", "Tuyên truyền cải cách hành chính", 3, "mức", "0; 1,5; 3", None, None, None, None, None, None),
    ("1.5", "Sáng kiến cải cách hành chính", 3, "mức", "0; 1; 2; 3", None, None, None, None, None, "SKHCN"),
    ("1.6", "Chậm báo cáo theo yêu cầu", 0, "điểm trừ", None, None, None, 0.5, -2, None, None),
    ("2", "Cải cách thể chế", 10, None, None, None, None, None, None, None, "STP"),
    ("2.1", "Xây dựng văn bản quy phạm pháp luật", 4, "mức", "0; 2; 4", None, None, None, None, None, None),
    (
        "2.2",
        "Rà soát văn bản quy phạm pháp luật",
        3,
        "tỷ lệ",
        None,
        "Tỷ lệ văn bản được rà soát (%)",
        100,
        None,
        None,
        None,
        None,
    ),
    (
        "2.3a",
        "Theo dõi thi hành pháp luật (sở, ban, ngành)",
        3,
        "mức",
        "0; 1,5; 3",
        None,
        None,
        None,
        None,
        "department",
        None,
    ),
    (
        "2.3b",
        "Theo dõi thi hành pháp luật (huyện, xã)",
        3,
        "mức",
        "0; 3",
        None,
        None,
        None,
        None,
        "district, commune",
        None,
    ),
    ("3", "Cải cách thủ tục hành chính", 19, None, None, None, None, None, None, None, "VPUBND"),
    (
        "3.1",
        "Công khai thủ tục hành chính",
        5,
        "tỷ lệ",
        None,
        "Tỷ lệ TTHC công khai đúng quy định (%)",
        100,
        None,
        None,
        None,
        None,
    ),
    ("3.2", "Thực hiện cơ chế một cửa, một cửa liên thông", 6, "mức", "0; 3; 6", None, None, None, None, None, None),
    ("3.3", "Hồ sơ giải quyết đúng hạn", 6, "tỷ lệ", None, "Tỷ lệ hồ sơ đúng hạn (%)", 100, None, None, None, None),
    ("3.4", "Áp dụng ISO 9001", 2, "mức", "0; 1; 2", None, None, None, None, None, "SKHCN"),
    ("3.5", "Hồ sơ trễ hạn không có văn bản xin lỗi", 0, "điểm trừ", None, None, None, 0.25, -1, None, None),
    ("4", "Cải cách tổ chức bộ máy", 8, None, None, None, None, None, None, None, "SNV"),
    ("4.1", "Sắp xếp tổ chức bộ máy", 4, "mức", "0; 2; 4", None, None, None, None, None, None),
    ("4.2", "Thực hiện quy định về biên chế", 4, "mức", "0; 4", None, None, None, None, None, None),
    (
        "5",
        "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức",
        13,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "SNV",
    ),
    ("5.1", "Vị trí việc làm", 5, "mức", "0; 2,5; 5", None, None, None, None, None, None),
    ("5.2", "Đào tạo, bồi dưỡng", 4, "tỷ lệ", None, "Tỷ lệ công chức được bồi dưỡng (%)", 100, None, None, None, None),
    ("5.3", "Kỷ luật, kỷ cương hành chính", 4, "mức", "0; 2; 4", None, None, None, None, None, None),
    ("6", "Cải cách tài chính công", 6, None, None, None, None, None, None, None, "STC"),
    ("6.1", "Quản lý, sử dụng ngân sách", 3, "mức", "0; 1,5; 3", None, None, None, None, None, None),
    ("6.2", "Giải ngân vốn đầu tư công", 3, "tỷ lệ", None, "Tỷ lệ giải ngân (%)", 100, None, None, None, None),
    (
        "7",
        "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
        20,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "STTTT",
    ),
    ("7.1", "Hạ tầng, nền tảng số", 6, "mức", "0; 3; 6", None, None, None, None, None, None),
    (
        "7.2",
        "Dịch vụ công trực tuyến toàn trình",
        8,
        "tỷ lệ",
        None,
        "Tỷ lệ hồ sơ trực tuyến toàn trình (%)",
        50,
        None,
        None,
        None,
        None,
    ),
    ("7.3", "Văn bản điện tử có chữ ký số", 6, "mức", "0; 2; 4; 6", None, None, None, None, None, None),
]


def criteria_xlsx(rows=ROWS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bộ tiêu chí 2022"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def leaves(group: str = "department") -> list[str]:
    codes = [r[0] for r in ROWS]
    return [r[0] for r in ROWS if not any(c.startswith(r[0] + ".") for c in codes) and (r[9] is None or group in r[9])]
