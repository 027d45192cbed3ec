"""A real server process on loopback (gunicorn, as in production) over the suite's database.

Shared by tests/live and tests/web: their conftest files import the ``live_server`` fixture from here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

GUNICORN = Path(sys.executable).parent / "gunicorn"


def start_timeout() -> float:
    """Seconds to wait for the server to answer: PARSURVEY_TEST_SERVER_START_TIMEOUT, default 90.

    A loaded machine (many suites sharing two cores) can take far longer than an idle one to import the
    app and fork the workers; a bad value fails loudly rather than silently falling back.
    """
    raw = os.environ.get("PARSURVEY_TEST_SERVER_START_TIMEOUT", "").strip()
    if not raw:
        return 90.0
    try:
        value = float(raw)
    except ValueError:
        raise RuntimeError(f"PARSURVEY_TEST_SERVER_START_TIMEOUT is not a number of seconds: {raw!r}") from None
    if value <= 0:
        raise RuntimeError(f"PARSURVEY_TEST_SERVER_START_TIMEOUT must be above 0, not {raw!r}")
    return value


class LiveServer:
    def __init__(self, database_url: str, instance: Path, workers: int = 2):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "PARSURVEY_DATABASE_URL": database_url,
            "PARSURVEY_INSTANCE_PATH": str(instance),
            "PARSURVEY_LOG_LEVEL": "WARNING",
        }
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def start(self, wait_seconds: float | None = None) -> None:
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "--preload",  # as the production recipe runs it: the app imported once, then forked
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "server:create_app()",
            ],
            env=self.env,
            start_new_session=True,
        )
        timeout = max(wait_seconds or 0, start_timeout())  # the longer of the caller's and the setting
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/v1/openapi.json", timeout=1).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("the server exited at start") from None
                time.sleep(0.1)
        raise RuntimeError(
            f"the server did not start in {timeout:g} s (set PARSURVEY_TEST_SERVER_START_TIMEOUT to wait longer)"
        )

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no flushing, like a power cut of the process."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


@pytest.fixture
def live_server(database_url, demo, tmp_path):
    if not GUNICORN.exists():
        pytest.fail(f"gunicorn is not installed beside {sys.executable}; install the test extras")
    server = LiveServer(database_url, tmp_path)
    server.start()
    yield server
    server.stop()
