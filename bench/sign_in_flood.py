"""Benchmark: does a wrong-password flood slow signed-in users? (issue 15: 8 threads of wrong passwords
raised GET /api/v1/forms p50 from 0.8 ms to 221 ms.)

Starts gunicorn (demo province, production settings: the sign-in limits on, counters in the database),
measures a signed-in enumerator's GET /api/v1/forms latency alone, then again while ``--flooders`` processes
send wrong passwords for one username as fast as they can. Prints p50/p99 of both, and how the flood was
answered (401 before the limit, 429 after: no password hash).

    python bench/sign_in_flood.py [--database-url URL] [--seconds 10] [--flooders 8] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import time
import urllib.error
import urllib.request
from collections import Counter

from _server import production_server


def post(url: str, body: dict) -> int:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def latencies(base: str, token: str, seconds: float) -> list[float]:
    request = urllib.request.Request(base + "/api/v1/forms", headers={"Authorization": f"Bearer {token}"})
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        urllib.request.urlopen(request, timeout=30).read()
        out.append((time.perf_counter() - started) * 1000)
        time.sleep(0.01)
    return out


def flood(base: str, stop, counts) -> None:
    answers: Counter = Counter()
    while not stop.is_set():
        answers[post(base + "/api/v1/auth/tokens", {"username": "enumerator2", "password": "wrong"})] += 1
    counts.put(answers)


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return f"p50 {statistics.median(ordered):7.1f} ms   p99 {p99:7.1f} ms   n={len(values)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--flooders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with production_server(args.database_url, args.workers) as (base, _env, _process):
        signed = urllib.request.Request(
            base + "/api/v1/auth/tokens",
            json.dumps({"username": "enumerator1", "password": "demo-password"}).encode(),
            {"Content-Type": "application/json"},
        )
        token = json.loads(urllib.request.urlopen(signed).read())["token"]
        latencies(base, token, 1)  # warm up
        quiet = latencies(base, token, args.seconds)
        # flooders in processes of their own, so the client's GIL does not slow the measuring thread
        stop = multiprocessing.Event()
        counts = multiprocessing.Queue()
        flooders = [multiprocessing.Process(target=flood, args=(base, stop, counts)) for _ in range(args.flooders)]
        for process in flooders:
            process.start()
        flooded = latencies(base, token, args.seconds)
        stop.set()
        answers: Counter = Counter()
        for _ in flooders:
            answers.update(counts.get(timeout=60))
        for process in flooders:
            process.join()
    print(f"GET /api/v1/forms, signed in, alone:             {summary(quiet)}")
    print(f"GET /api/v1/forms, during {args.flooders} wrong-password processes: {summary(flooded)}")
    print(f"flood answers: {dict(sorted(answers.items()))} ({sum(answers.values()) / args.seconds:.0f}/s)")


if __name__ == "__main__":
    main()
