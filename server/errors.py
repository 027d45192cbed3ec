"""One error envelope for every API error: ``{"code", "message", "errors"}``.

Codes come from the single list in ``sync.codes`` (shared with devices). Use-case functions raise
:class:`ApiError`; Werkzeug and webargs errors are translated here, so no view builds an error by hand.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from limits.errors import StorageError
from marshmallow import Schema, fields
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from sync.codes import lookup

log = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_attempts",
    503: "service_unavailable",
}


class ErrorEnvelopeSchema(Schema):
    """The error envelope as the OpenAPI document describes it (what :meth:`ApiError.response` sends)."""

    code = fields.String(
        required=True, metadata={"description": "Stable machine code from sync/codes.py, e.g. invalid_request"}
    )
    message = fields.String(required=True, metadata={"description": "A human sentence; never decide from it"})
    errors = fields.Raw(
        required=True,
        metadata={
            "description": "Details: per field (an object of lists of messages) or per item (a list)",
            "oneOf": [{"type": "object"}, {"type": "array", "items": {}}],
        },
    )


class ApiError(Exception):
    """A domain error with a stable code; ``errors`` holds per-field or per-item details."""

    def __init__(self, code: str, message: str | None = None, errors=None, status: int | None = None):
        registered = lookup(code)
        super().__init__(message or registered.description)
        self.code = code
        self.message = message or registered.description
        self.errors = errors if errors is not None else {}
        self.status = status or registered.status

    def response(self):
        from .i18n import localize

        message, errors = localize(self.code, self.message, self.errors)
        body = {"code": self.code, "message": message, "errors": errors}
        return jsonify(body), self.status


def _from_http_exception(exc: HTTPException) -> ApiError:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or {}
    if status == 400 and messages.get("json") is not None and _is_invalid_json(messages):
        return ApiError("malformed_json", "The request body is not valid JSON.", status=400)
    if status == 422:
        # webargs nests field errors under the location ("json", "query", "files" ...); flatten one level.
        errors = messages.get("json") or messages.get("query") or messages.get("form") or messages
        return ApiError("invalid_request", "The request has missing, unknown or invalid fields.", errors)
    code = _STATUS_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
    message = exc.description if status < 500 and status != 429 else None  # 429: our words, not the limit
    return ApiError(code, message, status=status)


def _is_invalid_json(messages) -> bool:
    json_messages = messages.get("json")
    return isinstance(json_messages, list) and any("JSON" in str(m) for m in json_messages)


def register_error_handlers(app: Flask) -> None:
    """Install the envelope for API errors, Werkzeug HTTP errors and anything unexpected."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return exc.response()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not request.path.startswith("/api/") and exc.code and exc.code < 500:
            return exc  # web pages keep Werkzeug's HTML error pages
        response, status = _from_http_exception(exc).response()
        for name, value in exc.get_headers():  # e.g. a 405's Allow: the methods the URL does answer
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(DisconnectionError)
    def _database_unavailable(exc: Exception):
        # The database is down, restarting or locked: devices retry (service_unavailable), nothing was stored.
        origin = getattr(exc, "orig", None) or exc
        log.warning("database unavailable on %s %s: %s", request.method, request.path, type(origin).__name__)
        body, status = ApiError("service_unavailable").response()
        return body, status, {"Retry-After": "5"}

    @app.errorhandler(StorageError)
    def _counters_unavailable(exc: StorageError):
        # The sign-in counters' store (Redis, or the database) is down: the attempt is neither counted nor
        # let through unthrottled; the client retries (service_unavailable), as when the database is down.
        origin = getattr(exc, "storage_error", None) or exc
        log.warning("sign-in counters unavailable on %s %s: %s", request.method, request.path, type(origin).__name__)
        body, status = ApiError("service_unavailable").response()
        return body, status, {"Retry-After": "5"}

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, DBAPIError):  # the statement and its parameters stay out of the log
            log.error("database error on %s %s: %s", request.method, request.path, type(exc.orig).__name__)
        else:
            log.exception("unhandled error on %s %s", request.method, request.path)
        return ApiError("internal_error").response()
