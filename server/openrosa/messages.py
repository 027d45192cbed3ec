"""What OpenRosa answers say to the person holding the phone, in Vietnamese (English if the client asks).

ODK clients show the message of an ``<OpenRosaResponse>`` as it is, so it is a sentence for the
enumerator, not a code. Codes without a sentence here fall back to the server's own message.
"""

from __future__ import annotations

from flask import request

MESSAGES = {
    "accepted": ("Đã nhận phiếu.", "Submission received."),
    "duplicate": (
        "Phiếu này đã được nhận trước đó; không lưu thêm lần nữa.",
        "This submission was received before; nothing was stored again.",
    ),
    "conflict": (
        "Mã phiếu này đã được lưu với nội dung khác. Bản gửi mới được giữ riêng để giám sát viên quyết định.",
        "A ballot with this id is stored with other content. The new one is kept aside for a supervisor.",
    ),
    "unauthenticated": (
        "Cần đăng nhập bằng tên người dùng và mật khẩu ứng dụng do quản trị viên cấp.",
        "Sign in with your user name and the app password your administrator gave you.",
    ),
    "enumerators_only": (
        "Chỉ điều tra viên mới gửi phiếu qua ODK.",
        "Only enumerators send ballots through ODK.",
    ),
    "no_instance": (
        "Yêu cầu không có tệp phiếu (xml_submission_file).",
        "The request has no xml_submission_file.",
    ),
    "invalid_answers": ("Câu trả lời chưa hợp lệ:", "The answers are not valid:"),
    "not_assigned": (
        "Bạn chưa được phân công khảo sát cơ quan này trong đợt này.",
        "You are not assigned to this agency in this round.",
    ),
    "form_closed": (
        "Phiên bản phiếu này đã đóng, không nhận thêm câu trả lời.",
        "This form version is closed and accepts no more answers.",
    ),
    "unknown_form_version": (
        "Máy chủ không có phiên bản phiếu này; hãy tải lại danh sách phiếu.",
        "The server has no such form version; download the form list again.",
    ),
    "invalid_envelope": ("Không đọc được phiếu gửi lên.", "The submission cannot be read."),
    "attachment_too_large": (
        "Một tệp đính kèm (ảnh, âm thanh, video) vượt quá dung lượng cho phép; phiếu chưa được nhận.",
        "An attached file (image, audio, video) is larger than allowed; the submission was not received.",
    ),
    "attachments_too_large": (
        "Tổng dung lượng các tệp đính kèm của phiếu vượt quá giới hạn; phiếu chưa được nhận.",
        "The submission's attached files together are larger than allowed; it was not received.",
    ),
    "payload_conflict": (
        "Tệp đính kèm cùng tên đã được lưu với nội dung khác; tệp đã lưu được giữ nguyên.",
        "An attached file of this name is stored with other content; the stored file is kept.",
    ),
    "too_many_attempts": (
        "Đăng nhập sai quá nhiều lần; hãy chờ rồi thử lại (xem Retry-After).",
        "Too many failed sign-ins; wait and try again (see Retry-After).",
    ),
    "unknown_agency": ("Cơ quan được chọn không có trong danh mục.", "The chosen agency is not in the registry."),
}


def english() -> bool:
    best = request.accept_languages.best_match(["vi", "en"]) if request.accept_languages else None
    return best == "en"


def message(key: str | None, fallback: str = "") -> str:
    texts = MESSAGES.get(key or "")
    if texts is None:
        return fallback or (key or "")
    return texts[1] if english() else texts[0]
