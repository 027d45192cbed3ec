// Fieldwork oversight (Sở Nội vụ; needs a connection): per enumerator the quota, received, countable and not
// countable ballots by reason, re-check failures, median interview time, straight-lining and ballots per day;
// per agency the ballots received against quota over the days of the round (a chart drawn here as SVG); and
// the location check: interviews recorded far from the agency's one-stop office, on a plot with no map tiles.
import { renderBallots } from "./ballot_table.js";
import { tabs, withErrors } from "./oversight.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(name, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) if (child) node.append(child);
  return node;
}

function number(ui, value, digits = 0) {
  if (value === null || value === undefined) return "—";
  return Number(value).toLocaleString(ui.lang() === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: digits });
}

function percent(ui, share) {
  return share === null || share === undefined ? "—" : `${number(ui, share * 100, 1)} %`;
}

function reasonLabel(ui, key) {
  if (key.startsWith("invalid:")) {
    const rule = key.slice(8);
    return rule === "override" ? ui.t("notcount_invalid_override") : ui.t(`rule_${rule}`, {}, rule);
  }
  return ui.t(`notcount_${key}`, {}, key);
}

// Ballots per day as bars (the enumerator's pace); the title of each bar tells the day and count.
function dayBars(ui, days, perDay, label) {
  const counts = Object.fromEntries(perDay.map((d) => [d.day, d.ballots]));
  const most = Math.max(1, ...perDay.map((d) => d.ballots));
  const width = Math.max(days.length * 6, 60);
  const bars = days.map((day, i) => {
    const h = Math.round(((counts[day] || 0) / most) * 28);
    return svg("rect", { x: i * 6, y: 30 - h, width: 5, height: h, fill: "#0b5394" }, svg("title", {}, document.createTextNode(`${day}: ${counts[day] || 0}`)));
  });
  return svg("svg", { class: "bars", width, height: 30, viewBox: `0 0 ${width} 30`, role: "img", "aria-label": label }, ...bars);
}

// Received so far (line) against the quota (dashed) over the days of the round.
function quotaChart(ui, agency, days) {
  const width = 240;
  const height = 60;
  const top = Math.max(agency.quota, agency.per_day.at(-1)?.cumulative || 0, 1);
  const x = (i) => (days.length < 2 ? 0 : (i / (days.length - 1)) * (width - 4) + 2);
  const y = (v) => height - 2 - (v / top) * (height - 8);
  const points = agency.per_day.map((d, i) => `${x(i).toFixed(1)},${y(d.cumulative).toFixed(1)}`).join(" ");
  const label = ui.t("chart_received_quota", { name: agency.agency_name, received: agency.received, quota: agency.quota });
  return svg(
    "svg",
    { class: "quota-chart", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label },
    svg("line", { x1: 0, x2: width, y1: y(agency.quota), y2: y(agency.quota), stroke: "#6b7684", "stroke-dasharray": "4 3" }),
    svg("polyline", { points, fill: "none", stroke: "#0b5394", "stroke-width": 2 }),
  );
}

// Far interviews around their offices, on a plain equirectangular plot (no map service needed).
function locationPlot(ui, report) {
  const offices = report.agencies.filter((a) => a.office_latitude !== null && a.office_longitude !== null);
  const points = [...offices.map((a) => [a.office_latitude, a.office_longitude]), ...report.far_ballots.map((b) => [b.latitude, b.longitude])];
  if (!points.length) return ui.el("p", { class: "hint", id: "no-plot" }, ui.t("location_no_plot"));
  const lats = points.map((p) => p[0]);
  const lons = points.map((p) => p[1]);
  const pad = 0.005;
  const [south, north] = [Math.min(...lats) - pad, Math.max(...lats) + pad];
  const [west, east] = [Math.min(...lons) - pad, Math.max(...lons) + pad];
  const scale = Math.cos(((south + north) / 2) * (Math.PI / 180));
  const size = 360;
  const span = Math.max(north - south, (east - west) * scale);
  const px = (lon) => ((lon - west) * scale * size) / span;
  const py = (lat) => size - ((lat - south) * size) / span;
  const marks = [
    ...report.far_ballots.map((b) => svg("circle", { cx: px(b.longitude).toFixed(1), cy: py(b.latitude).toFixed(1), r: 3, fill: "#b3261e" }, svg("title", {}, document.createTextNode(`${b.agency_code} · ${b.enumerator} · ${number(ui, b.distance_m)} m`)))),
    ...offices.map((a) => svg("rect", { x: (px(a.office_longitude) - 4).toFixed(1), y: (py(a.office_latitude) - 4).toFixed(1), width: 8, height: 8, fill: "#0b5394" }, svg("title", {}, document.createTextNode(`${a.agency_name}: ${ui.t("office")}`)))),
  ];
  return svg("svg", { id: "location-plot", width: size, height: size, viewBox: `0 0 ${size} ${size}`, role: "img", "aria-label": ui.t("location_plot_label", { n: report.far_ballots.length }) }, svg("rect", { width: size, height: size, fill: "#fff", stroke: "#6b7684" }), ...marks);
}

export async function renderFieldwork(ui, round) {
  const { el, t, api, main } = ui;
  const code = encodeURIComponent(round);
  const { data } = await api(`/api/v1/rounds/${code}/fieldwork`);
  const { data: where } = await api(`/api/v1/rounds/${code}/locations`);
  const openBallots = (filters) => withErrors(ui, () => renderBallots(ui, round, filters));
  const enumeratorRows = data.enumerators.map((e) =>
    el(
      "tr",
      { "data-enumerator": e.username },
      el("th", { scope: "row" }, e.full_name ? `${e.full_name} (${e.username})` : e.username, e.held ? el("span", { class: "flag" }, ` ⚑ ${t("quarantine_held")}`) : null),
      el("td", { class: "n" }, number(ui, e.quota)),
      el("td", { class: "n" }, number(ui, e.received)),
      el("td", { class: "n" }, number(ui, e.countable)),
      el("td", { class: "not-countable" }, Object.keys(e.not_countable).length ? Object.entries(e.not_countable).map(([k, n]) => `${reasonLabel(ui, k)}: ${number(ui, n)}`).join("; ") : "—"),
      el("td", { class: "n" }, number(ui, e.recheck_failures)),
      el("td", { class: "n" }, e.median_duration_seconds === null || e.median_duration_seconds === undefined ? "—" : `${number(ui, e.median_duration_seconds / 60, 1)} ${t("minutes")}`),
      el("td", { class: "n" }, percent(ui, e.straight_lined_share)),
      el("td", {}, dayBars(ui, data.days, e.per_day, t("per_day_label", { name: e.username }))),
      el("td", {}, el("button", { type: "button", class: "link", onclick: () => openBallots({ enumerator: e.username }) }, t("see_ballots"))),
    ),
  );
  const agencyRows = data.agencies.map((a) =>
    el(
      "tr",
      { "data-agency": a.agency_code },
      el("th", { scope: "row" }, `${a.agency_name} (${a.agency_code})`),
      el("td", { class: "n" }, `${number(ui, a.received)} / ${number(ui, a.quota)}`),
      el("td", { class: "n" }, number(ui, a.countable)),
      el("td", {}, quotaChart(ui, a, data.days)),
      el("td", {}, el("button", { type: "button", class: "link", onclick: () => openBallots({ agency: a.agency_code }) }, t("see_ballots"))),
    ),
  );
  const head = (names) => el("thead", {}, el("tr", {}, ...names.map((h) => el("th", { scope: "col" }, t(h)))));
  const locationRows = where.agencies.map((a) =>
    el(
      "tr",
      { "data-agency": a.agency_code, class: a.far ? "flagged" : "" },
      el("th", { scope: "row" }, `${a.agency_name} (${a.agency_code})`),
      el("td", {}, a.office_latitude === null ? t("office_unknown") : `${number(ui, a.office_latitude, 5)}, ${number(ui, a.office_longitude, 5)}`),
      el("td", { class: "n" }, number(ui, a.with_location)),
      el("td", { class: "n far" }, number(ui, a.far)),
    ),
  );
  main.replaceChildren(
    tabs(ui, "fieldwork", round),
    el(
      "section",
      { class: "card", "aria-labelledby": "enumerators-title" },
      el("h2", { id: "enumerators-title" }, `${t("fieldwork_enumerators")} — ${round}`),
      el("div", { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": "enumerators-title" }, el("table", { id: "fieldwork-enumerators" }, head(["enumerator", "quota_short", "received_short", "countable", "not_countable", "recheck_failures", "median_duration", "straight_lined", "per_day", "ballots"]), el("tbody", {}, ...enumeratorRows))),
    ),
    el(
      "section",
      { class: "card", "aria-labelledby": "agencies-title" },
      el("h2", { id: "agencies-title" }, t("fieldwork_agencies")),
      el("p", { class: "hint" }, t("fieldwork_agencies_hint")),
      el("div", { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": "agencies-title" }, el("table", { id: "fieldwork-agencies" }, head(["agency", "received", "countable", "received_over_days", "ballots"]), el("tbody", {}, ...agencyRows))),
    ),
    el(
      "section",
      { class: "card", "aria-labelledby": "locations-title" },
      el("h2", { id: "locations-title" }, t("location_check")),
      el("p", { class: "hint", id: "location-summary" }, t("location_hint", { m: number(ui, where.threshold_m), n: number(ui, where.far_total) })),
      locationPlot(ui, where),
      el("div", { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": "locations-title" }, el("table", { id: "locations" }, head(["agency", "office", "with_location", "far_from_office"]), el("tbody", {}, ...locationRows))),
      el("div", { class: "actions" }, el("button", { type: "button", id: "see-far", onclick: () => openBallots({ location: "far" }) }, t("see_far_ballots"))),
    ),
    ui.whoSection(),
  );
}
