// Supervisor oversight screens: enumerator quality with quarantine actions, the tabs and round picker, and
// sync conflicts to resolve; the ballot table and a ballot's details are in ballot_table.js.
// Every rule stays on the server; these screens only call the API (session cookie, manager roles).
// The round they show is picked once for all of them and remembered on the device (IndexedDB).
import { answerText, definitionOf, questionsOf, renderBallots } from "./ballot_table.js";
import { renderFieldwork } from "./fieldwork.js";
import { formatCount, formatMinutes, formatPercent } from "./format.js";
import { showHoldImpact } from "./hold.js";
import { kv } from "./store.js";

function percent(ui, value) {
  return formatPercent(ui.lang(), value);
}

let knownRounds = [];

function roundKey(ui) {
  return `round_choice:${ui.user().username}`;
}

// The round to show: the one this user picked last on this device if it still exists, else the latest.
export async function chooseRound(ui) {
  const { data: rounds } = await ui.api("/api/v1/rounds");
  knownRounds = rounds;
  const picked = await kv.get(roundKey(ui));
  return rounds.find((r) => r.code === picked) || rounds[rounds.length - 1] || null;
}

function roundName(ui, r) {
  const title = r.title ? ` — ${r.title}` : "";
  return `${r.code}${title}${r.state === "closed" ? ` (${ui.t("round_closed")})` : ""}`;
}

// A form with a button rather than a select that acts on change, so moving through the options with
// the arrow keys does not reload the screen under the user (WCAG 3.2.2).
function roundPicker(ui, round, show) {
  const { el, t } = ui;
  const select = el(
    "select",
    { id: "round-picker", name: "round" },
    ...knownRounds.map((r) => el("option", { value: r.code, selected: r.code === round }, roundName(ui, r))),
  );
  return el(
    "form",
    {
      class: "round-picker",
      id: "round-form",
      onsubmit: async (event) => {
        event.preventDefault();
        await kv.set(roundKey(ui), select.value);
        await withErrors(ui, () => show(select.value));
        document.getElementById("round-picker")?.focus();
      },
    },
    el("label", { for: "round-picker" }, t("round")),
    el("div", { class: "picker-row" }, select, el("button", { type: "submit", id: "round-show" }, t("round_show"))),
  );
}

export function tabs(ui, active, round) {
  const { el, t } = ui;
  const go = {
    results: () => ui.home(),
    fieldwork: (code) => renderFieldwork(ui, code),
    quality: (code) => renderQuality(ui, code),
    ballots: (code) => renderBallots(ui, code, {}),
    conflicts: (code) => renderConflicts(ui, code),
  };
  const nav = el(
    "nav",
    { class: "tabs", "aria-label": t("supervisor_menu") },
    ...Object.keys(go).map((name) =>
      el(
        "button",
        { type: "button", id: `tab-${name}`, "aria-current": name === active ? "page" : null, onclick: () => withErrors(ui, () => go[name](round)) },
        t(`tab_${name}`),
      ),
    ),
  );
  if (knownRounds.length < 2) return nav;
  return el("div", { class: "toolbar" }, nav, roundPicker(ui, round, go[active]));
}

export function supervisorTabs(ui, round) {
  return tabs(ui, "results", round);
}

export async function withErrors(ui, action) {
  try {
    await action();
  } catch (error) {
    if (error.status === 401) return; // back at sign-in, with its own message
    ui.announce(error.status === 0 ? ui.t("needs_network") : error.message, "error");
  }
}

export async function renderQuality(ui, round) {
  const { el, t, api, main, announce } = ui;
  const { data } = await api(`/api/v1/rounds/${encodeURIComponent(round)}/quality`);
  const impactArea = el("div", { id: "hold-area" });
  const rows = data.enumerators.map((e) => {
    let quarantine = "—";
    if (e.quarantine) quarantine = t(`quarantine_${e.quarantine.decision || "held"}`);
    const decide = (decision) =>
      withErrors(ui, async () => {
        const reason = main.querySelector(`#reason-${e.quarantine.id}`).value.trim();
        if (!reason) {
          announce(t("reason_required"), "error");
          return;
        }
        await api(`/api/v1/quarantines/${e.quarantine.id}/decision`, { method: "POST", body: { decision, reason } });
        announce(t("decision_recorded"), "ok");
        await renderQuality(ui, round);
      });
    const actions =
      e.quarantine && !e.quarantine.decision
        ? el(
            "div",
            { class: "decision" },
            el("label", { for: `reason-${e.quarantine.id}` }, t("reason")),
            el("input", { id: `reason-${e.quarantine.id}` }),
            el("button", { type: "button", class: "release", onclick: () => decide("release") }, t("release")),
            el("button", { type: "button", class: "exclude", onclick: () => decide("exclude") }, t("exclude")),
          )
        : null;
    const hold =
      !e.quarantine || e.quarantine.decision === "release"
        ? el(
            "button",
            { type: "button", class: `hold${e.over_threshold ? " primary" : ""}`, onclick: () => withErrors(ui, () => showHoldImpact(ui, round, e.enumerator, impactArea, () => renderQuality(ui, round))) },
            t("hold_open"),
          )
        : null;
    return el(
      "tr",
      { class: e.over_threshold ? "flagged" : "", "data-enumerator": e.enumerator },
      el("th", { scope: "row" }, e.enumerator, e.over_threshold ? el("span", { class: "flag" }, ` ⚑ ${t("over_threshold")}`) : null),
      el("td", { class: "n" }, formatCount(ui.lang(), e.ballots)),
      el("td", { class: "n" }, formatCount(ui.lang(), e.rechecked)),
      el("td", { class: "n" }, formatCount(ui.lang(), e.decided)),
      el("td", { class: "n" }, formatCount(ui.lang(), e.failed)),
      el("td", { class: "n failure-rate" }, percent(ui, e.failure_rate)),
      el("td", { class: "n median-duration" }, formatMinutes(ui.lang(), e.median_duration_seconds, t("minutes"))),
      el("td", { class: "n" }, percent(ui, e.straight_lined_share)),
      el("td", { class: "quarantine" }, quarantine, actions, hold),
    );
  });
  const headers = ["enumerator", "ballots", "rechecked", "decided", "failed", "failure_rate", "median_duration", "straight_lined", "quarantine"];
  main.replaceChildren(
    tabs(ui, "quality", round),
    el(
      "section",
      { class: "card", "aria-labelledby": "quality-title" },
      el("h2", { id: "quality-title" }, `${t("tab_quality")} — ${round}`),
      el("p", { class: "hint" }, t("quality_hint", { rate: percent(ui, data.settings.quarantine_failure_rate), n: formatCount(ui.lang(), data.settings.quarantine_min_decided) })),
      impactArea,
      el(
        "div",
        { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": "quality-title" },
        el("table", { id: "quality" }, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, t(h))))), el("tbody", {}, ...rows)),
      ),
    ),
    ui.whoSection(),
  );
}

export async function renderConflicts(ui, round) {
  const { el, t, api, main, announce } = ui;
  const { data: conflicts } = await api(`/api/v1/conflicts?round=${encodeURIComponent(round)}`);
  const forms = new Map();
  for (const c of conflicts) {
    const key = `${c.envelope.form_id}/${c.envelope.form_version}`;
    if (c.envelope.form_id && !forms.has(key)) forms.set(key, await definitionOf(ui, c.envelope.form_id, c.envelope.form_version).catch(() => null));
  }
  const items = conflicts.map((c) => {
    const questions = questionsOf(forms.get(`${c.envelope.form_id}/${c.envelope.form_version}`));
    const question = (name) => questions.find((q) => q.name === name) || { name, label: { vi: name } };
    const reason = el("input", { id: `conflict-reason-${c.id}` });
    const resolve = (resolution) =>
      withErrors(ui, async () => {
        if (!reason.value.trim()) {
          announce(t("reason_required"), "error");
          return;
        }
        await api(`/api/v1/conflicts/${c.id}/resolve`, { method: "POST", body: { resolution, reason: reason.value.trim() } });
        announce(t("decision_recorded"), "ok");
        await renderConflicts(ui, round);
      });
    const changed = Object.keys({ ...c.stored.answers, ...(c.envelope.answers || {}) })
      .filter((k) => JSON.stringify(c.stored.answers[k]) !== JSON.stringify((c.envelope.answers || {})[k]))
      .map((k) => el("li", {}, `${ui.label(question(k).label, k)}: ${answerText(ui, question(k), c.stored.answers[k])} → ${answerText(ui, question(k), (c.envelope.answers || {})[k])}`));
    return el(
      "li",
      { class: "card conflict" },
      el("strong", {}, `${c.agency_code} · ${c.enumerator} · ${c.instance_id.slice(0, 8)} · ${c.device_id}`),
      el("ul", {}, ...changed),
      el("label", { for: `conflict-reason-${c.id}` }, t("reason")),
      reason,
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", onclick: () => resolve("keep_stored") }, t("keep_stored")),
        el("button", { type: "button", onclick: () => resolve("take_new") }, t("take_new")),
      ),
    );
  });
  main.replaceChildren(
    tabs(ui, "conflicts", round),
    el(
      "section",
      { class: "card", "aria-labelledby": "conflicts-title" },
      el("h2", { id: "conflicts-title" }, t("tab_conflicts")),
      el("p", { class: "hint" }, t("conflicts_of_round", { round })),
      items.length ? el("ul", { class: "conflicts" }, ...items) : el("p", { id: "no-conflicts" }, t("no_conflicts")),
    ),
    ui.whoSection(),
  );
}
