"""Canonical JSON and content hashes.

A form version is identified by the hash of its canonical JSON: the server uses it as the HTTP
ETag, devices use it to know whether their cached form is current, and stored ballots carry it so
that a ballot can always be matched to the exact questions it answered. The encoding therefore has
to be byte-for-byte stable whatever the key order or Unicode normal form of the input: Vietnamese
text typed on different keyboards arrives as NFC or NFD, and both must hash the same.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any


def nfc(value: Any) -> Any:
    """Return ``value`` with every string (dict keys included) in Unicode NFC.

    Tuples become lists, as JSON would make them anyway. Two keys that only differ in normal form
    collide after normalisation; that is refused rather than letting key order pick a winner,
    which would make the hash depend on input order.
    """
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            new_key = nfc(key)
            if new_key in out:
                raise ValueError(f"keys collide after NFC normalisation: {new_key!r}")
            out[new_key] = nfc(item)
        return out
    if isinstance(value, list | tuple):
        return [nfc(item) for item in value]
    return value


def canonical_json(obj: Any) -> bytes:
    """Encode ``obj`` as canonical UTF-8 JSON: NFC strings, sorted keys, no whitespace.

    NaN and infinities are refused because they are not JSON and would make the bytes
    unreadable by other parties that verify the hash.
    """
    text = json.dumps(nfc(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def content_hash(obj: Any) -> str:
    """SHA-256 hex digest of :func:`canonical_json`; the identity of a form version."""
    return hashlib.sha256(canonical_json(obj)).hexdigest()
