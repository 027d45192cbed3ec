// The expression language of survey_forms/expressions.py, evaluated in the browser for skip logic
// (relevant) and constraints: ODK's XPath rules as survey_forms/xpath_values.py and
// survey_forms/xpath_functions.py write them, ported line by line; the server checks every ballot
// again. tests/xpath/conformance.json holds the cases both must agree on (and Enketo with them).
// No eval: a tokenizer and a recursive-descent parser build a small tree of closures that is walked.

const NUMBER_TEXT = /^[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*$/;
const DATE_PREFIX = /^[ \t\r\n]*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
const DATE = /^[ \t\r\n]*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ \t\r\n]*$/;
const DATE_TIME =
  /^[ \t\r\n]*([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(Z|[+-][0-9]{2}:?[0-9]{2})?[ \t\r\n]*$/;
const MAX_SOURCE_LENGTH = 2000;
const MAX_REGEX_PATTERN_LENGTH = 200;
const MAX_REGEX_INPUT_LENGTH = 1000;
const DAY_MS = 86400000;
const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;

export class ExpressionError extends Error {}

// ---------------------------------------------------------------------------- dates
// A moment is a number of milliseconds since 1970-01-01T00:00 on Vietnam's wall clock (read with
// the getUTC* methods), or null. Years outside 1..9999 are refused, as Python's datetime does.

function wallClock(ms) {
  if (!Number.isFinite(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1 && year <= 9999 ? ms : null;
}

function civil(year, month, day, hour = 0, minute = 0, second = 0, ms = 0) {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  const ok =
    d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day &&
    hour < 24 && minute < 60 && second < 60 && year >= 1;
  return ok ? d.getTime() : null;
}

export function parseDateTime(text) {
  let m = DATE.exec(text);
  if (m) return civil(+m[1], +m[2], +m[3]);
  m = DATE_TIME.exec(text);
  if (!m) return null;
  const ms = parseInt((m[7] || "0").padEnd(6, "0").slice(0, 6), 10);
  let moment = civil(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] || 0), Math.floor(ms / 1000));
  if (moment === null) return null;
  const zone = m[8];
  if (zone) {
    let offset = 0;
    if (zone !== "Z") {
      const digits = zone.slice(1).replace(":", "");
      const hours = +digits.slice(0, 2);
      const minutes = +digits.slice(2);
      if (hours > 23 || minutes > 59) return null;
      offset = (hours * 60 + minutes) * 60000 * (zone[0] === "-" ? -1 : 1);
    }
    moment = wallClock(moment - offset + VIETNAM_OFFSET_MS);
  }
  return moment;
}

function daysSinceEpoch(moment) {
  return moment / DAY_MS;
}

function yearText(moment) {
  return String(new Date(moment).getUTCFullYear()).padStart(4, "0");
}

function dateOnly(moment) {
  const d = new Date(moment);
  return `${yearText(moment)}-${String(d.getUTCMonth() + 1).padStart(2, "0")}-${String(d.getUTCDate()).padStart(2, "0")}`;
}

function formatDateTime(moment) {
  const d = new Date(moment);
  const two = (n) => String(n).padStart(2, "0");
  return `${dateOnly(moment)}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, "0")}+07:00`;
}

function dateFromDays(days) {
  if (!Number.isFinite(days)) return null;
  return wallClock(Math.trunc(days) * DAY_MS);
}

// date(): the value as an ISO date, "" when blank or not a date; numbers count days.
function dateText(value) {
  if (typeof value === "boolean") return "";
  if (typeof value === "string") {
    if (value.replace(/[ \t\r\n]/g, "") === "") return "";
    if (!NUMBER_TEXT.test(value)) {
      const moment = parseDateTime(value);
      return moment === null ? "" : dateOnly(moment);
    }
    value = parseFloat(value);
  }
  const day = dateFromDays(value);
  return day === null ? "" : dateOnly(day);
}

// ---------------------------------------------------------------------------- conversions

export function toNumber(v) {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (NUMBER_TEXT.test(v)) return parseFloat(v);
  if (DATE_PREFIX.test(v)) {
    const moment = parseDateTime(v);
    return moment === null ? NaN : daysSinceEpoch(moment);
  }
  return NaN;
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

// ---------------------------------------------------------------------------- operators

function datesAsDays(v) {
  return typeof v === "string" && DATE_PREFIX.test(v) ? toNumber(v) : v;
}

function equals(a, b) {
  a = datesAsDays(a);
  b = datesAsDays(b);
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
  return new Date(Date.now() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------- functions

const chars = (s) => Array.from(s); // code points, as Python indexes strings
const text = (ctx, node) => toString(node(ctx));
const num = (ctx, node) => toNumber(node(ctx));
const integer = (x) => (Number.isFinite(x) ? Math.trunc(x) : x);

// ODK's round(): halves away from zero.
function jsRound(x) {
  if (!Number.isFinite(x)) return x;
  const magnitude = Math.abs(x);
  let whole = Math.floor(magnitude);
  if (magnitude - whole >= 0.5) whole += 1;
  return x < 0 || Object.is(x, -0) ? -whole : whole;
}

// XPath's core round(): halves toward positive infinity.
const roundHalfUp = (x) => (Number.isFinite(x) ? Math.floor(x + 0.5) : x);

function round(ctx, args) {
  const number = num(ctx, args[0]);
  if (args.length === 1) return jsRound(number);
  const digits = integer(num(ctx, args[1]));
  const scale = 10 ** Math.abs(digits);
  if (!Number.isFinite(scale)) return NaN;
  return digits > 0 ? jsRound(number * scale) / scale : scale * jsRound(number / scale);
}

const math1 = (fn) => (ctx, args) => fn(num(ctx, args[0]));
const extreme = (pick) => (ctx, args) => {
  const numbers = args.map((a) => num(ctx, a));
  return numbers.some(Number.isNaN) ? NaN : pick(...numbers);
};

function sliceIndex(position, length) {
  if (Number.isNaN(position)) return 0;
  if (position < 0) return Math.max(length + Math.trunc(Math.max(position, -length - 1)), 0);
  return Math.min(Math.trunc(Math.min(position, length)), length);
}

function substr(ctx, args) {
  const cs = chars(text(ctx, args[0]));
  const start = sliceIndex(num(ctx, args[1]), cs.length);
  const end = args.length > 2 ? sliceIndex(num(ctx, args[2]), cs.length) : cs.length;
  return cs.slice(start, end).join("");
}

function substring(ctx, args) {
  const cs = chars(text(ctx, args[0]));
  const first = roundHalfUp(num(ctx, args[1]));
  const last = args.length > 2 ? first + roundHalfUp(num(ctx, args[2])) : Infinity;
  return cs.filter((_, i) => i + 1 >= first && i + 1 < last).join("");
}

function translate(ctx, args) {
  const [s, from, to] = args.map((a) => chars(text(ctx, a)));
  const table = new Map();
  from.forEach((c, i) => {
    if (!table.has(c)) table.set(c, i < to.length ? to[i] : "");
  });
  return s.map((c) => (table.has(c) ? table.get(c) : c)).join("");
}

const strip = (s) => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");

function booleanFromString(ctx, args) {
  const value = args[0](ctx);
  if (typeof value === "number" && value > 0 && Number.isInteger(value)) return true;
  const s = toString(value);
  return s === "1" || s === "true";
}

function selectedAt(ctx, args) {
  const parts = text(ctx, args[0]).split(" ");
  const index = integer(num(ctx, args[1]));
  if (Number.isNaN(index) || index < 0 || index >= parts.length) return "";
  return parts[index];
}

function choiceName(ctx, args) {
  const value = strip(text(ctx, args[0]));
  const reference = strip(text(ctx, args[1]));
  const name =
    reference.startsWith("${") && reference.endsWith("}") ? reference.slice(2, -1) : reference.split("/").pop();
  const labels = ctx.choices ? ctx.choices[name] : null;
  if (!labels || !Object.prototype.hasOwnProperty.call(labels, value)) return "";
  return String(labels[value]);
}

function decimalDateTime(ctx, args) {
  const value = args[0](ctx);
  if (typeof value === "number") return value;
  const moment = parseDateTime(toString(value));
  return moment === null ? NaN : daysSinceEpoch(moment);
}

function asMoment(value) {
  if (typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? wallClock(Math.trunc(value * DAY_MS)) : null;
  const s = strip(value);
  if (/^-?[0-9]+(?:\.[0-9]+)?$/.test(s)) {
    const days = parseFloat(s);
    return Number.isFinite(days) ? asMoment(Math.trunc(days)) : null;
  }
  return parseDateTime(s);
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function formatDate(ctx, args) {
  const moment = asMoment(args[0](ctx));
  const pattern = text(ctx, args[1]);
  if (moment === null) return "";
  const d = new Date(moment);
  const two = (n) => String(n).padStart(2, "0");
  const codes = {
    Y: yearText(moment),
    y: yearText(moment).slice(2),
    m: two(d.getUTCMonth() + 1),
    n: String(d.getUTCMonth() + 1),
    b: MONTHS[d.getUTCMonth()],
    d: two(d.getUTCDate()),
    e: String(d.getUTCDate()),
    a: WEEKDAYS[d.getUTCDay()],
    H: two(d.getUTCHours()),
    h: String(d.getUTCHours()),
    M: two(d.getUTCMinutes()),
    S: two(d.getUTCSeconds()),
    3: String(d.getUTCMilliseconds()).padStart(3, "0"),
    "%": "%",
  };
  const cs = chars(pattern);
  let out = "";
  for (let i = 0; i < cs.length; i += 1) {
    if (cs[i] === "%" && i + 1 < cs.length) {
      out += Object.prototype.hasOwnProperty.call(codes, cs[i + 1]) ? codes[cs[i + 1]] : "";
      i += 1;
    } else {
      out += cs[i];
    }
  }
  return out;
}

// JavaScript's ** is ODK's pow(); Python's side mirrors it.
// Repeats: the only node-sets. A reference argument is a closure carrying its name (refName); the answers'
// scope (options.nodes / options.indexed / options.position, from the form engine) says what it names.
const nodesOf = (ctx, node) => {
  if (node.refName === undefined) return [node(ctx)];
  return ctx.nodes ? ctx.nodes(node.refName) : [ctx.values[node.refName]];
};

// An argument of concat()/join() as ODK reads it: a reference is a node-set whose every node counts
// (join(', ', ${child_name}) lists every instance's answer), anything else one text.
const texts = (ctx, node) =>
  node.refName === undefined ? [text(ctx, node)] : nodesOf(ctx, node).map((v) => toString(fromAnswer(v)));

function indexedRepeat(ctx, args) {
  const steps = [];
  for (let k = 1; k < args.length - 1; k += 2) {
    const index = num(ctx, args[k + 1]);
    if (Number.isNaN(index)) return "";
    steps.push([args[k].refName, Math.trunc(index)]);
  }
  return fromAnswer(ctx.indexed ? ctx.indexed(args[0].refName, steps) : null);
}

const log = (x) => (Number.isNaN(x) || x < 0 ? NaN : Math.log(x));
const log10 = (x) => (Number.isNaN(x) || x < 0 ? NaN : Math.log10(x));

// name -> [fewest arguments, most arguments (null: any number), function(ctx, args)]
const FUNCTIONS = {
  true: [0, 0, () => true],
  false: [0, 0, () => false],
  not: [1, 1, (ctx, args) => !toBoolean(args[0](ctx))],
  boolean: [1, 1, (ctx, args) => toBoolean(args[0](ctx))],
  "boolean-from-string": [1, 1, booleanFromString],
  if: [3, 3, (ctx, args) => (toBoolean(args[0](ctx)) ? args[1](ctx) : args[2](ctx))],
  regex: [2, 2, null],
  number: [1, 1, (ctx, args) => num(ctx, args[0])],
  int: [1, 1, (ctx, args) => integer(num(ctx, args[0]))],
  round: [1, 2, round],
  floor: [1, 1, math1(Math.floor)],
  ceiling: [1, 1, math1(Math.ceil)],
  abs: [1, 1, math1(Math.abs)],
  pow: [2, 2, (ctx, args) => num(ctx, args[0]) ** num(ctx, args[1])],
  sqrt: [1, 1, math1(Math.sqrt)],
  exp: [1, 1, math1(Math.exp)],
  exp10: [1, 1, math1((x) => 10 ** x)],
  log: [1, 1, math1(log)],
  log10: [1, 1, math1(log10)],
  pi: [0, 0, () => Math.PI],
  sin: [1, 1, math1(Math.sin)],
  cos: [1, 1, math1(Math.cos)],
  tan: [1, 1, math1(Math.tan)],
  asin: [1, 1, math1(Math.asin)],
  acos: [1, 1, math1(Math.acos)],
  atan: [1, 1, math1(Math.atan)],
  atan2: [2, 2, (ctx, args) => Math.atan2(num(ctx, args[0]), num(ctx, args[1]))],
  min: [1, null, extreme(Math.min)],
  max: [1, null, extreme(Math.max)],
  string: [1, 1, (ctx, args) => text(ctx, args[0])],
  "string-length": [1, 1, (ctx, args) => chars(text(ctx, args[0])).length],
  concat: [1, null, (ctx, args) => args.flatMap((a) => texts(ctx, a)).join("")],
  join: [2, null, (ctx, args) => args.slice(1).flatMap((a) => texts(ctx, a)).join(text(ctx, args[0]))],
  contains: [2, 2, (ctx, args) => text(ctx, args[0]).includes(text(ctx, args[1]))],
  "starts-with": [2, 2, (ctx, args) => text(ctx, args[0]).startsWith(text(ctx, args[1]))],
  "ends-with": [2, 2, (ctx, args) => text(ctx, args[0]).endsWith(text(ctx, args[1]))],
  substr: [2, 3, substr],
  substring: [2, 3, substring],
  "substring-before": [2, 2, (ctx, args) => {
    const s = text(ctx, args[0]);
    const i = s.indexOf(text(ctx, args[1]));
    return i > 0 ? s.slice(0, i) : "";
  }],
  "substring-after": [2, 2, (ctx, args) => {
    const s = text(ctx, args[0]);
    const part = text(ctx, args[1]);
    const i = s.indexOf(part);
    return i >= 0 ? s.slice(i + part.length) : "";
  }],
  translate: [3, 3, translate],
  "normalize-space": [1, 1, (ctx, args) => text(ctx, args[0]).replace(/[ \t\r\n]+/g, " ").replace(/^ | $/g, "")],
  coalesce: [2, 2, (ctx, args) => text(ctx, args[0]) || text(ctx, args[1])],
  once: [1, 1, (ctx, args) => {
    const fresh = text(ctx, args[0]);
    return toString(fromAnswer(ctx.current)) || fresh;
  }],
  selected: [2, 2, (ctx, args) => text(ctx, args[0]).split(" ").includes(strip(text(ctx, args[1])))],
  "selected-at": [2, 2, selectedAt],
  "count-selected": [1, 1, (ctx, args) => text(ctx, args[0]).split(" ").filter(Boolean).length],
  "jr:choice-name": [2, 2, choiceName],
  today: [0, 0, (ctx) => todayText(ctx)],
  now: [0, 0, (ctx) => formatDateTime(nowMoment(ctx))],
  date: [1, 1, (ctx, args) => dateText(args[0](ctx))],
  "date-time": [1, 1, (ctx, args) => dateText(args[0](ctx))],
  "decimal-date-time": [1, 1, decimalDateTime],
  "format-date": [2, 2, formatDate],
  "format-date-time": [2, 2, formatDate],
  count: [1, 1, (ctx, args) => nodesOf(ctx, args[0]).length],
  sum: [1, 1, (ctx, args) => nodesOf(ctx, args[0]).reduce((total, v) => total + toNumber(fromAnswer(v)), 0)],
  "indexed-repeat": [3, 7, indexedRepeat],
  position: [1, 1, (ctx) => (ctx.position === undefined || ctx.position === null ? 1 : ctx.position)],
  pulldata: [4, 4, () => ""],
};
// Arguments that must be ${name} references (node-sets in ODK).
const REFERENCE_ARGUMENTS = { count: [0], sum: [0], "indexed-repeat": [0, 1, 3, 5] };

export const FUNCTION_NAMES = Object.keys(FUNCTIONS);

function nowMoment(ctx) {
  let now = ctx.now;
  if (typeof now === "function") now = now();
  if (typeof now === "string") now = parseDateTime(now);
  else if (now instanceof Date) now = wallClock(now.getTime() + VIETNAM_OFFSET_MS);
  return typeof now === "number" ? now : Date.now() + VIETNAM_OFFSET_MS;
}

function todayText(ctx) {
  if (ctx.today) return ctx.today;
  return ctx.now ? dateOnly(nowMoment(ctx)) : vietnamToday();
}

// JavaScript's "$" already means the end of the text, which is what Python's side is made to mean.
function compileRegex(pattern) {
  if (pattern.length > MAX_REGEX_PATTERN_LENGTH) {
    throw new ExpressionError(`regex() pattern longer than ${MAX_REGEX_PATTERN_LENGTH} characters`);
  }
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new ExpressionError(`invalid regex() pattern: ${err.message}`);
  }
}

// ---------------------------------------------------------------------------- parser

const TOKEN =
  /(\s+)|(\d+(?:\.\d*)?|\.\d+)|\$\{([A-Za-z_][A-Za-z0-9_-]*)\}|('[^']*'|"[^"]*")|((?:[A-Za-z_][A-Za-z0-9_]*:)?[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*)|(<=|>=|!=|\.\.|[=<>+\-*(),.])/y;

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

// choiceColumns: bare names are columns of the choice being filtered (a choice_filter), read from ctx.choice.
function parse(source, choiceColumns = false) {
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
      else if (op in RELATIONS) left = (ctx) => RELATIONS[op](toNumber(l(ctx)), toNumber(r(ctx)));
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
      // An answer in scope (this instance's, the enclosing ones', the top level's) is in ctx.values; a question
      // inside a repeat this scope is not in names a node-set, read as XPath reads one as a value: its first
      // node in document order (the first instance's answer), "" when there is none.
      const name = t.text;
      const node = (ctx) => {
        const value = ctx.values[name];
        if (value !== undefined || !ctx.nodes) return fromAnswer(value);
        const found = ctx.nodes(name);
        return fromAnswer(found.length ? found[0] : null);
      };
      node.refName = name;
      return node;
    }
    if (t.kind === "op" && t.text === ".") {
      i += 1;
      return (ctx) => fromAnswer(ctx.current);
    }
    if (t.kind === "op" && t.text === "..") {
      i += 1;
      const node = () => "";
      node.parentStep = true;
      return node;
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
    if (choiceColumns && !WORD_OPERATORS.has(name) && !(tokens[i].kind === "op" && tokens[i].text === "(")) {
      return (ctx) => fromAnswer(ctx.choice ? ctx.choice[name] : null);
    }
    if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, name)) throw new ExpressionError(`unknown function ${name}()`);
    expect("(");
    const args = [];
    const literals = [];
    if (!(tokens[i].kind === "op" && tokens[i].text === ")")) {
      for (;;) {
        const start = i;
        args.push(binary(0));
        // A pattern must be a lone string literal, checked when the form loads.
        literals.push(tokens[start].kind === "string" && i === start + 1 ? tokens[start].text.slice(1, -1) : null);
        if (tokens[i].kind === "op" && tokens[i].text === ",") {
          i += 1;
          continue;
        }
        break;
      }
    }
    expect(")");
    const [fewest, most, fn] = FUNCTIONS[name];
    if (args.length < fewest || (most !== null && args.length > most)) {
      throw new ExpressionError(`${name}() takes ${fewest}${most === fewest ? "" : most === null ? " or more" : ` to ${most}`} argument(s)`);
    }
    for (const k of REFERENCE_ARGUMENTS[name] || []) {
      if (k < args.length && args[k].refName === undefined) {
        throw new ExpressionError(`argument ${k + 1} of ${name}() must be a \${name} reference`);
      }
    }
    if (name === "position" && !args[0].parentStep) throw new ExpressionError("position() takes '..'");
    if (name !== "position" && args.some((a) => a.parentStep)) {
      throw new ExpressionError("'..' can only be the argument of position()");
    }
    if (name === "regex") {
      if (literals[1] === null) throw new ExpressionError("the pattern of regex() must be a quoted string");
      const pattern = compileRegex(literals[1]);
      return (ctx) => {
        const s = text(ctx, args[0]);
        return s.length <= MAX_REGEX_INPUT_LENGTH && pattern.test(s);
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

export function compile(source, choiceColumns = false) {
  const key = `${choiceColumns ? "c" : "e"}:${source}`;
  if (!cache.has(key)) cache.set(key, parse(source, choiceColumns));
  return cache.get(key);
}

// Evaluate `source` against answers (name -> value); `current` is the value of "."; `today` an ISO
// date for today(); options.now (ISO text or Date) fixes now(), options.choices (question name ->
// choice value -> label) is what jr:choice-name() reads; options.choice (column -> value, "name" the
// choice's value) is what a choice_filter's bare names read (options.choiceColumns); inside repeats
// options.nodes(name), options.indexed(name, [[repeat, n], ...]) and options.position give the node-sets.
export function evaluate(source, values, current = null, today = null, options = {}) {
  const { now = null, choices = null, choice = null, choiceColumns = false } = options || {};
  const { nodes = null, indexed = null, position = null } = options || {};
  return compile(source, choiceColumns)({ values, current, today, now, choices, choice, nodes, indexed, position });
}

export function evaluateBoolean(source, values, current = null, today = null, options = {}) {
  return toBoolean(evaluate(source, values, current, today, options));
}
