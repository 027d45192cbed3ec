"""Media questions against a real gunicorn server: an ODK client (Python's own Digest handler) sends a form
with an image and an audio question as multipart with its files, resends it, splits a large submission
into two POSTs (``*isIncomplete*``), and has an oversized file refused; the JSON sync client sends a ballot
with its file; supervisors download the files, other enumerators cannot."""

from __future__ import annotations

import hashlib
import json
import struct
import urllib.error
import urllib.request
import uuid
import zlib

import pytest
from sqlalchemy import select

from server.ballots.models import Ballot, BallotAttachment, BallotConflict, ConflictAttachment
from tests.live.test_live_sync import token_for
from tests.live.test_openrosa_live import app_password, opener
from tests.live_server import LiveServer

FILE_LIMIT = 64 * 1024
MEDIA_FORM = {
    "form_id": "photo_check",
    "version": "1",
    "title": {"vi": "Phiếu có ảnh biên nhận", "en": "Receipt photo"},
    "children": [
        {"type": "text", "name": "remark", "label": {"vi": "Ghi chú", "en": "Remark"}},
        {"type": "image", "name": "receipt", "required": True, "label": {"vi": "Ảnh biên nhận", "en": "Receipt"}},
        {"type": "audio", "name": "voice", "label": {"vi": "Ghi âm ý kiến", "en": "Spoken comment"}},
    ],
}


def png(width: int = 2, height: int = 2, seed: int = 0) -> bytes:
    """A real PNG image (RGB, ``width`` x ``height``), its pixels varied by ``seed``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + bytes((x * 40 + seed) % 256 for x in range(width * 3)) for _ in range(height)
    )  # filter 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def publish(url: str, definition: dict) -> None:
    admin = token_for(url, "admin")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {admin}"}
    request = urllib.request.Request(url + "/api/v1/forms?round=2022", json.dumps(definition).encode(), headers)
    assert urllib.request.urlopen(request).status == 201
    path = f"/api/v1/forms/{definition['form_id']}/versions/{definition['version']}/publish"
    request = urllib.request.Request(url + path, json.dumps({"round": "2022"}).encode(), headers)
    assert urllib.request.urlopen(request).status == 200


def instance(
    instance_id: str, receipt: str, voice: str | None = None, remark: str = "Biên nhận số 12", deprecated: str = ""
) -> bytes:
    voice_element = f"<voice>{voice}</voice>" if voice else "<voice/>"
    edit = f"<deprecatedID>uuid:{deprecated}</deprecatedID>" if deprecated else ""
    return (
        '<?xml version="1.0"?><data id="photo_check" version="1">'
        "<start>2022-09-20T08:00:00.000+07:00</start><end>2022-09-20T08:14:00.000+07:00</end>"
        "<deviceid>collect:abc123</deviceid><parsurvey_agency>SNV</parsurvey_agency>"
        f"<remark>{remark}</remark><receipt>{receipt}</receipt>{voice_element}"
        f"<meta><instanceID>uuid:{instance_id}</instanceID>{edit}</meta></data>"
    ).encode()


def multipart(xml: bytes, files: dict[str, tuple[str, bytes]], incomplete: bool = False) -> tuple[bytes, str]:
    """The body ODK Collect posts: the instance, then each file under its own name, and the split flag."""
    boundary = uuid.uuid4().hex
    parts = [("xml_submission_file", "submission.xml", "text/xml", xml)]
    parts += [(name, name, kind, content) for name, (kind, content) in files.items()]
    body = b""
    for field, filename, kind, content in parts:
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                f"Content-Type: {kind}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    if incomplete:
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="*isIncomplete*"\r\n\r\nyes\r\n'.encode()
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def send(client, url: str, xml: bytes, files: dict, incomplete: bool = False) -> tuple[int, str]:
    body, content_type = multipart(xml, files, incomplete)
    request = urllib.request.Request(url + "/openrosa/submission", body, {"Content-Type": content_type})
    try:
        response = client.open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    return response.status, response.read().decode()


def api(url: str, token: str, path: str, *, method: str = "GET", data: bytes | None = None, headers=None):
    request = urllib.request.Request(
        url + path, data, {"Authorization": f"Bearer {token}", **(headers or {})}, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


@pytest.fixture
def media_server(database_url, demo, tmp_path):
    """A live server whose per-file limit is 64 KiB, so an oversized file is cheap to send."""
    server = LiveServer(database_url, tmp_path)
    server.env["PARSURVEY_ATTACHMENT_MAX_BYTES"] = str(FILE_LIMIT)
    server.start()
    publish(server.url, MEDIA_FORM)
    yield server
    server.stop()


def stored_files(db, instance_id: str) -> dict[str, tuple[str, int, str, bytes]]:
    db.session.rollback()
    rows = db.session.execute(
        select(
            BallotAttachment.file_name,
            BallotAttachment.question,
            BallotAttachment.size,
            BallotAttachment.sha256,
            BallotAttachment.content,
        )
        .join(Ballot, Ballot.id == BallotAttachment.ballot_id)
        .where(Ballot.instance_id == instance_id)
    ).all()
    db.session.rollback()
    return {name: (question, size, sha, bytes(content)) for name, question, size, sha, content in rows}


def test_an_odk_client_sends_a_photo_resends_it_splits_a_submission_and_is_refused_an_oversized_file(media_server, db):
    url = media_server.url
    client = opener(url, app_password(url), urllib.request.HTTPDigestAuthHandler)
    listed = client.open(url + "/openrosa/formList", timeout=30).read().decode()
    assert "<formID>photo_check</formID>" in listed and "<manifestUrl>" in listed
    manifest = listed.split("<manifestUrl>")[1].split("</manifestUrl>")[0]
    assert manifest.endswith("/openrosa/forms/photo_check/1/manifest")
    assert (
        client.open(manifest, timeout=30)
        .read()
        .decode()
        .endswith('<manifest xmlns="http://openrosa.org/xforms/xformsManifest"></manifest>')
    )

    # One POST with the photo; a resend stores nothing twice.
    first, photo = str(uuid.uuid4()), png(seed=1)
    xml = instance(first, "1700000000001.png")
    status, body = send(client, url, xml, {"1700000000001.png": ("image/png", photo)})
    assert status == 201 and "Đã nhận phiếu" in body
    expected = {"1700000000001.png": ("receipt", len(photo), hashlib.sha256(photo).hexdigest(), photo)}
    assert stored_files(db, first) == expected
    status, body = send(client, url, xml, {"1700000000001.png": ("image/png", photo)})
    assert status == 201 and "không lưu thêm" in body
    assert stored_files(db, first) == expected
    status, body = send(client, url, xml, {"1700000000001.png": ("image/png", png(seed=2))})
    assert status == 409 and "nội dung khác" in body, "other bytes under a stored file name are refused"
    assert stored_files(db, first) == expected

    # A submission split in two POSTs, as ODK Collect does when its files exceed the server's request size.
    split, photo2, voice = str(uuid.uuid4()), png(seed=3), b"\x00\x00\x00\x18ftypM4A " + bytes(range(256)) * 8
    xml = instance(split, "1700000000002.png", "1700000000003.m4a")
    assert send(client, url, xml, {"1700000000002.png": ("image/png", photo2)}, incomplete=True)[0] == 201
    supervisor = token_for(url, "supervisor")
    status, raw, _ = api(url, supervisor, f"/api/v1/ballots/{split}")
    view = json.loads(raw)
    assert [f["file_name"] for f in view["attachments"]] == ["1700000000002.png"]
    assert view["attachments_missing"] == ["1700000000003.m4a"], "the second part is awaited"
    assert send(client, url, xml, {"1700000000003.m4a": ("audio/mp4", voice)})[0] == 201
    view = json.loads(api(url, supervisor, f"/api/v1/ballots/{split}")[1])
    assert view["attachments_missing"] == []
    assert {(f["question"], f["file_name"], f["content_type"], f["size"]) for f in view["attachments"]} == {
        ("receipt", "1700000000002.png", "image/png", len(photo2)),
        ("voice", "1700000000003.m4a", "audio/mp4", len(voice)),
    }

    # Supervisors download a file; the enumerator of another ballot may not.
    status, content, headers = api(url, supervisor, f"/api/v1/ballots/{split}/attachments/1700000000003.m4a")
    assert status == 200 and content == voice and headers["Content-Type"] == "audio/mp4"
    assert headers["Content-Disposition"] == 'attachment; filename="1700000000003.m4a"'
    other = token_for(url, "enumerator2")
    assert api(url, other, f"/api/v1/ballots/{split}/attachments/1700000000003.m4a")[0] == 403

    # An oversized file: refused with the OpenRosa message, and nothing of the submission stored.
    too_big, large = str(uuid.uuid4()), png(seed=4) + bytes(FILE_LIMIT)
    status, body = send(
        client, url, instance(too_big, "1700000000004.png"), {"1700000000004.png": ("image/png", large)}
    )
    assert status == 413 and "<OpenRosaResponse" in body and "vượt quá dung lượng" in body
    db.session.rollback()
    assert db.session.scalar(select(Ballot.id).where(Ballot.instance_id == too_big)) is None
    db.session.rollback()


def conflict_files(db, instance_id: str) -> dict[str, dict[str, tuple[str, int, bytes]]]:
    """content hash of each conflict of the instance -> its files (question, size, bytes) by name."""
    db.session.rollback()
    rows = db.session.execute(
        select(
            BallotConflict.content_hash,
            ConflictAttachment.file_name,
            ConflictAttachment.question,
            ConflictAttachment.size,
            ConflictAttachment.content,
        )
        .join(ConflictAttachment, ConflictAttachment.conflict_id == BallotConflict.id)
        .where(BallotConflict.instance_id == instance_id)
    ).all()
    db.session.rollback()
    found: dict[str, dict] = {}
    for content_hash, name, question, size, content in rows:
        found.setdefault(content_hash, {})[name] = (question, size, bytes(content))
    return found


def test_the_files_of_a_conflicting_submission_or_an_edit_are_kept_with_its_conflict(media_server, db):
    url = media_server.url
    client = opener(url, app_password(url), urllib.request.HTTPDigestAuthHandler)
    first, photo = str(uuid.uuid4()), png(seed=7)
    status, _ = send(client, url, instance(first, "1700000000021.png"), {"1700000000021.png": ("image/png", photo)})
    assert status == 201
    kept = stored_files(db, first)

    # Other content under the stored id, with its own photo and voice (and a stray file no answer names):
    # 202, the stored ballot and its photo unchanged, the new files kept with the conflict.
    other_photo, voice = png(seed=8), b"\x00\x00\x00\x18ftypM4A " + bytes(range(200))
    other = instance(first, "1700000000022.png", "1700000000023.m4a", remark="Biên nhận số 13")
    files = {
        "1700000000022.png": ("image/png", other_photo),
        "1700000000023.m4a": ("audio/mp4", voice),
        "stray.txt": ("text/plain", b"not an answer"),
    }
    status, body = send(client, url, other, files)
    assert status == 202 and "<OpenRosaResponse" in body and "giữ riêng" in body
    assert stored_files(db, first) == kept
    (only,) = conflict_files(db, first).values()
    assert only == {
        "1700000000022.png": ("receipt", len(other_photo), other_photo),
        "1700000000023.m4a": ("voice", len(voice), voice),
    }
    # the same conflicting submission again (ODK Collect retries): kept once
    assert send(client, url, other, files)[0] == 202
    assert list(conflict_files(db, first).values()) == [only]

    # An ODK edit of the ballot (new instanceID, deprecatedID the first) with a new photo: its own conflict.
    edit_photo = png(seed=9)
    edit = instance(str(uuid.uuid4()), "1700000000024.png", remark="Sửa lại", deprecated=first)
    assert send(client, url, edit, {"1700000000024.png": ("image/png", edit_photo)})[0] == 202
    assert stored_files(db, first) == kept
    assert {name for files in conflict_files(db, first).values() for name in files} == {
        "1700000000022.png",
        "1700000000023.m4a",
        "1700000000024.png",
    }

    # Supervisors see which files came with each conflict.
    supervisor = token_for(url, "supervisor")
    status, raw, _ = api(url, supervisor, "/api/v1/conflicts")
    listed = {c["envelope"]["answers"]["remark"]: c["attachments"] for c in json.loads(raw)}
    assert status == 200
    assert [(f["file_name"], f["question"], f["content_type"], f["size"]) for f in listed["Biên nhận số 13"]] == [
        ("1700000000022.png", "receipt", "image/png", len(other_photo)),
        ("1700000000023.m4a", "voice", "audio/mp4", len(voice)),
    ]
    assert [f["sha256"] for f in listed["Sửa lại"]] == [hashlib.sha256(edit_photo).hexdigest()]


def test_the_json_sync_client_sends_a_ballot_with_its_photo_once(media_server, db, tmp_path):
    from sync.client import HttpTransport, SyncClient
    from sync.outbox import Outbox

    url = media_server.url
    token = token_for(url, "enumerator1")
    outbox = Outbox(tmp_path / "device.sqlite3")
    client = SyncClient(outbox, HttpTransport(url, token))
    client.pull_forms()
    photo = png(width=3, height=3, seed=5)
    instance_id = outbox.capture(
        form_id="photo_check",
        version="1",
        agency="SNV",
        enumerator="enumerator1",
        answers={"remark": "Ảnh chụp tại quầy", "receipt": "receipt-1.png"},
        started_at="2022-09-20T01:00:00+00:00",
        completed_at="2022-09-20T01:12:00+00:00",
        files={"receipt-1.png": ("image/png", photo)},
    )
    report = client.sync(device_id="tablet-7")
    refused = outbox.connection.execute("SELECT result FROM attachments").fetchall()
    assert report.stopped_by is None and report.results == {"accepted": 1} and report.files == {"accepted": 1}, refused
    assert outbox.attachment_counts() == {"pending": 0, "sent": 1, "refused": 0}
    assert stored_files(db, instance_id) == {
        "receipt-1.png": ("receipt", len(photo), hashlib.sha256(photo).hexdigest(), photo)
    }

    # The PUT is idempotent: the same bytes again are a duplicate, other bytes a conflict, a damaged body refused.
    path = f"/api/v1/ballots/{instance_id}/attachments/receipt-1.png"
    sha = {"Content-Type": "image/png", "X-Content-SHA256": hashlib.sha256(photo).hexdigest()}
    status, raw, _ = api(url, token, path, method="PUT", data=photo, headers=sha)
    assert status == 200 and json.loads(raw)["status"] == "duplicate"
    status, raw, _ = api(url, token, path, method="PUT", data=png(seed=6), headers={"Content-Type": "image/png"})
    assert status == 409 and json.loads(raw)["code"] == "payload_conflict"
    status, raw, _ = api(url, token, path, method="PUT", data=photo[:-1], headers=sha)
    assert status == 422 and json.loads(raw)["code"] == "invalid_request"
    unknown = f"/api/v1/ballots/{instance_id}/attachments/other.png"
    status, raw, _ = api(url, token, unknown, method="PUT", data=photo, headers={"Content-Type": "image/png"})
    assert status == 422 and json.loads(raw)["code"] == "unknown_attachment"
    status, raw, _ = api(url, token, path.replace("receipt-1", "x"), method="PUT", data=bytes(FILE_LIMIT + 1))
    assert status == 413 and json.loads(raw)["code"] == "attachment_too_large"
    assert stored_files(db, instance_id)["receipt-1.png"][3] == photo
    outbox.close()
