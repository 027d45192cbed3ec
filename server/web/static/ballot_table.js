// The supervisor's ballot table and a ballot's details (Sở Nội vụ; needs a connection).
// The table pages through a round of any size on the server (GET /api/v1/ballots: page, page_size, filters,
// sort); every row opens its ballot in one click. The same filters drive the raw data exports (CSV, XLSX,
// Stata, SPSS). A ballot shows its answers with the questionnaire's labels beside the stored values, the
// re-check findings beside the original answers (differences marked) and the audit trail in words.
import { LIKERT } from "./i18n.js";
import { tabs, withErrors } from "./oversight.js";

const STATUSES = ["received", "valid", "invalid", "selected", "confirmed", "failed"];
const OVERRIDABLE = ["valid", "invalid", "confirmed", "failed"];
const OUTCOMES = ["confirmed", "unreachable", "not_eligible", "interview_not_held", "answers_differ"];
const SORTS = ["-received_at", "received_at", "-completed_at", "completed_at", "-duration", "duration", "agency", "enumerator", "status"];
const PAGE_SIZE = 50;
const FORMATS = ["csv", "xlsx", "dta", "sav"];

// Filters as the screen keeps them (minutes for durations) → the API's query parameters.
function queryOf(round, filters) {
  const query = new URLSearchParams({ round });
  for (const key of ["agency", "enumerator", "status", "recheck", "date_from", "date_to", "form_version", "location", "sort"]) {
    if (filters[key]) query.set(key, filters[key]);
  }
  if (!filters.sort) query.set("sort", SORTS[0]); // newest first, read from an index whatever the round's size
  if (filters.min_minutes) query.set("min_seconds", String(Number(filters.min_minutes) * 60));
  if (filters.max_minutes) query.set("max_seconds", String(Number(filters.max_minutes) * 60));
  return query;
}

function minutes(ui, seconds) {
  if (seconds === null || seconds === undefined) return "—";
  return `${(seconds / 60).toLocaleString(ui.lang() === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 1 })} ${ui.t("minutes")}`;
}

function when(ui, iso) {
  return iso ? new Date(iso).toLocaleString(ui.lang() === "vi" ? "vi-VN" : "en-GB") : "—";
}

function recheckSummary(ui, rechecks) {
  if (!rechecks || !rechecks.length) return "—";
  return rechecks.map((r) => `${r.organisation}: ${r.outcome ? ui.t(`outcome_${r.outcome}`) : ui.t("recheck_awaited")}`).join("; ");
}

// A status reason as words: cleaning rules, re-check outcomes and overrides, never raw codes.
export function reasonText(ui, reason) {
  if (!reason) return "—";
  if (reason.startsWith("override:")) return `${ui.t("reason_override")}: ${reason.slice(9).trim()}`;
  if (reason.startsWith("re-check:")) {
    const outcomes = reason.slice(9).split(",").map((o) => ui.t(`outcome_${o.trim()}`, {}, o.trim()));
    return `${ui.t("tab_recheck_short")}: ${outcomes.join(", ")}`;
  }
  if (reason.startsWith("quarantine")) return ui.t("reason_quarantine");
  return ui.t(`rule_${reason}`, {}, reason);
}

export async function renderBallots(ui, round, filters = {}, page = 1) {
  const { el, t, api, main } = ui;
  const query = queryOf(round, filters);
  query.set("page", String(page));
  query.set("page_size", String(PAGE_SIZE));
  const { data } = await api(`/api/v1/ballots?${query}`);
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const show = (changes, toPage = 1) => withErrors(ui, () => renderBallots(ui, round, { ...filters, ...changes }, toPage));

  const input = (name, attrs = {}) => el("input", { id: `filter-${name}`, name, value: filters[name] || "", ...attrs });
  const select = (name, options, anyLabel) =>
    el(
      "select",
      { id: `filter-${name}`, name },
      anyLabel ? el("option", { value: "" }, anyLabel) : null,
      ...options.map(([value, text]) => el("option", { value, selected: (filters[name] || "") === value }, text)),
    );
  const controls = {
    agency: input("agency", { placeholder: t("agency_placeholder") }),
    enumerator: input("enumerator"),
    status: select("status", STATUSES.map((s) => [s, t(`status_${s}`)]), t("any")),
    recheck: select("recheck", [["none", t("recheck_none")], ["pending", t("recheck_awaited")], ...OUTCOMES.map((o) => [o, t(`outcome_${o}`)])], t("any")),
    date_from: input("date_from", { type: "date" }),
    date_to: input("date_to", { type: "date" }),
    min_minutes: input("min_minutes", { type: "number", min: "0", step: "1", inputmode: "numeric" }),
    max_minutes: input("max_minutes", { type: "number", min: "0", step: "1", inputmode: "numeric" }),
    form_version: input("form_version"),
    location: select("location", ["far", "near", "none"].map((l) => [l, t(`location_${l}`)]), t("any")),
    sort: select("sort", SORTS.map((s) => [s, t(`sort_${s.replace("-", "desc_")}`)])),
  };
  const field = (name) => el("div", { class: "filter" }, el("label", { for: `filter-${name}` }, t(`filter_${name}`)), controls[name]);
  const form = el(
    "form",
    {
      class: "filters",
      id: "ballot-filters",
      onsubmit: (event) => {
        event.preventDefault();
        const values = Object.fromEntries(Object.entries(controls).map(([name, control]) => [name, control.value.trim()]));
        show(values);
      },
    },
    ...Object.keys(controls).map(field),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, t("filter")), el("button", { type: "button", id: "clear-filters", onclick: () => withErrors(ui, () => renderBallots(ui, round, {}, 1)) }, t("clear_filters"))),
  );

  const rows = data.ballots.map((b) =>
    el(
      "tr",
      { "data-ballot": b.instance_id },
      el("td", {}, el("button", { type: "button", class: "link open-ballot", "aria-label": `${t("open_ballot")} ${b.instance_id}`, onclick: () => withErrors(ui, () => renderBallot(ui, round, b.instance_id, { filters, page })) }, b.instance_id.slice(0, 8))),
      el("td", {}, `${b.agency_name} (${b.agency_code})`),
      el("td", {}, b.enumerator),
      el("td", { class: "ballot-status" }, t(`status_${b.status}`, {}, b.status)),
      el("td", {}, recheckSummary(ui, b.rechecks)),
      el("td", {}, when(ui, b.completed_at)),
      el("td", { class: "n" }, minutes(ui, b.duration_seconds)),
    ),
  );
  const headers = ["ballot", "agency", "enumerator", "ballot_status", "recheck_outcome", "interviewed_at", "duration"];
  const pageInput = el("input", { id: "page-number", type: "number", min: "1", max: String(pages), value: String(page), inputmode: "numeric" });
  const pager = el(
    "nav",
    { class: "pager", "aria-label": t("pages") },
    el("button", { type: "button", id: "page-first", disabled: page <= 1, onclick: () => show({}, 1) }, t("page_first")),
    el("button", { type: "button", id: "page-previous", disabled: page <= 1, onclick: () => show({}, page - 1) }, t("page_previous")),
    el("span", { id: "page-of" }, t("page_of", { page, pages })),
    el("button", { type: "button", id: "page-next", disabled: page >= pages, onclick: () => show({}, page + 1) }, t("page_next")),
    el("button", { type: "button", id: "page-last", disabled: page >= pages, onclick: () => show({}, pages) }, t("page_last")),
    el(
      "form",
      { class: "page-jump", onsubmit: (event) => { event.preventDefault(); show({}, Math.min(pages, Math.max(1, Number(pageInput.value) || 1))); } },
      el("label", { for: "page-number" }, t("page_go")),
      pageInput,
      el("button", { type: "submit" }, t("page_go_button")),
    ),
  );
  const exportQuery = queryOf(round, filters);
  exportQuery.delete("round");
  if (ui.lang() === "en") exportQuery.set("lang", "en");
  const exportLinks = el(
    "div",
    { class: "actions", id: "ballot-exports" },
    ...FORMATS.map((fmt) =>
      el("a", { class: "button", id: `export-ballots-${fmt}`, href: `/api/v1/rounds/${encodeURIComponent(round)}/ballots/export.${fmt}?${exportQuery}`, download: "" }, t(`export_ballots_${fmt}`)),
    ),
  );
  main.replaceChildren(
    tabs(ui, "ballots", round),
    el(
      "section",
      { class: "card", "aria-labelledby": "ballots-title" },
      el("h2", { id: "ballots-title" }, `${t("tab_ballots")} — ${round}`),
      form,
      el("p", { id: "ballot-total", role: "status" }, t("ballots_found", { n: data.total.toLocaleString(ui.lang() === "vi" ? "vi-VN" : "en-GB") })),
      el("div", { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": "ballots-title" }, el("table", { id: "ballots" }, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, t(h))))), el("tbody", {}, ...rows))),
      pager,
      el("h3", {}, t("export_ballots")),
      el("p", { class: "hint" }, t("export_ballots_hint")),
      exportLinks,
    ),
    ui.whoSection(),
  );
}

// The questionnaire of a ballot, fetched once per version for this page's life.
const definitions = new Map();
export async function definitionOf(ui, formId, version) {
  const key = `${formId}/${version}`;
  if (!definitions.has(key)) {
    const { data } = await ui.api(`/api/v1/forms/${encodeURIComponent(formId)}/versions/${encodeURIComponent(version)}`);
    definitions.set(key, data);
  }
  return definitions.get(key);
}

export function questionsOf(definition) {
  const out = [];
  const walk = (children) => {
    for (const item of children || []) {
      if (item.type === "group") walk(item.children);
      else if (item.type !== "note") out.push(item);
    }
  };
  walk(definition?.children);
  return out;
}

// A stored answer in words, with the stored value kept beside it for anyone matching it to an export.
export function answerText(ui, question, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (question?.type === "likert5") {
    if (value === "na") return `${ui.t("not_applicable")} (na)`;
    return `${LIKERT[value]?.[ui.lang()] ?? LIKERT[value]?.vi ?? value} (${value})`;
  }
  if (question?.choices) {
    const labelOf = (v) => {
      const choice = question.choices.find((c) => c.value === String(v));
      return choice ? `${ui.label(choice.label, v)} (${v})` : String(v);
    };
    return Array.isArray(value) ? value.map(labelOf).join("; ") : labelOf(value);
  }
  if (Array.isArray(value) && value.some((v) => v && typeof v === "object")) {
    // A repeat group: each instance's answers by question name, numbered from 1.
    const cell = (v) => (Array.isArray(v) && v.some((x) => x && typeof x === "object") ? `[${v.length}]` : Array.isArray(v) ? v.join(" ") : String(v));
    return value.map((instance, i) => `${i + 1}. ${Object.entries(instance || {}).map(([k, v]) => `${k}: ${cell(v)}`).join("; ")}`).join(" | ");
  }
  return Array.isArray(value) ? value.join(", ") : String(value);
}

function same(a, b) {
  return String(a ?? "").trim().toLowerCase() === String(b ?? "").trim().toLowerCase();
}

const MEDIA_TYPES = ["image", "audio", "video", "file"];

// A media answer: its file to download (read like the ballot itself), or the name still awaited.
function fileCell(ui, ballot, name) {
  const { el, t } = ui;
  const stored = (ballot.attachments || []).find((f) => f.file_name === name);
  if (!stored) return el("span", { class: "file-missing" }, `${name} (${t("file_not_received")})`);
  const href = `/api/v1/ballots/${encodeURIComponent(ballot.instance_id)}/attachments/${encodeURIComponent(name)}`;
  return el("a", { href, download: name, class: "attachment" }, `${name} (${Math.ceil(stored.size / 1024)} KB)`);
}

function answersTable(ui, ballot, definition) {
  const { el, t } = ui;
  const questions = questionsOf(definition);
  const known = new Set(questions.map((q) => q.name));
  const extra = Object.keys(ballot.answers).filter((name) => !known.has(name)).map((name) => ({ name, label: { vi: name } }));
  const checks = (ballot.rechecks || []).filter((r) => r.outcome);
  const heads = [t("question"), t("original_answer"), ...checks.map((r) => t("recheck_by", { org: r.organisation }))];
  const rows = [...questions, ...extra]
    .filter((q) => q.name in ballot.answers || checks.some((r) => q.name in (r.reasked || {})))
    .map((q) => {
      const original = ballot.answers[q.name];
      const cells = checks.map((r) => {
        if (!(q.name in (r.reasked || {}))) return el("td", {}, "");
        const differs = !same(r.reasked[q.name], original);
        return el("td", { class: differs ? "differs" : "matches" }, answerText(ui, q, r.reasked[q.name]), differs ? el("strong", { class: "flag" }, ` ≠ ${t("differs")}`) : ` ✓`);
      });
      const shown = MEDIA_TYPES.includes(q.type) && typeof original === "string" ? fileCell(ui, ballot, original) : answerText(ui, q, original);
      return el("tr", { "data-question": q.name }, el("th", { scope: "row" }, ui.label(q.label, q.name), el("small", { class: "question-name" }, ` ${q.name}`)), el("td", {}, shown), ...cells);
    });
  return el(
    "div",
    { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": "answers-title" },
    el("table", { id: "answers" }, el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, ...rows)),
  );
}

// An audit entry's details as words: statuses, outcomes and reasons by name, identifiers left out.
function detailsText(ui, details) {
  const { t } = ui;
  const parts = [];
  if (details.from && details.to) parts.push(`${t("status_from_to", { from: t(`status_${details.from}`, {}, details.from), to: t(`status_${details.to}`, {}, details.to) })}`);
  else if (details.to) parts.push(`${t("ballot_status")}: ${t(`status_${details.to}`, {}, details.to)}`);
  if (details.device) parts.push(`${t("device")}: ${details.device}`);
  if (details.why) parts.push(`${t("recheck_reason")}: ${t(`reason_${details.why}`, {}, details.why)}`);
  if (details.organisation) parts.push(`${t("organisation")}: ${details.organisation}`);
  if (details.outcome) parts.push(`${t("outcome")}: ${t(`outcome_${details.outcome}`, {}, details.outcome)}`);
  if (details.resolution) parts.push(t(details.resolution));
  return parts.join(" · ");
}

export async function renderBallot(ui, round, instanceId, back = { filters: {}, page: 1 }) {
  const { el, t, api, main, announce } = ui;
  const id = encodeURIComponent(instanceId);
  const { data: ballot } = await api(`/api/v1/ballots/${id}`);
  const { data: audit } = await api(`/api/v1/ballots/${id}/audit`);
  let definition = null;
  try {
    definition = await definitionOf(ui, ballot.form_id, ballot.form_version);
  } catch (error) {
    if (error.status === 0 || error.status === 401) throw error; // otherwise show the stored names alone
  }
  const status = el("select", { id: "override-status" }, ...OVERRIDABLE.map((s) => el("option", { value: s }, t(`status_${s}`, {}, s))));
  const reason = el("input", { id: "override-reason", required: true, maxlength: "1000" });
  const override = el(
    "form",
    {
      id: "override",
      onsubmit: (event) => {
        event.preventDefault();
        if (!reason.value.trim()) {
          announce(t("reason_required"), "error");
          reason.focus();
          return;
        }
        withErrors(ui, async () => {
          await api(`/api/v1/ballots/${id}/status`, { method: "POST", body: { status: status.value, reason: reason.value.trim() } });
          announce(t("status_changed"), "ok");
          await renderBallot(ui, round, instanceId, back);
        });
      },
    },
    el("h3", {}, t("override")),
    el("label", { for: "override-status" }, t("new_status")),
    status,
    el("label", { for: "override-reason" }, t("reason")),
    reason,
    el("button", { type: "submit", class: "primary" }, t("override_submit")),
  );
  const trail = audit.map((entry) => {
    const details = entry.details ? detailsText(ui, entry.details) : "";
    const why = entry.reason && entry.reason !== "re-check sample" ? entry.reason : "";
    return el(
      "li",
      {},
      el("strong", {}, `${when(ui, entry.at)} · ${entry.actor} · ${t(`audit_${entry.action}`, {}, entry.action)}`),
      details ? el("span", { class: "audit-details" }, ` — ${details}`) : null,
      why ? el("p", { class: "audit-reason" }, `${t("reason")}: ${why.startsWith("re-check:") || why.startsWith("override:") ? reasonText(ui, why) : t(`rule_${why}`, {}, why)}`) : null,
    );
  });
  const fact = (name, value, attrs = {}) => el("div", {}, el("dt", {}, t(name)), el("dd", attrs, value));
  main.replaceChildren(
    tabs(ui, "ballots", round),
    el(
      "section",
      { class: "card", "aria-labelledby": "ballot-title" },
      el("h2", { id: "ballot-title" }, `${t("ballot")} ${ballot.instance_id}`),
      el(
        "dl",
        { class: "facts" },
        fact("agency", `${ballot.agency_name} (${ballot.agency_code})`),
        fact("enumerator", ballot.enumerator),
        fact("ballot_status", t(`status_${ballot.status}`, {}, ballot.status), { id: "ballot-status" }),
        fact("status_reason", reasonText(ui, ballot.status_reason), { id: "ballot-status-reason" }),
        fact("interviewed_at", when(ui, ballot.completed_at)),
        fact("duration", minutes(ui, ballot.duration_seconds)),
        fact("form_version", `${ballot.form_id} ${ballot.form_version}`),
        fact("device", ballot.device_id),
        fact("recheck_outcome", recheckSummary(ui, ballot.rechecks)),
      ),
      el("h3", { id: "answers-title" }, t("answers")),
      answersTable(ui, ballot, definition),
      override,
      el("h3", {}, t("audit_trail")),
      el("ol", { id: "audit" }, ...trail),
      el("div", { class: "actions" }, el("button", { type: "button", id: "back-to-ballots", onclick: () => withErrors(ui, () => renderBallots(ui, round, back.filters, back.page)) }, t("back"))),
    ),
  );
}
