"""A sync transport that talks to the Flask app in-process (same HTTP semantics, no socket), with
failure injection: drop the answer after the server has committed, or fail before sending."""

from __future__ import annotations

from sync.client import Response, TransportError


class AppTransport:
    def __init__(self, client, token: str):
        self.client = client
        self.token = token
        self.lose_answers = 0  # the next N answers are lost after the server handled the request
        self.refuse = 0  # the next N requests never reach the server
        self.requests: list[tuple[str, str]] = []

    def request(self, method, path, *, headers=None, body=None):
        if self.refuse:
            self.refuse -= 1
            raise TransportError("connection refused (injected)")
        self.requests.append((method, path))
        response = self.client.open(
            path, method=method, json=body, headers={"Authorization": f"Bearer {self.token}", **(headers or {})}
        )
        if self.lose_answers:
            self.lose_answers -= 1
            raise TransportError("connection reset after the request was sent (injected)")
        return Response(response.status_code, dict(response.headers), response.data)
