"""Log volume bounded for repeated errors: one client sending the same bad request a thousand times a second
must not write a thousand tracebacks a second.

:class:`RepeatLimit` lets the first record of a kind through, drops the same kind for ``window`` seconds,
and lets the next one after the window through with how many it dropped. A kind is the logger, the level,
the message's template (not its arguments: the path or the method may vary) and, for an exception, its type
and the line that raised it. Different errors are never hidden behind each other.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable

#: Kinds remembered at most; past it the oldest is forgotten (its next record is let through).
MAX_KINDS = 1000


class RepeatLimit(logging.Filter):
    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._kinds: dict[tuple, list] = {}  # kind -> [window start, dropped since]

    def filter(self, record: logging.LogRecord) -> bool:
        kind = _kind(record)
        now = self.clock()
        with self._lock:
            seen = self._kinds.get(kind)
            if seen is not None and now - seen[0] < self.window:
                seen[1] += 1
                return False
            dropped = seen[1] if seen is not None else 0
            self._kinds.pop(kind, None)
            if len(self._kinds) >= MAX_KINDS:
                self._kinds.pop(next(iter(self._kinds)))
            self._kinds[kind] = [now, 0]
        if dropped:
            record.msg = f"{record.msg} ({dropped} more like it in the last {self.window:g} s not logged)"
        return True


def _kind(record: logging.LogRecord) -> tuple:
    raised = None
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        frames = traceback.extract_tb(error.__traceback__)
        where = (frames[-1].filename, frames[-1].lineno) if frames else None
        raised = (type(error).__qualname__, where)
    return (record.name, record.levelno, str(record.msg), raised)


def limit_repeats(logger: logging.Logger, window: float) -> RepeatLimit:
    """Put a new :class:`RepeatLimit` on ``logger`` in place of any it had: an app starts with no record
    left out (each worker builds its app once; each test its own)."""
    for existing in [f for f in logger.filters if isinstance(f, RepeatLimit)]:
        logger.removeFilter(existing)
    limit = RepeatLimit(window)
    logger.addFilter(limit)
    return limit
