"""The parts of an OpenRosa submission's ``multipart/form-data`` body, read in one pass.

Werkzeug's parser compiles two regular expressions for every new boundary, and ODK clients use a new
boundary for every submission, so it costs more CPU than the rest of reading a submission. A submission
is small (``MAX_REQUEST_BYTES`` at most, already in memory), so it is split on its delimiter here instead.
Anything this reader does not recognise makes it answer ``None``, and the view falls back on Werkzeug's
parser (``request.files``), which reads the same cached body.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request
from werkzeug.http import parse_options_header


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str
    content: bytes


def parts_of(request: Request) -> list[Part] | None:
    """The parts of the request's multipart body, in order, or None when it should be left to Werkzeug."""
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    boundary = options.get("boundary", "")
    if mimetype != "multipart/form-data" or not boundary or len(boundary) > 200 or not boundary.isascii():
        return None
    body = b"\r\n" + request.get_data(cache=True)
    chunks = body.split(b"\r\n--" + boundary.encode("ascii"))
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):  # preamble, parts, closing delimiter
        return None
    found = []
    for chunk in chunks[1:-1]:
        head, separator, content = chunk.partition(b"\r\n\r\n")
        head = head.lstrip(b" \t")  # transport padding after the delimiter
        if not separator or not head.startswith(b"\r\n"):
            return None
        headers = {}
        for line in head[2:].decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if not colon:
                return None
            headers[key.strip().lower()] = value.strip()
        disposition, fields = parse_options_header(headers.get("content-disposition", ""))
        if disposition != "form-data" or "name" not in fields:
            return None
        kind = parse_options_header(headers.get("content-type", "application/octet-stream"))[0]
        found.append(Part(fields["name"], fields.get("filename"), kind, content))
    return found
