"""Benchmark: a 2025 province of 20 departments and 130 communes, with a full survey, scored and reported.

Starts parsurvey as in production (gunicorn on loopback, the demo loaded: form, users, groups) on a fresh
database (SQLite in a temporary folder, or the PostgreSQL given), then over the API: 20 departments (2
without procedures, maximum 60) and 130 communes, 10 of them merged in 2025 from two earlier communes each
(the agency import with its ``merged_from`` column); a round with every unit and a quota per unit (62
ballots a department, 40 a commune: 6,316 ballots, inserted in bulk as cleaned, countable ballots);
appraisal points for all; the 2024 published results of every unit (history import). Then it times, as
an analyst's browser would ask for them:

1. ``POST /api/v1/rounds/BENCH2025/score-runs`` (satisfaction with 1,000 bootstrap resamples, PAR
   ranking, year-on-year against 2024 with the merged communes compared to their predecessors);
2. ``GET /api/v1/score-runs/<id>/report.html``, ``.pdf`` and ``.docx`` (each draws its 17 charts).

On the shared 2-core machine the times depend on what else runs; the target is each request in under a
minute.

    python bench/results_scale.py [--departments 20] [--communes 130]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from _server import production_server  # noqa: E402

from scoring import synthetic_ballots  # noqa: E402
from survey_forms import builtin_satisfaction_form  # noqa: E402

MERGED = 10  # communes formed in 2025 from two earlier communes each
DEPARTMENT_QUOTA, COMMUNE_QUOTA = 62, 40


class Api:
    """JSON and multipart requests with the admin's bearer token."""

    def __init__(self, base: str):
        self.base = base
        token = self.send("POST", "/api/v1/auth/tokens", {"username": "admin", "password": "demo-password"})
        self.headers = {"Authorization": f"Bearer {token['token']}"}

    def send(self, method: str, path: str, body=None, *, raw: bool = False, headers=None):
        data, kind = None, None
        if isinstance(body, tuple):  # (file name, bytes): multipart field "file"
            boundary = uuid.uuid4().hex
            data = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{body[0]}"\r\n'
                    "Content-Type: application/octet-stream\r\n\r\n"
                ).encode()
                + body[1]
                + f"\r\n--{boundary}--\r\n".encode()
            )
            kind = f"multipart/form-data; boundary={boundary}"
        elif body is not None:
            data, kind = json.dumps(body).encode(), "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method)
        for key, value in {**getattr(self, "headers", {}), **(headers or {})}.items():
            request.add_header(key, value)
        if kind:
            request.add_header("Content-Type", kind)
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"{method} {path}: {exc.code} {exc.read().decode()[:2000]}") from None
        return payload if raw else json.loads(payload)


def table(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def insert_ballots(url: str, surveyed: list[str], quotas: list[int]) -> int:
    """The survey's ballots, written straight into the database as cleaned, countable ballots (the sync
    path is benchmarked by bench/ingest.py)."""
    import sqlalchemy as sa

    form = builtin_satisfaction_form()
    names = [q.name for q in form.scored_questions()]
    frame = synthetic_ballots(sum(quotas), len(surveyed), seed=7)
    levels = np.column_stack([frame[c].to_numpy(dtype=np.int8, na_value=0) for c in frame.columns if c.startswith("q")])
    owner = np.repeat(np.arange(len(surveyed)), quotas)
    engine = sa.create_engine(url)
    tables = sa.MetaData()
    tables.reflect(engine, only=["ballots", "agencies", "users", "form_versions", "survey_rounds"])
    with engine.begin() as connection:
        agencies = dict(
            connection.execute(sa.select(tables.tables["agencies"].c.code, tables.tables["agencies"].c.id)).all()
        )
        users = tables.tables["users"]
        enumerator = connection.scalar(sa.select(users.c.id).where(users.c.username == "enumerator1"))
        versions = tables.tables["form_versions"]
        form_version = connection.scalar(sa.select(versions.c.id).where(versions.c.form_id == form.form_id))
        rounds = tables.tables["survey_rounds"]
        round_id = connection.scalar(sa.select(rounds.c.id).where(rounds.c.code == "BENCH2025"))
        now = datetime.now(UTC)
        connection.execute(
            sa.insert(tables.tables["ballots"]),
            [
                {
                    "instance_id": str(uuid.UUID(int=i + 1)),
                    "form_version_id": form_version,
                    "round_id": round_id,
                    "agency_id": agencies[surveyed[owner[i]]],
                    "enumerator_id": enumerator,
                    "device_id": "bench",
                    "answers": {names[j]: int(levels[i][j]) for j in range(len(names)) if levels[i][j]},
                    "paradata": {"source": "bench"},
                    "content_hash": f"{i + 1:064x}",
                    "received_at": now,
                    "straight_lined": False,
                    "status": "valid",  # as after the cleaning pass
                }
                for i in range(len(owner))
            ],
        )
    engine.dispose()
    return len(owner)


def build(api: Api, url: str, departments: int, communes: int) -> None:
    """The province, its round, ballots, appraisal points and the 2024 published results."""
    rng = np.random.default_rng(2025)
    dept = [f"SO{i:02d}" for i in range(1, departments + 1)]
    xa = [f"XA{i:03d}" for i in range(1, communes + 1)]
    old = [f"XACU{i:03d}" for i in range(1, 2 * MERGED + 1)]
    rows = [
        [c, f"Sở thử nghiệm số {i}", "Sở, ban, ngành", "không" if i <= 2 else "có", ""] for i, c in enumerate(dept, 1)
    ]
    rows += [[c, f"Xã Tân Thịnh {i}", "UBND cấp xã", "có", ""] for i, c in enumerate(old, 1)]
    for i, c in enumerate(xa, 1):
        merged = f"{old[2 * i - 2]};{old[2 * i - 1]}" if i <= MERGED else ""
        rows.append([c, f"Xã Hòa Bình Đông Nam số {i}", "UBND cấp xã", "có", merged])
    api.send(
        "POST",
        "/api/v1/agencies/import",
        ("don-vi.csv", table(["code", "name", "group", "handles_procedures", "merged_from"], rows)),
    )
    participants = [
        {"agency_code": c, "max_points": 60.0 if i < 2 else 100.0, "ballot_quota": DEPARTMENT_QUOTA}
        for i, c in enumerate(dept)
    ] + [{"agency_code": c, "max_points": 100.0, "ballot_quota": COMMUNE_QUOTA} for c in xa]
    api.send(
        "POST",
        "/api/v1/rounds",
        {
            "code": "BENCH2025",
            "year": 2025,
            "title": "Benchmark: 20 sở và 130 xã",
            "window_start": "2025-07-01",
            "window_end": "2025-11-30",
            "method_version": "2017",
            "survey_max_points": 10,
            "participants": participants,
        },
    )
    started = time.perf_counter()
    count = insert_ballots(url, dept[2:] + xa, [DEPARTMENT_QUOTA] * (departments - 2) + [COMMUNE_QUOTA] * communes)
    print(f"ballots             {count:,} inserted in {time.perf_counter() - started:.1f} s")
    appraisal = [
        [c, round(float(rng.uniform(40, 58)), 2) if i < 2 else round(float(rng.uniform(62, 88)), 2)]
        for i, c in enumerate(dept)
    ]
    appraisal += [[c, round(float(rng.uniform(60, 88)), 2)] for c in xa]
    api.send(
        "POST",
        "/api/v1/rounds/BENCH2025/appraisal",
        ("tham-dinh.csv", table(["agency", "appraisal_points"], appraisal)),
    )
    published = []
    for group, codes in (("department", dept), ("commune", xa[MERGED:] + old)):
        indexes = sorted(((round(float(rng.uniform(70, 97)), 2), c) for c in codes), reverse=True)
        published += [[c, group, f"{v:.2f}", rank] for rank, (v, c) in enumerate(indexes, 1)]
    api.send(
        "POST", "/api/v1/history/2024/agencies", ("2024.csv", table(["agency", "group", "index", "rank"], published))
    )
    means = [
        [g, f"{np.mean([float(r[2]) for r in published if r[1] == g]):.2f}", sum(r[1] == g for r in published)]
        for g in ("department", "commune")
    ]
    api.send("POST", "/api/v1/history/2024/groups", ("2024-nhom.csv", table(["group", "mean", "agencies"], means)))


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master's workers: on a shared machine the
    wall time says how busy the machine is, this says what the request cost."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    total = 0
    for child in children.read_text().split() if children.exists() else []:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, IndexError):
            pass
    return total / ticks


def measure(api: Api, pid: int) -> None:
    started, cpu = time.perf_counter(), server_cpu(pid)
    run = api.send("POST", "/api/v1/rounds/BENCH2025/score-runs", {})
    scored, cpu = time.perf_counter() - started, server_cpu(pid) - cpu
    results = run["results"]
    merged = sum(1 for r in results["year_on_year"]["agencies"] if r.get("lineage_kind") == "merged_from")
    print(
        f"score run           {scored:5.1f} s wall, {cpu:5.1f} s server CPU:"
        f" {len(results['par']['agencies'])} units ranked,"
        f" {merged} merged communes compared with 2024 (POST .../score-runs)"
    )
    for fmt in ("html", "pdf", "docx"):
        started, cpu = time.perf_counter(), server_cpu(pid)
        body = api.send("GET", f"/api/v1/score-runs/{run['id']}/report.{fmt}", raw=True)
        print(
            f"report {fmt:<13}{time.perf_counter() - started:5.1f} s wall, {server_cpu(pid) - cpu:5.1f} s server CPU,"
            f" {len(body) / 1024:,.0f} KiB (GET .../report.{fmt})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--database-url", help="PostgreSQL to use (its public schema is emptied); default SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parsurvey-bench-db-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        print(f"database {url.split(':', 1)[0]}, {args.departments} departments, {args.communes} communes")
        # gthread workers, as the README advises for long requests: a report draws its charts for many seconds
        with production_server(url, workers=2, worker_class="gthread", threads=4) as (base, _env, process):
            api = Api(base)
            build(api, url, args.departments, args.communes)
            measure(api, process.pid)


if __name__ == "__main__":
    main()
