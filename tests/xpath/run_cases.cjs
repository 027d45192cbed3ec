// Evaluates the expression conformance table (conformance.json) with one JavaScript evaluator and
// prints one result per case as JSON on stdout:
//   node run_cases.cjs enketo   - openrosa-xpath-evaluator (Enketo's evaluator) on an XML instance
//   node run_cases.cjs exprjs [cases.json]  - parsurvey's server/web/static/expr.js, on the table or on
//                                             the {today, now, cases} of another file
// Results are encoded as in conformance.json: booleans, numbers, strings, {"number": "NaN"|...}
// for non-finite numbers, {"error": message} when the evaluator throws.
// The clock is fixed at the table's "now" and the timezone is UTC, so dates count whole days.
"use strict";
process.env.TZ = "UTC";

const fs = require("fs");
const path = require("path");

const table = JSON.parse(fs.readFileSync(process.argv[3] || path.join(__dirname, "conformance.json"), "utf8"));
const FIXED = Date.parse(table.now);
const RealDate = Date;
class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(FIXED);
    else super(...args);
  }
  static now() {
    return FIXED;
  }
}
global.Date = FixedDate;

function encode(value) {
  if (typeof value === "number" && !Number.isFinite(value)) return { number: String(value) };
  return value;
}

function answerText(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(String).join(" ");
  return String(value);
}

// A case with "repeat": {name, instances: [{answers}...], at}: the instances of one repeat group, the
// expression evaluated in instance number `at` (from 1), or at the top level when `at` is absent.
function repeatNames(c) {
  const inside = new Set();
  for (const instance of c.repeat ? c.repeat.instances : []) Object.keys(instance).forEach((n) => inside.add(n));
  return inside;
}

// Node-sets for expr.js as the form engine gives them: one answer outside the repeat, one per instance inside.
function repeatOptions(c) {
  if (!c.repeat) return { values: c.values || {} };
  const { name, instances, at } = c.repeat;
  const inside = repeatNames(c);
  // At the top level the repeat's answers are not values: a reference to one reads the node-set (nodes).
  const values = { ...(c.values || {}), ...(at ? instances[at - 1] : {}) };
  // Inside instance `at`, a question of the repeat names that instance's answer (as the form engine's nodes()).
  const nodes = (n) => {
    if (n === name) return instances.map(() => null);
    if (!inside.has(n)) return [values[n] ?? null];
    return at ? [instances[at - 1][n] ?? null] : instances.map((i) => i[n] ?? null);
  };
  const indexed = (n, steps) => {
    const [, k] = steps[0] || [];
    return inside.has(n) && k >= 1 && k <= instances.length ? instances[k - 1][n] ?? null : null;
  };
  return { values, nodes, indexed, position: at || 1 };
}

function runEnketo(cases) {
  const { JSDOM } = require("jsdom");
  const { window } = new JSDOM("");
  for (const name of ["Node", "XPathResult", "XPathEvaluator"]) global[name] = window[name];
  const evaluator = require("openrosa-xpath-evaluator")();
  return cases.map((c) => {
    // ${name} becomes /data/name, as pyxform writes it; "." is the question's own node.
    const inside = repeatNames(c);
    const repeat = c.repeat ? c.repeat.name : null;
    const names = new Set([...c.expr.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_-]*)\}/g)].map((m) => m[1]));
    Object.keys(c.values || {}).forEach((n) => names.add(n));
    const doc = new window.DOMParser().parseFromString("<data/>", "text/xml");
    for (const name of names) {
      if (inside.has(name) || name === repeat) continue;
      const node = doc.createElement(name);
      node.textContent = answerText((c.values || {})[name]);
      doc.documentElement.appendChild(node);
    }
    const current = doc.createElement("current_question");
    current.textContent = answerText(c.current);
    const instances = (c.repeat ? c.repeat.instances : []).map((answers) => {
      const node = doc.createElement(repeat);
      for (const n of inside) {
        const child = doc.createElement(n);
        child.textContent = answerText(answers[n]);
        node.appendChild(child);
      }
      doc.documentElement.appendChild(node);
      return node;
    });
    (c.repeat && c.repeat.at ? instances[c.repeat.at - 1] : doc.documentElement).appendChild(current);
    // A choice_filter is evaluated on each item of the list: its columns are the item's children.
    let context = current;
    if (c.choice) {
      context = doc.createElement("item");
      for (const [column, value] of Object.entries(c.choice)) {
        const child = doc.createElement(column);
        child.textContent = answerText(value);
        context.appendChild(child);
      }
      doc.documentElement.appendChild(context);
    }
    // Inside a repeat, pyxform writes a sibling as a relative path (JavaRosa's rule), a node-set argument
    // of count()/sum()/indexed-repeat() as an absolute one.
    const xpath = c.expr.replace(/(count\(|sum\(|indexed-repeat\()?\$\{([A-Za-z_][A-Za-z0-9_-]*)\}/g, (m, fn, n) => {
      const before = fn || "";
      if (n === repeat) return `${before}/data/${n}`;
      if (!inside.has(n)) return `${before}/data/${n}`;
      return before || !(c.repeat && c.repeat.at) ? `${before}/data/${repeat}/${n}` : `../${n}`;
    });
    try {
      const r = evaluator.evaluate(xpath, context, null, XPathResult.ANY_TYPE, null);
      if (r.resultType === XPathResult.NUMBER_TYPE) return encode(r.numberValue);
      if (r.resultType === XPathResult.BOOLEAN_TYPE) return r.booleanValue;
      if (r.resultType === XPathResult.STRING_TYPE || r.resultType === XPathResult.ANY_TYPE) return r.stringValue;
      // A node-set (a bare reference): its string value.
      return evaluator.evaluate(xpath, context, null, XPathResult.STRING_TYPE, null).stringValue;
    } catch (err) {
      return { error: String(err.message || err).slice(0, 200) };
    }
  });
}

async function runExprJs(cases) {
  const file = path.join(__dirname, "..", "..", "server", "web", "static", "expr.js");
  const source = fs.readFileSync(file, "utf8");
  const expr = await import("data:text/javascript;base64," + Buffer.from(source).toString("base64"));
  return cases.map((c) => {
    try {
      const scope = repeatOptions(c);
      const options = { now: table.now, choices: c.choices || table.choices || null, ...scope };
      if (c.choice) Object.assign(options, { choice: c.choice, choiceColumns: true });
      return encode(expr.evaluate(c.expr, scope.values, c.current ?? null, table.today, options));
    } catch (err) {
      return { error: String(err.message || err).slice(0, 200) };
    }
  });
}

async function main() {
  const which = process.argv[2];
  const results = which === "enketo" ? runEnketo(table.cases) : which === "exprjs" ? await runExprJs(table.cases) : null;
  if (results === null) {
    console.error("usage: node run_cases.cjs enketo|exprjs");
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
