"""Guards every API request passes before its view: accepted content types (size is Flask's
``MAX_CONTENT_LENGTH``, answered with ``payload_too_large``); and the headers every API answer carries."""

from __future__ import annotations

from flask import Flask, request

from .errors import ApiError

ACCEPTED_BODIES = ("application/json", "multipart/form-data")


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
    def _content_type():
        if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH"):
            return None
        has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding") == "chunked"
        if has_body and request.mimetype not in ACCEPTED_BODIES:
            raise ApiError(
                "unsupported_media_type",
                f"Send the body as application/json (got {request.mimetype or 'no Content-Type'}).",
            )
        return None
