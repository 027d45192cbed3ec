"""Benchmark: N simulated devices push ballots of the built-in questionnaire through the real HTTP API.

The server runs as in production (gunicorn, several workers) on loopback, on a fresh SQLite file or a
fresh PostgreSQL schema, with the demo province loaded. Envelopes are built and JSON-encoded before the
clock starts, so the figures measure the server, not the simulated devices. Prints ballots/s,
p50/p95/p99 batch latency, and the server's resident memory (all gunicorn processes, peak and end).

Targets on a 2-core machine: >= 3,000 ballots/s with batches of 100 on PostgreSQL; >= 300 ballots/s
when every request carries one ballot.

    python bench/ingest.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test \
        --ballots 100000 --batch-size 100 --devices 8
    python bench/ingest.py --ballots 20000 --batch-size 1 --devices 8          # SQLite, one per request
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _server import production_server, server_memory_kib  # noqa: E402

from survey_forms import builtin_satisfaction_form  # noqa: E402
from sync.protocol import PROTOCOL_VERSION, make_envelope  # noqa: E402

FORM = builtin_satisfaction_form()
#: The demo assigns enumerator1 to the surveyed departments and enumerator2 to the districts.
ENUMERATORS = {
    "enumerator1": [
        "STTTT",
        "SNV",
        "STC",
        "SXD",
        "SGDDT",
        "BQLKCN",
        "SYT",
        "SGTVT",
        "STNMT",
        "SNNPTNT",
        "SKHCN",
        "STP",
        "SCT",
        "SKHDT",
        "SVHTTDL",
        "SLDTBXH",
    ],
    "enumerator2": ["PHULY", "DUYTIEN", "THANHLIEM", "BINHLUC", "LYNHAN", "KIMBANG"],
}


def ballot_answers(agency: str, rng: random.Random) -> dict:
    """A plausible, valid ballot: satisfied more often than not, feedback questions for a quarter."""
    gave_feedback = rng.random() < 0.25
    answers = {
        "respondent_type": rng.choice(["individual", "organisation"]),
        "sex": rng.choice(["male", "female"]),
        "age_band": rng.choice(["18_24", "25_34", "35_49", "50_64", "65_plus"]),
        "occupation": rng.choice(["public_servant", "business", "employee", "farmer", "student", "retired"]),
        "respondent_phone": f"09{rng.randrange(10**8):08d}",
        "agency_code": agency,
        "procedure": "Đăng ký khai sinh",
        "result_date": f"2022-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}",
        "gave_feedback": "yes" if gave_feedback else "no",
        "overall": rng.choice([3, 4, 4, 5, 5]),
    }
    for question in FORM.scored_questions():
        if question.name.startswith("c5_") and not gave_feedback:
            continue
        answers[question.name] = rng.choice([2, 3, 4, 4, 5, 5, 5])
    return answers


def sign_in(base: str, username: str) -> str:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    body = json.dumps({"username": username, "password": "demo-password", "label": "bench"})
    conn.request("POST", "/api/v1/auth/tokens", body, {"Content-Type": "application/json"})
    token = json.loads(conn.getresponse().read())["token"]
    conn.close()
    return token


def prepare(devices: int, ballots: int, batch_size: int, seed: int) -> list[list[tuple[str, bytes, int]]]:
    """Per device: (enumerator, encoded batch body, envelopes in it), built before timing starts."""
    rng = random.Random(seed)
    per_device: list[list[tuple[str, bytes, int]]] = [[] for _ in range(devices)]
    names = list(ENUMERATORS)
    for index in range(0, ballots, batch_size):
        device = (index // batch_size) % devices
        enumerator = names[device % len(names)]
        envelopes = []
        for _ in range(min(batch_size, ballots - index)):
            agency = rng.choice(ENUMERATORS[enumerator])
            envelopes.append(
                make_envelope(
                    form_id=FORM.form_id,
                    form_version=FORM.version,
                    agency=agency,
                    enumerator=enumerator,
                    answers=ballot_answers(agency, rng),
                    instance_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    paradata={
                        "started_at": "2022-10-01T08:00:00+07:00",
                        "completed_at": "2022-10-01T08:11:00+07:00",
                        "app_version": "bench",
                    },
                )
            )
        body = json.dumps(
            {"protocol": PROTOCOL_VERSION, "device_id": f"bench-{device}", "items": envelopes}, ensure_ascii=False
        ).encode()
        per_device[device].append((enumerator, body, len(envelopes)))
    return per_device


def push(base: str, token: str, work: list[tuple[str, bytes, int]], latencies: list, counts: dict, lock) -> None:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    for _, body, _ in work:
        started = time.perf_counter()
        for attempt in range(5):
            try:
                conn.request("POST", "/api/v1/sync/batches", body, headers)
                response = conn.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
                time.sleep(0.05 * (attempt + 1))
        else:
            raise SystemExit("the server stopped answering")
        elapsed = time.perf_counter() - started
        if response.status != 200:
            print(f"batch refused: {response.status} {payload[:300]!r}", file=sys.stderr)
            continue  # counted as not accepted; main() reports the shortfall
        results = json.loads(payload)["results"]
        with lock:
            latencies.append(elapsed)
            for result in results:
                counts[result["status"]] = counts.get(result["status"], 0) + 1
    conn.close()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--devices", type=int, default=8, help="simulated devices pushing at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()

    started = time.perf_counter()
    work = prepare(args.devices, args.ballots, args.batch_size, args.seed)
    print(f"prepared {args.ballots} envelopes in {time.perf_counter() - started:.1f} s", flush=True)
    database = (args.database_url or "sqlite").split(":")[0]
    with production_server(args.database_url, args.workers) as (base, _env, process):
        tokens = {name: sign_in(base, name) for name in ENUMERATORS}
        latencies: list[float] = []
        counts: dict[str, int] = {}
        lock = threading.Lock()
        threads = [
            threading.Thread(target=push, args=(base, tokens[items[0][0]], items, latencies, counts, lock))
            for items in work
            if items
        ]
        peak = [server_memory_kib(process.pid)]
        done = threading.Event()

        def watch_memory():
            while not done.wait(0.5):
                peak[0] = max(peak[0], server_memory_kib(process.pid))

        watcher = threading.Thread(target=watch_memory)
        watcher.start()
        clock = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - clock
        done.set()
        watcher.join()
        end_memory = server_memory_kib(process.pid)

    accepted = counts.get("accepted", 0)
    print(
        f"parsurvey ingest benchmark: {database}, gunicorn -w {args.workers}, {args.devices} devices, "
        f"batches of {args.batch_size}"
    )
    print(f"  ballots sent      {args.ballots}  ({', '.join(f'{n} {s}' for s, n in sorted(counts.items()))})")
    print(f"  wall time         {wall:.2f} s")
    print(f"  throughput        {accepted / wall:,.0f} ballots/s   ({len(latencies) / wall:,.0f} requests/s)")
    print(
        f"  batch latency     p50 {percentile(latencies, 50) * 1000:.1f} ms   p95 "
        f"{percentile(latencies, 95) * 1000:.1f} ms   p99 {percentile(latencies, 99) * 1000:.1f} ms"
    )
    print(f"  server memory     peak {peak[0] / 1024:.0f} MiB, end {end_memory / 1024:.0f} MiB (PSS, all gunicorn)")
    if accepted != args.ballots:
        raise SystemExit(f"only {accepted} of {args.ballots} ballots were accepted")


if __name__ == "__main__":
    main()
