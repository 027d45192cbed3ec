"""Start parsurvey as in production (gunicorn, several workers) on loopback for a benchmark.

Benchmarks talk to the server only over HTTP and the ``parsurvey`` command line, like a real install.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reset_postgres(url: str) -> None:
    """Drop and recreate the public schema so the benchmark starts from an empty database."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def cli(env: dict, *args: str) -> str:
    result = subprocess.run([str(BIN / "parsurvey"), *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"parsurvey {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def server_memory_kib(pid: int) -> int:
    """Memory of the gunicorn master and all its workers, in KiB: the sum of their proportional set
    sizes (PSS), so pages the forked workers share are counted once, not once per worker as RSS would."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, PermissionError):
            pass
    return total


def cpu_seconds_by_process(pids: list[int]) -> dict[int, float]:
    """User plus system CPU seconds each of these processes has used so far (``/proc/<pid>/stat``); a
    process that has gone is left out. On a busy machine the CPU a request costs is the figure that holds
    still, where requests per second fall with every other process that wants the cores."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
        used[each] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return used


def gunicorn_pids(pid: int) -> list[int]:
    """The gunicorn master and its workers."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid, *(int(p) for p in children.read_text().split())] if children.exists() else [pid]


def postgres_backend_pids(url: str | None) -> list[int]:
    """The PostgreSQL server processes connected to the benchmark's database (none for SQLite, or when the
    database runs on another machine, whose processes this one cannot see)."""
    if not url or not url.startswith("postgresql"):
        return []
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ]


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds these processes have used so far, together."""
    return sum(cpu_seconds_by_process(pids).values())


def server_pids(pid: int, url: str | None) -> list[int]:
    """The gunicorn master and workers, and the PostgreSQL backends serving the benchmark's database."""
    return gunicorn_pids(pid) + postgres_backend_pids(url)


@contextmanager
def production_server(database_url: str | None, workers: int, worker_class: str = "sync", threads: int = 1):
    """Yield (base_url, env, process) of a gunicorn server with the demo province loaded."""
    with tempfile.TemporaryDirectory(prefix="parsurvey-bench-") as tmp:
        env = {**os.environ, "PARSURVEY_INSTANCE_PATH": tmp, "PARSURVEY_LOG_LEVEL": "WARNING"}
        if database_url:
            if database_url.startswith("postgresql"):
                reset_postgres(database_url)
            env["PARSURVEY_DATABASE_URL"] = database_url
        cli(env, "db", "upgrade")
        cli(env, "demo", "load", "--no-fieldwork")  # the province and users; the benchmark brings its own ballots
        port = free_port()
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--preload",
                "-w",
                str(workers),
                "-k",
                worker_class,
                "--threads",
                str(threads),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "server:create_app()",
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=2).read()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("gunicorn did not start") from None
                    time.sleep(0.2)
            yield base, env, process
        finally:
            process.terminate()
            process.wait(timeout=30)
