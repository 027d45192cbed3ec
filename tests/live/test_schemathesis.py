"""A bounded schemathesis run against the live app (gunicorn over the demo province), signed in as an admin
and as an enumerator: every operation of the OpenAPI document, its examples, boundary values and random
data. It must find no server error and no response that the document does not describe (status code,
content type, headers, body).

Signed in for real: the operations that can end the run's own session (signing out, revoking a token by
id, deactivating or changing a user, which may be the run's own) are fuzzed last, each in its own run with
a fresh token, so that no generated id or username signs the rest of the run out. Every run fails if an
operation answered only ``401``: it would have tested the sign-in, not the operation (an enumerator's
``403`` is an answer: the operation is an admin's). The main run's token must still be good at its end.

``allow_header_conformance`` is in: a path parameter beside a fixed word (``/agencies/<code>`` beside
``/agencies/import``) is an ``other_than`` converter (server/bounds.py), so an URL's ``Allow`` lists only
the methods the document gives it.

Every check runs. ``negative_data_rejection``: what the document calls invalid gets a 4xx (413 and 414 count
as refusals, a body or a request line too large; a sync batch is answered per item, so an item that is no
ballot is refused in its 200, the one exception in ``schemathesis.toml``). For it the server is strict:
bodies refuse unknown fields, booleans and integers must be JSON's own, a body may be left out only where
the document says so, and a query parameter given twice is refused.

``positive_data_acceptance``: what the document calls valid is not refused as invalid. The rules JSON Schema
cannot say (a field naming a row that may not exist, a rule between two fields, a form definition's or
an uploaded file's contents) are the per-operation exceptions of ``schemathesis.toml`` beside this module,
each with its rule: there ``positive_data_acceptance`` also expects 422. Generated text holds no NUL, which
no stored text can hold (every body with one is 422)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

from tests.live.test_live_sync import token_for
from tests.live_server import LiveServer

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
#: Seconds of generated requests per signed-in role (the run stops itself then).
SECONDS = int(os.environ.get("PARSURVEY_SCHEMATHESIS_SECONDS", "75"))
#: Seconds for each operation that can end the session, fuzzed on its own after the main run.
ENDING_SECONDS = max(5, SECONDS // 8)
#: Per-operation expected statuses of positive_data_acceptance (rules JSON Schema cannot say), NUL left out.
CONFIG = Path(__file__).with_name("schemathesis.toml")
#: Operations that can sign the run's own token out: its own sign-out, a token revoked by a generated id,
#: a generated username that is the run's own user (deactivated, or demoted once another admin exists).
SESSION_ENDING = (
    "DELETE /api/v1/auth/tokens/current",
    "DELETE /api/v1/auth/session",
    "POST /api/v1/tokens/{token_id}/revoke",
    "POST /api/v1/users/{username}/deactivate",
    "PATCH /api/v1/users/{username}",
)


@pytest.fixture
def live_server(database_url, demo, tmp_path):
    server = LiveServer(database_url, tmp_path)
    server.start(wait_seconds=120)  # the demo province's app on a busy CI machine
    yield server
    server.stop()


def operations(url: str) -> dict[str, dict]:
    """Every operation of the document by its schemathesis label, ``METHOD /path``."""
    document = json.loads(urllib.request.urlopen(f"{url}/api/v1/openapi.json").read())
    methods = {"get", "put", "post", "patch", "delete"}
    return {f"{m.upper()} {path}": item[m] for path, item in document["paths"].items() for m in item if m in methods}


def statuses_by_operation(ndjson: Path, token: str) -> dict[str, set[int]]:
    """Per operation (``METHOD /path``), the statuses of the requests sent in that operation's method with
    the run's own token (not the checks' requests without it or with another, nor their other methods)."""
    seen: dict[str, set[int]] = defaultdict(set)
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        finished = json.loads(line).get("ScenarioFinished")
        if not finished or not finished["recorder"].get("interactions"):
            continue
        label = finished["recorder"]["label"]
        for interaction in finished["recorder"]["interactions"].values():
            request, response = interaction["request"], interaction.get("response")
            if response is None or request["method"] != label.split(" ", 1)[0]:
                continue
            if request.get("headers", {}).get("Authorization") != [f"Bearer {token}"]:
                continue
            seen[label].add(response["status_code"])
    return seen


def schemathesis(url: str, token: str, selection: list[str], seconds: int, report: Path, public: set[str]):
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "10",
        "--max-time",
        str(seconds),
        "--workers",
        "1",  # CPython 3.11's ast.parse, which hypothesis calls, is not thread-safe (SystemError)
        "--seed",
        "15",
        "--suppress-health-check",
        "all",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--output-sanitize",
        "false",  # the report keeps the token each request carried (a test token, in the test's folder)
        *selection,
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds * 4 + 120,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=report.parent,  # its cache (.schemathesis/) stays out of the checkout
    )
    (report.parent / f"{report.stem}.txt").write_text(done.stdout + done.stderr, encoding="utf-8")
    summary = done.stdout[done.stdout.find("SUMMARY") :] if "SUMMARY" in done.stdout else done.stdout[-3000:]
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-2000:]
    assert "Server error" not in done.stdout, summary
    statuses = statuses_by_operation(report, token)
    # 404, 405: a path no route of that method matches (answered before the token is read); public: 401 there
    # refuses the credentials sent
    signed_out = sorted(
        label for label, seen in statuses.items() if label not in public and 401 in seen and seen <= {401, 404, 405}
    )
    assert not signed_out, f"answered only 401 (the run was signed out): {signed_out}\n{summary}"
    return statuses


def still_signed_in(url: str, token: str) -> bool:
    request = urllib.request.Request(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    try:
        return urllib.request.urlopen(request).status == 200
    except urllib.error.HTTPError:
        return False


@pytest.mark.parametrize("username", ["admin", "enumerator1"])
def test_schemathesis_should_find_no_server_error_and_no_answer_outside_the_document(live_server, username, tmp_path):
    if not SCHEMATHESIS.exists():
        pytest.fail(f"schemathesis is not installed beside {sys.executable}; install the test extras")
    documented = operations(live_server.url)
    assert set(SESSION_ENDING) <= set(documented), set(SESSION_ENDING) - set(documented)
    public = {label for label, operation in documented.items() if operation.get("security") == []}
    # every token first: the fuzzed sign-ins may lock this address out of signing in again
    token = token_for(live_server.url, username)
    ending_tokens = {label: token_for(live_server.url, username) for label in SESSION_ENDING}

    excluded = [argument for label in SESSION_ENDING for argument in ("--exclude-name", label)]
    tested = schemathesis(live_server.url, token, excluded, SECONDS, tmp_path / "main.ndjson", public)
    assert still_signed_in(live_server.url, token), "the main run's token was signed out during the run"
    for number, label in enumerate(SESSION_ENDING):
        report = tmp_path / f"ending-{number}.ndjson"
        selection = ["--include-name", label]
        tested |= schemathesis(live_server.url, ending_tokens[label], selection, ENDING_SECONDS, report, public)
    untested = set(documented) - set(tested)
    assert not untested, f"never requested with the run's token: {sorted(untested)}"
