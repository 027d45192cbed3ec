"""An image question in the web app, in a real browser: the phone's camera (a file input with capture),
the picture kept with the draft, the ballot saved and synced, then its file sent and stored byte for byte;
the supervisor's ballot page links to it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select

from server.ballots.models import Ballot, BallotAttachment
from tests.live.test_openrosa_media import MEDIA_FORM, png
from tests.web.test_enumerator_app import save_ballot
from tests.web.test_every_question_type import publish
from tests.web.test_oversight_screens import sign_in_supervisor


def test_an_image_answer_is_captured_saved_synced_and_linked_for_the_supervisor(live_server, db, browser):
    from playwright.sync_api import expect

    publish(live_server.url, MEDIA_FORM)
    photo = png(width=4, height=3, seed=9)
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto(live_server.url + "/app/")
    page.fill("#username", "enumerator1")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.click(".new-ballot[data-form='photo_check@1']")
    page.wait_for_selector("#ballot")
    page.select_option("#agency", "SNV")
    field = page.locator("#q-receipt-input")
    assert field.get_attribute("type") == "file"
    assert field.get_attribute("accept") == "image/*" and field.get_attribute("capture") == "environment"
    assert page.locator("#q-voice-input").get_attribute("accept") == "audio/*"

    page.click("#save")
    expect(page.locator("#q-receipt-error")).to_be_visible()  # the picture is required
    page.fill("#q-remark-input", "Biên nhận số 12")
    field.set_input_files([{"name": "IMG_0001.PNG", "mimeType": "image/png", "buffer": photo}])
    expect(page.locator("#q-receipt-file")).to_contain_text("Đã chọn tệp receipt-")
    chosen = page.locator("#q-receipt-file").inner_text()
    assert chosen.endswith(".png (1 KB)."), chosen
    file_name = chosen.removeprefix("Đã chọn tệp ").removesuffix(" (1 KB).")
    save_ballot(page)
    expect(page.locator("#count-pending")).to_have_text("1")
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("1")

    db.session.rollback()
    ballot = db.session.scalars(select(Ballot)).one()
    assert ballot.answers == {"remark": "Biên nhận số 12", "receipt": file_name}
    stored = db.session.scalars(select(BallotAttachment)).one()
    assert (stored.question, stored.file_name, stored.content_type) == ("receipt", file_name, "image/png")
    assert bytes(stored.content) == photo and stored.sha256 == hashlib.sha256(photo).hexdigest()
    db.session.rollback()
    page.close()

    # The supervisor reads the ballot with a download link to the picture (behind the same sign-in).
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in_supervisor(page, live_server.url)
    page.click("#tab-ballots")
    page.locator("#ballots .open-ballot").click()
    link = page.locator("#answers tr[data-question=receipt] a.attachment")
    expect(link).to_have_text(f"{file_name} (1 KB)")
    expect(page.locator("#answers tr[data-question=voice]")).to_have_count(0)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == file_name
    assert Path(download.value.path()).read_bytes() == photo
    page.close()


#: Audio, video and any file, each answered in the browser (the image has its own test above).
OTHER_MEDIA_FORM = {
    "form_id": "media_kinds",
    "version": "1",
    "title": {"vi": "Phiếu có ghi âm, video và tệp", "en": "Audio, video and a file"},
    "children": [
        {"type": "audio", "name": "voice", "required": True, "label": {"vi": "Ghi âm", "en": "Recording"}},
        {"type": "video", "name": "clip", "required": True, "label": {"vi": "Video", "en": "Video"}},
        {"type": "file", "name": "scan", "required": True, "label": {"vi": "Tệp quét", "en": "Scanned file"}},
    ],
}


def test_audio_video_and_file_answers_are_captured_synced_and_stored_byte_for_byte(live_server, db, browser):
    from playwright.sync_api import expect

    publish(live_server.url, OTHER_MEDIA_FORM)
    files = {
        "voice": ("ghi-am.m4a", "audio/mp4", b"\x00\x00\x00\x18ftypM4A " + bytes(range(64))),
        "clip": ("clip.mp4", "video/mp4", b"\x00\x00\x00\x18ftypisom" + bytes(range(96))),
        "scan": ("bien-nhan.pdf", "application/pdf", b"%PDF-1.4\n% parsurvey\n" + bytes(range(32))),
    }
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto(live_server.url + "/app/")
    page.fill("#username", "enumerator1")
    page.fill("#password", "demo-password")
    page.click("#sign-in button[type=submit]")
    page.click(".new-ballot[data-form='media_kinds@1']")
    page.wait_for_selector("#ballot")
    page.select_option("#agency", "SNV")
    assert page.locator("#q-voice-input").get_attribute("accept") == "audio/*"
    assert page.locator("#q-clip-input").get_attribute("accept") == "video/*"
    for question, (name, mime, content) in files.items():
        page.locator(f"#q-{question}-input").set_input_files([{"name": name, "mimeType": mime, "buffer": content}])
        expect(page.locator(f"#q-{question}-file")).to_contain_text(f"{question}-")
    save_ballot(page)
    page.click("#sync")
    expect(page.locator("#count-sent")).to_have_text("1")

    db.session.rollback()
    ballot = db.session.scalars(select(Ballot)).one()
    stored = {a.question: a for a in db.session.scalars(select(BallotAttachment))}
    assert set(stored) == set(files)
    for question, (_, mime, content) in files.items():
        assert ballot.answers[question] == stored[question].file_name
        assert stored[question].content_type == mime and bytes(stored[question].content) == content
    db.session.rollback()
    page.close()
