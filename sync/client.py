"""Sync a device's outbox with the server: pull forms (with ETags), push ballots in batches.

The network sits behind a small ``Transport`` interface, so the whole sync logic runs in tests with a
fake transport that drops, delays or repeats answers, and in production with ``HttpTransport``
(``urllib``, no third-party packages). Every step can be interrupted: the outbox only changes state
once an answer has been read, so a device killed at any point resends, and resends are safe.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import quote

from .codes import ERROR_CODES, Action
from .outbox import Outbox
from .protocol import PROTOCOL_VERSION

DEFAULT_BATCH_SIZE = 100


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class TransportError(OSError):
    """The request did not complete: no connection, timeout, connection reset."""


class AuthenticationError(RuntimeError):
    """The server refused the token; sync stops until the device is re-initialised."""


class Transport(Protocol):
    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict | None = None,
        body: dict | None = None,
        data: bytes | None = None,
    ) -> Response: ...


class HttpTransport:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict | None = None,
        body: dict | None = None,
        data: bytes | None = None,
    ) -> Response:
        """JSON ``body``, or raw ``data`` (a file, with its Content-Type in ``headers``)."""
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        all_headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            **(headers or {}),
        }
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data=data, headers=all_headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Response(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as exc:  # 3xx/4xx/5xx still carry an answer
            return Response(exc.code, dict(exc.headers), exc.read())
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise TransportError(str(exc)) from exc


@dataclass
class SyncReport:
    forms_downloaded: list = field(default_factory=list)
    forms_unchanged: int = 0
    batches: int = 0
    results: dict = field(default_factory=dict)
    deferred: int = 0
    files: dict = field(default_factory=dict)
    stopped_by: str | None = None

    def add(self, counts: dict) -> None:
        for status, n in counts.items():
            self.results[status] = self.results.get(status, 0) + n


STATUS_CHUNK = 500


class SyncClient:
    def __init__(self, outbox: Outbox, transport: Transport, *, batch_size: int = DEFAULT_BATCH_SIZE):
        self.outbox = outbox
        self.transport = transport
        self.batch_size = batch_size

    def _check_auth(self, response: Response) -> None:
        if response.status == 401:
            raise AuthenticationError("the server refused this device's token; run 'device init' again")

    def pull_forms(self, report: SyncReport | None = None) -> SyncReport:
        """Download every form version the server offers that the device lacks or holds changed."""
        report = report or SyncReport()
        listing = self.transport.request("GET", "/api/v1/forms")
        self._check_auth(listing)
        if listing.status != 200:
            raise TransportError(f"form list answered {listing.status}")
        for entry in listing.json():
            local_hash = self.outbox.form_hash(entry["form_id"], entry["version"])
            if local_hash == entry["hash"]:
                report.forms_unchanged += 1
                continue
            headers = {"If-None-Match": f'"{local_hash}"'} if local_hash else {}
            response = self.transport.request("GET", entry["download_url"], headers=headers)
            self._check_auth(response)
            if response.status == 304:
                report.forms_unchanged += 1
                continue
            if response.status != 200:
                raise TransportError(f"form download answered {response.status}")
            if hashlib.sha256(response.body).hexdigest() != entry["hash"]:
                raise TransportError(f"form {entry['form_id']} {entry['version']} arrived damaged (hash mismatch)")
            self.outbox.save_form(response.body.decode("utf-8"))
            report.forms_downloaded.append((entry["form_id"], entry["version"]))
        return report

    def push(
        self, report: SyncReport | None = None, device_id: str = "device", on_batch: Callable[[int], None] | None = None
    ) -> SyncReport:
        """Send every due ballot, batch by batch, applying each item's result as it arrives.

        ``on_batch(n)`` is called after each batch is settled with its number of items (a progress bar)."""
        report = report or SyncReport()
        while True:
            batch = self.outbox.due(self.batch_size)
            if not batch:
                return report
            ids = [e["instance_id"] for e in batch]
            try:
                response = self.transport.request(
                    "POST",
                    "/api/v1/sync/batches",
                    body={"protocol": PROTOCOL_VERSION, "device_id": device_id, "items": batch},
                )
            except TransportError as exc:
                self.outbox.defer(ids, {"status": "error", "code": "transport", "message": str(exc)})
                report.deferred += len(ids)
                report.stopped_by = f"network: {exc}"
                return report
            self._check_auth(response)
            if response.status != 200:
                try:
                    error = response.json()
                except ValueError:
                    error = {"code": "internal_error", "message": f"HTTP {response.status}"}
                code = error.get("code", "")
                if code == "batch_too_large" and self.batch_size > 1:
                    self.batch_size = max(1, self.batch_size // 2)
                    continue
                # A whole-batch refusal (busy server, bad wrapper): every ballot stays pending and
                # is retried later with backoff; no ballot is ever dropped because of its batch.
                self.outbox.defer(ids, {"status": "error", **error})
                report.deferred += len(ids)
                report.stopped_by = f"server: {code or response.status}"
                return report
            report.batches += 1
            report.add(self.outbox.apply_results(batch, response.json()["results"]))
            if on_batch is not None:
                on_batch(len(batch))

    def push_attachments(self, report: SyncReport | None = None) -> SyncReport:
        """Send the files of acknowledged ballots, one PUT each (idempotent: a resend is answered duplicate).
        A file refused for good (too large, not named by the answers, other bytes stored) is marked refused;
        a network failure or a busy server leaves it pending for the next sync."""
        report = report or SyncReport()
        for instance_id, file_name, content_type, content in self.outbox.due_attachments():
            path = f"/api/v1/ballots/{quote(instance_id)}/attachments/{quote(file_name)}"
            headers = {"Content-Type": content_type, "X-Content-SHA256": hashlib.sha256(content).hexdigest()}
            try:
                response = self.transport.request("PUT", path, headers=headers, data=bytes(content))
            except TransportError as exc:
                report.stopped_by = f"network: {exc}"
                return report
            self._check_auth(response)
            try:
                answer = response.json()
            except ValueError:
                answer = {"code": "internal_error", "message": f"HTTP {response.status}"}
            if response.status in (200, 201):
                self.outbox.settle_attachment(instance_id, file_name, "sent", answer)
                kind = answer.get("status", "accepted")
                report.files[kind] = report.files.get(kind, 0) + 1
            elif ERROR_CODES.get(answer.get("code", "")) is not None and (
                ERROR_CODES[answer["code"]].action != Action.RETRY
            ):
                self.outbox.settle_attachment(instance_id, file_name, "refused", answer)
                report.files["refused"] = report.files.get("refused", 0) + 1
            else:
                report.stopped_by = f"server: {answer.get('code') or response.status}"
                return report
        return report

    def refresh_verdicts(self) -> int:
        """Ask the server what the acknowledged ballots mean now (re-check and quarantine change it after
        sync) and store it; returns how many were updated. A server without the status call changes nothing."""
        ids = self.outbox.acknowledged_ballots()
        updated = 0
        for start in range(0, len(ids), STATUS_CHUNK):
            response = self.transport.request(
                "POST", "/api/v1/sync/status", body={"instance_ids": ids[start : start + STATUS_CHUNK]}
            )
            self._check_auth(response)
            if response.status != 200:
                return updated
            updated += self.outbox.update_verdicts(response.json().get("ballots", []))
        return updated

    def sync(self, device_id: str = "device", on_batch: Callable[[int], None] | None = None) -> SyncReport:
        report = self.pull_forms()
        self.outbox.set("last_sync_started", _timestamp())
        self.push(report, device_id, on_batch)
        if report.stopped_by is None:
            self.push_attachments(report)
        if report.stopped_by is None:
            self.refresh_verdicts()
            self.outbox.set("last_sync", _timestamp())
        return report


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
