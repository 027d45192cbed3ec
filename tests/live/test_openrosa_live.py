"""An OpenRosa client against a real gunicorn server: Python's own HTTP Digest and Basic handlers (an
implementation of RFC 7616 that is not ours) list the forms, download the XForm, HEAD and POST
submissions, resend one and send a conflicting edit."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET

from tests.live.test_live_sync import token_for
from tests.sample_ballots import answers
from tests.server.test_openrosa import FORMLIST, instance_xml


def app_password(url: str) -> str:
    admin = token_for(url, "admin")
    request = urllib.request.Request(
        url + "/api/v1/users/enumerator1/app-passwords",
        json.dumps({"label": "ODK Collect"}).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {admin}"},
    )
    return json.loads(urllib.request.urlopen(request).read())["password"]


def opener(url: str, password: str, handler_class, answers_once: bool = False) -> urllib.request.OpenerDirector:
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url + "/openrosa", "enumerator1", password)
    handler = handler_class(passwords)
    if answers_once:
        # urllib answers a refused Digest challenge again up to five times, and each wrong answer is a failed
        # sign-in (past the limit: 429). ODK Collect asks the enumerator after one: so does this client.
        handler.retried = 5
    return urllib.request.build_opener(handler)


def multipart(xml: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; filename="s.xml"\r\n'
            "Content-Type: text/xml\r\n\r\n"
        ).encode()
        + xml
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def send(client, url: str, xml: bytes) -> tuple[int, str]:
    body, content_type = multipart(xml)
    request = urllib.request.Request(url + "/openrosa/submission", body, {"Content-Type": content_type})
    try:
        response = client.open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    return response.status, response.read().decode()


def test_an_odk_client_with_digest_lists_downloads_and_submits_through_a_live_server(live_server, db):
    url = live_server.url
    password = app_password(url)
    client = opener(url, password, urllib.request.HTTPDigestAuthHandler)

    listed = client.open(url + "/openrosa/formList", timeout=30)
    assert listed.headers["X-OpenRosa-Version"] == "1.0"
    xform = ET.fromstring(listed.read()).find(f"{FORMLIST}xform")
    download = xform.find(f"{FORMLIST}downloadUrl").text
    assert download.startswith(url + "/openrosa/forms/satisfaction/")
    assert b"<h:html" in client.open(download, timeout=30).read()

    head = client.open(urllib.request.Request(url + "/openrosa/submission", method="HEAD"), timeout=30)
    assert head.status == 204

    instance_id = str(uuid.uuid4())
    xml = instance_xml(answers("SNV"), instance_id=instance_id)
    assert send(client, url, xml)[0] == 201
    assert send(client, url, xml)[0] == 201, "a resend is a success and stores nothing"
    edited = instance_xml({**answers("SNV"), "comment": "Sửa"}, instance_id=str(uuid.uuid4()), deprecated=instance_id)
    status, body = send(client, url, edited)
    assert status == 202 and "giám sát viên" in body

    supervisor = token_for(url, "supervisor")
    request = urllib.request.Request(url + "/api/v1/conflicts", headers={"Authorization": f"Bearer {supervisor}"})
    assert [c["instance_id"] for c in json.loads(urllib.request.urlopen(request).read())] == [instance_id]
    request = urllib.request.Request(url + "/api/v1/ballots?limit=5", headers={"Authorization": f"Bearer {supervisor}"})
    assert json.loads(urllib.request.urlopen(request).read())["total"] == 1

    basic = opener(url, password, urllib.request.HTTPBasicAuthHandler)  # loopback: Basic is allowed
    assert send(basic, url, instance_xml(answers("STC"), instance_id=str(uuid.uuid4())))[0] == 201
    wrong = opener(url, password + "x", urllib.request.HTTPDigestAuthHandler, answers_once=True)
    try:
        wrong.open(url + "/openrosa/formList", timeout=30)
        raise AssertionError("a wrong app password was accepted")
    except urllib.error.HTTPError as exc:
        assert exc.code == 401
