"""HTTP endpoints for earlier years' published results. Thin: parse, call, dump."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from ..auth.access import current_user, require_roles
from ..auth.roles import MANAGERS
from ..bounds import ROUND_YEARS
from ..errors import ApiError
from ..paging import LIST, Page
from . import service
from .schemas import YearListEntrySchema, YearSchema

blp = Blueprint("history", __name__, url_prefix="/api/v1", description="Earlier years' published results")

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}
#: A year of history is a round's year (the import answers 422 naming ``year`` past them; reading one is
#: harmless): the imports' path parameter says so.
YEAR_PARAMETER = {
    "in": "path",
    "name": "year",
    "required": True,
    "schema": {"type": "integer", "minimum": ROUND_YEARS[0], "maximum": ROUND_YEARS[1]},
}


def _upload() -> tuple[bytes, str]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError("invalid_request", "Send the CSV or XLSX in the multipart field 'file'.", {"file": ["Missing."]})
    return upload.read(), upload.filename


@blp.route("/history", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, YearListEntrySchema(many=True))
@blp.paginate(Page, **LIST)
def list_history():
    """The years with published results entered, their row counts and any partial group (admin, supervisor)."""
    return service.list_years()


@blp.route("/history/<int:year>", methods=["GET"])
@require_roles(*MANAGERS)
@blp.response(200, YearSchema)
def get_year(year):
    """One year's published agency rows and group summaries, and whether it is partial."""
    return service.year_summary(year)


@blp.route("/history/<int:year>", methods=["DELETE"])
@require_roles(*MANAGERS)
@blp.response(204)
def delete_year(year):
    """Remove a year's published results (admin, supervisor)."""
    service.delete_year(year)


@blp.route("/history/<int:year>/agencies", methods=["POST"])
@require_roles(*MANAGERS)
@blp.doc(requestBody=UPLOAD_BODY, parameters=[YEAR_PARAMETER])
@blp.response(200, YearSchema)
def import_agencies(year):
    """Replace the year's published agency table (agency, name, group, points, index, rank, band) by a CSV
    or XLSX file; all or nothing, every problem with its line (admin, supervisor)."""
    return service.import_agency_results(year, *_upload(), current_user())


@blp.route("/history/<int:year>/groups", methods=["POST"])
@require_roles(*MANAGERS)
@blp.doc(requestBody=UPLOAD_BODY, parameters=[YEAR_PARAMETER])
@blp.response(200, YearSchema)
def import_groups(year):
    """Replace the year's published group summaries (group, mean, highest, lowest, agencies) by a CSV or
    XLSX file; all or nothing (admin, supervisor)."""
    return service.import_group_results(year, *_upload())
