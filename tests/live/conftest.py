"""The live gunicorn server fixture (defined in tests/live_server.py, shared with tests/web)."""

from tests.live_server import live_server  # noqa: F401
