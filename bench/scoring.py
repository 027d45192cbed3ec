"""Benchmark: scoring 1,000,000 synthetic ballots of the built-in questionnaire across 500 agencies.

1. Pure computation: ``scoring.score_satisfaction`` on a wide frame (one row per ballot, int8 levels)
   from ``scoring.synthetic_ballots``, with the default method (1,000 bootstrap resamples). Prints the
   time and the peak memory allocated during the call (tracemalloc, which numpy reports to) and the
   process's peak resident memory.
2. Full score run from the database (PostgreSQL): a fresh schema (``parsurvey db upgrade``, ``demo
   load``), then 500 agencies, a round and the same million ballots inserted in bulk with COPY, then
   ``parsurvey score --round BENCH --out FILE`` timed as a subprocess, as an operator runs it: process
   start, reading the countable ballots, scoring, PAR ranking, storing the run, writing its JSON.

Targets on the 2-core machine: computation under 2 s and 1.5 GB; full run under 30 s.

    python bench/scoring.py [--ballots 1000000] [--agencies 500]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test | --skip-db]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from _server import BIN, cli, reset_postgres  # noqa: E402

from scoring import SatisfactionMethod, score_satisfaction, synthetic_ballots, synthetic_criteria  # noqa: E402
from survey_forms import builtin_satisfaction_form  # noqa: E402

MiB = 1024 * 1024


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def pure_computation(ballots, agencies: int, repeats: int) -> None:
    started = time.perf_counter()
    frame = synthetic_ballots(ballots, agencies, seed=1)
    made = time.perf_counter() - started
    criteria = synthetic_criteria()
    method = SatisfactionMethod(version="bench")
    print(
        f"synthetic data      {ballots:,} ballots x {len(criteria)} criteria, {agencies} agencies"
        f" ({made:.1f} s to make)"
    )
    score_satisfaction(frame.head(1000), criteria, method)  # warm up imports and caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = score_satisfaction(frame, criteria, method)
        times.append(time.perf_counter() - started)
    tracemalloc.start()  # a separate call: tracing every allocation slows numpy down
    score_satisfaction(frame, criteria, method)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started = time.perf_counter()
    score_satisfaction(frame, criteria, SatisfactionMethod(version="bench", bootstrap_resamples=0))
    no_bootstrap = time.perf_counter() - started
    print(
        f"pure computation    {statistics.median(times):.2f} s median of {repeats} (best {min(times):.2f} s) with"
        f" {method.bootstrap_resamples} bootstrap resamples; {no_bootstrap:.2f} s without intervals  [target: < 2 s]"
    )
    print(
        f"                    peak allocated {peak / MiB:.0f} MiB during the call, input frame"
        f" {frame.memory_usage(deep=True).sum() / MiB:.0f} MiB, process peak RSS {peak_rss_mib():.0f} MiB"
        "  [target: < 1.5 GB]"
    )
    agencies_df = result.agencies
    print(
        f"                    {int(agencies_df['ballots'].sum()):,} ballots scored,"
        f" mean index {agencies_df['index'].mean():.2f}, {int(agencies_df['below_min_sample'].sum())} agencies"
        f" below the minimum sample"
    )


def watch(pid: int) -> tuple[int, int]:
    """Wait for a child, sampling its memory high-water mark (VmHWM, KiB). getrusage is no use here: a
    forked child inherits the benchmark's own peak."""
    peak = 0
    while True:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            pass
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status, peak
        time.sleep(0.02)


def insert_bench_round(url: str, ballots, agencies: int) -> None:
    """Agencies CQ0001.., round BENCH with every agency, and the synthetic ballots, by COPY."""
    import psycopg

    form = builtin_satisfaction_form()
    names = [q.name for q in form.scored_questions()]
    frame = synthetic_ballots(ballots, agencies, seed=1)
    synthetic = [c for c in frame.columns if c.startswith("q")]
    assert len(synthetic) == len(names), (synthetic, names)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM form_versions WHERE form_id = 'satisfaction'")
        form_version_id = cur.fetchone()[0]
        cur.execute("SELECT id FROM users WHERE username = 'enumerator1'")
        enumerator_id = cur.fetchone()[0]
        codes = [f"CQ{a + 1:04d}" for a in range(agencies)]
        cur.executemany(
            "INSERT INTO agencies (code, name, agency_group, handles_procedures) VALUES (%s, %s, 'district', true)",
            [(code, f"Đơn vị thử {code}") for code in codes],
        )
        cur.execute("SELECT code, id FROM agencies WHERE code LIKE 'CQ%%'")
        agency_ids = dict(cur.fetchall())
        bands = json.dumps(
            [
                {"code": "excellent", "label": "Xuất sắc", "min": 95},
                {"code": "good", "label": "Tốt", "min": 85},
                {"code": "fair", "label": "Khá", "min": 75},
                {"code": "average", "label": "Trung bình", "min": 70},
                {"code": "weak", "label": "Yếu", "min": None},
            ]
        )
        cur.execute(
            "INSERT INTO survey_rounds (code, year, title, window_start, window_end, method_version,"
            " survey_max_points, bands, state, created_at)"
            " VALUES ('BENCH', 2030, 'Benchmark', '2030-01-01', '2030-11-30', '2017', 10, %s, 'open', now())"
            " RETURNING id",
            (bands,),
        )
        round_id = cur.fetchone()[0]
        cur.executemany(
            "INSERT INTO round_agencies (round_id, agency_id, surveyed, max_points, ballot_quota)"
            " VALUES (%s, %s, true, 100, 0)",
            [(round_id, agency_ids[code]) for code in codes],
        )
        agency_of = np.array([agency_ids[a] for a in frame["agency"].tolist()])
        levels = np.column_stack([frame[c].to_numpy(dtype=np.int8, na_value=0) for c in synthetic])
        started = time.perf_counter()
        with cur.copy(
            "COPY ballots (instance_id, form_version_id, round_id, agency_id, enumerator_id, device_id, answers,"
            " paradata, content_hash, received_at) FROM STDIN"
        ) as copy:
            for i in range(len(frame)):
                row = levels[i]
                answers = "{" + ", ".join(f'"{names[j]}": {row[j]}' for j in range(len(names)) if row[j]) + "}"
                copy.write_row(
                    (
                        str(uuid.UUID(int=i + 1)),
                        form_version_id,
                        round_id,
                        int(agency_of[i]),
                        enumerator_id,
                        "bench",
                        answers,
                        '{"source": "bench"}',
                        f"{i + 1:064x}",
                        "2030-06-01T00:00:00+00:00",
                    )
                )
        cur.execute("ANALYZE ballots")
        print(
            f"database            {len(frame):,} ballots copied into PostgreSQL"
            f" in {time.perf_counter() - started:.1f} s"
        )


def full_run(url: str, ballots: int, agencies: int) -> None:
    with tempfile.TemporaryDirectory(prefix="parsurvey-bench-") as tmp:
        env = {**os.environ, "PARSURVEY_INSTANCE_PATH": tmp, "PARSURVEY_LOG_LEVEL": "WARNING"}
        env["PARSURVEY_DATABASE_URL"] = url
        reset_postgres(url)
        cli(env, "db", "upgrade")
        cli(env, "demo", "load", "--no-fieldwork")
        insert_bench_round(url, ballots, agencies)
        out = Path(tmp) / "run.json"
        log = Path(tmp) / "score.log"
        started = time.perf_counter()
        with log.open("w") as stderr:
            process = subprocess.Popen(
                [str(BIN / "parsurvey"), "score", "--round", "BENCH", "--out", str(out)], env=env, stderr=stderr
            )
            status, peak_kib = watch(process.pid)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"parsurvey score failed:\n{log.read_text()}")
        run = json.loads(out.read_text(encoding="utf-8"))
        print(
            f"full score run      {elapsed:.1f} s for `parsurvey score --round BENCH`"
            f" (PostgreSQL, {run['ballots_included']:,} ballots, run {run['id']});"
            f" peak RSS of the command {peak_kib / 1024:.0f} MiB"
            f"  [target: < 30 s]"
        )
        print(f"                    {log.read_text().strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=500)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls of the pure computation")
    parser.add_argument("--skip-db", action="store_true", help="only the pure computation")
    args = parser.parse_args()
    blas = {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")}
    print(f"cores {os.cpu_count()}, numpy {np.__version__}, {blas or 'no OPENBLAS_* overrides'}")
    pure_computation(args.ballots, args.agencies, args.repeats)
    if not args.skip_db:
        if not args.database_url.startswith("postgresql"):
            raise SystemExit("the full run needs PostgreSQL (--database-url postgresql+psycopg://...)")
        full_run(args.database_url, args.ballots, args.agencies)


if __name__ == "__main__":
    main()
