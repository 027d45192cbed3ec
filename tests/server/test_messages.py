"""The API speaks Vietnamese when asked (Accept-Language: vi) from one gettext catalogue, English otherwise."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from server.i18n import FIELD_MESSAGES, ITEM_MESSAGES, MESSAGES
from sync.codes import ERROR_CODES
from tests.sample_ballots import answers, batch, envelope

CATALOGUE = Path(__file__).resolve().parents[2] / "server" / "translations" / "vi" / "LC_MESSAGES"
VI = {"Accept-Language": "vi"}


def _po():
    with open(CATALOGUE / "messages.po", "rb") as f:
        return read_po(f, locale="vi")


def test_every_error_code_and_problem_code_has_a_vietnamese_message_in_nfc():
    catalogue = _po()
    wanted = [c.description for c in ERROR_CODES.values()] + list(ITEM_MESSAGES.values())
    wanted += list(FIELD_MESSAGES) + list(MESSAGES)
    missing = [m for m in wanted if not (catalogue.get(m) and catalogue.get(m).string)]
    assert not missing, f"add these to messages.po: {missing}"
    for message in catalogue:
        if message.id:
            assert message.string == unicodedata.normalize("NFC", message.string)


def test_the_committed_mo_file_is_the_compiled_po_file():
    with open(CATALOGUE / "messages.mo", "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    source = {m.id: m.string for m in _po() if m.id and m.string}
    assert compiled == source, "run `make messages` after editing messages.po"


def test_an_error_is_in_vietnamese_when_asked_and_in_english_otherwise(client):
    english = client.get("/api/v1/users").get_json()
    assert english["code"] == "unauthenticated" and english["message"].startswith("Send 'Authorization")
    vietnamese = client.get("/api/v1/users", headers=VI).get_json()
    assert vietnamese == {
        "code": "unauthenticated",
        "message": "Chưa đăng nhập hoặc phiên đăng nhập không còn hiệu lực.",
        "errors": {},
    }
    preferred = client.get("/api/v1/users", headers={"Accept-Language": "fr, vi;q=0.8, en;q=0.5"}).get_json()
    assert preferred["message"] == vietnamese["message"]


def test_field_problems_of_a_request_are_translated_field_by_field(client):
    body = client.post("/api/v1/auth/tokens", json={"username": "x"}, headers=VI).get_json()
    assert body["code"] == "invalid_request"
    assert body["errors"] == {"password": ["Trường này bắt buộc."]}


def test_answer_validation_problems_come_back_in_vietnamese_in_a_sync_result(client, demo):
    token = client.post("/api/v1/auth/tokens", json={"username": "enumerator1", "password": "demo-password"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    wrong = answers("SNV")
    del wrong["sex"]
    item = envelope("SNV", answers=wrong)
    english = client.post("/api/v1/sync/batches", json=batch(item), headers=headers).get_json()["results"][0]
    assert english["status"] == "rejected" and english["message"] == "The answers do not satisfy the form."
    item = envelope("SNV", answers=wrong)
    result = client.post("/api/v1/sync/batches", json=batch(item), headers={**headers, **VI}).get_json()["results"][0]
    assert result["status"] == "rejected" and result["code"] == "invalid_answers"
    assert result["message"] == "Các câu trả lời không đáp ứng yêu cầu của phiếu hỏi."
    missing = {"path": "respondent/sex", "code": "missing_required", "message": "Câu này bắt buộc trả lời."}
    assert missing in result["errors"]


def test_xlsform_problems_keep_their_sheet_row_and_get_a_vietnamese_message(client, admin):
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Tiếng Việt (vi)"])
    survey.append(["geotrace", "q1", "Câu một"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append(["f", "1", "Phiếu"])
    data = io.BytesIO()
    book.save(data)
    response = client.post(
        "/api/v1/forms",
        data={"file": (io.BytesIO(data.getvalue()), "bad.xlsx")},
        headers={**admin, **VI},
        content_type="multipart/form-data",
    )
    body = response.get_json()
    assert response.status_code == 422, body
    problem = next(e for e in body["errors"] if e["path"].startswith("survey[2]"))
    assert problem["message"] == "Trang survey, dòng 2: Cấu trúc XLSForm này chưa được hỗ trợ."


def test_a_problem_found_after_the_xlsform_is_converted_keeps_its_sheet_and_row_in_vietnamese(client, admin):
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Tiếng Việt (vi)", "relevant"])
    survey.append(["text", "q1", "Câu một"])
    survey.append(["text", "q2", "Câu hai", "${q2} = 'x'"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append(["f", "1", "Phiếu"])
    data = io.BytesIO()
    book.save(data)

    def send(headers):
        return client.post(
            "/api/v1/forms",
            data={"file": (io.BytesIO(data.getvalue()), "f.xlsx")},
            headers={**admin, **headers},
            content_type="multipart/form-data",
        ).get_json()

    (english,) = send({})["errors"]
    assert english["path"] == "children[1].relevant" and english["message"].startswith("survey sheet row 3: ")
    (problem,) = send(VI)["errors"]
    assert problem["message"] == "Trang survey, dòng 3: Điều kiện hiển thị phụ thuộc vòng vào chính nó."


def test_what_an_xlsform_holds_without_effect_is_said_in_vietnamese_with_its_row(client, admin):
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Tiếng Việt (vi)", "appearance"])
    survey.append(["text", "q1", "Câu một", "multiline"])
    data = io.BytesIO()
    book.save(data)
    response = client.post(
        "/api/v1/forms",
        data={"file": (io.BytesIO(data.getvalue()), "ghi_chu.xlsx")},
        headers={**admin, **VI},
        content_type="multipart/form-data",
    )
    body = response.get_json()
    assert response.status_code == 201, body
    (warning,) = body["warnings"]
    assert warning["path"] == "survey[2].appearance" and warning["code"] == "ignored_construct"
    assert warning["message"].startswith("Trang survey") and "không có tác dụng" in warning["message"]
