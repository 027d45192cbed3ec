"""Evidence files on disk, named by their SHA-256 (so a file sent twice is stored once), with size limits
and the signature check done on arrival."""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from pathlib import Path

from ..errors import ApiError
from ..extensions import db
from .models import EvidenceFile, SelfAssessment
from .signatures import check_signatures, is_pdf, trust_roots


def evidence_dir(config) -> Path:
    return Path(config.get("APPRAISAL_EVIDENCE_DIR") or Path(config["INSTANCE_PATH"]) / "evidence")


def path_of(config, sha256: str) -> Path:
    return evidence_dir(config) / sha256[:2] / sha256


def _write(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)  # atomic: a reader never sees half a file


def store(assessment: SelfAssessment, filename: str, data: bytes, user, config) -> EvidenceFile:
    limit = config["APPRAISAL_EVIDENCE_MAX_BYTES"]
    if len(data) > limit:
        raise ApiError(
            "payload_too_large", f"{filename} has {len(data)} bytes; evidence files may have at most {limit}."
        )
    if not data or not is_pdf(data):
        raise ApiError("invalid_evidence", f"{filename} is not a PDF; evidence must be a digitally signed PDF.")
    check = check_signatures(data, trust_roots(tuple(config.get("APPRAISAL_TRUST_ROOTS") or ())))
    digest = hashlib.sha256(data).hexdigest()
    _write(path_of(config, digest), data)
    name = unicodedata.normalize("NFC", Path(filename.replace("\\", "/")).name)[:300] or "evidence.pdf"
    stored = EvidenceFile(
        assessment=assessment,
        filename=name,
        sha256=digest,
        size=len(data),
        signature_status=check.status,
        signer=check.signer[:500],
        issuer=check.issuer[:500],
        certificate_serial=check.certificate_serial[:100],
        signed_at=check.signed_at,
        detail=check.detail[:1000],
        uploaded_by_id=user.id,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def read(config, stored: EvidenceFile) -> bytes:
    data = path_of(config, stored.sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise ApiError("internal_error", f"Evidence file {stored.id} on disk does not match its SHA-256.")
    return data
