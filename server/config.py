"""Settings, read once by the app factory from ``PARSURVEY_*`` environment variables.

Nothing here runs at import time. A missing or wrong setting stops start-up with a sentence that says
which variable to set and how; the app never starts half-configured.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PREFIX = "PARSURVEY_"

#: (name, default, description) — the README's configuration table is written from this list.
SETTINGS = [
    ("DATABASE_URL", "sqlite:///<instance>/parsurvey.sqlite3", "SQLAlchemy URL of the database."),
    ("SECRET_KEY", "random per process", "Flask's secret; parsurvey signs nothing with it."),
    ("MAX_REQUEST_BYTES", "10485760", "Largest request body accepted; larger ones get 413."),
    (
        "ATTACHMENT_MAX_BYTES",
        "8388608",
        "Largest file answering a media question; larger ones get attachment_too_large.",
    ),
    (
        "BALLOT_ATTACHMENTS_MAX_BYTES",
        "33554432",
        "Largest total of one ballot's files; beyond it a file gets attachments_too_large.",
    ),
    ("SYNC_MAX_ITEMS", "500", "Most envelopes accepted in one sync batch; more get 413 batch_too_large."),
    ("AUDIT_SEAL_SECONDS", "0.25", "Each worker seals the audit chain at most this often (0: every write)."),
    (
        "CACHE_SECONDS",
        "5",
        "Each worker remembers token lookups and form listings this long (0: never); a revoked token or a "
        "newly published form reaches every worker within this time.",
    ),
    ("SESSION_DAYS", "90", "Lifetime of a web sign-in, cookie and token (a field season; it survives offline days)."),
    (
        "PROXY_COUNT",
        "0",
        "Reverse proxies in front of the app (e.g. 1 for nginx); their X-Forwarded-For/Proto/Host headers are "
        "trusted, so the session cookie is marked Secure behind an https proxy.",
    ),
    (
        "AUDIT_KEY",
        "(unset: read the key file)",
        "The audit log's HMAC key, 64 hex digits; every app server of an installation uses the same one.",
    ),
    (
        "AUDIT_KEY_FILE",
        "<instance>/audit.key",
        "File holding the audit key; created with a new random key on first start if missing. Keep it off the "
        "database server, and back it up apart from the database.",
    ),
    (
        "APPRAISAL_TRUST_ROOTS",
        "(none: no signature is trusted)",
        "Certificate files (PEM or DER), comma-separated, whose chains make an evidence PDF's signature valid.",
    ),
    ("APPRAISAL_EVIDENCE_DIR", "<instance>/evidence", "Folder of the appraisal evidence files, named by SHA-256."),
    ("APPRAISAL_EVIDENCE_MAX_BYTES", "8388608", "Largest evidence PDF accepted; a larger one is refused."),
    (
        "RATELIMIT_STORAGE_URI",
        "parsurvey+db://",
        "Where the sign-in counters live, shared by every worker and app server: the app's own database by "
        "default; or e.g. redis://127.0.0.1:6379/0 (any storage URI of the limits library).",
    ),
    (
        "SIGN_IN_LIMITS_PER_USER",
        "5 per minute;20 per hour;50 per day",
        "Failed sign-ins allowed per username; past any, the next attempt gets 429 with Retry-After.",
    ),
    (
        "SIGN_IN_LIMITS_PER_ADDRESS",
        "30 per minute;300 per hour",
        "Failed sign-ins allowed per client address (an office may share one).",
    ),
    ("INSTANCE_PATH", "./instance", "Folder for the SQLite file and uploads."),
    ("LOG_LEVEL", "INFO", "Python logging level."),
    (
        "LOG_REPEAT_SECONDS",
        "60",
        "The same server or database error is logged once in this many seconds, then with how many were left "
        "out (0: every time).",
    ),
]


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says what to set."""


def _int_setting(env: dict, name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={raw!r} is not a whole number; set it to e.g. {default}.") from None
    if value < minimum:
        raise ConfigError(f"{PREFIX}{name}={value} is too small; set it to at least {minimum}.")
    return value


def _seconds_setting(env: dict, name: str, default: float) -> float:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={raw!r} is not a number of seconds; set it to e.g. {default}.") from None
    if not 0 <= value <= 3600:
        raise ConfigError(f"{PREFIX}{name}={value} is out of range; set 0 to 3600 seconds.")
    return value


def audit_key(env: dict, instance_path: Path) -> bytes:
    """The audit log's HMAC key: PARSURVEY_AUDIT_KEY, else the key file (made on first start)."""
    raw = env.get(PREFIX + "AUDIT_KEY")
    source = f"{PREFIX}AUDIT_KEY"
    if not raw:
        path = Path(env.get(PREFIX + "AUDIT_KEY_FILE") or instance_path / "audit.key")
        source = str(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another worker made it a moment ago
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(os.urandom(32).hex() + "\n")
        raw = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) < 32:
        raise ConfigError(f"The audit key in {source} must be at least 64 hex digits, e.g. from: openssl rand -hex 32")
    return key


def trust_root_files(env: dict) -> tuple[str, ...]:
    """The appraisal's trusted root certificate files, each checked to exist."""
    raw = env.get(PREFIX + "APPRAISAL_TRUST_ROOTS") or ""
    paths = tuple(str(Path(p.strip()).resolve()) for p in raw.split(",") if p.strip())
    for path in paths:
        if not Path(path).is_file():
            raise ConfigError(
                f"{PREFIX}APPRAISAL_TRUST_ROOTS names {path}, which is not a file; list existing PEM or DER "
                "certificate files, separated by commas."
            )
    return paths


def database_url(env: dict, instance_path: Path) -> str:
    """The database URL, checked: SQLite and PostgreSQL (psycopg 3) are supported."""
    raw = env.get(PREFIX + "DATABASE_URL") or f"sqlite:///{instance_path / 'parsurvey.sqlite3'}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            f"{PREFIX}DATABASE_URL={raw!r} is not a database URL; set it to e.g. "
            "'sqlite:////var/lib/parsurvey/parsurvey.sqlite3' or "
            "'postgresql+psycopg://user@host:5432/dbname'."
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql" and url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"{PREFIX}DATABASE_URL uses {backend!r}; parsurvey supports 'sqlite' and "
            "'postgresql+psycopg'. Set it to one of those."
        )
    return url.render_as_string(hide_password=False)


def _limits_setting(env: dict, name: str, default: str) -> str:
    from limits import parse_many

    value = env.get(PREFIX + name) or default
    try:
        parse_many(value)
    except ValueError as exc:
        raise ConfigError(
            f"{PREFIX}{name}={value!r} is not a list of limits; write e.g. '5 per minute;20 per hour'."
        ) from exc
    return value


def load(env: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment (``os.environ`` by default)."""
    env = dict(os.environ if env is None else env)
    instance_path = Path(env.get(PREFIX + "INSTANCE_PATH") or "instance").resolve()
    level = (env.get(PREFIX + "LOG_LEVEL") or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"{PREFIX}LOG_LEVEL={level!r} is not a level; set DEBUG, INFO, WARNING or ERROR.")
    url = database_url(env, instance_path)
    url_is_sqlite = url.startswith("sqlite")
    return {
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": env.get(PREFIX + "SECRET_KEY") or os.urandom(32).hex(),
        "MAX_CONTENT_LENGTH": _int_setting(env, "MAX_REQUEST_BYTES", 10 * 1024 * 1024, minimum=1024),
        "LOG_LEVEL": level,
        "LOG_REPEAT_SECONDS": _seconds_setting(env, "LOG_REPEAT_SECONDS", 60.0),
        "ATTACHMENT_MAX_BYTES": _int_setting(env, "ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024),
        "BALLOT_ATTACHMENTS_MAX_BYTES": _int_setting(env, "BALLOT_ATTACHMENTS_MAX_BYTES", 32 * 1024 * 1024),
        "SYNC_MAX_ITEMS": _int_setting(env, "SYNC_MAX_ITEMS", 500),
        "AUDIT_SEAL_SECONDS": _seconds_setting(env, "AUDIT_SEAL_SECONDS", 0.25),
        "AUDIT_KEY": audit_key(env, instance_path),
        "CACHE_SECONDS": _seconds_setting(env, "CACHE_SECONDS", 5.0),
        "SESSION_DAYS": _int_setting(env, "SESSION_DAYS", 90),
        "PROXY_COUNT": _int_setting(env, "PROXY_COUNT", 0, minimum=0),
        "APPRAISAL_TRUST_ROOTS": trust_root_files(env),
        "APPRAISAL_EVIDENCE_DIR": env.get(PREFIX + "APPRAISAL_EVIDENCE_DIR") or None,  # None: <instance>/evidence
        "APPRAISAL_EVIDENCE_MAX_BYTES": _int_setting(env, "APPRAISAL_EVIDENCE_MAX_BYTES", 8 * 1024 * 1024),
        # Flask-Limiter (server.auth.throttle): the sign-in counters and the 429's Retry-After.
        "RATELIMIT_STORAGE_URI": env.get(PREFIX + "RATELIMIT_STORAGE_URI") or "parsurvey+db://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # A counter store that is down (Redis, or the database) raises limits' StorageError, answered 503.
        "RATELIMIT_STORAGE_OPTIONS": {"wrap_exceptions": True},
        "SIGN_IN_LIMITS_PER_USER": _limits_setting(
            env, "SIGN_IN_LIMITS_PER_USER", "5 per minute;20 per hour;50 per day"
        ),
        "SIGN_IN_LIMITS_PER_ADDRESS": _limits_setting(env, "SIGN_IN_LIMITS_PER_ADDRESS", "30 per minute;300 per hour"),
        # A server connection can drop between requests; a SQLite file cannot, so skip its ping.
        # hide_parameters: a logged database error never shows the values (names, a token's hash) it held.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not url_is_sqlite, "hide_parameters": True},
        # flask-smorest / OpenAPI
        "API_TITLE": "parsurvey",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_SORT_KEYS": False,
    }
