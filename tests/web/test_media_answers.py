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
