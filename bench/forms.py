"""Benchmark: form list and form definition download (200 and 304) against the production server.

Starts gunicorn with several workers on loopback, loads the demo province, signs in an enumerator and
drives 50 concurrent keep-alive clients with wrk (a C load generator, so the client does not steal the
server's two cores; `apt-get install wrk`). Prints requests/s and p50/p99 latency per endpoint.
Target: p99 under 20 ms at 50 concurrent clients on a 2-core machine. Two passes are printed: clients
sending back to back (the server's saturation throughput, where latency is queueing: 50 / throughput),
and clients that pause between requests as devices do (``--think-ms``, default 100 ms). Each endpoint
first gets ``--warmup-seconds`` of unreported load, so the figures are a warm server's, as in production.

    python bench/forms.py [--database-url URL] [--connections 50] [--seconds 10] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from _server import production_server

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def sign_in(base: str) -> str:
    body = json.dumps({"username": "enumerator1", "password": "demo-password", "label": "bench"}).encode()
    request = urllib.request.Request(
        base + "/api/v1/auth/tokens", body, {"Content-Type": "application/json"}, method="POST"
    )
    return json.loads(urllib.request.urlopen(request).read())["token"]


def get(base: str, path: str, token: str) -> tuple[bytes, dict]:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        return response.read(), dict(response.headers)


def run_wrk(url: str, headers: dict, connections: int, seconds: int, expect_status: int, think_ms: int = 0) -> dict:
    # With think time each client waits between its requests, as a device does; 0 = back-to-back (saturation).
    script = (
        (f"delay = function() return {think_ms} end\n" if think_ms else "")
        + "done = function(summary, latency, requests)\n"
        "  io.write(string.format('STATUS_ERRORS %d\\n', summary.errors.status))\n"
        "end\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", handle.name]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    Path(handle.name).unlink()

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * UNITS[unit]

    status_errors = int(re.search(r"STATUS_ERRORS (\d+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "errors": status_errors + (int(non_2xx.group(1)) if non_2xx else 0),
        "expect": expect_status,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class: sync or gthread")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument(
        "--think-ms",
        type=int,
        default=100,
        help="pause of each client between requests in the second pass (the first pass has none)",
    )
    parser.add_argument(
        "--warmup-seconds",
        type=int,
        default=2,
        help="unreported load on each endpoint first, so every worker has connected and filled its caches",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/forms.py needs wrk on PATH (Debian: apt-get install wrk)")

    with production_server(args.database_url, args.workers, args.worker_class, args.threads) as (base, _env, _p):
        token = sign_in(base)
        listing, _ = get(base, "/api/v1/forms", token)
        form = json.loads(listing)[0]
        _, headers = get(base, form["download_url"], token)
        auth = {"Authorization": f"Bearer {token}"}
        cases = [
            ("GET /api/v1/forms", "/api/v1/forms", auth, 200),
            ("GET definition (200)", form["download_url"], auth, 200),
            ("GET definition (304)", form["download_url"], {**auth, "If-None-Match": headers["ETag"]}, 304),
        ]
        if args.warmup_seconds:
            for _label, path, case_headers, status in cases:
                run_wrk(base + path, case_headers, args.connections, args.warmup_seconds, status)
        database = (args.database_url or "sqlite").split(":")[0]
        print(
            f"parsurvey forms benchmark: gunicorn -w {args.workers} -k {args.worker_class} --threads {args.threads}, "
            f"{database}, "
            f"{args.connections} connections, {args.seconds}s each"
        )
        for think_ms, title in (
            (0, "saturation: every client sends its next request at once"),
            (args.think_ms, f"each client pauses {args.think_ms} ms between requests"),
        ):
            print(f"-- {args.connections} concurrent clients, {title}")
            print(f"{'endpoint':<24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}  target p99 < 20 ms")
            for label, path, case_headers, status in cases:
                result = run_wrk(base + path, case_headers, args.connections, args.seconds, status, think_ms)
                verdict = "ok" if result["p99_ms"] < 20 and result["errors"] == 0 else "MISSED"
                print(
                    f"{label:<24}{result['requests_per_s']:>10.0f}{result['p50_ms']:>10.2f}"
                    f"{result['p99_ms']:>10.2f}{result['errors']:>8}  {verdict}"
                )


if __name__ == "__main__":
    main()
