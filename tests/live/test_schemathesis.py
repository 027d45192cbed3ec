"""A bounded schemathesis run against the live app (gunicorn over the demo province), signed in as an admin
and as an enumerator: every operation of the OpenAPI document, its examples, boundary values and random
data. It must find no server error and no response that the document does not describe (status code,
content type, headers, body).

Left out, and why: the two endpoints that sign the run's own token out (it would test the rest
unauthenticated); ``positive_data_acceptance`` and ``negative_data_rejection``, which ask the document's
request schemas to say every rule the server checks (a round's window end after its start, a known
agency code…): many of those rules are not JSON Schema's to say; and ``allow_header_conformance``, where
Flask's automatic OPTIONS lists the methods of every route matching a URL (``/agencies/import`` also
matches ``/agencies/<code>``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live.test_live_sync import token_for
from tests.live_server import LiveServer

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
#: Seconds of generated requests per signed-in role (the run stops itself then).
SECONDS = int(os.environ.get("PARSURVEY_SCHEMATHESIS_SECONDS", "75"))
LEFT_OUT_CHECKS = "positive_data_acceptance,negative_data_rejection,allow_header_conformance"


@pytest.fixture
def live_server(database_url, demo, tmp_path):
    server = LiveServer(database_url, tmp_path)
    server.start(wait_seconds=120)  # the demo province's app on a busy CI machine
    yield server
    server.stop()


@pytest.mark.parametrize("username", ["admin", "enumerator1"])
def test_schemathesis_should_find_no_server_error_and_no_answer_outside_the_document(live_server, username, tmp_path):
    if not SCHEMATHESIS.exists():
        pytest.fail(f"schemathesis is not installed beside {sys.executable}; install the test extras")
    token = token_for(live_server.url, username)
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        LEFT_OUT_CHECKS,
        "--header",
        f"Authorization: Bearer {token}",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "10",
        "--max-time",
        str(SECONDS),
        "--workers",
        "1",  # CPython 3.11's ast.parse, which hypothesis calls, is not thread-safe (SystemError)
        "--seed",
        "15",
        "--suppress-health-check",
        "all",
        "--exclude-path-regex",
        "^/api/v1/auth/(tokens/current|session)$",
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=SECONDS * 4 + 120,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=tmp_path,  # its cache (.schemathesis/) stays out of the checkout
    )
    (tmp_path / "schemathesis.txt").write_text(done.stdout + done.stderr, encoding="utf-8")
    summary = done.stdout[done.stdout.find("SUMMARY") :] if "SUMMARY" in done.stdout else done.stdout[-3000:]
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-2000:]
    assert "Server error" not in done.stdout, summary
