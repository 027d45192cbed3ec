"""Checking an evidence PDF's digital signatures with pyHanko: integrity, signer, certificate, trust.

The trusted roots are the certificates listed in ``PARSURVEY_APPRAISAL_TRUST_ROOTS`` (the national
root CA of the province's signing certificates, typically); nothing is fetched from the network, so a
check gives the same answer offline. A file is ``valid`` only when every signature is intact, its
certificate chains to a trusted root and nothing was changed after signing beyond what the signer
allowed; otherwise it is ``untrusted``, ``invalid``, ``unsigned`` or, when the check itself fails,
``unverifiable`` — shown as such to the agency and the appraisers, never counted as signed.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

log = logging.getLogger(__name__)

STATUSES = ("valid", "untrusted", "invalid", "unsigned", "unverifiable")


@dataclass(frozen=True)
class SignatureCheck:
    status: str
    signer: str = ""
    issuer: str = ""
    certificate_serial: str = ""
    signed_at: datetime | None = None
    detail: str = ""


@lru_cache(maxsize=8)
def trust_roots(paths: tuple[str, ...]) -> tuple:
    """The certificates in the configured files (PEM or DER, several per PEM file allowed)."""
    from pyhanko.keys import load_certs_from_pemder

    return tuple(load_certs_from_pemder(list(paths))) if paths else ()


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF-")


def check_signatures(data: bytes, roots: tuple) -> SignatureCheck:
    """What the PDF's signatures are worth against ``roots``; never raises for a bad file."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # pyHanko raises many types for a damaged file
        return SignatureCheck("unverifiable", detail=f"The PDF cannot be read: {exc}"[:1000])
    if not signatures:
        return SignatureCheck("unsigned", detail="The file carries no digital signature.")
    worst = None
    for signature in signatures:
        try:
            context = ValidationContext(trust_roots=list(roots), allow_fetching=False, revocation_mode="soft-fail")
            status = validate_pdf_signature(signature, context)
        except Exception as exc:
            log.info("signature check failed: %s", exc)
            return SignatureCheck("unverifiable", detail=f"The signature cannot be checked: {exc}"[:1000])
        cert = status.signing_cert
        facts = {
            "signer": cert.subject.human_friendly if cert is not None else "",
            "issuer": cert.issuer.human_friendly if cert is not None else "",
            "certificate_serial": format(cert.serial_number, "X") if cert is not None else "",
            "signed_at": status.signer_reported_dt,
        }
        if not (status.intact and status.valid):
            check = SignatureCheck(
                "invalid", detail="The signed content was changed or the signature is broken.", **facts
            )
        elif not status.docmdp_ok:
            check = SignatureCheck("invalid", detail="The file was changed after it was signed.", **facts)
        elif not status.trusted:
            check = SignatureCheck(
                "untrusted", detail="The signature is intact, but its certificate is not from a trusted root.", **facts
            )
        else:
            check = SignatureCheck(
                "valid", detail="Signed, intact, and the certificate chains to a trusted root.", **facts
            )
        if worst is None or STATUSES.index(check.status) > STATUSES.index(worst.status):
            worst = check
    return worst
