"""The inputs of a score run, read from the database: countable ballots as one wide table, the
criteria they are scored on, and a digest of exactly which ballots those were.

Which ballots count is decided in one place, ``server.ballots.countable``; nothing here filters
ballots. Ballots are read in chunks, ordered by id, and each answer column is turned into small
integer levels as it arrives (0 = not applicable or not asked), so a million ballots fit in a few
hundred megabytes. Every stored answer is checked on the way: a value that is not a level 1..5 or
``"na"`` stops the run and names the ballot, instead of being dropped.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import CompileError, DBAPIError

from survey_forms import NOT_APPLICABLE

from ..ballots.countable import countable_ballots
from ..ballots.models import Ballot
from ..errors import ApiError
from ..extensions import db
from ..forms.models import FormVersion
from ..forms.service import load_form
from ..registry.models import Agency

log = logging.getLogger(__name__)

CHUNK = 100_000
#: Stored answer -> level (0: not applicable / not asked). JSON numbers and their text both occur:
#: PostgreSQL's ->> gives text, SQLite's json_extract gives numbers.
_LEVELS: dict[object, int] = {**{v: v for v in range(1, 6)}, **{str(v): v for v in range(1, 6)}, NOT_APPLICABLE: 0}


@dataclass
class CriteriaSet:
    """Scored questions of the form versions the ballots were filled on."""

    rows: list[dict] = field(default_factory=list)  # question, factor, criterion, label
    factor_labels: dict[str, str] = field(default_factory=dict)
    form_versions: list[dict] = field(default_factory=list)

    @property
    def questions(self) -> list[str]:
        return [r["question"] for r in self.rows]


@dataclass
class BallotData:
    """Countable ballots of a round as a wide table ``ballot_id, agency, <question>...`` (Int8, NA for
    not applicable), the questions nobody was asked, and a sha256 of the ballots' ids and hashes."""

    frame: pd.DataFrame
    criteria: CriteriaSet
    missing_questions: list[str]
    digest: str
    count: int


def _criteria(version_ids: list[int]) -> CriteriaSet:
    found = CriteriaSet()
    seen: dict[str, dict] = {}
    for version in db.session.scalars(
        select(FormVersion).where(FormVersion.id.in_(version_ids)).order_by(FormVersion.id)
    ):
        form = load_form(version)
        found.form_versions.append(
            {"form_id": version.form_id, "version": version.version, "hash": version.content_hash}
        )
        for factor in form.factors:
            found.factor_labels.setdefault(factor["id"], factor["label"].get("vi") or factor["id"])
        for question in form.scored_questions():
            row = {
                "question": question.name,
                "factor": question.scoring.factor,
                "criterion": question.scoring.criterion,
                "label": (question.label or {}).get("vi", question.name),
            }
            previous = seen.get(question.name)
            if previous is None:
                seen[question.name] = row
                found.rows.append(row)
            elif (previous["factor"], previous["criterion"]) != (row["factor"], row["criterion"]):
                raise ApiError(
                    "scoring_failed",
                    f"Question {question.name!r} scores criterion {previous['criterion']} of {previous['factor']}"
                    f" in one form version and {row['criterion']} of {row['factor']}"
                    f" in {version.form_id} {version.version};"
                    " ballots of both cannot be scored together.",
                )
    return found


def _levels(values: np.ndarray, ballot_ids: np.ndarray, question: str) -> tuple[np.ndarray, bool]:
    """Levels of one answer column (0 = n/a or absent) and whether any ballot had the key at all."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lookup = np.zeros(len(uniques) + 1, dtype=np.int8)  # last entry: absent (code -1)
    for i, value in enumerate(uniques.tolist()):
        level = _LEVELS.get(value)
        if level is None:
            bad = ballot_ids[codes == i][:5].tolist()
            raise ApiError(
                "scoring_failed",
                f"Ballot(s) {bad} hold {value!r} for {question!r}, which is not a level 1..5 or 'na'.",
                {"question": question, "ballots": bad},
            )
        lookup[i] = level
    return lookup[codes], bool((codes >= 0).any())


def _chunks_generic(base, questions: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray, list, list]]:
    """Any database: one JSON extraction per answer column, fetched in chunks."""
    columns = [Ballot.id, Ballot.agency_id, Ballot.content_hash] + [Ballot.answers[q].as_string() for q in questions]
    statement = base.with_only_columns(*columns).order_by(Ballot.id).execution_options(yield_per=CHUNK)
    for chunk in db.session.execute(statement).partitions():
        block = np.array([tuple(row) for row in chunk], dtype=object).reshape(len(chunk), len(columns))
        yield (
            block[:, 0].astype(np.int64),
            block[:, 1].astype(np.int64),
            block[:, 2].tolist(),
            [block[:, 3 + j] for j in range(len(questions))],
        )


def _chunks_in_python(base, questions: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray, list, list]]:
    """Whole answer documents, read by Python: for ballots whose JSON the database's functions refuse."""
    statement = (
        base.with_only_columns(Ballot.id, Ballot.agency_id, Ballot.content_hash, Ballot.answers)
        .order_by(Ballot.id)
        .execution_options(yield_per=CHUNK)
    )
    for chunk in db.session.execute(statement).partitions():
        yield (
            np.array([row[0] for row in chunk], dtype=np.int64),
            np.array([row[1] for row in chunk], dtype=np.int64),
            [row[2] for row in chunk],
            [np.array([_as_text(row[3].get(q)) for row in chunk], dtype=object) for q in questions],
        )


def _as_text(value) -> str | None:
    """An answer as ``->>`` gives it: None when absent or null, else its text."""
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _chunks_postgresql(base, questions: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray, list, list]]:
    """PostgreSQL: each ballot's JSON is parsed once (``json_to_record``) and the rows stream out with
    COPY as CSV, which pandas reads in C. Question names are identifiers (``survey_forms`` checks them),
    so they can be quoted into the column list."""
    inner = base.with_only_columns(Ballot.id, Ballot.agency_id, Ballot.content_hash, Ballot.answers).order_by(None)
    try:
        inner_sql = str(inner.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    except CompileError:  # a filter value SQL cannot spell as a literal: take the portable path
        yield from _chunks_generic(base, questions)
        return
    names = [f'"{q}"' for q in questions]
    record = ", ".join(f"{n} text" for n in names)
    selected = ", ".join(["b.id", "b.agency_id", "b.content_hash", *(f"r.{n}" for n in names)])
    sql = (
        f"COPY (SELECT {selected} FROM ({inner_sql}) AS b CROSS JOIN LATERAL json_to_record(b.answers) AS r({record})"
        " ORDER BY b.id) TO STDOUT (FORMAT csv)"
    )
    buffer = io.BytesIO()
    try:
        with db.session.begin_nested():
            dbapi = db.session.connection().connection.dbapi_connection
            with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
                for data in copy:
                    buffer.write(data)
    except (DBAPIError, db.session.get_bind().dialect.dbapi.Error) as exc:  # the raw cursor raises psycopg's own
        # PostgreSQL's JSON functions refuse a document holding "\u0000" (a NUL stored before answers were
        # checked for it); one such ballot must not stop the round's scoring.
        log.warning("scoring reads the answers in Python: %s", getattr(exc, "orig", exc))
        yield from _chunks_in_python(base, questions)
        return
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return
    header = ["id", "agency_id", "content_hash", *questions]
    reader = pd.read_csv(
        buffer,
        header=None,
        names=header,
        dtype={"id": "int64", "agency_id": "int64", **{q: object for q in ["content_hash", *questions]}},
        keep_default_na=False,
        na_values={q: [""] for q in questions},
        chunksize=CHUNK,
    )
    for chunk in reader:
        yield (
            chunk["id"].to_numpy(),
            chunk["agency_id"].to_numpy(),
            chunk["content_hash"].tolist(),
            [chunk[q].to_numpy(dtype=object) for q in questions],
        )


def load_ballots(round_id: int) -> BallotData:
    """Read the round's countable ballots (see the module docstring)."""
    base = countable_ballots(round_id)
    version_ids = list(db.session.scalars(base.with_only_columns(Ballot.form_version_id).distinct().order_by(None)))
    criteria = _criteria(version_ids)
    questions = criteria.questions
    codes = dict(db.session.execute(select(Agency.id, Agency.code)).all())
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    chunks = _chunks_postgresql(base, questions) if postgresql and questions else _chunks_generic(base, questions)

    digest = hashlib.sha256()
    ids: list[np.ndarray] = []
    agencies: list[np.ndarray] = []
    levels: list[list[np.ndarray]] = [[] for _ in questions]
    asked = np.zeros(len(questions), dtype=bool)
    count = 0
    for chunk_ids, chunk_agencies, hashes, answers in chunks:
        digest.update("".join(f"{i}:{h}\n" for i, h in zip(chunk_ids.tolist(), hashes, strict=True)).encode())
        ids.append(chunk_ids)
        agencies.append(chunk_agencies)
        for j, question in enumerate(questions):
            column, present = _levels(answers[j], chunk_ids, question)
            levels[j].append(column)
            asked[j] |= present
        count += len(chunk_ids)

    data: dict[str, object] = {}
    if count:
        agency_ids = np.concatenate(agencies)
        unique_ids, inverse = np.unique(agency_ids, return_inverse=True)
        labels = np.array([codes[i] for i in unique_ids.tolist()], dtype=object)
        data["ballot_id"] = np.concatenate(ids)
        data["agency"] = labels[inverse]
        for j, question in enumerate(questions):
            if asked[j]:
                column = np.concatenate(levels[j])
                data[question] = pd.arrays.IntegerArray(column, column == 0)
    else:
        data = {"ballot_id": np.empty(0, dtype=np.int64), "agency": np.empty(0, dtype=object)}
    missing = [q for j, q in enumerate(questions) if not asked[j]]
    return BallotData(pd.DataFrame(data), criteria, missing, digest.hexdigest(), count)
