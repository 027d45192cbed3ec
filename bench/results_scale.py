"""Benchmark: a 2025 province of 20 departments and 130 communes, with a full survey, scored and reported.

Builds a fresh database (SQLite in a temporary folder, or the PostgreSQL given), loads the demo (form,
users, groups), then: 20 departments (2 without procedures, maximum 60) and 130 communes, 10 of them
merged in 2025 from two earlier communes each; a round with every unit and a quota per unit (62 ballots a
department, 40 a commune: 6,316 ballots, all countable); appraisal points for all; the 2024 published
results of every unit entered as history. Then times, in-process as the API does them:

1. the score run (satisfaction with 1,000 bootstrap resamples, PAR ranking, year-on-year against 2024
   with the merged communes compared to their predecessors);
2. the report in HTML (with its charts), PDF and DOCX, each written alone.

Wall and CPU times are printed: on the shared 2-core machine the wall time depends on what else runs.
Target: the score run and the whole report (HTML, PDF and DOCX) each in under a minute of CPU.

    python bench/results_scale.py [--departments 20] [--communes 130]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from scoring import synthetic_ballots  # noqa: E402
from survey_forms import builtin_satisfaction_form  # noqa: E402

MERGED = 10  # communes formed in 2025 from two earlier communes each
DEPARTMENT_QUOTA, COMMUNE_QUOTA = 62, 40


def table(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def build(departments: int, communes: int) -> None:
    """The province, its round, ballots, appraisal points and the 2024 published results."""
    from sqlalchemy import insert, select

    from server.auth.models import User
    from server.ballots.models import Ballot
    from server.demo import load_demo
    from server.extensions import db
    from server.forms.models import FormVersion
    from server.history.service import import_agency_results, import_group_results
    from server.registry import service as registry
    from server.registry.imports import import_agencies
    from server.results.service import import_appraisal
    from server.transaction import unit_of_work

    rng = np.random.default_rng(2025)
    with unit_of_work():
        load_demo(with_fieldwork=False)
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
    with unit_of_work():
        import_agencies(table(["code", "name", "group", "handles_procedures", "merged_from"], rows), "don-vi.csv")
    with unit_of_work():
        survey_round = registry.create_round(
            "BENCH2025",
            2025,
            date(2025, 7, 1),
            date(2025, 11, 30),
            title="Benchmark: 20 sở và 130 xã",
            method_version="2017",
            survey_max_points=10.0,
            participants=[
                {"agency_code": c, "max_points": 60.0 if i < 2 else 100.0, "ballot_quota": DEPARTMENT_QUOTA}
                for i, c in enumerate(dept)
            ]
            + [{"agency_code": c, "max_points": 100.0, "ballot_quota": COMMUNE_QUOTA} for c in xa],
        )
        round_id = survey_round.id
    surveyed = dept[2:] + xa
    quotas = [DEPARTMENT_QUOTA] * len(dept[2:]) + [COMMUNE_QUOTA] * len(xa)
    form = builtin_satisfaction_form()
    names = [q.name for q in form.scored_questions()]
    frame = synthetic_ballots(sum(quotas), len(surveyed), seed=7)
    levels = np.column_stack([frame[c].to_numpy(dtype=np.int8, na_value=0) for c in frame.columns if c.startswith("q")])
    owner = np.repeat(np.arange(len(surveyed)), quotas)
    started = time.perf_counter()
    with unit_of_work():
        ids = dict(
            db.session.execute(select(db.metadata.tables["agencies"].c.code, db.metadata.tables["agencies"].c.id)).all()
        )
        form_version = db.session.scalar(select(FormVersion.id).where(FormVersion.form_id == form.form_id))
        enumerator = db.session.scalar(select(User.id).where(User.username == "enumerator1"))
        values = [
            {
                "instance_id": str(uuid.UUID(int=i + 1)),
                "form_version_id": form_version,
                "round_id": round_id,
                "agency_id": ids[surveyed[owner[i]]],
                "enumerator_id": enumerator,
                "device_id": "bench",
                "answers": {names[j]: int(levels[i][j]) for j in range(len(names)) if levels[i][j]},
                "paradata": {"source": "bench"},
                "content_hash": f"{i + 1:064x}",
                "status": "valid",  # cleaned, as after the cleaning pass
            }
            for i in range(len(owner))
        ]
        db.session.execute(insert(Ballot), values)
    print(f"ballots             {len(values):,} inserted in {time.perf_counter() - started:.1f} s")
    appraisal = [
        [c, round(float(rng.uniform(40, 58)), 2) if i < 2 else round(float(rng.uniform(62, 88)), 2)]
        for i, c in enumerate(dept)
    ]
    appraisal += [[c, round(float(rng.uniform(60, 88)), 2)] for c in xa]
    with unit_of_work():
        import_appraisal(
            registry.get_round("BENCH2025"), table(["agency", "appraisal_points"], appraisal), "tham-dinh.csv"
        )
    published = []
    for group, codes in (("department", dept), ("commune", xa[MERGED:] + old)):
        indexes = sorted(((round(float(rng.uniform(70, 97)), 2), c) for c in codes), reverse=True)
        published += [[c, group, f"{v:.2f}", rank] for rank, (v, c) in enumerate(indexes, 1)]
    with unit_of_work():
        import_agency_results(2024, table(["agency", "group", "index", "rank"], published), "2024.csv")
        means = [
            [
                g,
                f"{np.mean([float(r[2]) for r in published if r[1] == g]):.2f}",
                "",
                "",
                sum(r[1] == g for r in published),
            ]
            for g in ("department", "commune")
        ]
        import_group_results(2024, table(["group", "mean", "highest", "lowest", "agencies"], means), "2024-nhom.csv")


def measure() -> None:
    from server.registry.service import get_round
    from server.results.report import write_report
    from server.results.service import start_run
    from server.transaction import unit_of_work

    started, cpu = time.perf_counter(), time.process_time()
    with unit_of_work():
        run = start_run(get_round("BENCH2025"), {}, None, "cli")
        run_id, ranked = run.id, len(run.results["par"]["agencies"])
        merged = sum(1 for r in run.results["year_on_year"]["agencies"] if r.get("lineage_kind") == "merged_from")
    scored, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"score run           {scored:5.1f} s wall, {cpu:5.1f} s CPU: {ranked} units ranked,"
        f" {merged} merged communes compared with 2024"
    )
    from server.extensions import db
    from server.results.models import ScoreRun

    with tempfile.TemporaryDirectory(prefix="parsurvey-report-") as folder:
        steps = (
            ("HTML + charts", {"pdf": False, "docx": False}),
            ("HTML, PDF, DOCX", {"pdf": True, "docx": True}),
        )
        for label, options in steps:
            out = Path(folder) / str(len(options) + sum(options.values()))
            started, cpu = time.perf_counter(), time.process_time()
            with unit_of_work():
                written = write_report(db.session.get(ScoreRun, run_id), out, **options)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            charts = sorted((out / "charts").glob("*.png"))
            sizes = ", ".join(
                f"{p.name} {p.stat().st_size / 1024:.0f} KiB" for p in written if p.suffix in (".html", ".pdf", ".docx")
            )
            print(f"report {label:<16} {elapsed:5.1f} s wall, {cpu:5.1f} s CPU ({len(charts)} charts; {sizes})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--database-url", help="PostgreSQL to use (its public schema is emptied); default SQLite")
    args = parser.parse_args()
    from flask_migrate import upgrade

    from server import create_app

    with tempfile.TemporaryDirectory(prefix="parsurvey-bench-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        if args.database_url:
            from _server import reset_postgres

            reset_postgres(url)
        os.environ.setdefault("PARSURVEY_AUDIT_KEY", "5a" * 32)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench"})
        kind = url.split(":", 1)[0]
        print(f"cores {os.cpu_count()}, database {kind}, {args.departments} departments, {args.communes} communes")
        with app.app_context():
            upgrade()
            build(args.departments, args.communes)
            measure()


if __name__ == "__main__":
    main()
