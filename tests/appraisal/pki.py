"""A test PKI made with ``cryptography`` (a root CA, a signer it certifies, and a stranger CA with its
own signer), PDFs made with fpdf2 and signed with pyHanko: what the evidence check must tell apart."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tỉnh Thử nghiệm"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _cert(subject, issuer, key, issuer_key, ca: bool):
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class Signer:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    chain: list[x509.Certificate]


@dataclass
class TestPki:
    root: x509.Certificate
    signer: Signer
    stranger: Signer

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)


def make_pki() -> TestPki:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _cert("Root CA thử nghiệm", "Root CA thử nghiệm", root_key, root_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = Signer(_cert("Nguyễn Văn An - Sở Nội vụ", "Root CA thử nghiệm", key, root_key, ca=False), key, [root])
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_root = _cert("CA lạ", "CA lạ", other_key, other_key, ca=True)
    key2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger = Signer(_cert("Người lạ", "CA lạ", key2, other_key, ca=False), key2, [other_root])
    return TestPki(root, signer, stranger)


def plain_pdf(text: str = "Tài liệu kiểm chứng") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_compression(False)  # the text stays findable in the bytes (see tampered)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text.encode("ascii", "replace").decode())
    return bytes(pdf.output())


def signed_pdf(signer: Signer, text: str = "Tai lieu kiem chung") -> bytes:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(signer.cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            signer.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in signer.chain]
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(plain_pdf(text)))
    out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Signature1"), signer=pyhanko_signer)
    return out.getvalue()


def tampered(pdf: bytes) -> bytes:
    """The signed PDF with one byte of its signed content changed (same length, so offsets still hold)."""
    at = pdf.index(b"Tai lieu")
    return pdf[:at] + b"X" + pdf[at + 1 :]
