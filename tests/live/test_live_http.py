"""HTTP edges against a real gunicorn server, whose input handling differs from the test client's."""

from __future__ import annotations

import http.client
import json
import socket

from tests.live.test_live_sync import token_for
from tests.sample_ballots import batch, envelope


def chunked_post(port: int, path: str, headers: dict, body: bytes, chunk: int = 64 * 1024) -> tuple[int, dict]:
    """Send ``body`` with ``Transfer-Encoding: chunked`` over a raw socket and read the answer, even when
    the server answers (and closes) before the whole body is sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n{head}\r\n".encode())
        try:
            for start in range(0, len(body), chunk):
                part = body[start : start + chunk]
                sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server stopped reading: its answer is already on the way
        received = b""
        try:
            while part := sock.recv(65536):
                received += part
                if b"\r\n\r\n" in received and _complete(received):
                    break
        except OSError:
            pass
    head, _, content = received.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(content)


def _complete(received: bytes) -> bool:
    head, _, content = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(content) >= int(line.split(b":")[1])
    return False


def test_a_chunked_20_mb_batch_should_get_413_payload_too_large_from_gunicorn(live_server):
    headers = {
        "Authorization": f"Bearer {token_for(live_server.url, 'enumerator1')}",
        "Content-Type": "application/json",
    }
    body = b" " * (20 * 1024 * 1024) + json.dumps(batch(envelope("SNV"))).encode()
    status, answer = chunked_post(live_server.port, "/api/v1/sync/batches", headers, body)
    assert (status, answer["code"]) == (413, "payload_too_large")

    sent = envelope("SNV")
    status, answer = chunked_post(live_server.port, "/api/v1/sync/batches", headers, json.dumps(batch(sent)).encode())
    assert status == 200 and [(r["instance_id"], r["status"]) for r in answer["results"]] == [
        (sent["instance_id"], "accepted")
    ]


def test_trace_should_get_405_with_an_allow_header_from_gunicorn(live_server):
    connection = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    connection.request("TRACE", "/api/v1/agencies")
    response = connection.getresponse()
    assert response.status == 405 and json.loads(response.read())["code"] == "method_not_allowed"
    assert set(response.getheader("Allow").replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS", "POST"}
