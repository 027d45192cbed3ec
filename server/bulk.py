"""Bulk inserts for tens of thousands of rows at once (a re-check sample and its audit entries).

PostgreSQL gets COPY for large sets, several times faster than any INSERT form; small sets and SQLite
get executemany. Rows join the session's transaction like any other statement.
"""

from __future__ import annotations

import json

from sqlalchemy import JSON, Table, insert

from .extensions import db

#: Below this many rows COPY's extra round trips cost more than a pipelined executemany.
COPY_FROM = 200


def insert_rows(table: Table, rows: list[dict]) -> None:
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c], ensure_ascii=False) if c in json_columns else row[c] for c in columns])
