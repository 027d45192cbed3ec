"""Benchmark: the appraisal of a round of 150 agencies × 80 leaf criteria × 2 evidence files each.

Builds the round on a fresh database (SQLite file, or the PostgreSQL URL given, whose public schema is
dropped and recreated): a criteria set of seven areas and 80 leaves imported from XLSX, 150 departments
with 12,000 self-assessments and 24,000 evidence rows (bulk-inserted; they point at a few real signed
PDFs on disk), every agency submitted and every leaf appraised. Then it times, through the HTTP API
(Flask's test client, so no network in the figures):

* the appraiser's area view of the largest area (19 leaves × 150 agencies, 5,700 evidence entries);
* the aggregation of self-assessed and appraised points per agency and area, and the progress view;
* the secretariat's lock (aggregation, and writing the round's appraisal points for the score run);
* the evidence check itself: pyHanko on a signed PDF, per upload, through the API.

Targets: area view and aggregation each under 1 s.

    python bench/appraisal.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.append(str(Path(__file__).resolve().parent))  # after the packages: bench/scoring.py is no package

from openpyxl import Workbook  # noqa: E402

AREAS = [
    ("1", 14, 12, "SNV"),
    ("2", 10, 9, "STP"),
    ("3", 19, 17, "VPUBND"),
    ("4", 8, 7, "SNV"),
    ("5", 13, 11, "SNV"),
    ("6", 6, 5, "STC"),
    ("7", 20, 19, "STTTT"),
]  # code, max, leaves, council


def criteria_sheet() -> bytes:
    """Seven areas, 80 leaves with 'levels' rules whose maxima add up to each area's."""
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "title", "max_points", "rule", "levels", "council"])
    for code, maximum, leaves, council in AREAS:
        sheet.append([code, f"Lĩnh vực {code}", maximum, None, None, council])
        each = maximum / leaves
        for i in range(1, leaves + 1):
            sheet.append([f"{code}.{i}", f"Tiêu chí {code}.{i}", each, "levels", f"0; {each / 2!r}; {each!r}", None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(label: str, action, repeat: int = 5):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    print(
        f"{label:<58} median {statistics.median(times) * 1000:7.0f} ms   max {max(times) * 1000:7.0f} ms",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--agencies", type=int, default=150)
    parser.add_argument("--profile", action="store_true", help="print where the area view and aggregation spend time")
    args = parser.parse_args()

    from _server import reset_postgres

    from tests.appraisal.pki import make_pki, plain_pdf, signed_pdf

    work = Path(tempfile.mkdtemp(prefix="parsurvey-bench-appraisal-"))
    url = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    if url.startswith("postgresql"):
        reset_postgres(url)
    pki = make_pki()
    root = work / "root.pem"
    root.write_bytes(pki.root_pem())

    from flask_migrate import upgrade
    from sqlalchemy import select

    from server import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(work),
            "APPRAISAL_TRUST_ROOTS": (str(root),),
            "AUDIT_KEY": bytes(32),
        }
    )
    with app.app_context():
        upgrade()
        from server.appraisal.criteria import import_criteria
        from server.appraisal.evidence import path_of
        from server.appraisal.members import assign_member
        from server.appraisal.models import (
            AgencySubmission,
            CouncilAppraisal,
            Criterion,
            EvidenceFile,
            SelfAssessment,
        )
        from server.auth.service import create_user, issue_token
        from server.bulk import insert_rows
        from server.extensions import db
        from server.registry.models import Agency
        from server.registry.service import create_agency, create_round
        from server.transaction import unit_of_work

        started = time.perf_counter()
        with unit_of_work():
            for i in range(args.agencies):
                create_agency(f"A{i:03d}", f"Sở thử nghiệm {i:03d}", "department")
            survey_round = create_round(
                "BENCH",
                2022,
                date(2022, 1, 1),
                date(2022, 11, 30),
                method_version="2017",
                participants=[{"agency_code": f"A{i:03d}", "max_points": 100} for i in range(args.agencies)],
            )
            import_criteria(survey_round, criteria_sheet(), "bench.xlsx")
            officer = create_user("officer", "agency_officer")
            appraiser = create_user("appraiser", "appraiser")
            supervisor = create_user("supervisor", "supervisor")
            assign_member("officer", agency_code="A000")
            assign_member("appraiser", council_org="STTTT")
            tokens = {u.username: issue_token(u, "bench")[1] for u in (officer, appraiser, supervisor)}
        files = [signed_pdf(pki.signer, f"Tai lieu {i}") for i in range(4)] + [plain_pdf()]
        import hashlib

        digests = []
        for data in files:
            digest = hashlib.sha256(data).hexdigest()
            path = path_of(app.config, digest)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            digests.append((digest, len(data)))
        with unit_of_work():
            round_id = survey_round.id
            agencies = list(db.session.scalars(select(Agency.id).where(Agency.code.like("A%"))))
            leaves = [
                (c.id, c.max_points)
                for c in db.session.scalars(select(Criterion).where(Criterion.round_id == round_id))
                if c.rule is not None
            ]
            assert len(leaves) == 80
            own = [
                {
                    "round_id": round_id,
                    "agency_id": a,
                    "criterion_id": c,
                    "value": m,
                    "points": m,
                    "explanation": "Giải trình",
                }
                for a in agencies
                for c, m in leaves
            ]
            insert_rows(SelfAssessment.__table__, own)
            ids = (
                db.session.execute(select(SelfAssessment.id).where(SelfAssessment.round_id == round_id)).scalars().all()
            )
            evidence = []
            for n, assessment in enumerate(ids):
                for k in range(2):
                    digest, size = digests[(n + k) % len(digests)]
                    evidence.append(
                        {
                            "assessment_id": assessment,
                            "filename": f"kiem_chung_{n}_{k}.pdf",
                            "sha256": digest,
                            "size": size,
                            "signature_status": "valid" if (n + k) % len(digests) < 4 else "unsigned",
                            "signer": "Common Name: Nguyễn Văn An - Sở Nội vụ",
                            "issuer": "Common Name: Root CA thử nghiệm",
                            "certificate_serial": "01",
                            "detail": "",
                        }
                    )
            insert_rows(EvidenceFile.__table__, evidence)
            insert_rows(AgencySubmission.__table__, [{"round_id": round_id, "agency_id": a} for a in agencies])
            insert_rows(
                CouncilAppraisal.__table__,
                [
                    {"round_id": round_id, "agency_id": a, "criterion_id": c, "value": m, "points": m, "comment": ""}
                    for a in agencies
                    for c, m in leaves
                ],
            )
        print(
            f"built {len(agencies)} agencies × 80 leaves: {len(own)} self-assessments, {len(evidence)} evidence files,"
            f" {len(own)} appraisals in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})",
            flush=True,
        )

    client = app.test_client()
    if "--profile" in sys.argv:
        import cProfile
        import pstats

        with cProfile.Profile() as profile:
            client.get(
                "/api/v1/rounds/BENCH/areas/7/appraisal", headers={"Authorization": f"Bearer {tokens['appraiser']}"}
            )
            client.get(
                "/api/v1/rounds/BENCH/appraisal/points", headers={"Authorization": f"Bearer {tokens['supervisor']}"}
            )
        pstats.Stats(profile).sort_stats("cumulative").print_stats(35)

    def get(path: str, who: str):
        response = client.get(path, headers={"Authorization": f"Bearer {tokens[who]}"})
        assert response.status_code == 200, response.get_json()
        return response

    body = timed(
        "appraiser's area view (area 7: 19 leaves × 150 agencies)",
        lambda: get("/api/v1/rounds/BENCH/areas/7/appraisal", "appraiser"),
    )
    view = body.get_json()
    entries = sum(len(c["self"]["evidence"]) for a in view["agencies"] for c in a["criteria"])
    print(f"{'':<58} {len(view['agencies'])} agencies, {entries} evidence entries, {len(body.data) / 1e6:.1f} MB JSON")
    timed(
        "aggregation: points per agency and area (150 × 7)",
        lambda: get("/api/v1/rounds/BENCH/appraisal/points", "supervisor"),
    )
    timed("progress view", lambda: get("/api/v1/rounds/BENCH/appraisal/progress", "supervisor"))
    timed(
        "one agency's self-assessment (80 leaves, 160 files)",
        lambda: get("/api/v1/rounds/BENCH/agencies/A000/self-assessment", "officer"),
    )

    def lock():
        response = client.post(
            "/api/v1/rounds/BENCH/appraisal/lock", headers={"Authorization": f"Bearer {tokens['supervisor']}"}
        )
        assert response.status_code == 200, response.get_json()

    timed("secretariat's lock (aggregate, write the round's points)", lock, repeat=1)

    with app.app_context():
        from server.appraisal.models import AppraisalCalendar

        db.session.execute(AppraisalCalendar.__table__.update().values(locked_at=None))
        db.session.execute(
            SubmissionReset := AgencySubmission.__table__.delete().where(AgencySubmission.agency_id == agencies[0])
        )
        db.session.commit()
    del SubmissionReset
    pdf = files[0]

    def upload():
        response = client.post(
            "/api/v1/rounds/BENCH/agencies/A000/self-assessment/1.1/evidence",
            data={"file": (io.BytesIO(pdf), "kiem_chung.pdf")},
            headers={"Authorization": f"Bearer {tokens['officer']}"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 201 and response.get_json()["signature_status"] == "valid", response.get_json()

    timed(f"evidence upload with pyHanko check ({len(pdf) / 1024:.0f} KiB signed PDF)", upload, repeat=20)


if __name__ == "__main__":
    main()
