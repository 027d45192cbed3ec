"""One paging convention for every list of the API: flask-smorest's own pagination.

Every list takes ``page`` (from 1) and ``page_size`` query parameters and answers with its items (in the
body it always had) plus an ``X-Pagination`` header: ``{"total", "total_pages", "first_page", "last_page",
"page", "previous_page", "next_page"}`` (``total`` counts every item that matches, not just this page).
The OpenAPI document lists the parameters and the header for each list.

The default page is generous (``LIST``: 1,000 items), so a caller that never asks for a page still gets
the whole list at a province's sizes (agencies, users, rounds, assignments, a reviewer's re-checks);
only ballots (``BALLOTS``: 100 a page, as before) and audit trails grow past it. A page past the last
is empty; a ``page`` below 1 or a ``page_size`` past the maximum is ``422 invalid_request``.
"""

from __future__ import annotations

import json

from flask_smorest import Blueprint, Page
from sqlalchemy import Select, func, select

from .extensions import db

#: Registries and other lists a province keeps small: the whole list unless a page is asked for.
LIST = {"page_size": 1000, "max_page_size": 10000}
#: Ballots: the ballot table's pages.
BALLOTS = {"page_size": 100, "max_page_size": 1000}

__all__ = ["BALLOTS", "LIST", "Page", "SelectPage", "count_of", "header"]

HEADER = Blueprint.PAGINATION_HEADER_NAME


def header(page: int, page_size: int, total: int) -> str:
    """The ``X-Pagination`` header value, built as flask-smorest builds it."""
    return json.dumps(Blueprint._make_pagination_metadata(page, page_size, total))


def count_of(query: Select) -> int:
    """Rows a SELECT would return, counted by the database. Counting over the query as a subquery keeps
    its FROM clause whatever its WHERE holds (``with_only_columns(count())`` loses it when no condition
    names the table, and then counts one row)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


class SelectPage(Page):
    """Pager for a SQLAlchemy SELECT of ORM rows: the database counts and slices; rows are not all loaded."""

    @property
    def items(self):
        params = self.page_params
        return list(db.session.scalars(self.collection.limit(params.page_size).offset(params.first_item)))

    @property
    def item_count(self):
        return count_of(self.collection)
