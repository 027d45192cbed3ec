"""The parsurvey server: a Flask app that distributes questionnaires, receives ballots and scores them.

May import ``survey_forms``, ``scoring`` and ``sync``; nothing imports ``server``.
``create_app`` reads like a table of contents of the application.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from . import config as config_module
from .log_limits import limit_repeats

#: Loggers of errors one client can repeat at will (a bad request that still fails, a database that is
#: down): each kind is logged once per ``PARSURVEY_LOG_REPEAT_SECONDS``. Failed sign-ins are not among them:
#: each is logged, and the sign-in limits bound how many one client can make.
REPEATING_LOGGERS = ("server.errors", "server.transaction")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from ``PARSURVEY_*`` settings (or ``test_config`` on top of them)."""
    app = Flask(__name__)
    app.config.from_mapping(config_module.load())
    if test_config:
        app.config.update(test_config)
    Path(app.config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in REPEATING_LOGGERS:
        limit_repeats(logging.getLogger(name), app.config["LOG_REPEAT_SECONDS"])
    app.json.ensure_ascii = False  # Vietnamese stays readable in JSON
    app.json.sort_keys = False

    if app.config.get("PROXY_COUNT"):
        # Trust the proxies' forwarded headers, so url_for and request.is_secure see the client's https.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from .auth.access import SESSION_COOKIE
    from .auth.throttle import limiter
    from .bounds import register_bounds
    from .extensions import api, babel, db, migrate
    from .i18n import select_locale
    from .transaction import register_transaction

    db.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    api.init_app(app)
    register_bounds(app, api)
    limiter.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    # The web app's session cookie (writes also need the X-CSRF-Token header; see server.auth.access).
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE})
    api.spec.options["security"] = [{"bearer": []}, {"session": []}]
    register_transaction(app)


def register_blueprints(app: Flask) -> None:
    from .appraisal.views import blp as appraisal_blp
    from .auth.views import blp as auth_blp
    from .ballots.views import blp as ballots_blp
    from .bounds import optional_bodies
    from .extensions import api
    from .fieldwork.views import blp as fieldwork_blp
    from .forms.views import blp as forms_blp
    from .history.views import blp as history_blp
    from .openrosa.views import api as openrosa_api
    from .openrosa.views import bp as openrosa_bp
    from .recheck.views import blp as recheck_blp
    from .registry.views import blp as registry_blp
    from .requests import register_request_guards
    from .results.views import blp as results_blp

    for blueprint in (
        auth_blp,
        registry_blp,
        forms_blp,
        fieldwork_blp,
        ballots_blp,
        recheck_blp,
        results_blp,
        appraisal_blp,
        history_blp,
    ):
        api.register_blueprint(blueprint)
    api.register_blueprint(openrosa_api)
    app.register_blueprint(openrosa_bp)
    optional_bodies(api)
    register_request_guards(app)

    from .web.views import register as register_web

    register_web(app)


def register_error_handlers(app: Flask) -> None:
    from .errors import register_error_handlers as install

    install(app)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
