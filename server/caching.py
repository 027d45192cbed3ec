"""What one worker process remembers for a few seconds instead of asking the database again.

Form listings and the caller behind a token are read on nearly every device request and change
rarely. Each worker keeps them for ``CACHE_SECONDS`` (``PARSURVEY_CACHE_SECONDS``, default 5; 0 turns
caching off). The worker that makes a change forgets the affected entries at once; other workers see
it within that time: a revoked token or a newly published form takes effect everywhere within
``CACHE_SECONDS``. Nothing that decides whether a ballot is stored or counted is read from here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import TTLCache
from flask import current_app

from .extensions import db

T = TypeVar("T")

_EXTENSION = "parsurvey.caches"
_PENDING = "parsurvey.forget_on_commit"  # in the session's info: (cache name, key) to forget at commit

#: The caches, by name: who is behind a token hash; form version listings and version hashes.
PRINCIPALS = "principals"
FORMS = "forms"


class WorkerCache:
    """A thread-safe time-limited map (gthread workers share it between threads)."""

    def __init__(self, seconds: float, maxsize: int = 4096):
        self._entries = TTLCache(maxsize=maxsize, ttl=seconds) if seconds > 0 else None
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        if self._entries is None:
            return default
        with self._lock:
            return self._entries.get(key, default)

    def put(self, key: Hashable, value) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries[key] = value

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The remembered value for ``key``, or ``compute()`` remembered. Exceptions are not remembered."""
        missing = object()
        value = self.get(key, missing)
        if value is missing:
            value = compute()
            self.put(key, value)
        return value

    def forget(self, key: Hashable | None = None) -> None:
        """Forget one entry, or everything when ``key`` is None."""
        if self._entries is None:
            return
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)


def worker_cache(name: str) -> WorkerCache:
    """This app's cache called ``name`` (caches belong to the app, so test apps never share one)."""
    caches = current_app.extensions.setdefault(_EXTENSION, {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, WorkerCache(current_app.config["CACHE_SECONDS"]))
    return cache


def forget_when_committed(name: str, key: Hashable | None = None) -> None:
    """Forget an entry now, so this request reads the change, and again when the transaction commits,
    so a value another thread read from the database before the commit is not kept (see
    ``server.transaction``, which calls :func:`forget_committed`)."""
    worker_cache(name).forget(key)
    db.session.info.setdefault(_PENDING, []).append((name, key))


def forget_committed() -> None:
    """Called by ``server.transaction.commit`` right after a commit."""
    for name, key in db.session.info.pop(_PENDING, []):
        worker_cache(name).forget(key)


def forget_everything() -> None:
    """Empty every cache of this app (tests do, between tests that empty the database)."""
    for cache in current_app.extensions.get(_EXTENSION, {}).values():
        cache.forget()
