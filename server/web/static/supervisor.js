// Supervisor screens (Sở Nội vụ): round progress against quota and results — the ranked table of each
// group with bands, group statistics and year-on-year change, the index chart drawn by the server
// (matplotlib, server/results/charts.py) and the exports one click away, for the round picked in the
// oversight screens' round picker (the latest by default). Needs a connection.
import { formatChange, formatCount, formatNumber } from "./format.js";
import { chooseRound, supervisorTabs } from "./oversight.js";

// The session cookie goes with every same-origin request, so charts and exports are plain images and links
// (the file is named by the server: round and run number).
function exportLink(ui, id, path, text) {
  return ui.el("a", { class: "button", id, href: path, download: "" }, text);
}

function number(ui, value) {
  return formatNumber(ui.lang(), value);
}

function count(ui, value) {
  return formatCount(ui.lang(), value);
}

function progressSection(ui, progress) {
  const { el, t } = ui;
  const rows = progress.agencies.map((a) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, `${a.agency_name} (${a.agency_code})`),
      el("td", { class: "n" }, `${count(ui, a.received)} / ${count(ui, a.quota)}`),
      el("td", {}, el("progress", { max: Math.max(a.quota, 1), value: Math.min(a.received, a.quota || a.received), "aria-label": a.agency_code })),
    ),
  );
  return el(
    "details",
    { class: "card", id: "progress" },
    el("summary", {}, `${t("round_progress")}: ${count(ui, progress.received)} / ${count(ui, progress.quota)}`),
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("agency")), el("th", { scope: "col" }, t("received")), el("th", { scope: "col" }, ""))),
      el("tbody", {}, ...rows),
    ),
  );
}

function groupSection(ui, run, group) {
  const { el, t } = ui;
  const headers = ["rank", "agency", "appraisal_points", "satisfaction_points", "par_index", "band", "index_change"];
  const rows = group.rows.map((r) =>
    el(
      "tr",
      { class: r.rank ? "" : "not-ranked" },
      el("td", { class: "n" }, count(ui, r.rank)),
      el("th", { scope: "row" }, r.name, r.note ? el("small", { class: "note-text" }, ` (${r.note})`) : null),
      el("td", { class: "n" }, number(ui, r.appraisal_points)),
      el("td", { class: "n" }, number(ui, r.satisfaction_points)),
      el("td", { class: "n" }, number(ui, r.index)),
      el("td", {}, r.band ?? "—"),
      el("td", { class: "n" }, formatChange(ui.lang(), r.index_change)),
    ),
  );
  const chart = el("img", {
    class: "chart",
    src: `/api/v1/score-runs/${run}/charts/${encodeURIComponent(group.group)}.png`,
    alt: `${t("chart_of")} ${group.label}`,
    "data-group": group.group,
    onerror: (event) => event.target.remove(),
  });
  return el(
    "section",
    { class: "card ranking", "data-group": group.group, "aria-labelledby": `group-${group.group}` },
    el("h3", { id: `group-${group.group}` }, group.label),
    el(
      "p",
      { class: "stats" },
      `${t("mean")}: ${number(ui, group.mean)} · ${t("highest")}: ${number(ui, group.highest)} · ${t("lowest")}: ${number(ui, group.lowest)} · ${t("spread")}: ${number(ui, group.spread)}`,
    ),
    el("ul", { class: "bands" }, ...group.bands.map((b) => el("li", {}, `${b.label}: ${count(ui, b.count)}`))),
    el(
      "div",
      // A table wider than a phone scrolls sideways: focusable, so the keyboard can scroll it too.
      { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": `group-${group.group}` },
      el(
        "table",
        { class: "ranked" },
        el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, t(h))))),
        el("tbody", {}, ...rows),
      ),
    ),
    chart,
  );
}

export async function renderSupervisorHome(ui) {
  const { el, t, api, main, announce } = ui;
  const round = await chooseRound(ui);
  if (!round) {
    main.replaceChildren(el("p", { class: "card" }, t("no_rounds")), ui.whoSection());
    return;
  }
  const title = `${t("round")} ${round.code}${round.title ? ` — ${round.title}` : ""}`;
  const sections = [supervisorTabs(ui, round.code), el("h2", { class: "page-title", id: "round-title" }, title)];
  const { data: progress } = await api(`/api/v1/rounds/${encodeURIComponent(round.code)}/progress`);
  sections.push(progressSection(ui, progress));

  const { data: runs } = await api(`/api/v1/rounds/${encodeURIComponent(round.code)}/score-runs`);
  const latest = runs.reduce((a, b) => (a && a.id > b.id ? a : b), null);
  const scoreNow = async () => {
    try {
      await api(`/api/v1/rounds/${encodeURIComponent(round.code)}/score-runs`, { method: "POST", body: {} });
      announce(t("scored"), "ok");
    } catch (error) {
      announce(error.message, "error");
    }
    await renderSupervisorHome(ui);
  };
  const results = el(
    "section",
    { class: "card", "aria-labelledby": "results-title" },
    el("h2", { id: "results-title" }, t("results")),
    latest
      ? el("p", {}, `${t("score_run")} #${latest.id} · ${new Date(latest.created_at).toLocaleString(ui.lang())} · ${t("ballots_counted")}: ${count(ui, latest.ballots_included)}`)
      : el("p", {}, t("no_runs")),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", id: "score-now", class: latest ? "" : "primary", onclick: scoreNow }, t("score_now")),
      latest
        ? exportLink(ui, "export-xlsx", `/api/v1/score-runs/${latest.id}/export.xlsx`, t("export_xlsx"))
        : null,
      latest
        ? exportLink(ui, "export-csv", `/api/v1/score-runs/${latest.id}/export.csv`, t("export_csv"))
        : null,
    ),
  );
  sections.push(results);
  if (latest) {
    const { data: ranking } = await api(`/api/v1/score-runs/${latest.id}/ranking`);
    for (const group of ranking.groups) sections.push(groupSection(ui, latest.id, group));
  }
  sections.push(ui.whoSection());
  main.replaceChildren(...sections);
}
