"""Questionnaire versions: upload, publish, close, distribution with ETags."""

from __future__ import annotations

import copy
import io

import openpyxl
import pytest

from survey_forms import builtin_satisfaction_form

SMALL = {
    "form_id": "pilot",
    "version": "1",
    "title": {"vi": "Phiếu thử nghiệm", "en": "Pilot ballot"},
    "default_language": "vi",
    "children": [
        {
            "type": "select_one",
            "name": "gave_feedback",
            "label": {"vi": "Có góp ý?", "en": "Feedback?"},
            "required": True,
            "choices": [
                {"value": "yes", "label": {"vi": "Có", "en": "Yes"}},
                {"value": "no", "label": {"vi": "Không", "en": "No"}},
            ],
        },
        {
            "type": "text",
            "name": "comment",
            "label": {"vi": "Ý kiến", "en": "Comment"},
            "relevant": "${gave_feedback} = 'yes'",
        },
    ],
}


def upload(client, headers, definition=SMALL, **query):
    return client.post("/api/v1/forms", json=definition, headers=headers, query_string=query)


def publish(client, headers, form_id="pilot", version="1", **body):
    body.setdefault("for_testing", True)  # these versions belong to no round (tests/server/test_rounds_api.py)
    return client.post(f"/api/v1/forms/{form_id}/versions/{version}/publish", json=body, headers=headers)


def test_an_admin_should_upload_a_draft_that_field_roles_cannot_see(client, admin, enumerator):
    created = upload(client, admin)
    assert created.status_code == 201 and created.get_json()["state"] == "draft"
    assert client.get("/api/v1/forms", headers=enumerator).get_json() == []
    hidden = client.get("/api/v1/forms/pilot/versions/1", headers=enumerator)
    assert hidden.status_code == 404 and hidden.get_json()["code"] == "unknown_form_version"


def test_a_published_version_should_be_listed_and_downloaded_with_its_hash_as_etag(client, admin, enumerator):
    upload(client, admin)
    published = publish(client, admin).get_json()
    assert published["published_at"].endswith("+00:00")  # timestamps always carry their offset
    listed = client.get("/api/v1/forms", headers=enumerator).get_json()
    assert [(f["form_id"], f["version"], f["hash"]) for f in listed] == [("pilot", "1", published["hash"])]
    download = client.get(listed[0]["download_url"], headers=enumerator)
    assert download.status_code == 200
    assert download.headers["ETag"] == f'"{published["hash"]}"'
    assert download.get_json()["title"]["vi"] == "Phiếu thử nghiệm"
    import hashlib

    assert hashlib.sha256(download.data).hexdigest() == published["hash"]  # devices can verify what they got


def test_should_answer_304_when_the_device_already_has_the_version(client, admin, enumerator):
    upload(client, admin)
    etag = publish(client, admin).get_json()["hash"]
    again = client.get("/api/v1/forms/pilot/versions/1", headers={**enumerator, "If-None-Match": f'"{etag}"'})
    assert again.status_code == 304 and again.data == b""
    stale = client.get("/api/v1/forms/pilot/versions/1", headers={**enumerator, "If-None-Match": '"abc"'})
    assert stale.status_code == 200


def test_republishing_identical_content_should_be_a_no_op(client, admin):
    upload(client, admin)
    first = publish(client, admin).get_json()
    again = upload(client, admin)
    assert again.status_code == 200 and again.get_json()["hash"] == first["hash"]
    assert again.get_json()["state"] == "published"


def test_changed_content_under_a_published_version_should_be_a_conflict(client, admin):
    upload(client, admin)
    before = publish(client, admin).get_json()
    changed = copy.deepcopy(SMALL)
    changed["title"]["vi"] = "Phiếu đã sửa"
    response = upload(client, admin, changed)
    assert response.status_code == 409 and response.get_json()["code"] == "form_version_conflict"
    assert client.get("/api/v1/forms/pilot/versions/1", headers=admin).get_json()["title"]["vi"] == "Phiếu thử nghiệm"
    listed = client.get("/api/v1/forms", headers=admin).get_json()
    assert [f["hash"] for f in listed] == [before["hash"]]


def test_a_draft_may_change_until_it_is_published(client, admin):
    upload(client, admin)
    changed = copy.deepcopy(SMALL)
    changed["title"]["vi"] = "Phiếu đã sửa"
    assert upload(client, admin, changed).status_code == 200
    assert client.get("/api/v1/forms/pilot/versions/1", headers=admin).get_json()["title"]["vi"] == "Phiếu đã sửa"


def test_an_invalid_definition_should_be_refused_with_every_problem_listed(client, admin):
    broken = copy.deepcopy(SMALL)
    broken["children"][1]["relevant"] = "${nowhere} = 'yes'"
    broken["children"][0]["colour"] = "red"
    response = upload(client, admin, broken)
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "invalid_form"
    assert {e["code"] for e in body["errors"]} >= {"unknown_reference", "unknown_key"}
    assert client.get("/api/v1/forms", headers=admin).get_json() == []


def test_a_body_that_is_not_a_json_object_should_be_malformed_json(client, admin):
    response = client.post("/api/v1/forms", json=[1, 2], headers=admin)
    assert response.status_code == 400 and response.get_json()["code"] == "malformed_json"


def xlsform(rows) -> bytes:
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    for row in rows:
        survey.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append(["xls_pilot", "1", "Thử nghiệm"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsform_should_be_imported_through_multipart(client, admin):
    data = xlsform([["type", "name", "label"], ["text", "name", "Họ và tên"], ["integer", "age", "Tuổi"]])
    response = client.post(
        "/api/v1/forms",
        data={"file": (io.BytesIO(data), "pilot.xlsx")},
        headers=admin,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["form_id"], response.get_json()["version"]) == ("xls_pilot", "1")


def test_an_xlsform_with_odk_display_columns_should_import_and_say_what_was_not_used(client, admin):
    data = xlsform(
        [
            ["type", "name", "label", "appearance"],
            ["start", "start", "", ""],
            ["text", "name", "Họ và tên", "multiline"],
        ]
    )
    response = client.post(
        "/api/v1/forms",
        data={"file": (io.BytesIO(data), "pilot.xlsx")},
        headers=admin,
        content_type="multipart/form-data",
    )
    body = response.get_json()
    assert response.status_code == 201, body
    assert {(w["path"], w["code"]) for w in body["warnings"]} == {
        ("survey[2].type", "ignored_construct"),
        ("survey[3].appearance", "ignored_construct"),
    }
    again = client.post(
        "/api/v1/forms",
        data={"file": (io.BytesIO(data), "pilot.xlsx")},
        headers=admin,
        content_type="multipart/form-data",
    )
    assert again.status_code == 200 and len(again.get_json()["warnings"]) == 2
    assert "warnings" not in client.get("/api/v1/forms", headers=admin).get_json()[0]


def test_an_xlsform_with_an_unsupported_construct_should_name_the_row(client, admin):
    data = xlsform(
        [
            ["type", "name", "label", "disabled"],
            ["text", "name", "Họ và tên", ""],
            ["text", "kid", "Tên", "yes"],
        ]
    )
    response = client.post(
        "/api/v1/forms",
        data={"file": (io.BytesIO(data), "pilot.xlsx")},
        headers=admin,
        content_type="multipart/form-data",
    )
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "unsupported_construct"
    assert any("disabled" in e["message"] and "row 3" in e["message"] for e in body["errors"])


def test_a_file_that_is_no_workbook_should_be_a_422_naming_it_not_a_500(client, admin):
    # schemathesis sent these bytes as "file" (no suffix): pyxform guessed Markdown and failed on UTF-8
    response = client.post(
        "/api/v1/forms",
        data={"file": (io.BytesIO(b"\xdb\xa7\x80p"), "file")},
        headers=admin,
        content_type="multipart/form-data",
    )
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "invalid_form", body
    assert [e["code"] for e in body["errors"]] == ["invalid_xlsform"]
    assert "not a readable XLSForm" in body["errors"][0]["message"]


def test_a_closed_version_stays_downloadable_but_leaves_the_field_list(client, admin, enumerator):
    upload(client, admin)
    publish(client, admin)
    closed = client.post("/api/v1/forms/pilot/versions/1/close", headers=admin)
    assert closed.status_code == 200 and closed.get_json()["accepts_answers"] is False
    assert client.get("/api/v1/forms", headers=enumerator).get_json() == []
    assert client.get("/api/v1/forms/pilot/versions/1", headers=enumerator).status_code == 200


def test_older_versions_keep_accepting_until_their_round_closes(client, admin, supervisor, enumerator):
    client.post(
        "/api/v1/rounds",
        headers=supervisor,
        json={
            "code": "2024",
            "year": 2024,
            "window_start": "2024-01-01",
            "window_end": "2024-10-31",
            "method_version": "2017",
        },
    )
    upload(client, admin, round="2024")
    publish(client, admin)
    v2 = copy.deepcopy(SMALL)
    v2["version"] = "2"
    upload(client, admin, v2, round="2024")
    publish(client, admin, version="2")
    listed = client.get("/api/v1/forms", headers=enumerator).get_json()
    assert [(f["version"], f["accepts_answers"]) for f in listed] == [("1", True), ("2", True)]
    client.post("/api/v1/rounds/2024/close", headers=supervisor)
    assert client.get("/api/v1/forms", headers=enumerator).get_json() == []
    assert client.get("/api/v1/forms?state=published", headers=admin).get_json()[0]["accepts_answers"] is False


@pytest.mark.parametrize("path", ["/api/v1/forms", "/api/v1/forms/pilot/versions/1/publish"])
def test_only_admins_may_upload_or_publish(client, supervisor, enumerator, path):
    for headers in (supervisor, enumerator):
        assert client.post(path, json=SMALL, headers=headers).status_code == 403


def test_the_builtin_questionnaire_should_be_served_as_the_demo_publishes_it(client, demo, make_user):
    _, headers = make_user("enum5", "enumerator")
    form = builtin_satisfaction_form()
    listed = client.get("/api/v1/forms", headers=headers).get_json()
    assert [(f["form_id"], f["version"], f["hash"], f["round"]) for f in listed] == [
        (form.form_id, form.version, form.content_hash, "2022")
    ]
