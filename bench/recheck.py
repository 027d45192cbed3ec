"""Benchmark: draw the re-check sample and compute enumerator quality for a round of 200,000 ballots.

Loads the ballots through the real sync API into a production server (gunicorn) on a fresh database,
records 2,000 reviewers' findings through the same protocol, then times the two supervisor commands
`parsurvey recheck sample` (10 % with a minimum per enumerator, plus the shortest 2 %, straight-lined and
repeated-contact ballots) and `parsurvey recheck quality`. Each command prints its own compute time;
the wall time of the whole command (process start included) is printed beside it.
Target: under 5 s for drawing the sample and computing quality together.

    python bench/recheck.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test [--ballots 200000]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import BIN, production_server  # noqa: E402
from ingest import ENUMERATORS, prepare, push, sign_in  # noqa: E402

from sync.protocol import PROTOCOL_VERSION, make_verification  # noqa: E402

OUTCOMES = ["confirmed"] * 8 + ["unreachable", "interview_not_held"]


def timed_cli(env: dict, *args: str) -> tuple[str, float]:
    started = time.perf_counter()
    result = subprocess.run([str(BIN / "parsurvey"), *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"parsurvey {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout, wall


def api(base: str, token: str, method: str, path: str, body=None):
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path,
        data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return json.loads(urllib.request.urlopen(request, timeout=600).read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--ballots", type=int, default=200_000)
    parser.add_argument("--findings", type=int, default=2_000)
    args = parser.parse_args()

    work = prepare(8, args.ballots, 200, seed=7)
    with production_server(args.database_url, 4) as (base, env, _process):
        tokens = {name: sign_in(base, name) for name in ENUMERATORS}
        latencies, counts, lock = [], {}, threading.Lock()
        started = time.perf_counter()
        threads = [
            threading.Thread(target=push, args=(base, tokens[w[0][0]], w, latencies, counts, lock)) for w in work if w
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(
            f"loaded {counts.get('accepted', 0)} ballots through the sync API in {time.perf_counter() - started:.1f} s",
            flush=True,
        )

        sample_out, sample_wall = timed_cli(
            env,
            "recheck",
            "sample",
            "2022",
            "--seed",
            "2022",
            "--rate",
            "0.1",
            "--min-per-enumerator",
            "30",
            "--shortest",
            "0.02",
            "--straight-lined",
            "--repeated-contacts",
            "--by",
            "supervisor",
        )
        supervisor = sign_in(base, "supervisor")
        assignments = api(base, supervisor, "GET", "/api/v1/rounds/2022/rechecks")
        reviewers = {name: sign_in(base, name) for name in ("mttq1", "ccb1")}
        findings = {"mttq1": [], "ccb1": []}
        for index, assignment in enumerate(assignments[: args.findings]):
            findings[assignment["reviewer"]].append(
                make_verification(
                    assignment_id=assignment["id"],
                    outcome=OUTCOMES[index % len(OUTCOMES)],
                    reviewer=assignment["reviewer"],
                    reasked={"overall": 4 + index % 2},
                    instance_id=str(uuid.uuid4()),
                    paradata={"started_at": "2022-11-02T09:00:00+07:00", "completed_at": "2022-11-02T09:04:00+07:00"},
                )
            )
        for name, items in findings.items():
            for start in range(0, len(items), 200):
                api(
                    base,
                    reviewers[name],
                    "POST",
                    "/api/v1/sync/batches",
                    {"protocol": PROTOCOL_VERSION, "device_id": f"bench-{name}", "items": items[start : start + 200]},
                )
        quality_out, quality_wall = timed_cli(env, "recheck", "quality", "2022")

    sample_compute = float(re.search(r"; ([\d.]+) s", sample_out).group(1))
    quality_compute = float(re.search(r"computed in ([\d.]+) s", quality_out).group(1))
    database = (args.database_url or "sqlite").split(":")[0]
    print(f"parsurvey re-check benchmark: {database}, {args.ballots} ballots, {args.findings} findings")
    print(f"  sample:  {sample_out.strip()}")
    print(f"           compute {sample_compute:.2f} s, whole command {sample_wall:.2f} s")
    print(f"  quality: compute {quality_compute:.2f} s, whole command {quality_wall:.2f} s")
    total = sample_compute + quality_compute
    print(
        f"  sample + quality: {total:.2f} s compute ({sample_wall + quality_wall:.2f} s with process start); "
        f"target < 5 s: {'ok' if total < 5 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
