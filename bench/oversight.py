"""Benchmark: supervisor oversight of a provincial round on PostgreSQL.

1. A fresh schema (``parsurvey db upgrade``, ``demo load``), gunicorn as in production (``--workers``
   gthread workers on loopback), then 200,000 ballots of the built-in questionnaire copied into the demo
   round with COPY (then VACUUM ANALYZE, as autovacuum does after a bulk load): 25 agencies,
   60 enumerators, interviews over September to November, a mix of statuses, GPS fixes in the paradata.
2. The ballot table: ``--pages`` requests (one client, one after another) of filtered, sorted pages
   (``GET /api/v1/ballots``: an agency typed without diacritics, statuses, a date range, a duration,
   sorted by interview time or duration, pages anywhere in the result), with the total counted each time.
   Prints p50, p95 and max latency. Target: p95 under 300 ms.
3. The raw data export: 800,000 more ballots (1,000,000 in the round), then
   ``GET /api/v1/rounds/2022/ballots/export.csv`` read to the end, counting rows; the server's memory
   (PSS of the gunicorn master and workers, so shared pages count once) is sampled throughout. Targets:
   under 60 s and under 500 MB.
   Before that, at ``--ballots``, each of ``--formats`` (XLSX, Stata, SPSS: written to a temporary file
   row by row, then sent) is downloaded the same way, with its time and the server's peak memory, which
   must not grow with the number of ballots.

It drops and recreates the ``public`` schema of the database it is given: never point it at real data.

    python bench/oversight.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--ballots 200000] [--export-ballots 1000000] [--pages 200] [--workers 2] [--formats xlsx,dta,sav]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _server import cpu_seconds, production_server, server_memory_kib, server_pids  # noqa: E402

from survey_forms import builtin_satisfaction_form  # noqa: E402

ENUMERATORS = 60
STATUSES = ["valid"] * 80 + ["invalid"] * 6 + ["selected"] * 8 + ["confirmed"] * 5 + ["failed"]
OFFICE = (20.5431, 105.9123)  # near Phủ Lý


def sign_in(base: str, username: str) -> str:
    request = urllib.request.Request(
        base + "/api/v1/auth/tokens",
        data=json.dumps({"username": username, "password": "demo-password", "label": "bench"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return json.loads(urllib.request.urlopen(request).read())["token"]


def copy_ballots(url: str, first: int, count: int) -> float:
    """Ballots ``first`` .. ``first + count - 1`` of the demo round, copied in; returns seconds taken."""
    import psycopg

    form = builtin_satisfaction_form()
    scored = [q.name for q in form.scored_questions()]
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    rng = random.Random(first)
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM form_versions WHERE form_id = 'satisfaction' AND version = %s", (form.version,))
        version_id = cur.fetchone()[0]
        cur.execute("SELECT id FROM survey_rounds WHERE code = '2022'")
        round_id = cur.fetchone()[0]
        cur.execute("SELECT id, code FROM agencies ORDER BY code")
        agencies = cur.fetchall()
        cur.execute("SELECT count(*) FROM users WHERE username LIKE 'bench_enum_%%'")
        if cur.fetchone()[0] == 0:
            cur.executemany(
                "INSERT INTO users (username, full_name, role, active, created_at)"
                " VALUES (%s, %s, 'enumerator', true, now())",
                [(f"bench_enum_{i:02d}", f"Điều tra viên {i:02d}") for i in range(ENUMERATORS)],
            )
        cur.execute("SELECT id FROM users WHERE username LIKE 'bench_enum_%%' ORDER BY username")
        enumerators = [row[0] for row in cur.fetchall()]
        base_day = datetime(2022, 9, 1, 1, 0, tzinfo=UTC)
        with cur.copy(
            "COPY ballots (instance_id, form_version_id, round_id, agency_id, enumerator_id, device_id, answers,"
            " paradata, content_hash, started_at, completed_at, received_at, duration_seconds, straight_lined,"
            " status) FROM STDIN"
        ) as copy:
            for n in range(first, first + count):
                agency_id, code = agencies[n % len(agencies)]
                answers = {
                    "respondent_type": "individual",
                    "sex": "female" if n % 2 else "male",
                    "age_band": "35_49",
                    "occupation": "farmer",
                    "respondent_phone": f"09{n:08d}",
                    "agency_code": code,
                    "procedure": "Cấp giấy chứng nhận quyền sử dụng đất",
                    "result_date": "2022-09-15",
                    "gave_feedback": "no",
                    "overall": 4,
                    "comment": "Cán bộ hướng dẫn tận tình.",
                } | {name: rng.randint(2, 5) for name in scored if not name.startswith("c5_")}
                start = base_day + timedelta(minutes=n * 131 % (90 * 24 * 60))
                duration = 240 + n * 7 % 1500
                done = start + timedelta(seconds=duration)
                where = {
                    "latitude": OFFICE[0] + (n % 100) / 10000,
                    "longitude": OFFICE[1] - (n % 77) / 10000,
                    "accuracy": 8.0 + n % 20,
                    "captured_at": start.isoformat(),
                }
                copy.write_row(
                    (
                        str(uuid.UUID(int=n)),
                        version_id,
                        round_id,
                        agency_id,
                        enumerators[n % len(enumerators)],
                        f"tablet-{n % 90}",
                        json.dumps(answers, ensure_ascii=False),
                        json.dumps(
                            {"started_at": start.isoformat(), "completed_at": done.isoformat(), "location_start": where}
                        ),
                        f"{n:064x}",
                        start,
                        done,
                        done + timedelta(hours=2),
                        float(duration),
                        False,
                        STATUSES[n % len(STATUSES)],
                    )
                )
    with psycopg.connect(dsn, autocommit=True) as conn:  # as autovacuum would after a bulk load
        conn.execute("VACUUM ANALYZE ballots")
    return time.perf_counter() - started


def get(base: str, token: str, path: str, query: dict) -> tuple[float, dict]:
    request = urllib.request.Request(
        f"{base}{path}?{urllib.parse.urlencode(query)}", headers={"Authorization": f"Bearer {token}"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        body = json.loads(response.read())
    return time.perf_counter() - started, body


def table_pages(base: str, token: str, pages: int, ballots: int) -> None:
    rng = random.Random(12)
    queries = [
        {"agency": "so noi vu", "sort": "-completed_at"},
        {"status": "valid,selected", "sort": "-duration"},
        {"date_from": "2022-10-01", "date_to": "2022-10-15", "sort": "completed_at"},
        {"min_seconds": 1200, "sort": "-completed_at"},
        {"enumerator": "Điều tra viên 07", "sort": "duration"},
        {"sort": "-completed_at"},  # the whole round, newest first
        {"agency": "SNV", "status": "valid", "sort": "agency"},
    ]
    totals = []
    for query in queries:  # the first page of each (also warms each worker), to learn how many pages there are
        _, body = get(base, token, "/api/v1/ballots", {"round": "2022", **query, "page_size": 50})
        totals.append(body["total"])
    times = []
    for i in range(pages):
        which = i % len(queries)
        page = rng.randint(1, max(1, -(-totals[which] // 50)))
        query = {"round": "2022", **queries[which], "page_size": 50, "page": page}
        elapsed, _ = get(base, token, "/api/v1/ballots", query)
        times.append(elapsed * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"ballot table        {pages} filtered, sorted pages of 50 (with totals) over {ballots:,} ballots:"
        f" p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms  [target: p95 < 300 ms]"
    )
    for query, total in zip(queries, totals, strict=True):
        print(f"                    {total:>7,} ballots match {query}")


def export(base: str, token: str, pid: int, fmt: str, target: str, url: str) -> None:
    """One export downloaded to the end while the server's memory (PSS) is sampled every 0.1 s; also the
    CPU time the server (gunicorn and its PostgreSQL backends) spent, which on a shared machine tells the
    work from the waiting."""
    processes = server_pids(pid, url)
    cpu_before = cpu_seconds(processes)
    peak = [server_memory_kib(pid)]
    idle = peak[0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], server_memory_kib(pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    request = urllib.request.Request(
        f"{base}/api/v1/rounds/2022/ballots/export.{fmt}", headers={"Authorization": f"Bearer {token}"}
    )
    started = time.perf_counter()
    lines, size = 0, 0
    with urllib.request.urlopen(request, timeout=3600) as response:
        while chunk := response.read(1 << 20):
            lines += chunk.count(b"\n")  # CSV only (not \r\n: a chunk may end between the two)
            size += len(chunk)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    cpu = cpu_seconds(processes) - cpu_before
    if fmt == "csv":
        print(
            f"CSV export          {lines - 1:,} ballots, {size / 1e6:.0f} MB in {elapsed:.1f} s"
            f" ({(lines - 1) / elapsed:,.0f} rows/s)  [target: {target}]"
        )
    else:
        print(f"{fmt.upper():<4} export         {size / 1e6:.0f} MB in {elapsed:.1f} s  [{target}]")
    print(
        f"server memory       {peak[0] / 1024:.0f} MiB at most during the {fmt.upper()} export (PSS, master and"
        f" workers; {idle / 1024:.0f} MiB before)  [target: < 500 MB]"
    )
    print(
        f"server CPU          {cpu:.1f} s of CPU (gunicorn and PostgreSQL backends) in {elapsed:.1f} s of wall time;"
        f" load average {Path('/proc/loadavg').read_text().split()[0]} on {__import__('os').cpu_count()} cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--ballots", type=int, default=200_000)
    parser.add_argument("--export-ballots", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--formats",
        type=lambda text: [f for f in text.split(",") if f],
        default=["xlsx", "dta", "sav"],
        help="formats exported at --ballots, before the million-row CSV (comma-separated; '' for none)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("this benchmark needs PostgreSQL (--database-url postgresql+psycopg://...)")
    with production_server(args.database_url, args.workers, "gthread", threads=4) as (base, _env, process):
        seconds = copy_ballots(args.database_url, 1, args.ballots)
        print(f"database            {args.ballots:,} ballots copied into PostgreSQL in {seconds:.1f} s")
        token = sign_in(base, "supervisor")
        table_pages(base, token, args.pages, args.ballots)
        for fmt in args.formats:
            export(base, token, process.pid, fmt, f"{args.ballots:,} ballots, bounded memory", args.database_url)
        more = args.export_ballots - args.ballots
        if more > 0:
            seconds = copy_ballots(args.database_url, args.ballots + 1, more)
            print(f"database            {more:,} more ballots copied in {seconds:.1f} s")
        total = max(args.ballots, args.export_ballots)
        export(base, token, process.pid, "csv", f"1,000,000 ballots in < 60 s; here {total:,}", args.database_url)


if __name__ == "__main__":
    main()
