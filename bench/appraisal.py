"""Benchmark: the appraisal of a round of 150 agencies × 80 leaf criteria × 2 evidence files each.

Starts parsurvey as in production (gunicorn, 2 workers, the demo province) on a fresh database (SQLite,
or the PostgreSQL URL given, whose public schema is dropped and recreated), and builds the round through
the API: 150 departments, the round, a criteria set of seven areas and 80 leaves uploaded as XLSX, an agency
officer, an appraiser and their council membership. The 12,000 self-assessments, 24,000 evidence rows (they
point at a few real signed PDFs written to the evidence folder), 150 submissions and 12,000 appraisals are
inserted straight into the tables, as bench/oversight.py copies its ballots: loading them one request at a
time would time the loading, not the screens. Then it times over HTTP:

* the appraiser's area view of the largest area (19 leaves × 150 agencies, 5,700 evidence entries);
* the aggregation of self-assessed and appraised points per agency and area, and the progress view;
* one agency's whole self-assessment (80 leaves, 160 files);
* the secretariat's lock (aggregation, and writing the round's appraisal points for the score run);
* an evidence upload with its pyHanko signature check.

Targets: area view and aggregation each under 1 s.

    python bench/appraisal.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
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


def request(base: str, token: str, method: str, path: str, body=None, files=None):
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if files is not None:
        boundary = uuid.uuid4().hex
        name, content = files
        data = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        with urllib.request.urlopen(
            urllib.request.Request(base + path, data, headers, method=method), timeout=600
        ) as r:
            return r.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {path}: {error.code} {error.read()[:500]!r}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--agencies", type=int, default=150)
    args = parser.parse_args()

    import sqlalchemy as sa
    from _server import production_server
    from ingest import sign_in

    from tests.appraisal.pki import make_pki, plain_pdf, signed_pdf

    pki = make_pki()
    keys = Path(tempfile.mkdtemp(prefix="parsurvey-bench-roots-"))
    (keys / "root.pem").write_bytes(pki.root_pem())
    os.environ["PARSURVEY_APPRAISAL_TRUST_ROOTS"] = str(keys / "root.pem")
    files = [signed_pdf(pki.signer, f"Tai lieu {i}") for i in range(4)] + [plain_pdf()]

    with production_server(args.database_url, 2) as (base, env, _process):
        started = time.perf_counter()
        admin, supervisor = sign_in(base, "admin"), sign_in(base, "supervisor")
        method = json.loads(request(base, supervisor, "GET", "/api/v1/rounds/2022"))["method_version"]
        for i in range(args.agencies):
            body = {"code": f"A{i:03d}", "name": f"Sở thử nghiệm {i:03d}", "group": "department"}
            request(base, supervisor, "POST", "/api/v1/agencies", body)
        participants = [{"agency_code": f"A{i:03d}", "max_points": 100} for i in range(args.agencies)]
        round_body = {"code": "BENCH", "year": 2023, "window_start": "2023-01-01", "window_end": "2023-11-30"}
        round_body |= {"method_version": method, "participants": participants}
        request(base, supervisor, "POST", "/api/v1/rounds", round_body)
        request(base, supervisor, "POST", "/api/v1/rounds/BENCH/criteria", files=("bench.xlsx", criteria_sheet()))
        tokens = {"supervisor": supervisor}
        for username, role, member in (
            ("officer", "agency_officer", {"agency": "A000"}),
            ("appraiser", "appraiser", {"council_org": "STTTT"}),
        ):
            user = {"username": username, "role": role, "password": "demo-password"}
            request(base, admin, "POST", "/api/v1/users", user)
            request(base, supervisor, "POST", "/api/v1/appraisal/members", {"username": username, **member})
            tokens[username] = sign_in(base, username)

        digests = []
        for data in files:
            digest = hashlib.sha256(data).hexdigest()
            path = Path(env["PARSURVEY_INSTANCE_PATH"]) / "evidence" / digest[:2] / digest
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            digests.append((digest, len(data), "valid" if data is not files[-1] else "unsigned"))
        url = env.get("PARSURVEY_DATABASE_URL") or f"sqlite:///{env['PARSURVEY_INSTANCE_PATH']}/parsurvey.sqlite3"
        engine = sa.create_engine(url)
        meta = sa.MetaData()
        meta.reflect(engine)
        t = meta.tables
        now = datetime.now(UTC)
        with engine.begin() as conn:
            round_id = conn.execute(
                sa.select(t["survey_rounds"].c.id).where(t["survey_rounds"].c.code == "BENCH")
            ).scalar()
            agencies = (
                conn.execute(sa.select(t["agencies"].c.id).where(t["agencies"].c.code.like("A%"))).scalars().all()
            )
            crit = t["appraisal_criteria"]
            nodes = conn.execute(
                sa.select(crit.c.id, crit.c.max_points, crit.c.parent_id).where(crit.c.round_id == round_id)
            ).all()
            parents = {p for _, _, p in nodes}
            leaves = [(c, m) for c, m, _ in nodes if c not in parents]
            own = [
                {"round_id": round_id, "agency_id": a, "criterion_id": c, "value": m, "points": m}
                | {"explanation": "Giải trình", "updated_at": now}
                for a in agencies
                for c, m in leaves
            ]
            conn.execute(t["appraisal_self_assessments"].insert(), own)
            sa_table = t["appraisal_self_assessments"]
            ids = conn.execute(sa.select(sa_table.c.id).where(sa_table.c.round_id == round_id)).scalars().all()
            evidence = [
                {
                    "assessment_id": assessment,
                    "filename": f"kiem_chung_{n}_{k}.pdf",
                    "sha256": digests[(n + k) % len(digests)][0],
                    "size": digests[(n + k) % len(digests)][1],
                    "signature_status": digests[(n + k) % len(digests)][2],
                    "signer": "Common Name: Nguyễn Văn An - Sở Nội vụ",
                    "issuer": "Common Name: Root CA thử nghiệm",
                    "certificate_serial": "01",
                    "detail": "",
                    "uploaded_at": now,
                }
                for n, assessment in enumerate(ids)
                for k in range(2)
            ]
            conn.execute(t["appraisal_evidence"].insert(), evidence)
            conn.execute(
                t["appraisal_submissions"].insert(),
                [{"round_id": round_id, "agency_id": a, "submitted_at": now} for a in agencies],
            )
            conn.execute(
                t["appraisal_reviews"].insert(),
                [
                    {"round_id": round_id, "agency_id": a, "criterion_id": c, "value": m, "points": m}
                    | {"comment": "", "appraised_at": now}
                    for a in agencies
                    for c, m in leaves
                ],
            )
        print(
            f"built {len(agencies)} agencies × {len(leaves)} leaves: {len(own)} self-assessments,"
            f" {len(evidence)} evidence files, {len(own)} appraisals in {time.perf_counter() - started:.1f} s"
            f" ({url.split(':')[0]}, gunicorn 2 workers)",
            flush=True,
        )

        def get(path: str, who: str) -> bytes:
            return request(base, tokens[who], "GET", path)

        body = timed(
            "appraiser's area view (area 7: 19 leaves × 150 agencies)",
            lambda: get("/api/v1/rounds/BENCH/areas/7/appraisal", "appraiser"),
        )
        view = json.loads(body)
        entries = sum(len(c["self"]["evidence"]) for a in view["agencies"] for c in a["criteria"])
        print(f"{'':<58} {len(view['agencies'])} agencies, {entries} evidence entries, {len(body) / 1e6:.1f} MB JSON")
        timed(
            "aggregation: points per agency and area (150 × 7)",
            lambda: get("/api/v1/rounds/BENCH/appraisal/points", "supervisor"),
        )
        timed("progress view", lambda: get("/api/v1/rounds/BENCH/appraisal/progress", "supervisor"))
        timed(
            "one agency's self-assessment (80 leaves, 160 files)",
            lambda: get("/api/v1/rounds/BENCH/agencies/A000/self-assessment", "officer"),
        )
        timed(
            "secretariat's lock (aggregate, write the round's points)",
            lambda: request(base, supervisor, "POST", "/api/v1/rounds/BENCH/appraisal/lock"),
            repeat=1,
        )
        with engine.begin() as conn:  # reopen A000 for the upload timing: unlock, take back its submission
            conn.execute(t["appraisal_calendars"].update().values(locked_at=None))
            conn.execute(
                t["appraisal_submissions"].delete().where(t["appraisal_submissions"].c.agency_id == agencies[0])
            )
        engine.dispose()

        def upload():
            stored = json.loads(
                request(
                    base,
                    tokens["officer"],
                    "POST",
                    "/api/v1/rounds/BENCH/agencies/A000/self-assessment/1.1/evidence",
                    files=("kiem_chung.pdf", files[0]),
                )
            )
            assert stored["signature_status"] == "valid", stored

        timed(f"evidence upload with pyHanko check ({len(files[0]) / 1024:.0f} KiB signed PDF)", upload, repeat=20)


if __name__ == "__main__":
    main()
