"""OpenRosa for stock ODK clients: form list, XForm, submissions through the sync intake, app passwords."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import uuid
import xml.etree.ElementTree as ET

import pytest

from tests.sample_ballots import FORM, answers

FORMLIST = "{http://openrosa.org/xforms/xformsList}"
RESPONSE = "{http://openrosa.org/http/response}"


@pytest.fixture
def odk(demo, client):
    """enumerator1's app password, as ODK Collect would send it with Basic authentication."""
    from server.auth.service import get_user
    from server.openrosa.credentials import issue_app_password
    from server.transaction import unit_of_work

    with unit_of_work():
        _, secret = issue_app_password(get_user("enumerator1"), "ODK Collect")
    basic = base64.b64encode(f"enumerator1:{secret}".encode()).decode()
    return {"secret": secret, "headers": {"Authorization": f"Basic {basic}", "X-OpenRosa-Version": "1.0"}}


def instance_xml(
    values: dict, *, instance_id: str, deprecated: str | None = None, version: str = FORM.version
) -> bytes:
    """A filled instance as ODK Collect sends it: groups as elements, metadata, uuid: ids."""
    groups: dict[str, list[str]] = {}
    for name, value in values.items():
        path = FORM.path_of(name).split("/")
        text = " ".join(value) if isinstance(value, list) else str(value)
        groups.setdefault(path[0] if len(path) > 1 else "", []).append(f"<{name}>{text}</{name}>")
    body = "".join(groups.pop("", []))
    body += "".join(f"<{group}>{''.join(items)}</{group}>" for group, items in groups.items())
    meta = f"<instanceID>uuid:{instance_id}</instanceID>"
    if deprecated:
        meta += f"<deprecatedID>uuid:{deprecated}</deprecatedID>"
    return (
        f'<?xml version="1.0"?><data xmlns:orx="http://openrosa.org/xforms" id="{FORM.form_id}" version="{version}">'
        "<start>2022-09-20T08:00:00.000+07:00</start><end>2022-09-20T08:14:00.000+07:00</end>"
        f"<deviceid>collect:abc123</deviceid>{body}<meta>{meta}</meta></data>"
    ).encode()


def submit(client, headers, xml: bytes):
    return client.post(
        "/openrosa/submission",
        data={"xml_submission_file": (io.BytesIO(xml), "submission.xml", "text/xml")},
        headers=headers,
        content_type="multipart/form-data",
    )


def message_of(response) -> str:
    return ET.fromstring(response.data).find(f"{RESPONSE}message").text


def test_the_form_list_should_offer_the_published_version_with_the_md5_of_its_xform(client, odk):
    listed = client.get("/openrosa/formList", headers=odk["headers"])
    assert listed.status_code == 200 and listed.headers["X-OpenRosa-Version"] == "1.0"
    assert listed.mimetype == "text/xml"
    forms = ET.fromstring(listed.data).findall(f"{FORMLIST}xform")
    assert [f.find(f"{FORMLIST}formID").text for f in forms] == ["satisfaction"]
    form = forms[0]
    assert form.find(f"{FORMLIST}version").text == FORM.version
    url = form.find(f"{FORMLIST}downloadUrl").text
    xform = client.get(url.replace("http://localhost", ""), headers=odk["headers"])
    assert xform.status_code == 200
    assert form.find(f"{FORMLIST}hash").text == "md5:" + hashlib.md5(xform.data).hexdigest()
    document = xform.data.decode()
    assert 'id="satisfaction"' in document and f'version="{FORM.version}"' in document
    assert "<start/>" in document and "<end/>" in document and "<deviceid/>" in document
    # the agency is a pick from enumerator1's assignments (the 16 surveyed departments), named in Vietnamese
    agencies = re.search(r'<instance id="agency_code">(.*?)</instance>', document).group(1)
    assert len(re.findall(r"<name>([A-Z]+)</name>", agencies)) == 16 and "<name>PHULY</name>" not in agencies
    assert "Sở Nội vụ" in document
    assert 'lang="Tiếng Việt (vi)"' in document and 'lang="English (en)"' in document
    assert re.search(
        r'nodeset="/data/factor_5/c5_1"[^>]*relevant="\s*/data/factor_5/gave_feedback\s*= \'yes\'"', document
    )


def test_a_submission_should_be_stored_once_as_a_ballot_and_a_resend_should_succeed(client, odk, supervisor):
    instance_id = str(uuid.uuid4())
    head = client.open("/openrosa/submission", method="HEAD", headers=odk["headers"])
    assert head.status_code == 204 and int(head.headers["X-OpenRosa-Accept-Content-Length"]) > 1_000_000
    xml = instance_xml(answers("SNV"), instance_id=instance_id)
    first = submit(client, odk["headers"], xml)
    assert first.status_code == 201, first.data
    assert message_of(first) == "Đã nhận phiếu."
    again = submit(client, odk["headers"], xml)
    assert again.status_code == 201 and "không lưu thêm" in message_of(again)
    ballot = client.get(f"/api/v1/ballots/{instance_id}", headers=supervisor).get_json()
    assert ballot["agency_code"] == "SNV" and ballot["device_id"] == "collect:abc123"
    assert ballot["answers"]["c1_1"] == answers("SNV")["c1_1"] and isinstance(ballot["answers"]["c1_1"], int)
    assert ballot["duration_seconds"] == 14 * 60 and ballot["status"] == "valid"
    assert client.get("/api/v1/ballots?limit=5", headers=supervisor).get_json()["total"] == 1


def test_a_new_submission_should_take_five_statements(app, client, odk, db):
    """Every submission is checked against the sign-in limits, its version and the enumerator's assignments,
    and stored with its audit entry: one statement each, the limits' five windows read at once. (Sealing
    the audit chain, a few statements every AUDIT_SEAL_SECONDS per worker, is left out here.)"""
    from sqlalchemy import event

    def statements_of(xml: bytes) -> tuple[int, list[str]]:
        seen: list[str] = []
        listener = lambda *args: seen.append(" ".join(args[2].split()))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            status = submit(client, odk["headers"], xml).status_code
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return status, [s for s in seen if not s.startswith("BEGIN")]

    saved = app.config["AUDIT_SEAL_SECONDS"]
    app.config["AUDIT_SEAL_SECONDS"] = 10**9
    try:
        assert statements_of(instance_xml(answers("SNV"), instance_id=str(uuid.uuid4())))[0] == 201  # warm
        status, statements = statements_of(instance_xml(answers("STC"), instance_id=str(uuid.uuid4())))
    finally:
        app.config["AUDIT_SEAL_SECONDS"] = saved
    assert status == 201
    touched = [(s.split()[0], re.search(r'(?:FROM|INTO) "?(\w+)', s).group(1)) for s in statements]
    assert touched == [
        ("SELECT", "sign_in_counters"),
        ("SELECT", "form_versions"),
        ("SELECT", "agencies"),
        ("INSERT", "ballots"),
        ("INSERT", "audit_log"),
    ], statements


def test_an_odk_edit_should_be_kept_aside_as_a_conflict_of_the_same_ballot(client, odk, supervisor):
    original = str(uuid.uuid4())
    values = answers("SNV")
    assert submit(client, odk["headers"], instance_xml(values, instance_id=original)).status_code == 201
    edit = str(uuid.uuid4())
    changed = {**values, "comment": "Sửa lại sau khi gửi"}
    kept = submit(client, odk["headers"], instance_xml(changed, instance_id=edit, deprecated=original))
    assert kept.status_code == 202 and "giám sát viên" in message_of(kept)
    second_edit = submit(
        client,
        odk["headers"],
        instance_xml({**changed, "comment": "Lần hai"}, instance_id=str(uuid.uuid4()), deprecated=edit),
    )
    assert second_edit.status_code == 202, "an edit of an edit leads to the same ballot"
    conflicts = client.get("/api/v1/conflicts", headers=supervisor).get_json()
    assert {c["instance_id"] for c in conflicts} == {original} and len(conflicts) == 2
    assert (
        client.get(f"/api/v1/ballots/{original}", headers=supervisor).get_json()["answers"]["comment"]
        == values["comment"]
    )


def test_bad_submissions_should_be_refused_with_a_message_the_enumerator_can_read(client, odk):
    wrong = {**answers("SNV"), "c1_1": 9}
    refused = submit(client, odk["headers"], instance_xml(wrong, instance_id=str(uuid.uuid4())))
    assert refused.status_code == 422 and message_of(refused).startswith("Câu trả lời chưa hợp lệ:")
    assert "c1_1" in message_of(refused)
    not_mine = submit(client, odk["headers"], instance_xml(answers("PHULY"), instance_id=str(uuid.uuid4())))
    assert not_mine.status_code == 403 and "chưa được phân công" in message_of(not_mine)
    unknown = submit(client, odk["headers"], instance_xml(answers("SNV"), instance_id=str(uuid.uuid4()), version="9"))
    assert unknown.status_code == 404
    garbage = submit(client, odk["headers"], b"<data><not closed>")
    assert garbage.status_code == 422 and message_of(garbage) == "Không đọc được phiếu gửi lên."
    missing = client.post("/openrosa/submission", data={}, headers=odk["headers"], content_type="multipart/form-data")
    assert missing.status_code == 400
    english = submit(
        client,
        {**odk["headers"], "Accept-Language": "en-GB,en;q=0.8"},
        instance_xml(wrong, instance_id=str(uuid.uuid4())),
    )
    assert message_of(english).startswith("The answers are not valid:")


def test_xml_entities_cannot_reach_files_or_expand(client, odk):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c SYSTEM "file:///etc/passwd">]><data id="satisfaction" version="x">&b;&c;</data>'
    )
    refused = submit(client, odk["headers"], bomb)
    assert refused.status_code == 422


def test_without_valid_credentials_the_client_is_challenged_for_digest_and_basic(client, odk, enumerator):
    anonymous = client.get("/openrosa/formList")
    assert anonymous.status_code == 401
    challenges = anonymous.headers.getlist("WWW-Authenticate")
    assert challenges[0].startswith('Digest realm="parsurvey", qop="auth"') and challenges[1].startswith("Basic")
    wrong = base64.b64encode(b"enumerator1:pst_not-the-password").decode()
    assert client.get("/openrosa/formList", headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    other_user = base64.b64encode(f"enumerator2:{odk['secret']}".encode()).decode()
    assert client.get("/openrosa/formList", headers={"Authorization": f"Basic {other_user}"}).status_code == 401
    over_http = client.get("/openrosa/formList", headers=odk["headers"], environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert over_http.status_code == 401, "Basic sends the password itself: only over https (or from loopback)"
    secure = client.get(
        "/openrosa/formList",
        headers=odk["headers"],
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
        base_url="https://localhost",
    )
    assert secure.status_code == 200


def test_only_enumerators_use_openrosa_and_app_passwords_are_issued_by_admins_or_to_oneself(
    client, demo, admin, enumerator
):
    issued = client.post("/api/v1/users/supervisor/app-passwords", json={"label": "test"}, headers=admin)
    assert issued.status_code == 201
    body = issued.get_json()
    assert body["username"] == "supervisor" and body["server_url"].endswith("/openrosa")
    basic = base64.b64encode(f"supervisor:{body['password']}".encode()).decode()
    forbidden = client.get("/openrosa/formList", headers={"Authorization": f"Basic {basic}"})
    assert forbidden.status_code == 403 and forbidden.headers["X-OpenRosa-Version"] == "1.0"
    assert client.post("/api/v1/users/supervisor/app-passwords", json={}, headers=enumerator).status_code == 403
    own = client.post("/api/v1/users/test_enumerator/app-passwords", json={}, headers=enumerator)
    assert own.status_code == 201


def test_a_revoked_app_password_stops_working(client, odk):
    from server.auth.service import get_user, revoke_tokens_by_prefix
    from server.transaction import unit_of_work

    assert client.get("/openrosa/formList", headers=odk["headers"]).status_code == 200
    with unit_of_work():
        revoke_tokens_by_prefix(get_user("enumerator1").username, odk["secret"][:10])
    assert client.get("/openrosa/formList", headers=odk["headers"]).status_code == 401


def digest_header(client, secret: str, uri: str = "/openrosa/formList", username: str = "enumerator1") -> str:
    """An RFC 7616 MD5 ``qop=auth`` answer to the server's challenge, as ODK Collect computes it."""
    challenge = client.get(uri).headers.getlist("WWW-Authenticate")[0]
    nonce = re.search(r'nonce="([^"]+)"', challenge).group(1)

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1, ha2, cnonce = md5(f"{username}:parsurvey:{secret}"), md5(f"GET:{uri}"), uuid.uuid4().hex
    response = md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{username}", realm="parsurvey", nonce="{nonce}", uri="{uri}", qop=auth, '
        f'nc=00000001, cnonce="{cnonce}", response="{response}", algorithm=MD5'
    )


def test_digest_credentials_are_remembered_by_the_worker_and_forgotten_when_revoked(client, odk, db):
    from sqlalchemy import event

    from server.auth.service import get_user, revoke_tokens_by_prefix
    from server.transaction import unit_of_work

    assert (
        client.get("/openrosa/formList", headers={"Authorization": digest_header(client, odk["secret"])}).status_code
        == 200
    )
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        again = client.get("/openrosa/formList", headers={"Authorization": digest_header(client, odk["secret"])})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert again.status_code == 200
    assert not any("openrosa_digest_credentials" in s for s in statements), "the second request reads no credential"
    with unit_of_work():
        revoke_tokens_by_prefix(get_user("enumerator1").username, odk["secret"][:10])
    revoked = client.get("/openrosa/formList", headers={"Authorization": digest_header(client, odk["secret"])})
    assert revoked.status_code == 401, "the worker that revoked it forgets it at once"
