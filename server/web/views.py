"""Routes of the web app: the app shell, its manifest and its service worker. No data here.

The shell holds no user data, so it may be cached by the service worker and served offline; what a
user may see comes from the JSON API, which checks the session cookie (with its CSRF token on changes)
or a bearer token, and the role, on every call.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, send_from_directory, url_for

blp = Blueprint(
    "web",
    __name__,
    url_prefix="/app",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


SECURITY_HEADERS = {
    # Only our own scripts and styles; no inline script, no framing, no third-party origin.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@blp.after_request
def _secure(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@blp.route("/")
def shell():
    """The enumerator app (sign-in, forms, ballots, outbox, sync); everything else happens in the browser.
    A new installation with no admin yet gets the first-run page instead, which creates the first admin."""
    from ..auth.service import needs_first_admin

    if needs_first_admin():
        response = current_app.make_response(render_template("web/setup.html"))
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("web/app.html")


@blp.route("/manifest.webmanifest")
def manifest():
    response = send_from_directory(blp.static_folder, "manifest.webmanifest", max_age=0)
    response.mimetype = "application/manifest+json"
    return response


@blp.route("/sw.js")
def service_worker():
    """Served from /app/ so its scope is the whole app; never cached by HTTP, so updates arrive."""
    response = send_from_directory(blp.static_folder, "sw.js", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.mimetype = "text/javascript"
    return response


def register(app) -> None:
    app.register_blueprint(blp)

    @app.route("/")
    def _root():
        return redirect(url_for("web.shell"))
