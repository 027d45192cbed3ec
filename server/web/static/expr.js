// The expression language of survey_forms/expressions.py, evaluated in the browser for skip logic
// (relevant) and constraints. Same subset, same ODK semantics; the server checks every ballot again.
// No eval: a tokenizer and a recursive-descent parser build a small tree that is walked.

const NUMBER_TEXT = /^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$/;
const MAX_SOURCE_LENGTH = 2000;
const MAX_REGEX_INPUT_LENGTH = 1000;

export class ExpressionError extends Error {}

export function toNumber(v) {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  return NUMBER_TEXT.test(v) ? parseFloat(v) : NaN;
}

export function toString(v) {
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
    if (Number.isInteger(v) && Math.abs(v) < 1e21) return BigInt(v).toString();
    return pyFloatRepr(v);
  }
  return v;
}

export function toBoolean(v) {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return !(v === 0 || Number.isNaN(v));
  return v !== "";
}

// An answer as expressions see it: unanswered is "", a select_multiple list is its values joined by spaces.
export function fromAnswer(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean" || typeof v === "string" || typeof v === "number") return v;
  if (Array.isArray(v)) {
    return v
      .filter((x) => typeof x === "string" || typeof x === "number")
      .map((x) => toString(fromAnswer(x)))
      .join(" ");
  }
  return "";
}

// Python's repr() of a float: shortest digits, exponent outside 1e-4 <= |x| < 1e16, "e-05" style.
export function pyFloatRepr(x) {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = parseInt(expText, 10);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  let text;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) {
      text = "0." + "0".repeat(-exp - 1) + digits;
    } else if (digits.length <= exp + 1) {
      text = digits + "0".repeat(exp + 1 - digits.length) + ".0";
    } else {
      text = digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
    }
  } else {
    const m = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    text = m + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
  }
  return (negative ? "-" : "") + text;
}

function isNumberLike(v) {
  return typeof v === "number" || typeof v === "boolean" || NUMBER_TEXT.test(v);
}

function equals(a, b) {
  if (typeof a === "boolean" || typeof b === "boolean") return toBoolean(a) === toBoolean(b);
  if (typeof a === "number" || typeof b === "number") return toNumber(a) === toNumber(b);
  return a === b;
}

const RELATIONS = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
};

function relate(op, left, right) {
  const compare = RELATIONS[op];
  if (typeof left === "string" && typeof right === "string") {
    if (left === "" || right === "") return false;
    if (!(isNumberLike(left) && isNumberLike(right))) return compare(left, right);
  }
  const a = toNumber(left);
  const b = toNumber(right);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return compare(a, b);
}

function arithmetic(op, left, right) {
  const a = toNumber(left);
  const b = toNumber(right);
  if (op === "+") return a + b;
  if (op === "-") return a - b;
  if (op === "*") return a * b;
  if (op === "div") return a / b; // IEEE, as Python's special-cased division
  if (b === 0 || !Number.isFinite(a) || Number.isNaN(b)) return NaN;
  return a % b; // truncates toward zero, like C fmod
}

export function vietnamToday() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

const FUNCTIONS = {
  true: [0, () => true],
  false: [0, () => false],
  not: [1, (ctx, args) => !toBoolean(args[0](ctx))],
  selected: [2, (ctx, args) => toString(args[0](ctx)).split(/\s+/).filter(Boolean).includes(toString(args[1](ctx)).trim())],
  "count-selected": [1, (ctx, args) => toString(args[0](ctx)).split(/\s+/).filter(Boolean).length],
  "string-length": [1, (ctx, args) => [...toString(args[0](ctx))].length],
  today: [0, (ctx) => ctx.today || vietnamToday()],
  regex: [2, null],
  number: [1, (ctx, args) => toNumber(args[0](ctx))],
  coalesce: [2, (ctx, args) => {
    const first = args[0](ctx);
    return toString(first) !== "" ? first : args[1](ctx);
  }],
};

const TOKEN = /(\s+)|(\d+(?:\.\d*)?|\.\d+)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|('[^']*'|"[^"]*")|([A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*)|(<=|>=|!=|[=<>+\-*(),.])/y;

function tokenize(source) {
  const tokens = [];
  let pos = 0;
  while (pos < source.length) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(source);
    if (!m) throw new ExpressionError(`unexpected character ${source[pos]} at ${pos}`);
    if (m[2] !== undefined) tokens.push({ kind: "number", text: m[2], pos });
    else if (m[3] !== undefined) tokens.push({ kind: "ref", text: m[3], pos });
    else if (m[4] !== undefined) tokens.push({ kind: "string", text: m[4], pos });
    else if (m[5] !== undefined) tokens.push({ kind: "name", text: m[5], pos });
    else if (m[6] !== undefined) tokens.push({ kind: "op", text: m[6], pos });
    pos = TOKEN.lastIndex;
  }
  tokens.push({ kind: "end", text: "", pos });
  return tokens;
}

const LEVELS = [["or"], ["and"], ["=", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "div", "mod"]];
const WORD_OPERATORS = new Set(["or", "and", "div", "mod"]);

function parse(source) {
  if (typeof source !== "string" || source.length > MAX_SOURCE_LENGTH) throw new ExpressionError("bad expression");
  const tokens = tokenize(source.normalize("NFC"));
  let i = 0;
  const isOp = (t, ops) =>
    (t.kind === "op" && ops.includes(t.text)) || (t.kind === "name" && WORD_OPERATORS.has(t.text) && ops.includes(t.text));
  const expect = (text) => {
    if (tokens[i].kind !== "op" || tokens[i].text !== text) throw new ExpressionError(`expected ${text}`);
    i += 1;
  };
  function binary(level) {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    while (isOp(tokens[i], LEVELS[level])) {
      const op = tokens[i++].text;
      const l = left;
      const r = binary(level + 1);
      if (op === "or") left = (ctx) => toBoolean(l(ctx)) || toBoolean(r(ctx));
      else if (op === "and") left = (ctx) => toBoolean(l(ctx)) && toBoolean(r(ctx));
      else if (op === "=") left = (ctx) => equals(l(ctx), r(ctx));
      else if (op === "!=") left = (ctx) => !equals(l(ctx), r(ctx));
      else if (op in RELATIONS) left = (ctx) => relate(op, l(ctx), r(ctx));
      else left = (ctx) => arithmetic(op, l(ctx), r(ctx));
    }
    return left;
  }
  function unary() {
    if (tokens[i].kind === "op" && tokens[i].text === "-") {
      i += 1;
      const operand = unary();
      return (ctx) => -toNumber(operand(ctx));
    }
    return primary();
  }
  function primary() {
    const t = tokens[i];
    if (t.kind === "number") {
      i += 1;
      const value = parseFloat(t.text);
      return () => value;
    }
    if (t.kind === "string") {
      i += 1;
      const value = t.text.slice(1, -1);
      return () => value;
    }
    if (t.kind === "ref") {
      i += 1;
      return (ctx) => fromAnswer(ctx.values[t.text]);
    }
    if (t.kind === "op" && t.text === ".") {
      i += 1;
      return (ctx) => fromAnswer(ctx.current);
    }
    if (t.kind === "op" && t.text === "(") {
      i += 1;
      const node = binary(0);
      expect(")");
      return node;
    }
    if (t.kind === "name") return call();
    throw new ExpressionError(`unexpected ${t.text || "end"}`);
  }
  function call() {
    const name = tokens[i++].text;
    if (!(name in FUNCTIONS)) throw new ExpressionError(`unknown function ${name}()`);
    expect("(");
    const args = [];
    const literals = [];
    if (!(tokens[i].kind === "op" && tokens[i].text === ")")) {
      for (;;) {
        literals.push(tokens[i].kind === "string" ? tokens[i].text.slice(1, -1) : null);
        args.push(binary(0));
        if (tokens[i].kind === "op" && tokens[i].text === ",") {
          i += 1;
          continue;
        }
        break;
      }
    }
    expect(")");
    const [arity, fn] = FUNCTIONS[name];
    if (args.length !== arity) throw new ExpressionError(`${name}() takes ${arity} argument(s)`);
    if (name === "regex") {
      if (literals[1] === null) throw new ExpressionError("the pattern of regex() must be a quoted string");
      const pattern = new RegExp("^(?:" + literals[1] + ")$");
      return (ctx) => {
        const text = toString(args[0](ctx));
        return text.length <= MAX_REGEX_INPUT_LENGTH && pattern.test(text);
      };
    }
    return (ctx) => fn(ctx, args);
  }
  if (tokens[0].kind === "end") throw new ExpressionError("empty expression");
  const root = binary(0);
  if (tokens[i].kind !== "end") throw new ExpressionError(`unexpected ${tokens[i].text}`);
  return root;
}

const cache = new Map();

export function compile(source) {
  if (!cache.has(source)) cache.set(source, parse(source));
  return cache.get(source);
}

// Evaluate `source` against answers (name -> value); `current` is the value of ".".
export function evaluate(source, values, current = null, today = null) {
  return compile(source)({ values, current, today });
}

export function evaluateBoolean(source, values, current = null, today = null) {
  return toBoolean(evaluate(source, values, current, today));
}
