"""The criteria set (Bộ tiêu chí) of a round: read from the province's XLSX, checked, copied from last
year with its changes tracked, edited one node at a time.

The sheet has one row per node; its ``code`` places it in the tree (``1`` an area, ``1.2`` a criterion
of it, ``1.2.3`` a sub-criterion). Columns (English or Vietnamese headers):

``code`` (Mã), ``title`` (Nội dung), ``max_points`` (Điểm tối đa);
``rule`` (Cách chấm) on leaves: ``levels`` (mức), ``proportional`` (tỷ lệ) or ``penalty`` (điểm trừ),
with ``levels`` (Các mức, e.g. ``0; 0.5; 1``), ``figure`` and ``full_at`` (Số liệu, Đạt tối đa khi),
``per_unit`` and ``floor`` (Điểm trừ mỗi trường hợp, Mức trừ tối đa);
``groups`` (Nhóm áp dụng: department, district, commune; empty: all) and ``council`` (Cơ quan thẩm
định, a council organisation code), both inherited by the node's descendants.

Checks: every leaf has a valid rule; a node's maximum is the sum of its children's (penalty leaves,
maximum 0, aside); every leaf has an appraising organisation; the areas add up to the round's appraisal
maximum (round maximum minus the survey's, 100 − 10 = 90). One problem and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select

from ..auth.roles import COUNCIL_ORGANISATIONS
from ..bounds import CRITERION_WORDS
from ..errors import ApiError
from ..extensions import db
from ..registry.models import SurveyRound
from ..results.tables import nfc, number, read_table
from .models import AppraisalCalendar, Criterion, SelfAssessment
from .rules import RuleError, check_rule

GROUPS = ("department", "district", "commune")
HEADERS = {
    "code": "code",
    "mã": "code",
    "title": "title",
    "nội dung": "title",
    "max_points": "max_points",
    "điểm tối đa": "max_points",
    "rule": "rule",
    "cách chấm": "rule",
    "levels": "levels",
    "các mức": "levels",
    "figure": "figure",
    "số liệu": "figure",
    "full_at": "full_at",
    "đạt tối đa khi": "full_at",
    "per_unit": "per_unit",
    "điểm trừ mỗi trường hợp": "per_unit",
    "floor": "floor",
    "mức trừ tối đa": "floor",
    "groups": "groups",
    "nhóm áp dụng": "groups",
    "council": "council",
    "cơ quan thẩm định": "council",
}
RULE_NAMES = {
    "levels": "levels",
    "mức": "levels",
    "proportional": "proportional",
    "tỷ lệ": "proportional",
    "penalty": "penalty",
    "điểm trừ": "penalty",
}
COMPARED = ("title", "max_points", "rule", "groups", "council_org")
_TOL = 1e-6


@dataclass
class Node:
    code: str
    title: str
    max_points: float
    rule: dict | None = None
    groups: list | None = None
    council_org: str | None = None
    line: int = 0
    children: list[Node] = field(default_factory=list)

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None


def _problem(problems: list, line: int, column: str | None, code: str, message: str) -> None:
    problems.append({"line": line, "column": column, "code": code, "message": message})


def _numbers(text: str) -> list[float]:
    # levels are separated by semicolons: a comma is the Vietnamese decimal mark (0; 0,5; 1)
    return [number(part) for part in str(text).split(";") if part.strip()]


def _rule_of(cells: dict, line: int, problems: list) -> dict | None:
    name = nfc(str(cells.get("rule") or "")).strip().casefold()
    if not name:
        return None
    kind = RULE_NAMES.get(name)
    if kind is None:
        _problem(problems, line, "rule", "unknown_rule", f"{name!r} is not a rule: levels, proportional or penalty.")
        return None
    try:
        if kind == "levels":
            return {"type": kind, "levels": _numbers(cells.get("levels") or "")}
        if kind == "proportional":
            return {
                "type": kind,
                "figure": nfc(str(cells.get("figure") or "")).strip(),
                "full_at": number(cells.get("full_at")),
            }
        return {"type": kind, "per_unit": number(cells.get("per_unit")), "floor": number(cells.get("floor"))}
    except ValueError as exc:
        _problem(problems, line, "rule", "not_a_number", f"{exc.args[0]!r} is not a number.")
        return None


def parse_criteria(data: bytes, filename: str) -> tuple[list[Node], list[dict]]:
    """Read the sheet into nodes (in file order) and the problems of each row; nothing is stored."""
    header, rows = read_table(data, filename)
    problems: list[dict] = []
    columns = {}
    for name in header:
        key = HEADERS.get(nfc(name or "").strip().casefold())
        if key:
            columns[name] = key
    for needed in ("code", "title", "max_points"):
        if needed not in columns.values():
            _problem(problems, 1, None, "missing_column", f"The sheet needs a {needed!r} column.")
    if problems:
        return [], problems
    nodes: list[Node] = []
    seen: dict[str, int] = {}
    for row in rows:
        cells = {key: row.cells.get(name) for name, key in columns.items()}
        code = nfc(str(cells.get("code") or "")).strip().rstrip(".")
        if not code:
            _problem(problems, row.line, "code", "missing_value", "No code on this row.")
            continue
        if code in seen:
            _problem(problems, row.line, "code", "duplicate_row", f"Code {code} is already on line {seen[code]}.")
            continue
        if code in CRITERION_WORDS:
            _problem(problems, row.line, "code", "invalid_value", f"{code!r} names another criteria endpoint.")
            continue
        seen[code] = row.line
        title = nfc(str(cells.get("title") or "")).strip()
        if not title:
            _problem(problems, row.line, "title", "missing_value", f"{code} has no title.")
        try:
            max_points = number(cells.get("max_points"))
        except ValueError:
            _problem(problems, row.line, "max_points", "not_a_number", f"{cells.get('max_points')!r} is not a number.")
            continue
        if max_points is None or max_points < 0:
            _problem(problems, row.line, "max_points", "invalid_maximum", f"{code} needs a maximum of 0 or more.")
            continue
        groups = None
        raw_groups = nfc(str(cells.get("groups") or "")).strip()
        if raw_groups:
            groups = [g.strip() for g in raw_groups.replace(";", ",").split(",") if g.strip()]
            unknown = [g for g in groups if g not in GROUPS]
            if unknown:
                _problem(
                    problems,
                    row.line,
                    "groups",
                    "unknown_group",
                    f"Unknown group(s) {', '.join(unknown)}: use {', '.join(GROUPS)}.",
                )
        council = nfc(str(cells.get("council") or "")).strip().upper() or None
        if council and council not in COUNCIL_ORGANISATIONS:
            _problem(
                problems,
                row.line,
                "council",
                "unknown_council",
                f"{council} is not a council organisation ({', '.join(COUNCIL_ORGANISATIONS)}).",
            )
        nodes.append(Node(code, title, max_points, _rule_of(cells, row.line, problems), groups, council, row.line))
    if not nodes and not problems:
        _problem(problems, 1, None, "empty_file", "The sheet has no criteria.")
    return nodes, problems


def check_tree(nodes: list[Node], appraisal_max: float | None) -> list[dict]:
    """Link the nodes into a tree and list what is wrong with it."""
    problems: list[dict] = []
    by_code = {n.code: n for n in nodes}
    for node in nodes:
        node.children = []
    for node in nodes:
        parent = node.parent_code
        if parent is not None:
            if parent not in by_code:
                _problem(
                    problems, node.line, "code", "missing_parent", f"{node.code} has no parent {parent} in the sheet."
                )
            else:
                by_code[parent].children.append(node)

    def visit(node: Node, council: str | None, groups: tuple) -> None:
        council = node.council_org or council
        groups = tuple(g for g in groups if node.groups is None or g in node.groups)
        if node.children:
            if node.rule is not None:
                _problem(
                    problems,
                    node.line,
                    "rule",
                    "rule_on_branch",
                    f"{node.code} has sub-criteria; only leaves have a rule.",
                )
            for group in groups:  # alternatives for different groups are allowed, so check each group
                total = sum(c.max_points for c in node.children if c.groups is None or group in c.groups)
                if abs(total - node.max_points) > _TOL:
                    _problem(
                        problems,
                        node.line,
                        "max_points",
                        "maximum_mismatch",
                        f"{node.code} has a maximum of {node.max_points:g} but its sub-criteria for {group}"
                        f" add up to {total:g}.",
                    )
                    break
            for child in node.children:
                visit(child, council, groups)
            return
        try:
            check_rule(node.rule, node.max_points)
        except RuleError as exc:
            _problem(problems, node.line, "rule", "invalid_rule", f"{node.code}: {exc}")
        if council is None:
            _problem(
                problems,
                node.line,
                "council",
                "missing_council",
                f"Nobody appraises {node.code}: give its area a council organisation.",
            )

    areas = [n for n in nodes if n.parent_code is None]
    for area in areas:
        visit(area, None, GROUPS)
    total = sum(a.max_points for a in areas)
    if appraisal_max is not None and nodes and abs(total - appraisal_max) > _TOL:
        _problem(
            problems,
            1,
            "max_points",
            "maximum_mismatch",
            f"The areas add up to {total:g}; the round's appraisal maximum is {appraisal_max:g}.",
        )
    return problems


def round_appraisal_max(survey_round: SurveyRound) -> float | None:
    """The largest appraisal points of the round's agencies (100 − 10 = 90 in 2022)."""
    from ..results.appraisal import appraisal_maximum

    values = [appraisal_maximum(p, float(survey_round.survey_max_points)) for p in survey_round.participants]
    return max(values) if values else None


def criteria_of(survey_round: SurveyRound) -> list[Criterion]:
    return list(
        db.session.scalars(select(Criterion).where(Criterion.round_id == survey_round.id).order_by(Criterion.position))
    )


def calendar_of(survey_round: SurveyRound, create: bool = False) -> AppraisalCalendar | None:
    calendar = db.session.scalar(select(AppraisalCalendar).where(AppraisalCalendar.round_id == survey_round.id))
    if calendar is None and create:
        calendar = AppraisalCalendar(round_id=survey_round.id)
        db.session.add(calendar)
    return calendar


def _refuse_if_used(survey_round: SurveyRound) -> None:
    used = db.session.scalar(select(SelfAssessment.id).where(SelfAssessment.round_id == survey_round.id).limit(1))
    if used is not None:
        raise ApiError(
            "state_conflict",
            f"Agencies have started self-assessing in round {survey_round.code};"
            " its criteria set can no longer be replaced.",
        )


def store_nodes(survey_round: SurveyRound, nodes: list[Node]) -> list[Criterion]:
    """Replace the round's criteria by ``nodes`` (already checked), then mark their changes."""
    _refuse_if_used(survey_round)
    db.session.execute(delete(Criterion).where(Criterion.round_id == survey_round.id))
    stored: dict[str, Criterion] = {}
    for position, node in enumerate(nodes):
        row = Criterion(
            round_id=survey_round.id,
            parent=stored.get(node.parent_code) if node.parent_code else None,
            code=node.code,
            position=position,
            title=node.title,
            max_points=node.max_points,
            rule=node.rule if not node.children else None,
            groups=node.groups,
            council_org=node.council_org,
        )
        db.session.add(row)
        stored[node.code] = row
    db.session.flush()
    mark_changes(survey_round)
    return list(stored.values())


def import_criteria(survey_round: SurveyRound, data: bytes, filename: str) -> list[Criterion]:
    """Replace the round's criteria set by the sheet's, or store nothing and list every problem by line."""
    nodes, problems = parse_criteria(data, filename)
    if not problems:
        problems = check_tree(nodes, round_appraisal_max(survey_round))
    if problems:
        raise ApiError("invalid_criteria", f"{filename}: {len(problems)} problem(s); nothing was imported.", problems)
    return store_nodes(survey_round, nodes)


def _node_of(row: Criterion) -> Node:
    return Node(row.code, row.title, row.max_points, row.rule, row.groups, row.council_org)


def copy_criteria(target: SurveyRound, source: SurveyRound) -> list[Criterion]:
    """Copy ``source``'s criteria set into ``target``; later edits are tracked against ``source``."""
    rows = criteria_of(source)
    if not rows:
        raise ApiError("not_found", f"Round {source.code} has no criteria set to copy.")
    calendar_of(target, create=True).compared_with_round_id = source.id
    db.session.flush()
    return store_nodes(target, [_node_of(r) for r in rows])


def _snapshot(row: Criterion) -> dict:
    return {
        "title": row.title,
        "max_points": row.max_points,
        "rule": row.rule,
        "groups": row.groups,
        "council_org": row.council_org,
    }


def mark_changes(survey_round: SurveyRound) -> None:
    """Mark each criterion new, changed (keeping the old values) or unchanged against the compared round."""
    calendar = calendar_of(survey_round)
    old = {}
    if calendar is not None and calendar.compared_with_round_id is not None:
        old = {r.code: _snapshot(r) for r in criteria_of(db.session.get(SurveyRound, calendar.compared_with_round_id))}
    for row in criteria_of(survey_round):
        before = old.get(row.code)
        if before is None:
            row.change, row.previous = "new", None
        elif before == _snapshot(row):
            row.change, row.previous = "unchanged", None
        else:
            row.change, row.previous = "changed", {k: v for k, v in before.items() if v != getattr(row, k)}


def changes(survey_round: SurveyRound) -> dict:
    """What differs from the compared round's set: new, changed (old and new values) and removed codes."""
    calendar = calendar_of(survey_round)
    rows = criteria_of(survey_round)
    removed = []
    compared = None
    if calendar is not None and calendar.compared_with_round_id is not None:
        source = db.session.get(SurveyRound, calendar.compared_with_round_id)
        compared = source.code
        codes = {r.code for r in rows}
        removed = [{"code": r.code, "title": r.title} for r in criteria_of(source) if r.code not in codes]
    return {
        "compared_with": compared,
        "new": [r.code for r in rows if r.change == "new"],
        "changed": [
            {"code": r.code, "before": r.previous, "after": {k: getattr(r, k) for k in (r.previous or {})}}
            for r in rows
            if r.change == "changed"
        ],
        "removed": removed,
    }


def edit_criterion(survey_round: SurveyRound, code: str, changes_: dict) -> Criterion:
    """Change one node's title, maximum, rule, groups or council organisation; the whole set is re-checked."""
    _refuse_if_used(survey_round)
    rows = criteria_of(survey_round)
    row = next((r for r in rows if r.code == code), None)
    if row is None:
        raise ApiError("not_found", f"Round {survey_round.code} has no criterion {code}.")
    for key, value in changes_.items():
        setattr(row, key, value)
    nodes = [
        Node(r.code, r.title, r.max_points, r.rule, r.groups, r.council_org, line=i + 2) for i, r in enumerate(rows)
    ]
    problems = check_tree(nodes, round_appraisal_max(survey_round))
    if problems:
        raise ApiError("invalid_criteria", f"The change to {code} leaves the criteria set inconsistent.", problems)
    db.session.flush()
    mark_changes(survey_round)
    return row
