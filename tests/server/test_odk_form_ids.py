"""Form ids and versions as pyxform writes them and ODK Central takes them (``Spec test``, a version typed as a
spreadsheet date): imported from an XLSForm, read and published at their URLs, listed and downloaded by ODK
Collect, and answered through OpenRosa."""

from __future__ import annotations

import datetime
import io
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import quote

from tests.sample_ballots import FORM, answers
from tests.server.test_openrosa import FORMLIST, instance_xml, odk, submit  # noqa: F401 (odk: a fixture)
from tests.survey_forms.test_xlsform import workbook_bytes

FORM_ID, VERSION = "Spec test", "2022-04-11 16:26:28.971000"


def test_an_xlsform_with_a_spaced_id_and_a_date_version_should_import_and_publish_at_its_url(client, admin):
    settings = [
        ["form_id", "version", "form_title"],
        [FORM_ID, datetime.datetime(2022, 4, 11, 16, 26, 28, 971000), "Thử"],
    ]
    response = client.post(
        "/api/v1/forms",
        data={"file": (io.BytesIO(workbook_bytes(settings=settings)), "spec.xlsx")},
        headers=admin,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["form_id"], response.get_json()["version"]) == (FORM_ID, VERSION)
    url = f"/api/v1/forms/{quote(FORM_ID)}/versions/{quote(VERSION)}"
    read = client.get(url, headers=admin)
    assert read.status_code == 200 and read.get_json()["form_id"] == FORM_ID
    published = client.post(f"{url}/publish", json={"for_testing": True}, headers=admin)
    assert published.status_code == 200 and published.get_json()["state"] == "published"


def test_odk_collect_should_list_download_and_answer_a_form_whose_id_has_a_space(client, odk, supervisor):  # noqa: F811
    from server.forms.service import publish, save_draft
    from server.transaction import unit_of_work
    from survey_forms import Form

    with unit_of_work():
        save_draft(Form.from_dict(FORM.to_dict() | {"form_id": FORM_ID, "version": VERSION}), "2022")
        publish(FORM_ID, VERSION, "2022")
    listed = client.get("/openrosa/formList", headers=odk["headers"])
    forms = {f.find(f"{FORMLIST}formID").text: f for f in ET.fromstring(listed.data).findall(f"{FORMLIST}xform")}
    assert forms[FORM_ID].find(f"{FORMLIST}version").text == VERSION
    url = forms[FORM_ID].find(f"{FORMLIST}downloadUrl").text
    assert quote(FORM_ID) in url
    xform = client.get(url.replace("http://localhost", ""), headers=odk["headers"])
    assert xform.status_code == 200
    assert f'id="{FORM_ID}"' in xform.data.decode() and f'version="{VERSION}"' in xform.data.decode()

    instance_id = str(uuid.uuid4())
    xml = instance_xml(answers("SNV"), instance_id=instance_id, version=VERSION)
    xml = xml.replace(f'id="{FORM.form_id}"'.encode(), f'id="{FORM_ID}"'.encode())
    stored = submit(client, odk["headers"], xml)
    assert stored.status_code == 201, stored.data
    ballot = client.get(f"/api/v1/ballots/{instance_id}", headers=supervisor).get_json()
    assert ballot["form_version"] == VERSION and ballot["status"] == "valid"


def test_a_file_named_after_a_vietnamese_form_id_should_download_with_its_name_intact(client, demo, supervisor):
    """The paper-ballot template is named after its form id and version, which may now be any text: a name
    outside ASCII goes in ``filename*`` (RFC 6266), beside an ASCII fallback."""
    from server.forms.service import publish, save_draft
    from server.transaction import unit_of_work
    from survey_forms import Form

    form_id = "Phiếu hài lòng"
    with unit_of_work():
        save_draft(Form.from_dict(FORM.to_dict() | {"form_id": form_id, "version": VERSION}), "2022")
        publish(form_id, VERSION, "2022")
    query = {"form_id": form_id, "version": VERSION}
    response = client.get("/api/v1/rounds/2022/paper-ballots/template.csv", query_string=query, headers=supervisor)
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert 'filename="phieu-giay-Phieu hai long-2022-04-11 16:26:28.971000.csv"' in disposition
    assert f"filename*=UTF-8''{quote(f'phieu-giay-{form_id}-{VERSION}.csv')}" in disposition
