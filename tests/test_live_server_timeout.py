"""The live server's start wait: PARSURVEY_TEST_SERVER_START_TIMEOUT seconds, 90 by default, a bad value
refused with a message."""

from __future__ import annotations

import pytest

from tests.live_server import start_timeout


def test_the_start_wait_defaults_to_90_s_and_follows_the_variable(monkeypatch):
    monkeypatch.delenv("PARSURVEY_TEST_SERVER_START_TIMEOUT", raising=False)
    assert start_timeout() == 90
    monkeypatch.setenv("PARSURVEY_TEST_SERVER_START_TIMEOUT", " ")
    assert start_timeout() == 90
    monkeypatch.setenv("PARSURVEY_TEST_SERVER_START_TIMEOUT", "180")
    assert start_timeout() == 180
    monkeypatch.setenv("PARSURVEY_TEST_SERVER_START_TIMEOUT", "2.5")
    assert start_timeout() == 2.5


@pytest.mark.parametrize("value", ["abc", "0", "-5"])
def test_a_bad_start_wait_is_refused_with_a_message(monkeypatch, value):
    monkeypatch.setenv("PARSURVEY_TEST_SERVER_START_TIMEOUT", value)
    with pytest.raises(RuntimeError, match="PARSURVEY_TEST_SERVER_START_TIMEOUT"):
        start_timeout()
