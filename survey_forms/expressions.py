"""A safe evaluator for the ODK-XPath-like expressions used in ``relevant`` and ``constraint``.

Forms come from administrators and answers from field devices, so expressions must never reach
``eval``: this module tokenizes and parses them with a small recursive-descent parser into an
AST made of a handful of node types, and evaluates that tree against plain answer values. There
are no bare names, attributes or paths, only ``${name}`` references, so an expression cannot reach
anything but the answers it is given.

Supported subset (the part of XLSForm that parsurvey questionnaires need):

* ``${name}`` - the value of another question; ``.`` - the current question's value (constraints);
* numbers (``3``, ``2.5``, ``.5``), strings in single or double quotes (no escapes, as in XPath);
* ``or``, ``and``, ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``+``, ``-``, ``*``, ``div``,
  ``mod``, unary minus and parentheses, with XPath precedence (lowest first, as listed);
* functions ``true()``, ``false()``, ``not(x)``, ``selected(x, 'v')``, ``count-selected(x)``,
  ``string-length(x)``, ``today()``, ``regex(x, 'pattern')``, ``number(x)``, ``coalesce(a, b)``.

Semantics follow ODK: an unanswered value is ``""``; a select_multiple answer is its values joined
by spaces; ``=`` between a number and a string compares numerically (``'5' = 5``) and otherwise
compares strings (so ``'na'`` compares as a string); ``<``-style comparisons are numeric when both
sides are numbers or numeric strings, lexicographic between two other non-empty strings (which
orders ISO dates correctly), and false whenever one side is unanswered or not a number while the
other is a number. ``today()`` is the current date in Vietnam (UTC+7, where ballots are
collected) unless a date is injected.

Parsing is done once (:func:`parse` is cached) and sizes are bounded (source length, tree depth,
regex pattern and input length) so a hostile form or answer cannot exhaust the server.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

MAX_SOURCE_LENGTH = 2000
MAX_DEPTH = 100
MAX_NESTING = 32
MAX_REGEX_PATTERN_LENGTH = 200
MAX_REGEX_INPUT_LENGTH = 1000

#: Timezone used for ``today()`` when no date is injected: ballots are collected in Vietnam.
VIETNAM_TIME = _dt.timezone(_dt.timedelta(hours=7), "ICT")

Value = bool | float | str


class ExpressionError(ValueError):
    """An expression cannot be parsed; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position


# --------------------------------------------------------------------------- values


_NUMBER_TEXT = re.compile(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*")


def to_number(value: Value) -> float:
    """XPath ``number()``: booleans are 1/0, numeric strings parse, anything else is NaN."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if _NUMBER_TEXT.fullmatch(value):
        return float(value)
    return math.nan


def to_string(value: Value) -> str:
    """XPath ``string()``: integral numbers print without a decimal point."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    return value


def to_boolean(value: Value) -> bool:
    """XPath ``boolean()``: non-zero numbers and non-empty strings are true."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def from_answer(value: Any) -> Value:
    """Convert a submitted answer into an expression value.

    Unanswered (``None``) is ``""``; numbers become floats (too large ones become infinite rather
    than raising); a select_multiple list becomes its space-separated values, as in ODK. Anything
    that is not answer-shaped is treated as unanswered so evaluation never fails on bad input.
    """
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return value
    if isinstance(value, list | tuple):
        return " ".join(to_string(from_answer(v)) for v in value if isinstance(v, str | int | float))
    return ""


def _is_number_like(value: Value) -> bool:
    return isinstance(value, float | bool) or bool(_NUMBER_TEXT.fullmatch(value))


def _equals(left: Value, right: Value) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return to_number(left) == to_number(right)
    return left == right


_RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _relate(op: str, left: Value, right: Value) -> bool:
    compare = _RELATIONS[op]
    if isinstance(left, str) and isinstance(right, str):
        if left == "" or right == "":
            return False
        if not (_is_number_like(left) and _is_number_like(right)):
            return compare(left, right)
    a, b = to_number(left), to_number(right)
    if math.isnan(a) or math.isnan(b):
        return False
    return compare(a, b)


def _arithmetic(op: str, left: Value, right: Value) -> float:
    a, b = to_number(left), to_number(right)
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "div":
            if b == 0:
                if a == 0 or math.isnan(a):
                    return math.nan
                return math.copysign(math.inf, a) * math.copysign(1.0, b)
            return a / b
        # mod: XPath truncates toward zero like C fmod.
        if b == 0 or math.isinf(a) or math.isnan(b):
            return math.nan
        return math.fmod(a, b)
    except OverflowError:
        return math.nan


# --------------------------------------------------------------------------- evaluation context


class _Context:
    __slots__ = ("values", "current", "today")

    def __init__(self, values: Mapping[str, Any], current: Any, today: Any):
        self.values = values
        self.current = current
        self.today = today

    def today_text(self) -> str:
        today = self.today
        if today is None:
            return _dt.datetime.now(VIETNAM_TIME).date().isoformat()
        if callable(today):
            today = today()
        if isinstance(today, _dt.datetime):
            today = today.date()
        if isinstance(today, _dt.date):
            return today.isoformat()
        return str(today)


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

    def __init__(self, name: str):
        self.name = name

    def evaluate(self, ctx: _Context) -> Value:
        return from_answer(ctx.values.get(self.name))


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
            return _equals(left, right)
        if op == "!=":
            return not _equals(left, right)
        if op in _RELATIONS:
            return _relate(op, left, right)
        return _arithmetic(op, left, right)


def _fn_selected(ctx: _Context, args: list[_Node]) -> Value:
    chosen = to_string(args[0].evaluate(ctx)).split()
    return to_string(args[1].evaluate(ctx)).strip() in chosen


def _fn_regex(ctx: _Context, args: list[_Node], pattern: re.Pattern[str]) -> Value:
    text = to_string(args[0].evaluate(ctx))
    if len(text) > MAX_REGEX_INPUT_LENGTH:
        return False
    return pattern.fullmatch(text) is not None


def _fn_coalesce(ctx: _Context, args: list[_Node]) -> Value:
    first = args[0].evaluate(ctx)
    return first if to_string(first) != "" else args[1].evaluate(ctx)


_FUNCTIONS: dict[str, tuple[int, Callable[..., Value]]] = {
    "true": (0, lambda ctx, args: True),
    "false": (0, lambda ctx, args: False),
    "not": (1, lambda ctx, args: not to_boolean(args[0].evaluate(ctx))),
    "selected": (2, _fn_selected),
    "count-selected": (1, lambda ctx, args: float(len(to_string(args[0].evaluate(ctx)).split()))),
    "string-length": (1, lambda ctx, args: float(len(to_string(args[0].evaluate(ctx))))),
    "today": (0, lambda ctx, args: ctx.today_text()),
    "regex": (2, _fn_regex),
    "number": (1, lambda ctx, args: to_number(args[0].evaluate(ctx))),
    "coalesce": (2, _fn_coalesce),
}

#: Names of the functions an expression may call.
FUNCTION_NAMES: frozenset[str] = frozenset(_FUNCTIONS)


class _Call(_Node):
    __slots__ = ("name", "args", "pattern")

    def __init__(self, name: str, args: list[_Node], pattern: re.Pattern[str] | None = None):
        self.name = name
        self.args = args
        self.pattern = pattern

    def evaluate(self, ctx: _Context) -> Value:
        if self.pattern is not None:
            return _fn_regex(ctx, self.args, self.pattern)
        return _FUNCTIONS[self.name][1](ctx, self.args)


# --------------------------------------------------------------------------- tokenizer

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<ref>\$\{(?P<refname>[A-Za-z_][A-Za-z0-9_]*)\})
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op><=|>=|!=|[=<>+\-*(),.])
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


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = _tokenize(source)
        self.index = 0
        self.references: set[str] = set()
        self.uses_current = False

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
        if following.kind != "op" or following.text != "(":
            raise ExpressionError(f"bare name {name!r} is not supported; refer to questions as ${{name}}", token.pos)
        if name not in _FUNCTIONS:
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
        arity = _FUNCTIONS[name][0]
        if len(args) != arity:
            raise ExpressionError(f"{name}() takes {arity} argument(s), got {len(args)}", token.pos)
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
            return re.compile(node.value)
        except re.error as exc:
            raise ExpressionError(f"invalid regex() pattern: {exc}", token.pos) from None


class Expression:
    """A parsed expression: immutable, cheap to evaluate many times.

    ``references`` is the set of question names it reads (``${name}``); ``uses_current`` tells
    whether it reads ``.``, which only makes sense in a constraint.
    """

    __slots__ = ("source", "references", "uses_current", "_root")

    def __init__(self, source: str, root: _Node, references: frozenset[str], uses_current: bool):
        self.source = source
        self.references = references
        self.uses_current = uses_current
        self._root = root

    def evaluate(self, values: Mapping[str, Any], current: Any = None, *, today: Any = None) -> Value:
        """Evaluate against ``values`` (question name -> submitted answer).

        ``current`` is the value of ``.``; ``today`` (a date, ISO string or callable returning
        one) overrides the clock for ``today()``. Never raises for any answer values.
        """
        return self._root.evaluate(_Context(values, current, today))

    def evaluate_boolean(self, values: Mapping[str, Any], current: Any = None, *, today: Any = None) -> bool:
        """Evaluate and convert to a boolean, as ODK does for ``relevant`` and ``constraint``."""
        return to_boolean(self.evaluate(values, current, today=today))

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)


@functools.lru_cache(maxsize=2048)
def _parse_cached(source: str) -> Expression:
    parser = _Parser(source)
    root, _depth = parser.parse()
    return Expression(source, root, frozenset(parser.references), parser.uses_current)


def parse(source: str) -> Expression:
    """Parse ``source`` into an :class:`Expression`; raises :class:`ExpressionError` if invalid."""
    if not isinstance(source, str):
        raise ExpressionError("an expression must be a string", 0)
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_SOURCE_LENGTH} characters", MAX_SOURCE_LENGTH)
    return _parse_cached(unicodedata.normalize("NFC", source))
