"""Benchmark: does a wrong-password flood slow signed-in users? (issue 15: 8 threads of wrong passwords
raised GET /api/v1/forms p50 from 0.8 ms to 221 ms.)

Starts gunicorn (demo province, production settings: the sign-in limits on, counters in the database) and:

1. **what a wrong password costs the server**: wrong passwords for known users and for unknown usernames,
   taken in turn, with the server's CPU time per attempt of each kind (a known user's scrypt hash, the
   unknown one's equal dummy hash: the same cost, so a username cannot be probed by timing);
2. a signed-in enumerator's ``GET /api/v1/forms`` alone (p50/p99), and the server CPU per request;
3. the same while ``--flooders`` processes send wrong passwords as fast as they can, anonymously (one known
   username and fresh unknown ones in turn): p50/p99, the flood's answers (401 before a limit, 429 after:
   refused before any hash), and the server CPU time per flood request -- a figure a busy machine does not
   move much, unlike the latencies.

Server CPU is the gunicorn master and workers (and the PostgreSQL backends of the database, if PostgreSQL),
read from /proc. The load average is printed with the figures.

    python bench/sign_in_flood.py [--database-url URL] [--seconds 10] [--flooders 8] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

from _server import cpu_seconds, production_server, server_pids

#: Known demo users whose wrong passwords are timed (not the measured enumerator1, not the flooded one).
KNOWN = ("admin", "supervisor", "mttq1", "ccb1")
#: The default address limit a minute (PARSURVEY_SIGN_IN_LIMITS_PER_ADDRESS): past it, no more hashes.
ADDRESS_PER_MINUTE = 30
#: The known username the flood sends wrong passwords for.
FLOODED = "enumerator2"


def post(url: str, body: dict) -> int:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def wrong_password(base: str, username: str) -> int:
    return post(base + "/api/v1/auth/tokens", {"username": username, "password": "sai-mật-khẩu"})


class ServerCpu:
    """The server's CPU time over a phase (the process list is read again at the end: new backends count)."""

    def __init__(self, pid: int, database_url: str | None):
        self.pid, self.database_url = pid, database_url

    def __enter__(self):
        self.pids = server_pids(self.pid, self.database_url)
        self.before = cpu_seconds(self.pids)
        return self

    def __exit__(self, *exc):
        pids = sorted(set(self.pids) | set(server_pids(self.pid, self.database_url)))
        self.seconds = cpu_seconds(pids) - self.before


def latencies(base: str, token: str, seconds: float) -> list[tuple[float, float]]:
    """(when it started, on the monotonic clock; its latency in ms) of a signed-in GET /api/v1/forms, for
    ``seconds``."""
    request = urllib.request.Request(base + "/api/v1/forms", headers={"Authorization": f"Bearer {token}"})
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        begun, started = time.monotonic(), time.perf_counter()
        urllib.request.urlopen(request, timeout=60).read()
        out.append((begun, (time.perf_counter() - started) * 1000))
        time.sleep(0.01)
    return out


def flood(base: str, stop, counts, nice: int) -> None:
    """Wrong passwords, anonymously: the flooded username and a fresh unknown one in turn."""
    os.nice(nice)
    answers: Counter = Counter()
    last_hashed = 0.0  # when the last attempt answered 401 (hashed) ended, on the monotonic clock
    n = 0
    while not stop.is_set():
        username = FLOODED if n % 2 == 0 else "khach-" + uuid.uuid4().hex[:8]
        status = wrong_password(base, username)
        answers[status] += 1
        if status == 401:
            last_hashed = time.monotonic()
        n += 1
    counts.put((answers, last_hashed))


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return f"p50 {statistics.median(ordered):7.1f} ms   p99 {p99:7.1f} ms   n={len(values)}"


def timed_wrong_passwords(base: str, pid: int, database_url: str | None, rounds: int) -> dict[str, tuple]:
    """Server CPU and client latency per wrong password, known users and unknown usernames taken in turn
    (each phase alone for the CPU reading, alternating so the machine's load falls on both alike)."""
    result = {}
    for _ in range(rounds):
        for kind in ("known", "unknown"):
            users = KNOWN if kind == "known" else ["khach-" + uuid.uuid4().hex[:8] for _ in KNOWN]
            with ServerCpu(pid, database_url) as cpu:
                started = time.perf_counter()
                statuses = [wrong_password(base, user) for user in users]
                wall = time.perf_counter() - started
            assert statuses == [401] * len(users), f"{kind}: {statuses} (a limit was reached)"
            total_cpu, total_wall, count = result.get(kind, (0.0, 0.0, 0))
            result[kind] = (total_cpu + cpu.seconds, total_wall + wall, count + len(users))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--flooders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness of the flood processes: 19 lets the server go first, as a flood from another host would",
    )
    parser.add_argument(
        "--timing-rounds", type=int, default=2, help="rounds of 4 known + 4 unknown wrong passwords (at most 3)"
    )
    args = parser.parse_args()
    # 8 known + 8 unknown per 2 rounds: within the address limit (30 a minute) and each user's (5 a minute)
    rounds = min(args.timing_rounds, 3)
    with production_server(args.database_url, args.workers) as (base, _env, process):
        signed = urllib.request.Request(
            base + "/api/v1/auth/tokens",
            json.dumps({"username": "enumerator1", "password": "demo-password"}).encode(),
            {"Content-Type": "application/json"},
        )
        token = json.loads(urllib.request.urlopen(signed).read())["token"]
        latencies(base, token, 1)  # warm up every worker
        wrong = timed_wrong_passwords(base, process.pid, args.database_url, rounds)
        with ServerCpu(process.pid, args.database_url) as quiet_cpu:
            quiet = [ms for _, ms in latencies(base, token, args.seconds)]
        # flooders in processes of their own, so the client's GIL does not slow the measuring thread
        stop = multiprocessing.Event()
        counts = multiprocessing.Queue()
        flooders = [
            multiprocessing.Process(target=flood, args=(base, stop, counts, args.nice)) for _ in range(args.flooders)
        ]
        clients_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with ServerCpu(process.pid, args.database_url) as flood_cpu:
            for each in flooders:
                each.start()
            timed = latencies(base, token, args.seconds)
            stop.set()
            answers: Counter = Counter()
            last_hashed = 0.0
            for _ in flooders:
                each_answers, each_last = counts.get(timeout=120)
                answers.update(each_answers)
                last_hashed = max(last_hashed, each_last)
            for each in flooders:
                each.join()
        clients = resource.getrusage(resource.RUSAGE_CHILDREN)
        clients_cpu = (clients.ru_utime + clients.ru_stime) - (clients_before.ru_utime + clients_before.ru_stime)
    flooded = [ms for _, ms in timed]
    settled = [ms for begun, ms in timed if begun > last_hashed]  # every flood attempt refused (429), no hash
    load = Path("/proc/loadavg").read_text().split()[:3]
    flood_total = sum(answers.values())
    measured_during_flood = len(flooded)
    print(f"load average {' '.join(load)} on {os.cpu_count()} cores; database {args.database_url or 'SQLite'}")
    for kind in ("known", "unknown"):
        cpu, wall, count = wrong[kind]
        print(
            f"wrong password, {kind + ' user':12}  {cpu / count * 1000:6.1f} ms server CPU each, "
            f"{wall / count * 1000:7.1f} ms wall (n={count}, answered 401)"
        )
    print(f"GET /api/v1/forms, signed in, alone:         {summary(quiet)}")
    print(f"    server CPU per request                  {quiet_cpu.seconds / len(quiet) * 1000:6.2f} ms")
    print(f"GET /api/v1/forms, during {args.flooders} flood processes: {summary(flooded)}")
    print(f"    once the limits refuse every attempt:    {summary(settled) if settled else 'never within the run'}")
    print(
        f"flood answers: {dict(sorted(answers.items()))} in {args.seconds:g} s ({flood_total / args.seconds:.0f}/s),"
        f" {answers[429] / flood_total:.1%} answered 429"
    )
    per_flood_request = (flood_cpu.seconds - quiet_cpu.seconds / len(quiet) * measured_during_flood) / flood_total
    print(
        f"    server CPU during the flood             {flood_cpu.seconds:.2f} s in {args.seconds:g} s; "
        f"{per_flood_request * 1000:.2f} ms per flood request (the signed-in requests' share taken out)"
    )
    hash_cpu = wrong["known"][0] / wrong["known"][2]
    print(
        f"    hashes a flood can cause from one address: at most {ADDRESS_PER_MINUTE} a minute (the address limit),"
        f" {ADDRESS_PER_MINUTE * hash_cpu:.1f} s of CPU ({ADDRESS_PER_MINUTE * hash_cpu / 60:.1%} of a core)"
    )
    print(f"    the flood processes' own CPU             {clients_cpu:.2f} s (nice {args.nice}), on the same cores")


if __name__ == "__main__":
    main()
