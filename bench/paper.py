"""Benchmark: importing a province's paper ballots keyed in a spreadsheet, row by row.

A fresh database (SQLite by default, or PostgreSQL with --database-url) with the demo province and no
fieldwork; then ``parsurvey ballots import`` of a CSV of N ballots of the built-in questionnaire (one in
ten with an impossible level, refused and written to the refused-rows file), timed as a subprocess as an
operator runs it; then the same file again (every valid row already stored: nothing stored twice).
The 2022 example province keyed 2,124 ballots in a season.

    python bench/paper.py [--ballots 2124] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _server import BIN, cli, reset_postgres  # noqa: E402

from survey_forms import builtin_satisfaction_form  # noqa: E402

PROFILE = {
    "respondent_type": "individual",
    "sex": "female",
    "age_band": "25_34",
    "occupation": "farmer",
    "procedure": "Cấp giấy chứng nhận quyền sử dụng đất",
    "result_date": "2022-09-15",
    "gave_feedback": "no",
    "overall": "4",
}


def write_ballots(path: Path, count: int) -> int:
    """N rows for SNV keyed for enumerator1; every tenth has a level of 9. Returns the rows to refuse."""
    form = builtin_satisfaction_form()
    criteria = [q.name for q in form.scored_questions() if not q.name.startswith("c5_")]
    rng = random.Random(2022)
    refused = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["agency", "enumerator", *PROFILE, *criteria])
        writer.writeheader()
        for i in range(count):
            row = {"agency": "SNV", "enumerator": "enumerator1", **PROFILE}
            row.update({c: str(rng.randint(1, 5)) for c in criteria})
            if i % 10 == 9:
                row[criteria[0]] = "9"
                refused += 1
            writer.writerow(row)
    return refused


def timed_import(env: dict, path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [str(BIN / "parsurvey"), "ballots", "import", str(path), "--round", "2022", "--by", "supervisor"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"import failed:\n{result.stdout}{result.stderr}")
    return elapsed, result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=2124)
    parser.add_argument("--database-url", help="PostgreSQL URL (its public schema is dropped); default SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
        if args.database_url:
            reset_postgres(url)
        env = {**os.environ, "PARSURVEY_DATABASE_URL": url, "PARSURVEY_INSTANCE_PATH": str(folder)}
        cli(env, "db", "upgrade")
        cli(env, "demo", "load", "--no-fieldwork")
        path = folder / "phieu-giay.csv"
        refused = write_ballots(path, args.ballots)
        first, said = timed_import(env, path)
        print(f"database            {url.split(':', 1)[0]}")
        print(f"first import        {args.ballots:,} rows in {first:.2f} s ({args.ballots / first:,.0f} rows/s)")
        print(f"                    {said}")
        again, said = timed_import(env, path)
        print(f"same file again     {again:.2f} s: {said}")
        refused_file = folder / "phieu-giay-dong-bi-tu-choi.csv"
        lines = len(refused_file.read_text(encoding="utf-8-sig").splitlines()) - 1
        print(f"refused-rows file   {lines} rows (expected {refused})")


if __name__ == "__main__":
    main()
