"""``parsurvey-device sync`` draws a progress bar on a terminal and nothing when piped."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from tests.live.test_device_cli import run
from tests.live.test_live_sync import token_for
from tests.sample_ballots import answers
from tests.server.test_cli_usability import run_command

DEVICE = Path(sys.executable).parent / "parsurvey-device"


def capture(home: Path, folder: Path, count: int, seed: int) -> None:
    for i in range(count):
        path = folder / f"ballot-{seed}-{i}.json"
        path.write_text(json.dumps(answers("SNV", random.Random(seed * 100 + i)), ensure_ascii=False), encoding="utf-8")
        assert "captured 1 ballot(s)" in run(home, "capture", "--json", str(path)).output


def test_device_sync_should_draw_a_progress_bar_on_a_terminal_only(live_server, db, tmp_path):
    home = tmp_path / "tablet"
    run(home, "init", "--server", live_server.url, "--token", token_for(live_server.url, "enumerator1"))
    run(home, "forms", "pull")
    sync = [str(DEVICE), "--home", str(home), "sync"]

    capture(home, tmp_path, 2, seed=1)
    code, stderr = run_command(sync, {}, terminal=False, stdout=tmp_path / "piped")
    assert code == 0 and stderr == ""
    assert "2 accepted" in (tmp_path / "piped").read_text()

    capture(home, tmp_path, 3, seed=2)
    code, stderr = run_command(sync, {"COLUMNS": "100"}, terminal=True, stdout=tmp_path / "terminal")
    assert code == 0, stderr
    assert "sending" in stderr and "3/3" in stderr and "100%" in stderr
    assert "3 accepted" in (tmp_path / "terminal").read_text()
