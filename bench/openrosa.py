"""Benchmark: ODK clients submitting one filled instance per request to ``/openrosa/submission``.

The server runs as in production (gunicorn, several workers) on loopback with the demo province; each
submission is validated against the form, checked against the enumerator's assignments, cleaned,
audited and committed before the 201 is sent, exactly as for ODK Collect. Multipart bodies are built
before the clock starts; each client keeps its connection open, as ODK Collect does, which needs gunicorn's
gthread workers (the default here, as the README advises for production): sync workers close the connection
after every answer, and all of them wake for each new one, which cost each submission about 3 ms more of
server CPU (``--worker-class sync --threads 1`` measures it). For each number of concurrent clients
(default 1, 4 and 16) it prints submissions/s and p50/p99 latency, and fails if any submission was not
accepted. It also prints the CPU time one submission costs the server: the gunicorn processes
(``app CPU``) and the PostgreSQL backends of its database (``db CPU``), from ``/proc`` before and after
each level, divided by the submissions. Submissions/s fall with every other process that wants the
cores, while CPU per submission barely moves, so on a busy machine compare the CPU figures.

    python bench/openrosa.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/openrosa.py --clients 1 4 16 --submissions 2000           # SQLite

For comparison (issue 13): ODK Central on this kind of machine accepted 189/203/319 submissions/s at
1/4/16 clients (p99 12/35/86 ms), with no validation of answers.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _server import (  # noqa: E402
    cpu_seconds_by_process,
    gunicorn_pids,
    postgres_backend_pids,
    production_server,
)
from ingest import ENUMERATORS, ballot_answers, percentile, sign_in  # noqa: E402

from survey_forms import builtin_satisfaction_form  # noqa: E402

FORM = builtin_satisfaction_form()


def instance(answers: dict, instance_id: str) -> bytes:
    groups: dict[str, list[str]] = {}
    for name, value in answers.items():
        path = FORM.path_of(name).split("/")
        text = " ".join(value) if isinstance(value, list) else str(value)
        groups.setdefault(path[0] if len(path) > 1 else "", []).append(f"<{name}>{text}</{name}>")
    body = "".join(groups.pop("", [])) + "".join(f"<{g}>{''.join(items)}</{g}>" for g, items in groups.items())
    return (
        f'<?xml version="1.0"?><data id="{FORM.form_id}" version="{FORM.version}">'
        "<start>2022-10-01T08:00:00.000+07:00</start><end>2022-10-01T08:12:00.000+07:00</end>"
        f"<deviceid>collect:bench</deviceid>{body}<meta><instanceID>uuid:{instance_id}</instanceID></meta></data>"
    ).encode()


def multipart(xml: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; filename="submission.xml"\r\n'
        "Content-Type: text/xml\r\n\r\n"
    )
    return head.encode() + xml + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def app_password(base: str, admin_token: str, username: str) -> str:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {admin_token}"}
    conn.request("POST", f"/api/v1/users/{username}/app-passwords", json.dumps({"label": "bench"}), headers)
    password = json.loads(conn.getresponse().read())["password"]
    conn.close()
    return password


def submit(base: str, auth: str, work: list[tuple[bytes, str]], latencies: list, statuses: dict, lock) -> None:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    for body, content_type in work:
        headers = {"Content-Type": content_type, "Authorization": auth, "X-OpenRosa-Version": "1.0"}
        started = time.perf_counter()
        conn.request("POST", "/openrosa/submission", body, headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            statuses[response.status] = statuses.get(response.status, 0) + 1
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--submissions", type=int, default=2000, help="per level of concurrency")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class: gthread or sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (sync: give 1)")
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    database = (args.database_url or "sqlite").split(":")[0]
    with production_server(args.database_url, args.workers, args.worker_class, args.threads) as (base, _env, process):
        admin = sign_in(base, "admin")
        auths = {}
        for username in ENUMERATORS:
            secret = app_password(base, admin, username)
            auths[username] = "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode()
        print(
            f"parsurvey OpenRosa benchmark: {database}, gunicorn -w {args.workers} -k {args.worker_class} "
            f"--threads {args.threads}, one submission per request"
        )
        print(
            f"{'clients':>8} {'submissions':>12} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'app CPU ms':>11} {'db CPU ms':>10}"
        )
        for clients in args.clients:
            names = list(ENUMERATORS)
            work: list[list[tuple[bytes, str]]] = [[] for _ in range(clients)]
            for index in range(args.submissions):
                enumerator = names[index % clients % len(names)]
                agency = rng.choice(ENUMERATORS[enumerator])
                xml = instance(ballot_answers(agency, rng), str(uuid.UUID(int=rng.getrandbits(128), version=4)))
                work[index % clients].append(multipart(xml))
            latencies: list[float] = []
            statuses: dict[int, int] = {}
            lock = threading.Lock()
            threads = [
                threading.Thread(
                    target=submit, args=(base, auths[names[i % len(names)]], work[i], latencies, statuses, lock)
                )
                for i in range(clients)
            ]
            app_pids, db_pids = gunicorn_pids(process.pid), postgres_backend_pids(args.database_url)
            cpu_before = cpu_seconds_by_process(app_pids + db_pids)
            clock = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - clock
            app_pids, db_pids = gunicorn_pids(process.pid), postgres_backend_pids(args.database_url)
            cpu_after = cpu_seconds_by_process(app_pids + db_pids)

            def cpu_ms(pids, after=cpu_after, before=cpu_before):
                return sum(after[p] - before.get(p, 0.0) for p in pids if p in after) * 1000 / args.submissions

            print(
                f"{clients:>8} {args.submissions:>12} {args.submissions / wall:>8.0f} "
                f"{percentile(latencies, 50) * 1000:>8.1f} {percentile(latencies, 99) * 1000:>8.1f} "
                f"{cpu_ms(app_pids):>11.2f} {cpu_ms(db_pids) if db_pids else float('nan'):>10.2f}"
            )
            if statuses != {201: args.submissions}:
                raise SystemExit(f"not every submission was accepted: {statuses}")
        print(f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
