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
import re
import unicodedata
from collections.abc import Iterator
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


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogates(obj: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """``(path, "U+D800")`` for every string (key or value) in ``obj`` holding a lone surrogate.

    JSON's ``\\ud800`` escape can carry half of a UTF-16 pair alone; Python reads it, but it is not
    Unicode text and cannot be written as UTF-8, so nothing holding one can be hashed or stored.
    Paths look like ``children[3].label.vi``.
    """
    if isinstance(obj, str):
        found = _LONE_SURROGATE.search(obj)
        if found:
            yield path, f"U+{ord(found.group()):04X}"
    elif isinstance(obj, dict):
        for key, item in obj.items():
            shown = str(key).encode("utf-8", "backslashreplace").decode("utf-8")  # the path must be writable
            key_path = f"{path}.{shown}" if path else shown
            if isinstance(key, str) and _LONE_SURROGATE.search(key):
                yield from lone_surrogates(key, key_path)
            yield from lone_surrogates(item, key_path)
    elif isinstance(obj, list | tuple):
        for index, item in enumerate(obj):
            yield from lone_surrogates(item, f"{path}[{index}]")


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
