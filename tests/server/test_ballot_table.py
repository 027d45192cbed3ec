"""The ballot table's API: one paging convention, correct totals, filters people can type, sorting.

Runs on SQLite and on PostgreSQL (PARSURVEY_TEST_DATABASE_URL), with ballots written straight into the
database (tests/oversight_seed.py) so a round holds thousands of them.
"""

from __future__ import annotations

import json
import unicodedata

import pytest

from tests.oversight_seed import instance_id, seed_ballots
from tests.sample_ballots import FORM


def sign_in(client, username: str) -> dict:
    response = client.post("/api/v1/auth/tokens", json={"username": username, "password": "demo-password"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def supervisor_headers(client, demo):
    return sign_in(client, "supervisor")


def ballots_page(client, headers, **query) -> tuple[dict, dict]:
    response = client.get("/api/v1/ballots", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json(), json.loads(response.headers["X-Pagination"])


def test_paging_through_2500_ballots_should_return_each_exactly_once_with_the_right_total(client, supervisor_headers):
    seeded = seed_ballots(2500)
    for sort in (None, "-completed_at", "agency"):
        seen: list[str] = []
        page = 1
        while True:
            query = {"page": page, "page_size": 300} | ({"sort": sort} if sort else {})
            body, meta = ballots_page(client, supervisor_headers, **query)  # no filter at all: every ballot
            assert body["total"] == meta["total"] == 2500
            assert meta["total_pages"] == 9
            seen += [b["instance_id"] for b in body["ballots"]]
            if "next_page" not in meta:
                break
            page = meta["next_page"]
        assert len(seen) == 2500 and set(seen) == set(seeded), sort
    empty, meta = ballots_page(client, supervisor_headers, page=10, page_size=300)
    assert empty["ballots"] == [] and meta["total"] == 2500
    far, _ = ballots_page(client, supervisor_headers, page=10**30)  # larger than any database offset
    assert far == {"total": 2500, "ballots": []}


def test_a_page_past_the_limits_should_be_refused_with_a_stable_code(client, supervisor_headers):
    for query in ({"page": 0}, {"page_size": 5000}, {"page": "two"}):
        response = client.get("/api/v1/ballots", query_string=query, headers=supervisor_headers)
        assert response.status_code == 422
        body = response.get_json()
        assert body["code"] == "invalid_request" and isinstance(body["errors"], dict) and body["errors"]
    bad_sort = client.get("/api/v1/ballots?sort=answers", headers=supervisor_headers).get_json()
    assert bad_sort["code"] == "invalid_request" and "sort" in bad_sort["errors"]


@pytest.mark.parametrize(
    "typed",
    [
        "Sở Nội vụ",
        "sở nội vụ",
        "SỞ NỘI VỤ",
        "So Noi vu",
        "so noi vu",
        "noi vu",
        "SNV",
        "snv",
        unicodedata.normalize("NFD", "Sở Nội vụ"),
    ],
)
def test_the_agency_filter_should_find_so_noi_vu_however_it_is_typed(client, supervisor_headers, typed):
    seed_ballots(40)  # SNV, STC, SXD, PHULY in turn: 10 each
    body, meta = ballots_page(client, supervisor_headers, round="2022", agency=typed)
    assert body["total"] == meta["total"] == 10
    assert {b["agency_code"] for b in body["ballots"]} == {"SNV"}
    assert {b["agency_name"] for b in body["ballots"]} == {"Sở Nội vụ"}


def test_an_agency_nobody_has_should_give_an_empty_table_not_an_error(client, supervisor_headers):
    seed_ballots(8)
    body, _ = ballots_page(client, supervisor_headers, agency="Sở Không Có")
    assert body == {"total": 0, "ballots": []}


def test_filters_should_combine_and_sorting_should_order_the_pages(client, supervisor_headers):
    seed_ballots(200)
    by_name, _ = ballots_page(client, supervisor_headers, enumerator="enumerator2", page_size=1000)
    assert by_name["total"] == 100 and {b["enumerator"] for b in by_name["ballots"]} == {"enumerator2"}
    # Days are (n - 1) % 20 of September: the 3rd to the 4th hold n = 3, 4, 23, 24, ... (20 ballots).
    days, _ = ballots_page(client, supervisor_headers, date_from="2022-09-03", date_to="2022-09-04", page_size=1000)
    assert days["total"] == 20
    quick, _ = ballots_page(client, supervisor_headers, max_seconds=310, sort="-duration")
    assert [b["duration_seconds"] for b in quick["ballots"]] == [310.0 - i for i in range(10)]
    assert ballots_page(client, supervisor_headers, min_seconds=450)[0]["total"] == 51
    assert ballots_page(client, supervisor_headers, status="valid,invalid")[0]["total"] == 200
    assert ballots_page(client, supervisor_headers, status="failed")[0]["total"] == 0
    assert ballots_page(client, supervisor_headers, recheck="none")[0]["total"] == 200
    assert ballots_page(client, supervisor_headers, recheck="confirmed")[0]["total"] == 0
    assert ballots_page(client, supervisor_headers, form_version=FORM.version)[0]["total"] == 200
    assert ballots_page(client, supervisor_headers, form_version="1999.1")[0]["total"] == 0
    one, _ = ballots_page(client, supervisor_headers, instance=instance_id(199)[:8])
    assert [b["instance_id"] for b in one["ballots"]] == [instance_id(199)]
    combined, _ = ballots_page(client, supervisor_headers, agency="stc", enumerator="enumerator1", sort="completed_at")
    completed = [b["completed_at"] for b in combined["ballots"]]
    assert combined["total"] == 50 and completed == sorted(completed)


def test_an_enumerator_should_page_through_only_their_own_ballots(client, demo):
    seed_ballots(30)
    body, meta = ballots_page(client, sign_in(client, "enumerator1"), page_size=7)
    assert body["total"] == meta["total"] == 15 and meta["total_pages"] == 3
    assert {b["enumerator"] for b in body["ballots"]} == {"enumerator1"}


def test_every_list_should_page_the_same_way(client, demo):
    admin = sign_in(client, "admin")
    agencies = client.get("/api/v1/agencies", headers=admin)
    everything = agencies.get_json()
    assert json.loads(agencies.headers["X-Pagination"])["total"] == len(everything) == 25
    second = client.get("/api/v1/agencies?page=2&page_size=10", headers=admin)
    assert second.get_json() == everything[10:20]
    assert json.loads(second.headers["X-Pagination"]) == {
        "total": 25,
        "total_pages": 3,
        "first_page": 1,
        "last_page": 3,
        "page": 2,
        "previous_page": 1,
        "next_page": 3,
    }
    for path in (
        "/api/v1/users",
        "/api/v1/rounds",
        "/api/v1/forms",
        "/api/v1/rounds/2022/assignments",
        "/api/v1/rounds/2022/rechecks",
        "/api/v1/rounds/2022/score-runs",
        "/api/v1/conflicts?round=2022",
    ):
        whole = client.get(path, headers=admin)
        assert whole.status_code == 200, path
        assert json.loads(whole.headers["X-Pagination"])["total"] == len(whole.get_json()), path
        joiner = "&" if "?" in path else "?"
        first = client.get(f"{path}{joiner}page_size=1", headers=admin)
        assert first.get_json() == whole.get_json()[:1], path
        assert client.get(f"{path}{joiner}page=0", headers=admin).get_json()["code"] == "invalid_request", path


def test_the_openapi_document_should_show_paging_and_the_real_error_envelope(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    envelope = spec["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["properties"]["code"]["type"] == "string"
    assert {"type": "object"} in envelope["properties"]["errors"]["oneOf"]
    lists = []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        schema = get["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("type") == "array" or path == "/api/v1/ballots":
            lists.append(path)
            names = {p["name"] for p in get.get("parameters", [])}
            assert {"page", "page_size"} <= names, path
            assert "X-Pagination" in get["responses"]["200"]["headers"], path
    assert len(lists) >= 10
