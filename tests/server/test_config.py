"""Start-up settings: wrong ones stop the app with a sentence that says what to set."""

from __future__ import annotations

import subprocess
import sys

import pytest

from server.config import ConfigError, load


def test_should_default_to_a_sqlite_file_in_the_instance_folder(tmp_path):
    config = load({"PARSURVEY_INSTANCE_PATH": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'parsurvey.sqlite3'}"


def test_should_use_psycopg3_for_a_plain_postgresql_url():
    config = load({"PARSURVEY_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"PARSURVEY_DATABASE_URL": "not a url"}, "PARSURVEY_DATABASE_URL"),
        ({"PARSURVEY_DATABASE_URL": "mysql://root@localhost/x"}, "supports 'sqlite'"),
        ({"PARSURVEY_MAX_REQUEST_BYTES": "ten"}, "PARSURVEY_MAX_REQUEST_BYTES='ten' is not a whole number"),
        ({"PARSURVEY_MAX_REQUEST_BYTES": "10"}, "at least 1024"),
        ({"PARSURVEY_LOG_LEVEL": "LOUD"}, "PARSURVEY_LOG_LEVEL"),
    ],
)
def test_should_refuse_a_bad_setting_with_a_sentence_naming_the_variable(env, says):
    with pytest.raises(ConfigError) as caught:
        load(env)
    assert says in str(caught.value)


def test_the_cli_should_exit_with_the_sentence_and_no_traceback_on_a_bad_setting(tmp_path):
    env = {"PARSURVEY_DATABASE_URL": "oracle://x", "PATH": "", "PARSURVEY_INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "from server.main import main; main()", "forms", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Configuration error: PARSURVEY_DATABASE_URL uses 'oracle'" in result.stderr
    assert "Traceback" not in result.stderr
