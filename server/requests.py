"""Guards every API request passes before its view: no NUL character in the URL or a JSON body (but a sync
batch's, checked per ballot), each query parameter given once, accepted content types, and the size of a
body sent without a length (size with a ``Content-Length`` is Flask's ``MAX_CONTENT_LENGTH``, answered with
``payload_too_large``); and the headers every API answer carries."""

from __future__ import annotations

import io
import math
import re

from flask import Flask, current_app, request

from .errors import ApiError

ACCEPTED_BODIES = ("application/json", "multipart/form-data")
READ_SIZE = 64 * 1024
#: Where a body is a file of any type: a ballot's attachment (``server.ballots.attachments``).
RAW_BODY = re.compile(r"/api/v1/ballots/[^/]+/attachments/[^/]+")


#: On every API answer: personal data must not stay in shared or browser caches (a view that wants
#: caching, like a form definition with its ETag, says so itself), and no answer is sniffed as HTML.
API_HEADERS = {"X-Content-Type-Options": "nosniff"}


def register_request_guards(app: Flask) -> None:
    @app.after_request
    def _api_headers(response):
        if request.path.startswith("/api/"):
            response.headers.update(API_HEADERS)
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.before_request
    def _no_nul_in_the_url():
        # PostgreSQL's text holds no NUL: a path or query value with one names nothing, and would reach the
        # database as an error (SQLite compares it quietly), so it is refused on both.
        if not request.path.startswith("/api/"):
            return None
        if "\x00" in request.path:
            raise ApiError("invalid_request", "The URL holds a NUL character.", {"path": ["NUL character."]})
        named = [key for key, value in request.args.items(multi=True) if "\x00" in key or "\x00" in value]
        if named:
            raise ApiError(
                "invalid_request",
                "The query holds a NUL character.",
                {key.replace("\x00", "\\0"): ["NUL character."] for key in named},
            )
        return None

    @app.before_request
    def _each_query_parameter_once():
        # No query parameter of the API is a list given by repeating it (a list is comma-separated, as
        # ``status``): a repeated one is refused rather than one of its values silently taken.
        if not request.path.startswith("/api/"):
            return None
        repeated = sorted(key for key, values in request.args.lists() if len(values) > 1)
        if repeated:
            raise ApiError(
                "invalid_request",
                "A query parameter is given more than once.",
                {key: ["Give this parameter once (a list is comma-separated)."] for key in repeated},
            )
        return None

    @app.before_request
    def _content_type():
        if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH"):
            return None
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        has_body = (request.content_length or 0) > 0 or chunked
        raw = request.method == "PUT" and RAW_BODY.fullmatch(request.path)
        if has_body and request.mimetype not in ACCEPTED_BODIES and not raw:
            raise ApiError(
                "unsupported_media_type",
                f"Send the body as application/json (got {request.mimetype or 'no Content-Type'}).",
            )
        if chunked and request.content_length is None:
            _buffer_chunked_body()
        if has_body and request.mimetype == "application/json":
            # A sync batch takes long whole numbers to its per-item check, which rejects that item alone
            # (naming its digits) and takes the rest of the batch.
            digits = SYNC_NUMBER_DIGITS if request.path == SYNC_BATCHES else MAX_NUMBER_DIGITS
            check_json_body(request.get_data(cache=True), digits)
            if request.path != SYNC_BATCHES and _NUL_ESCAPE.search(request.get_data(cache=True)):
                # a batch's answers are checked one ballot at a time (survey_forms: invalid_character)
                raise ApiError(
                    "invalid_request",
                    "The body holds a NUL character (\\u0000), which no stored text can hold.",
                    {"body": ["NUL character."]},
                )
        return None


#: The deepest nesting of arrays and objects a JSON body may have (a sync batch with repeats inside
#: repeats needs about 10); Python's parser fails with a RecursionError near a thousand.
MAX_JSON_DEPTH = 64
#: The longest run of digits in a JSON number (a double holds at most 309 integer digits; Python refuses to
#: read an integer of more than 4,300).
MAX_NUMBER_DIGITS = 300
#: The sync batch's limit: below Python's 4,300, so its parser never fails on a whole number.
SYNC_NUMBER_DIGITS = 4000
SYNC_BATCHES = "/api/v1/sync/batches"
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_NOT_NUMBERS = re.compile(rb"NaN|Infinity")
#: ``\u0000`` in a JSON string (an escaped backslash before ``u0000`` is text, not a NUL).
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_EXPONENT = re.compile(rb"-?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+")


def check_json_body(body: bytes, max_digits: int = MAX_NUMBER_DIGITS) -> None:
    """Refuse, before any parser reads it, a JSON body Python's parser would take badly: ``NaN`` and
    ``Infinity`` (not JSON, though Python reads them) and nesting deeper than :data:`MAX_JSON_DEPTH`
    (``400 malformed_json``); a number that overflows a double, like ``1e400``, or has more than
    :data:`MAX_NUMBER_DIGITS` digits, ``max_digits`` (``422 invalid_request``). Strings are left out of the checks."""
    structure = _JSON_STRING.sub(b"", body)
    if _NOT_NUMBERS.search(structure):
        raise ApiError("malformed_json", "NaN and Infinity are not JSON numbers.", status=400)
    for number in _EXPONENT.finditer(structure):
        if math.isinf(float(number.group())):
            raise ApiError("invalid_request", "A number in the body is too large.", {"json": [_TOO_LARGE]})
    if re.search(rb"[0-9]{%d,}" % (max_digits + 1), structure):
        raise ApiError("invalid_request", "A number in the body is too large.", {"json": [_TOO_LARGE]})
    if structure.count(b"[") + structure.count(b"{") <= MAX_JSON_DEPTH:
        return
    depth = 0
    for bracket in structure.translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise ApiError(
                "malformed_json", f"The JSON body is nested deeper than {MAX_JSON_DEPTH} arrays or objects.", status=400
            )


_TOO_LARGE = f"Numbers must be finite doubles with at most {MAX_NUMBER_DIGITS} digits."


def _buffer_chunked_body() -> None:
    """Read a body sent with ``Transfer-Encoding: chunked`` up to the limit, or answer 413.

    Werkzeug's own guard on such a stream cuts it at the limit without a word, so an oversized batch
    would reach the view truncated and be answered ``malformed_json`` (a device would try to "fix" it
    instead of splitting it). The body read is put back as a stream that ends where the body does.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is None:
        return
    source = request.environ["wsgi.input"]
    body = io.BytesIO()
    while True:
        part = source.read(min(READ_SIZE, limit + 1 - body.tell()))
        if not part:
            break
        body.write(part)
        if body.tell() > limit:
            raise ApiError("payload_too_large", f"The body is larger than {limit:,} bytes; send it in smaller parts.")
    request.environ["wsgi.input"] = io.BytesIO(body.getvalue())
    request.environ["wsgi.input_terminated"] = True  # the stream now ends where the body does
