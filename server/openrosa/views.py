"""OpenRosa 1.0 endpoints under ``/openrosa`` (what ODK Collect and Enketo call), and app passwords in the API.

Every OpenRosa answer carries ``X-OpenRosa-Version: 1.0``; errors are ``<OpenRosaResponse>`` documents
with the HTTP status of their code (``sync/codes.py``), so a client shows the message and keeps the form.
"""

from __future__ import annotations

from email.utils import formatdate
from functools import wraps
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, request, url_for
from flask_smorest import Blueprint as ApiBlueprint

from sync.codes import lookup

from ..auth.access import authenticated_as, current_principal, current_user, require_roles
from ..auth.roles import ADMIN, ENUMERATOR, ROLES
from ..auth.service import get_user
from ..auth.throttle import failed_sign_in, sign_in_limits
from ..ballots.attachments import Upload
from ..errors import ApiError
from . import credentials, multipart, submissions
from .messages import message
from .schemas import AppPasswordRequestSchema, AppPasswordSchema

bp = Blueprint("openrosa", __name__, url_prefix="/openrosa")
api = ApiBlueprint("openrosa_api", __name__, url_prefix="/api/v1", description="App passwords for ODK clients")
OPENROSA_HEADERS = {"X-OpenRosa-Version": "1.0"}
FORMLIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
RESPONSE_NS = "http://openrosa.org/http/response"


def _xml(body: str, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    response = Response(body, status=status, mimetype="text/xml")
    response.headers.update(OPENROSA_HEADERS)
    response.headers["Date"] = formatdate(usegmt=True)
    for name, value in headers or []:
        response.headers.add(name, value)
    return response


def openrosa_response(text: str, status: int, nature: str = "", headers=None) -> Response:
    attribute = f' nature="{escape(nature)}"' if nature else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<OpenRosaResponse xmlns="{RESPONSE_NS}"><message{attribute}>{escape(text)}</message></OpenRosaResponse>'
    )
    return _xml(body, status, headers)


def openrosa(view):
    """Authenticate by Basic or Digest (401 with both challenges otherwise), enumerators only, and answer
    every error as an OpenRosaResponse."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        principal, stale = credentials.authenticate()
        if principal is None:
            if request.headers.get("Authorization") and not stale:  # credentials given, and wrong
                failed_sign_in("openrosa", credentials.claimed_username())
            return openrosa_response(message("unauthenticated"), 401, headers=credentials.challenges(stale))
        authenticated_as(principal)
        if principal.role != ENUMERATOR:
            return openrosa_response(message("enumerators_only"), 403)
        try:
            return view(*args, **kwargs)
        except ApiError as exc:
            return openrosa_response(message(exc.code, exc.message), exc.status)

    return sign_in_limits(credentials.claimed_username)(wrapper)


@bp.errorhandler(429)
def _too_many_attempts(exc):
    """Flask-Limiter's refusal of a locked-out sign-in, as an OpenRosaResponse an ODK client can show
    (Flask-Limiter adds Retry-After after the view)."""
    return openrosa_response(
        message("too_many_attempts"),
        429,
        headers=[(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"],
    )


@bp.route("/formList", methods=["GET", "HEAD"])
@openrosa
def form_list():
    """OpenRosa form list: each version the user may fill, with the md5 of the XForm they will download."""
    items = []
    for version, document in submissions.fillable(current_user()):
        title = version.title.get("vi") or next(iter(version.title.values()), version.form_id)
        url = url_for("openrosa.xform", form_id=version.form_id, version=version.version, _external=True)
        manifest = url_for("openrosa.manifest", form_id=version.form_id, version=version.version, _external=True)
        items.append(
            "<xform>"
            f"<formID>{escape(version.form_id)}</formID><name>{escape(title)}</name>"
            f"<version>{escape(version.version)}</version><hash>{submissions.md5_hash(document)}</hash>"
            f"<downloadUrl>{escape(url)}</downloadUrl><manifestUrl>{escape(manifest)}</manifestUrl>"
            "</xform>"
        )
    return _xml(f'<?xml version="1.0" encoding="UTF-8"?><xforms xmlns="{FORMLIST_NS}">{"".join(items)}</xforms>')


@bp.route("/forms/<form_id>/<version>/form.xml", methods=["GET"])
@openrosa
def xform(form_id: str, version: str):
    """The XForm of one version, its agency list being the user's assignments."""
    stored = submissions.fillable_version(form_id, version)
    return _xml(submissions.xform(current_user(), stored).decode("utf-8"))


@bp.route("/forms/<form_id>/<version>/manifest", methods=["GET"])
@openrosa
def manifest(form_id: str, version: str):
    """The media files of a version (OpenRosa manifest): forms carry none in parsurvey, so it is empty;
    media columns of an XLSForm are imported without effect (with a warning)."""
    submissions.fillable_version(form_id, version)
    return _xml(f'<?xml version="1.0" encoding="UTF-8"?><manifest xmlns="{MANIFEST_NS}"></manifest>')


@bp.route("/submission", methods=["HEAD"])
@openrosa
def submission_head():
    """Where ODK clients learn the largest submission accepted."""
    response = _xml("", 204)
    response.headers["X-OpenRosa-Accept-Content-Length"] = str(current_app.config["MAX_CONTENT_LENGTH"])
    return response


@bp.route("/submission", methods=["POST"])
@openrosa
def submission():
    """One filled instance (multipart field ``xml_submission_file``), through the sync intake."""
    parts = multipart.parts_of(request)
    if parts is None:  # not the usual shape: Werkzeug's parser reads it
        parts = [
            multipart.Part(name, part.filename, part.mimetype, part.read())
            for name, part in request.files.items(multi=True)
        ]
    instance = next((part.content for part in parts if part.name == "xml_submission_file"), None)
    if instance is None:
        return openrosa_response(message("no_instance"), 400)
    files = [
        Upload(part.filename or part.name, part.content_type, part.content)
        for part in parts
        if part.name != "xml_submission_file" and part.filename is not None
    ]
    principal = current_principal()
    caller = submissions.Caller(principal.user_id, principal.username, principal.role)
    outcome = submissions.receive(caller, instance, files)
    if outcome.status in ("accepted", "duplicate"):
        return openrosa_response(message(outcome.status), 201, "submit_success")
    if outcome.status == "conflict":
        return openrosa_response(message("conflict"), 202, "submit_success")
    details = _problems(outcome.errors)
    text = message(outcome.code, outcome.message) + (f" {details}" if details else "")
    return openrosa_response(text, lookup(outcome.code).status, "submit_error")


def _problems(errors) -> str:
    if isinstance(errors, list):
        return " ".join(f"{e.get('path', '')}: {e.get('message', '')}." for e in errors if isinstance(e, dict))
    return ""


@api.route("/users/<username>/app-passwords", methods=["POST"])
@require_roles(*ROLES)
@api.arguments(AppPasswordRequestSchema, required=False)  # no body: the default label
@api.response(201, AppPasswordSchema)
def create_app_password(args, username):
    """A new app password for an ODK client (admins, for anyone; others, for themselves). Shown once."""
    caller = current_user()
    if caller.role != ADMIN and caller.username != username:
        raise ApiError("forbidden", "Only an admin issues app passwords for another user.")
    user = get_user(username)
    token, secret = credentials.issue_app_password(user, args.get("label", ""))
    return {
        "username": user.username,
        "password": secret,
        "label": token.label,
        "prefix": token.prefix,
        "server_url": url_for("openrosa.form_list", _external=True).rsplit("/", 1)[0],
    }
