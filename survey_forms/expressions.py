"""A safe evaluator for the ODK-XPath-like expressions used in ``relevant`` and ``constraint``.

Forms come from administrators and answers from field devices, so expressions must never reach
``eval``: this module tokenizes and parses them with a small recursive-descent parser into an
AST made of a handful of node types, and evaluates that tree against plain answer values. There
are no bare names, attributes or paths, only ``${name}`` references, so an expression cannot reach
anything but the answers it is given.

The language is ODK's XPath as XLSForm writes it, without paths; the only node-sets are a repeat's
answers, read by ``count()``, ``sum()``, ``indexed-repeat()`` and ``position(..)``:

* ``${name}`` - the value of another question (inside a repeat, the same instance's, as JavaRosa
  reads a relative reference); ``.`` - the current question's value (constraints); in a
  ``choice_filter`` (``parse(..., choice_columns=True)``) a bare name is a column of the choice;
* numbers (``3``, ``2.5``, ``.5``), strings in single or double quotes (no escapes, as in XPath);
* ``or``, ``and``, ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``+``, ``-``, ``*``, ``div``,
  ``mod``, unary minus and parentheses, with XPath precedence (lowest first, as listed);
* the functions of :mod:`survey_forms.xpath_functions` (XPath's core library and ODK's: ``if``,
  ``coalesce``, ``concat``, ``selected``, ``count-selected``, ``jr:choice-name``, ``regex``,
  ``today``, ``now``, ``date``, ``format-date``, ``round``, ``int``, ``substr`` ...).

Semantics follow ODK (:mod:`survey_forms.xpath_values`): an unanswered value is ``""``; a
select_multiple answer is its values joined by spaces; ``=`` compares booleans if either side is
one, else numbers if either side is one, else text (so ``'5' = 5`` and ``'na' = 'na'``);
``<``-style comparisons always convert both sides to numbers, so text that is not a number is
never smaller or greater than anything; dates are numbers of days since 1970-01-01 in arithmetic
and comparisons (``today() - ${dob}``); ``regex()`` searches the answer (anchor the pattern with
``^...$`` to match it whole). ``today()``/``now()`` are the clock in Vietnam (UTC+7, where ballots
are collected) unless a date is injected. A reference is the answer's value, as in JavaRosa (ODK
Collect), not a node-set as in Enketo: ``not(${empty})`` is true.

Parsing is done once (:func:`parse` is cached) and sizes are bounded (source length, tree depth,
regex pattern and input length) so a hostile form or answer cannot exhaust the server.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from .xpath_functions import FUNCTIONS, MAX_REGEX_INPUT_LENGTH, now_in_vietnam
from .xpath_values import (
    VIETNAM_TIME,
    Value,
    arithmetic,
    equals,
    from_answer,
    parse_date_time,
    relate,
    to_boolean,
    to_number,
    to_string,
)

MAX_SOURCE_LENGTH = 2000
MAX_DEPTH = 100
MAX_NESTING = 32
MAX_REGEX_PATTERN_LENGTH = 200

__all__ = [
    "FUNCTIONS",
    "FUNCTION_NAMES",
    "MAX_DEPTH",
    "MAX_NESTING",
    "MAX_REGEX_INPUT_LENGTH",
    "MAX_REGEX_PATTERN_LENGTH",
    "MAX_SOURCE_LENGTH",
    "VIETNAM_TIME",
    "Expression",
    "ExpressionError",
    "Value",
    "from_answer",
    "parse",
    "to_boolean",
    "to_number",
    "to_string",
]


class ExpressionError(ValueError):
    """An expression cannot be parsed; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position


# --------------------------------------------------------------------------- evaluation context


class _Context:
    __slots__ = ("values", "current", "today", "now", "choices", "choice")

    def __init__(self, values: Mapping[str, Any], current: Any, today: Any, now: Any, choices: Any, choice: Any = None):
        self.values = values
        self.current = current
        self.today = today
        self.now = now
        self.choices = choices
        self.choice = choice

    def current_value(self) -> Value:
        return from_answer(self.current)

    def today_text(self) -> str:
        today = self.today
        if today is None:
            return self.now_moment().date().isoformat() if self.now is not None else now_in_vietnam().date().isoformat()
        if callable(today):
            today = today()
        if isinstance(today, _dt.datetime):
            today = today.date()
        if isinstance(today, _dt.date):
            return today.isoformat()
        return str(today)

    def now_moment(self) -> _dt.datetime:
        now = self.now
        if callable(now):
            now = now()
        if isinstance(now, str):
            now = parse_date_time(now)
        if isinstance(now, _dt.datetime):
            if now.tzinfo is not None:
                now = now.astimezone(VIETNAM_TIME).replace(tzinfo=None)
            return now
        return now_in_vietnam()


# --------------------------------------------------------------------------- AST


class _Node:
    __slots__ = ()

    def evaluate(self, ctx: _Context) -> Value:  # pragma: no cover - abstract
        raise NotImplementedError


class _Literal(_Node):
    __slots__ = ("value",)

    def __init__(self, value: Value):
        self.value = value

    def evaluate(self, ctx: _Context) -> Value:
        return self.value


class _Reference(_Node):
    __slots__ = ("name",)
    #: A node-set where ODK reads one (count, sum, concat, join); elsewhere its value.
    node_set = True

    def __init__(self, name: str):
        self.name = name

    def evaluate(self, ctx: _Context) -> Value:
        return from_answer(ctx.values.get(self.name))


class _ChoiceColumn(_Node):
    """A bare name in a ``choice_filter``: that column of the choice being filtered (``name`` is its value)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def evaluate(self, ctx: _Context) -> Value:
        choice = ctx.choice or {}
        return from_answer(choice.get(self.name))


class _Parent(_Node):
    """``..`` as the argument of ``position()``: the repeat instance being evaluated."""

    __slots__ = ()

    def evaluate(self, ctx: _Context) -> Value:
        return ""


class _Current(_Node):
    __slots__ = ()

    def evaluate(self, ctx: _Context) -> Value:
        return from_answer(ctx.current)


class _Negate(_Node):
    __slots__ = ("operand",)

    def __init__(self, operand: _Node):
        self.operand = operand

    def evaluate(self, ctx: _Context) -> Value:
        return -to_number(self.operand.evaluate(ctx))


class _Binary(_Node):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: _Node, right: _Node):
        self.op = op
        self.left = left
        self.right = right

    def evaluate(self, ctx: _Context) -> Value:
        op = self.op
        if op == "or":
            return to_boolean(self.left.evaluate(ctx)) or to_boolean(self.right.evaluate(ctx))
        if op == "and":
            return to_boolean(self.left.evaluate(ctx)) and to_boolean(self.right.evaluate(ctx))
        left, right = self.left.evaluate(ctx), self.right.evaluate(ctx)
        if op == "=":
            return equals(left, right)
        if op == "!=":
            return not equals(left, right)
        if op in _RELATIONS:
            return relate(op, left, right)
        return arithmetic(op, left, right)


_RELATIONS = frozenset({"<", "<=", ">", ">="})


def _fn_regex(ctx: _Context, args: list[_Node], pattern: re.Pattern[str]) -> Value:
    text = to_string(args[0].evaluate(ctx))
    if len(text) > MAX_REGEX_INPUT_LENGTH:
        return False
    return pattern.search(text) is not None


#: Names of the functions an expression may call.
FUNCTION_NAMES: frozenset[str] = frozenset(FUNCTIONS)


class _Call(_Node):
    __slots__ = ("name", "args", "pattern")

    def __init__(self, name: str, args: list[_Node], pattern: re.Pattern[str] | None = None):
        self.name = name
        self.args = args
        self.pattern = pattern

    def evaluate(self, ctx: _Context) -> Value:
        if self.pattern is not None:
            return _fn_regex(ctx, self.args, self.pattern)
        try:
            return FUNCTIONS[self.name][2](ctx, self.args)
        except (ArithmeticError, ValueError):  # pragma: no cover - a safety net: answers never crash validation
            return math.nan


# --------------------------------------------------------------------------- tokenizer

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<ref>\$\{(?P<refname>[A-Za-z_][A-Za-z0-9_-]*)\})
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<name>(?:[A-Za-z_][A-Za-z0-9_]*:)?[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op><=|>=|!=|\.\.|[=<>+\-*(),.])
    """,
    re.VERBOSE,
)


class _Token:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind: str, text: str, pos: int):
        self.kind = kind
        self.text = text
        self.pos = pos


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            char = source[pos]
            if char in "'\"":
                raise ExpressionError("unterminated string literal", pos)
            if char == "$":
                raise ExpressionError("a reference must look like ${question_name}", pos)
            raise ExpressionError(f"unexpected character {char!r}", pos)
        kind = match.lastgroup
        if kind == "ref":
            tokens.append(_Token("ref", match.group("refname"), pos))
        elif kind != "ws":
            tokens.append(_Token(kind or "op", match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


# --------------------------------------------------------------------------- parser

_LEVELS: tuple[tuple[str, ...], ...] = (
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
)
_WORD_OPERATORS = frozenset({"or", "and", "div", "mod"})


#: Functions whose arguments at these positions must be ``${name}`` references (node-sets in ODK).
_REFERENCE_ARGUMENTS = {"count": (0,), "sum": (0,), "indexed-repeat": (0, 1, 3, 5)}


class _Parser:
    def __init__(self, source: str, choice_columns: bool = False):
        self.source = source
        self.tokens = _tokenize(source)
        self.index = 0
        self.references: set[str] = set()
        self.uses_current = False
        self.choice_columns = choice_columns
        self.columns: set[str] = set()

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def _advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _expect(self, text: str) -> None:
        if self.token.kind != "op" or self.token.text != text:
            raise ExpressionError(f"expected {text!r}", self.token.pos)
        self.index += 1

    def _is_operator(self, token: _Token, ops: tuple[str, ...]) -> bool:
        if token.kind == "op":
            return token.text in ops
        return token.kind == "name" and token.text in _WORD_OPERATORS and token.text in ops

    def parse(self) -> tuple[_Node, int]:
        if self.token.kind == "end":
            raise ExpressionError("empty expression", 0)
        node, depth = self._binary(0, 0)
        if self.token.kind != "end":
            raise ExpressionError(f"unexpected {self.token.text!r}", self.token.pos)
        return node, depth

    def _check_depth(self, depth: int, pos: int) -> int:
        # Bounds the tree, hence the recursion when evaluating (long operator chains).
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression more than {MAX_DEPTH} operations deep", pos)
        return depth

    def _check_nesting(self, nesting: int, pos: int) -> int:
        # Bounds the parser's own recursion (parentheses, calls, unary minus).
        if nesting > MAX_NESTING:
            raise ExpressionError(f"expression nested more than {MAX_NESTING} levels deep", pos)
        return nesting

    def _binary(self, level: int, nesting: int) -> tuple[_Node, int]:
        if level == len(_LEVELS):
            return self._unary(nesting)
        ops = _LEVELS[level]
        left, depth = self._binary(level + 1, nesting)
        while self._is_operator(self.token, ops):
            op_token = self._advance()
            right, right_depth = self._binary(level + 1, nesting)
            depth = self._check_depth(max(depth, right_depth) + 1, op_token.pos)
            left = _Binary(op_token.text, left, right)
        return left, depth

    def _unary(self, nesting: int) -> tuple[_Node, int]:
        token = self.token
        if token.kind == "op" and token.text == "-":
            self._advance()
            self._check_nesting(nesting + 1, token.pos)
            operand, depth = self._unary(nesting + 1)
            return _Negate(operand), self._check_depth(depth + 1, token.pos)
        return self._primary(nesting)

    def _primary(self, nesting: int) -> tuple[_Node, int]:
        token = self.token
        if token.kind == "number":
            self._advance()
            return _Literal(float(token.text)), 1
        if token.kind == "string":
            self._advance()
            return _Literal(token.text[1:-1]), 1
        if token.kind == "ref":
            self._advance()
            self.references.add(token.text)
            return _Reference(token.text), 1
        if token.kind == "op" and token.text == ".":
            self._advance()
            self.uses_current = True
            return _Current(), 1
        if token.kind == "op" and token.text == "..":
            self._advance()
            return _Parent(), 1
        if token.kind == "op" and token.text == "(":
            self._advance()
            self._check_nesting(nesting + 1, token.pos)
            node, depth = self._binary(0, nesting + 1)
            self._expect(")")
            return node, depth
        if token.kind == "name":
            return self._call(nesting)
        if token.kind == "end":
            raise ExpressionError("unexpected end of expression", token.pos)
        raise ExpressionError(f"unexpected {token.text!r}", token.pos)

    def _call(self, nesting: int) -> tuple[_Node, int]:
        token = self._advance()
        name = token.text
        following = self.token
        if (following.kind != "op" or following.text != "(") and self.choice_columns and name not in _WORD_OPERATORS:
            self.columns.add(name)
            return _ChoiceColumn(name), 1
        if following.kind != "op" or following.text != "(":
            raise ExpressionError(f"bare name {name!r} is not supported; refer to questions as ${{name}}", token.pos)
        if name not in FUNCTIONS:
            raise ExpressionError(f"unknown function {name}()", token.pos)
        self._check_nesting(nesting + 1, token.pos)
        self._advance()
        args: list[_Node] = []
        depth = 0
        arg_tokens: list[_Token] = []
        if not (self.token.kind == "op" and self.token.text == ")"):
            while True:
                arg_tokens.append(self.token)
                arg, arg_depth = self._binary(0, nesting + 1)
                args.append(arg)
                depth = max(depth, arg_depth)
                if self.token.kind == "op" and self.token.text == ",":
                    self._advance()
                    continue
                break
        self._expect(")")
        fewest, most, _function = FUNCTIONS[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = str(fewest) if fewest == most else f"{fewest} or more" if most is None else f"{fewest} to {most}"
            raise ExpressionError(f"{name}() takes {wanted} argument(s), got {len(args)}", token.pos)
        for i in _REFERENCE_ARGUMENTS.get(name, ()):
            if i < len(args) and not isinstance(args[i], _Reference):
                raise ExpressionError(f"argument {i + 1} of {name}() must be a ${{name}} reference", arg_tokens[i].pos)
        if name == "position" and not isinstance(args[0], _Parent):
            raise ExpressionError("position() takes '..' (the repeat instance)", arg_tokens[0].pos)
        if name != "position" and any(isinstance(a, _Parent) for a in args):
            raise ExpressionError("'..' can only be the argument of position()", token.pos)
        pattern = None
        if name == "regex":
            pattern = self._compile_pattern(args[1], arg_tokens[1])
        return _Call(name, args, pattern), self._check_depth(depth + 1, token.pos)

    def _compile_pattern(self, node: _Node, token: _Token) -> re.Pattern[str]:
        # The pattern must be a literal so it is checked (and bounded) when the form is loaded,
        # never built from answers at run time.
        if not isinstance(node, _Literal) or not isinstance(node.value, str):
            raise ExpressionError("the pattern of regex() must be a quoted string", token.pos)
        if len(node.value) > MAX_REGEX_PATTERN_LENGTH:
            raise ExpressionError(f"regex() pattern longer than {MAX_REGEX_PATTERN_LENGTH} characters", token.pos)
        try:
            return re.compile(_javascript_dollar(node.value), re.ASCII)
        except re.error as exc:
            raise ExpressionError(f"invalid regex() pattern: {exc}", token.pos) from None


def _javascript_dollar(pattern: str) -> str:
    """Make ``$`` mean the end of the text only, as in JavaScript (Enketo) and not before a final
    newline as in Python; ``re.ASCII`` likewise gives ``\\d`` and ``\\w`` JavaScript's ASCII meaning."""
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"(?!\n)\Z")
            continue
        out.append(char)
    return "".join(out)


class Expression:
    """A parsed expression: immutable, cheap to evaluate many times.

    ``references`` is the set of question names it reads (``${name}``); ``uses_current`` tells
    whether it reads ``.``, which only makes sense in a constraint.
    """

    __slots__ = ("source", "references", "uses_current", "columns", "_root")

    def __init__(
        self,
        source: str,
        root: _Node,
        references: frozenset[str],
        uses_current: bool,
        columns: frozenset[str] = frozenset(),
    ):
        self.source = source
        self.references = references
        self.uses_current = uses_current
        self.columns = columns
        self._root = root

    def evaluate(
        self,
        values: Mapping[str, Any],
        current: Any = None,
        *,
        today: Any = None,
        now: Any = None,
        choices: Mapping[str, Mapping[str, str]] | None = None,
        choice: Mapping[str, Any] | None = None,
    ) -> Value:
        """Evaluate against ``values`` (question name -> submitted answer).

        ``current`` is the value of ``.``; ``today`` (a date, ISO string or callable returning
        one) overrides the clock for ``today()`` and ``now`` (a datetime, ISO string or callable)
        for ``now()``; ``choices`` (question name -> choice value -> label) is what
        ``jr:choice-name()`` reads; ``choice`` (column -> value, ``name`` being the choice's value) is
        what the bare names of a ``choice_filter`` read. Never raises for any answer values.
        """
        return self._root.evaluate(_Context(values, current, today, now, choices, choice))

    def evaluate_boolean(
        self,
        values: Mapping[str, Any],
        current: Any = None,
        *,
        today: Any = None,
        now: Any = None,
        choices: Mapping[str, Mapping[str, str]] | None = None,
        choice: Mapping[str, Any] | None = None,
    ) -> bool:
        """Evaluate and convert to a boolean, as ODK does for ``relevant`` and ``constraint``."""
        return to_boolean(self.evaluate(values, current, today=today, now=now, choices=choices, choice=choice))

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)


@functools.lru_cache(maxsize=2048)
def _parse_cached(source: str, choice_columns: bool) -> Expression:
    parser = _Parser(source, choice_columns)
    root, _depth = parser.parse()
    return Expression(source, root, frozenset(parser.references), parser.uses_current, frozenset(parser.columns))


def parse(source: str, *, choice_columns: bool = False) -> Expression:
    """Parse ``source`` into an :class:`Expression`; raises :class:`ExpressionError` if invalid.

    ``choice_columns`` allows bare names, read as columns of the choice being filtered (``choice_filter``).
    """
    if not isinstance(source, str):
        raise ExpressionError("an expression must be a string", 0)
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_SOURCE_LENGTH} characters", MAX_SOURCE_LENGTH)
    return _parse_cached(unicodedata.normalize("NFC", source), choice_columns)
