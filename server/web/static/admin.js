// The admin console: every set-up step of a survey year as a screen, for the roles the API lets do it
// (admins everything; supervisors rounds, agencies, fieldwork, re-check and results), next to the supervisor's
// oversight screens. Needs a connection. One module per screen (admin-*.js); this one draws the console's
// menu and holds the few helpers the screens share: a request helper that keeps the API's per-row problems,
// form fields, a problems table and file uploads. Texts come from i18n-admin.js, merged into the one lookup.
import { ADMIN_TEXTS } from "./i18n-admin.js";
import { TEXTS } from "./i18n.js";
import { renderSupervisorHome } from "./supervisor.js";
import { renderRounds } from "./admin-rounds.js";
import { renderForms } from "./admin-forms.js";
import { renderUsers } from "./admin-users.js";
import { renderAgencies } from "./admin-agencies.js";
import { renderGroups } from "./admin-groups.js";
import { renderFieldwork } from "./admin-fieldwork.js";
import { renderRecheck } from "./admin-recheck.js";
import { renderResults } from "./admin-results.js";
import { renderAppraisalAdmin } from "./appraisal-admin.js";

for (const lang of Object.keys(ADMIN_TEXTS)) Object.assign(TEXTS[lang], ADMIN_TEXTS[lang]);

// Screen name -> what draws it, and the roles the API lets use it.
const SCREENS = {
  oversight: { draw: (ui) => renderSupervisorHome(ui), roles: ["admin", "supervisor"] },
  rounds: { draw: renderRounds, roles: ["admin", "supervisor"] },
  forms: { draw: renderForms, roles: ["admin"] },
  users: { draw: renderUsers, roles: ["admin"] },
  agencies: { draw: renderAgencies, roles: ["admin", "supervisor"] },
  groups: { draw: renderGroups, roles: ["admin", "supervisor"] },
  fieldwork: { draw: renderFieldwork, roles: ["admin", "supervisor"] },
  recheck: { draw: renderRecheck, roles: ["admin", "supervisor"] },
  results: { draw: renderResults, roles: ["admin", "supervisor"] },
  appraisal: { draw: renderAppraisalAdmin, roles: ["admin", "supervisor"] },
};

const state = { screen: null, round: null, drawing: Promise.resolve() };

function screensFor(role) {
  return Object.keys(SCREENS).filter((name) => SCREENS[name].roles.includes(role));
}

// The console's menu sits above the screens (outside <main>, which every screen redraws) and is removed at
// sign-out by the app. The oversight screens keep their own tabs below it.
function drawMenu(ui) {
  const { el, t } = ui;
  const nav = el(
    "nav",
    { id: "console-nav", class: "console-nav", "aria-label": t("adm_menu") },
    el(
      "ul",
      {},
      ...screensFor(ui.user().role).map((name) =>
        el(
          "li",
          {},
          el(
            "button",
            { type: "button", id: `console-${name}`, "aria-current": name === state.screen ? "page" : null, onclick: () => show(ui, name) },
            t(`adm_screen_${name}`),
          ),
        ),
      ),
    ),
  );
  document.getElementById("console-nav")?.remove();
  ui.main.before(nav);
}

// Screens draw after their requests; one at a time, so a screen still loading cannot overwrite the next one.
function queued(action) {
  const next = state.drawing.then(action, action);
  state.drawing = next.catch(() => {});
  return next;
}

export async function show(ui, name) {
  state.screen = name;
  ui.announce("");
  drawMenu(ui);
  await queued(() => guard(ui, () => SCREENS[name].draw(ui, consoleHelpers(ui))));
  document.getElementById(`console-${name}`)?.focus();
}

// Home for admins and supervisors: the screen on show (after a change of language, a redraw), else the oversight
// screens, or the rounds screen when there is no round yet (a new installation).
export async function renderConsole(ui) {
  if (!state.screen || !screensFor(ui.user().role).includes(state.screen)) {
    const { data: rounds } = await ui.api("/api/v1/rounds");
    state.screen = rounds.length ? "oversight" : "rounds";
  }
  drawMenu(ui);
  await queued(() => SCREENS[state.screen].draw(ui, consoleHelpers(ui)));
}

async function guard(ui, action) {
  try {
    await action();
  } catch (error) {
    if (error.status === 401) return;
    if (error.status === 0) ui.main.replaceChildren(ui.needsConnection(), ui.whoSection());
    else ui.announce(error.message || ui.t("adm_failed"), "error");
  }
}

// ------------------------------------------------------------------ helpers shared by the screens

class RequestFailure extends Error {
  constructor(status, code, message, errors) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

function consoleHelpers(ui) {
  const { el, t } = ui;

  // A request to the API that keeps the answer's per-field or per-row problems (the app's api() drops them).
  // The body is JSON, or a FormData for files. Messages come back in the language on screen.
  async function call(path, { method = "GET", body, form } = {}) {
    const headers = { Accept: "application/json", "Accept-Language": ui.lang() };
    if (method !== "GET" && ui.csrf()) headers["X-CSRF-Token"] = ui.csrf();
    const init = { method, credentials: "same-origin", headers };
    if (form) init.body = form;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new RequestFailure(0, "network", t("needs_network"), null);
    }
    const data = response.headers.get("Content-Type")?.includes("json") ? await response.json() : null;
    if (!response.ok) {
      if (response.status === 401) await ui.api("/api/v1/auth/session").catch(() => {}); // back to sign-in
      throw new RequestFailure(response.status, data?.code || "error", data?.message || response.statusText, data?.errors);
    }
    return data;
  }

  // Run a change; on failure say why (in the language on screen) and list the problems under `where`.
  async function attempt(action, where, success) {
    where?.replaceChildren();
    try {
      const result = await action();
      if (success) ui.announce(success, "ok");
      return result ?? true;
    } catch (error) {
      if (error.status === 401) return null;
      ui.announce(error.status === 0 ? t("needs_network") : error.message, "error");
      if (where && error.errors && Object.keys(error.errors).length) where.replaceChildren(problemsTable(error.errors));
      return null;
    }
  }

  // Send the file chosen in `input` to `path` (multipart, field "file"); without a file, say so and return
  // null. Problems are listed under `where`, as for any change.
  async function upload(input, path, where) {
    if (!input.files[0]) {
      ui.announce(t("adm_choose_file"), "error");
      input.focus();
      return null;
    }
    const form = new FormData();
    form.append("file", input.files[0]);
    return attempt(() => call(path, { method: "POST", form }), where);
  }

  // Problems as a table: per row of a file (line or sheet row, column) or per field, with the message.
  function problemsTable(errors) {
    const rows = [];
    const push = (place, column, message) => rows.push({ place, column, message });
    if (Array.isArray(errors)) {
      for (const e of errors) {
        if (typeof e === "string") push("", "", e);
        else if (e.line !== undefined) push(e.line, e.column ?? "", e.message);
        else {
          const found = /^(\w+)\[(\d+)\](?:\.(.+))?$/.exec(e.path || "");
          // An XLSForm problem names its sheet and row at the start of the message: no inner path beside it.
          if (/^(Trang|Sheet) \w+|^\w+ sheet/.test(e.message)) push("", found?.[3] ?? "", e.message);
          else if (found) push(`${t("adm_sheet")} ${found[1]}, ${t("adm_row")} ${found[2]}`, found[3] ?? "", e.message);
          else push(e.path || "", "", e.message);
        }
      }
    } else {
      for (const [field, messages] of Object.entries(errors)) {
        const list = Array.isArray(messages) ? messages : [JSON.stringify(messages)];
        for (const m of list) push(t(`adm_field_${field}`, {}, field), "", typeof m === "string" ? m : JSON.stringify(m));
      }
    }
    return el(
      "div",
      { class: "scroll problems", tabindex: "0", role: "region", "aria-label": t("adm_problems") },
      el(
        "table",
        {},
        el("caption", {}, t("adm_problems_n", { n: rows.length })),
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("adm_where")), el("th", { scope: "col" }, t("adm_column")), el("th", { scope: "col" }, t("adm_problem")))),
        el("tbody", {}, ...rows.map((r) => el("tr", {}, el("td", {}, String(r.place)), el("td", {}, String(r.column)), el("td", {}, r.message)))),
      ),
    );
  }

  // A labelled field: <label> then the control (input, select or textarea), with an optional hint.
  function field(id, text, control, hint) {
    control.id = id;
    const hintNode = hint ? el("p", { class: "hint", id: `${id}-hint` }, hint) : null;
    if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
    return el("div", { class: "field" }, el("label", { for: id }, text), control, hintNode);
  }

  function checkbox(id, text, checked = false) {
    return el("div", { class: "field check" }, el("input", { type: "checkbox", id, name: id, checked }), el("label", { for: id }, text));
  }

  function select(name, options, selected) {
    return el("select", { name }, ...options.map(([value, text]) => el("option", { value, selected: value === selected }, text)));
  }

  function table(caption, headers, rows, attrs = {}) {
    return el(
      "div",
      { class: "scroll", tabindex: "0", role: "region", "aria-label": caption },
      el(
        "table",
        attrs,
        el("caption", {}, caption),
        el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...rows),
      ),
    );
  }

  function card(id, title, ...children) {
    return el("section", { class: "card", id, "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title), ...children);
  }

  // The rounds, and the one the screens work on: the one picked in the console, else the latest.
  async function rounds() {
    const list = await call("/api/v1/rounds");
    if (!list.find((r) => r.code === state.round)) state.round = list.length ? list[list.length - 1].code : null;
    return list;
  }

  function roundPicker(list, redraw) {
    const picker = select("round", list.map((r) => [r.code, roundName(r)]), state.round);
    return el(
      "form",
      {
        class: "console-round",
        onsubmit: async (event) => {
          event.preventDefault();
          state.round = picker.value;
          await guard(ui, redraw);
          document.getElementById("console-round")?.focus();
        },
      },
      field("console-round", t("round"), picker),
      el("button", { type: "submit", id: "console-round-show" }, t("round_show")),
    );
  }

  function roundName(r) {
    return `${r.code}${r.title ? ` — ${r.title}` : ""}${r.state === "closed" ? ` (${t("round_closed")})` : ""}`;
  }

  function number(value, digits = 2) {
    if (value === null || value === undefined || value === "") return "—";
    return Number(value).toLocaleString(ui.lang() === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: digits });
  }

  function when(text) {
    if (!text) return t("adm_never");
    return new Date(text).toLocaleString(ui.lang() === "vi" ? "vi-VN" : "en-GB", { dateStyle: "short", timeStyle: "short" });
  }

  // A date of the API (YYYY-MM-DD) as people write it (dd/mm/yyyy in Vietnamese).
  function day(text) {
    if (!text) return "—";
    const [y, m, d] = text.split("-").map(Number);
    return new Date(y, m - 1, d).toLocaleDateString(ui.lang() === "vi" ? "vi-VN" : "en-GB");
  }

  const groups = () => [
    ["department", t("adm_group_department")],
    ["district", t("adm_group_district")],
    ["commune", t("adm_group_commune")],
  ];

  // The province's own groups (code, Vietnamese name) in its order, as the registry holds them.
  async function loadGroups() {
    return (await call("/api/v1/agency-groups")).map((g) => [g.code, g.name]);
  }

  // Draw a screen: its sections in <main> (sections left out are null).
  function page(...sections) {
    ui.main.replaceChildren(...sections.filter(Boolean));
  }

  return {
    page,
    call,
    attempt,
    upload,
    problemsTable,
    field,
    checkbox,
    select,
    table,
    card,
    rounds,
    roundPicker,
    roundName,
    number,
    when,
    day,
    groups,
    loadGroups,
    round: () => state.round,
    redraw: () => show(ui, state.screen),
  };
}
