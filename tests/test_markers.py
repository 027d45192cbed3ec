"""The ``slow`` marker: tests that start a server or a browser can be left out locally, never in CI."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def collected(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "::" in line]


@pytest.mark.slow  # runs pytest's collection twice
def test_not_slow_should_leave_out_the_live_server_and_browser_tests():
    folders = ("tests/live", "tests/web", "tests/test_architecture.py")
    everything = collected(*folders)
    quick = collected("-m", "not slow", *folders)
    assert any(t.startswith("tests/live/") for t in everything) and any(t.startswith("tests/web/") for t in everything)
    assert quick and all(t.startswith("tests/test_architecture.py") for t in quick)


def test_the_default_run_should_still_run_the_slow_tests():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "slow" in " ".join(options["markers"]) and "-m" not in options["addopts"].split()
    test_target = (ROOT / "Makefile").read_text().split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "pytest" in test_target and "slow" not in test_target
