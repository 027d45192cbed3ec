// The appraisal in the admin console (secretariat: admins and supervisors), desktop first, needs a connection:
// the round's criteria set (upload the province's XLSX with the problems of each row, copy last year's with
// the changes listed, edit one criterion), the council's members and the deadline of each stage, the progress
// (agencies submitted, criteria appraised per organisation and appraiser, self vs appraised differences) and
// the lock, confirmed after seeing what is still unappraised. Calls the appraisal API
// (server/appraisal/views.py) through the console's helpers (admin.js).
import { APPRAISAL_ADMIN_TEXTS } from "./i18n-appraisal.js";
import { TEXTS } from "./i18n.js";

for (const lang of Object.keys(APPRAISAL_ADMIN_TEXTS)) Object.assign(TEXTS[lang], APPRAISAL_ADMIN_TEXTS[lang]);

const enc = encodeURIComponent;
const ORGS = ["SNV", "STP", "VPUBND", "STC", "STTTT", "SKHCN"];
const GROUPS = ["department", "district", "commune"];
const STAGES = ["self_assessment_until", "appraisal_until", "answer_until"];

export async function renderAppraisalAdmin(ui, h) {
  const { el, t } = ui;
  const rounds = await h.rounds();
  if (!h.round()) {
    h.page(el("p", { class: "card" }, t("no_rounds")), ui.whoSection());
    return;
  }
  const base = `/api/v1/rounds/${enc(h.round())}`;
  const criteria = await h.call(`${base}/criteria`);
  const calendar = await h.call(`${base}/appraisal-calendar`);
  const changes = criteria.length ? await h.call(`${base}/criteria/changes`) : null;
  const progress = criteria.length ? await h.call(`${base}/appraisal/progress`) : null;
  const members = await h.call("/api/v1/appraisal/members");
  const redraw = () => renderAppraisalAdmin(ui, h);
  h.page(
    el("h2", { class: "page-title" }, `${t("adm_screen_appraisal")} — ${t("round")} ${h.round()}`),
    rounds.length > 1 ? h.roundPicker(rounds, redraw) : null,
    calendar.locked_at ? el("p", { class: "note", id: "apa-locked" }, t("apa_locked_at", { at: h.when(calendar.locked_at), by: calendar.locked_by || "—" })) : null,
    criteriaCard(ui, h, base, rounds, criteria, changes, !calendar.locked_at, redraw),
    criteria.length ? editCard(ui, h, base, criteria, redraw) : null,
    councilCard(ui, h, base, calendar, members, redraw),
    progress ? progressCard(ui, h, progress) : null,
    progress && !calendar.locked_at ? lockCard(ui, h, base, progress, redraw) : null,
    ui.whoSection(),
  );
}

function ruleText(ui, h, rule) {
  const { t } = ui;
  if (!rule) return "—";
  if (rule.type === "levels") return t("apa_rule_levels", { levels: rule.levels.map((v) => h.number(v)).join("; ") });
  if (rule.type === "proportional") return t("apa_rule_proportional", { figure: rule.figure, full: h.number(rule.full_at) });
  if (rule.type === "penalty") return t("apa_rule_penalty", { per: h.number(rule.per_unit), floor: h.number(rule.floor) });
  return rule.type;
}

const groupsText = (ui, groups) => (groups?.length ? groups.map((g) => ui.t(`adm_group_${g}`)).join(", ") : ui.t("apa_all_groups"));

// ------------------------------------------------------------------ the criteria set

function criteriaCard(ui, h, base, rounds, criteria, changes, open, redraw) {
  const { el, t } = ui;
  const file = el("input", { type: "file", name: "file", accept: ".xlsx,.csv" });
  const problems = el("div", { class: "problems-slot", id: "apa-criteria-problems" });
  const upload = async (event) => {
    event.preventDefault();
    const done = await h.upload(file, `${base}/criteria`, problems);
    if (done) {
      await redraw();
      ui.announce(t("apa_imported", { n: done.length }), "ok");
    }
  };
  const others = rounds.filter((r) => r.code !== h.round());
  const source = h.select("from_round", others.map((r) => [r.code, h.roundName(r)]), others.length ? others[others.length - 1].code : null);
  const copy = async (event) => {
    event.preventDefault();
    const done = await h.attempt(() => h.call(`${base}/criteria/copy`, { method: "POST", body: { from_round: source.value } }), null);
    if (done) {
      await redraw();
      ui.announce(t("apa_copied", { n: done.length, from: source.value }), "ok");
    }
  };
  const rows = criteria.map((c) =>
    el(
      "tr",
      { "data-code": c.code, class: c.parent ? null : "area-row" },
      el("th", { scope: "row" }, c.code),
      el("td", {}, c.title),
      el("td", { class: "num" }, h.number(c.max_points)),
      el("td", {}, ruleText(ui, h, c.rule)),
      el("td", {}, groupsText(ui, c.groups)),
      el("td", {}, c.council_org || ""),
      // against another round only when copied from one (an imported set is all "new": nothing to say)
      el("td", {}, changes?.compared_with && c.change && c.change !== "unchanged" ? t(`apa_change_${c.change}`) : ""),
    ),
  );
  const parts = [
    el("p", { id: "apa-criteria-count" }, criteria.length ? t("apa_criteria_count", { n: criteria.length, areas: criteria.filter((c) => !c.parent).length }) : t("apa_no_criteria")),
  ];
  if (changes?.compared_with) parts.push(changesList(ui, h, changes));
  if (criteria.length)
    parts.push(
      h.table(t("apa_criteria_caption"), [t("apa_code"), t("apa_title"), t("apa_max"), t("apa_rule"), t("apa_groups"), t("apa_council_org"), t("apa_change")], rows, { id: "apa-criteria" }),
    );
  if (open) {
    parts.push(
      el(
        "form",
        { id: "apa-import-form", onsubmit: upload, novalidate: true },
        h.field("apa-criteria-file", t("apa_file"), file, t("apa_file_hint")),
        problems,
        el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "apa-import" }, t("adm_import"))),
      ),
    );
    if (others.length)
      parts.push(
        el(
          "form",
          { id: "apa-copy-form", onsubmit: copy },
          h.field("apa-copy-from", t("apa_copy_from"), source, t("apa_copy_hint")),
          el("div", { class: "actions" }, el("button", { type: "submit", id: "apa-copy" }, t("apa_copy"))),
        ),
      );
  }
  return h.card("apa-criteria-card", t("apa_criteria"), ...parts);
}

function changesList(ui, h, changes) {
  const { el, t } = ui;
  const value = (v, key) => (v === null || v === undefined ? "—" : key === "rule" ? ruleText(ui, h, v) : typeof v === "object" ? JSON.stringify(v) : String(v));
  const items = [
    ...changes.new.map((code) => el("li", { "data-code": code }, t("apa_new_item", { code }))),
    ...changes.changed.flatMap((c) =>
      Object.keys(c.before || {}).map((key) =>
        el("li", { "data-code": c.code }, t("apa_changed_item", { code: c.code, field: t(`apa_field_${key}`, {}, key), before: value(c.before[key], key), after: value(c.after[key], key) })),
      ),
    ),
    ...changes.removed.map((r) => el("li", { "data-code": r.code }, t("apa_removed_item", { code: r.code, title: r.title }))),
  ];
  return el(
    "div",
    { id: "apa-changes" },
    el("h3", {}, t("apa_changes_title", { from: changes.compared_with })),
    items.length ? el("ul", {}, ...items) : el("p", {}, t("apa_no_changes")),
  );
}

// ------------------------------------------------------------------ the scoring rule of one criterion

const RULE_TYPES = ["levels", "proportional", "penalty"];
const TOL = 1e-9;

// A number as typed in the console: decimal comma or point ("0,5", "0.5", "-2"); null when it is not one.
export function readNumber(text) {
  const s = String(text ?? "").trim();
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(s)) return null;
  return Number(s.replace(",", "."));
}

// The rule as the API takes it (models.py Criterion.rule), with its keys in one order, or null.
function canonical(rule) {
  if (!rule) return null;
  if (rule.type === "levels") return { type: "levels", levels: rule.levels };
  if (rule.type === "proportional") return { type: "proportional", figure: rule.figure, full_at: rule.full_at };
  if (rule.type === "penalty") return { type: "penalty", per_unit: rule.per_unit, floor: rule.floor };
  return rule;
}

// The rule read from the typed fields (`values`: type, levels, figure, full_at, per_unit, floor, as text),
// checked as the server checks it (rules.py check_rule, criteria.py: only leaves have a rule, every leaf has
// one) against the maximum `max` typed beside it. Returns {rule} or {problems: {field: [text key, params]}}.
export function readRule(values, max, isBranch) {
  const problems = {};
  const kind = values.type || null;
  if (!kind) {
    if (!isBranch) problems.type = ["apa_rule_leaf_needs"];
    return Object.keys(problems).length ? { problems } : { rule: null };
  }
  if (isBranch) return { problems: { type: ["apa_rule_branch_has"] } };
  let rule;
  if (kind === "levels") {
    const parts = String(values.levels ?? "")
      .split(";")
      .filter((part) => part.trim());
    const levels = parts.map(readNumber);
    if (!levels.length || levels.some((v) => v === null)) problems.levels = ["apa_rule_levels_numbers"];
    else if (Number.isFinite(max) && levels.some((v) => v < 0 || v > max + TOL)) problems.levels = ["apa_rule_levels_range", { max }];
    rule = { type: "levels", levels };
  } else if (kind === "proportional") {
    const figure = String(values.figure ?? "").trim();
    const fullAt = readNumber(values.full_at);
    if (!figure) problems.figure = ["apa_rule_figure_needed"];
    if (fullAt === null || !(fullAt > 0)) problems.full_at = ["apa_rule_positive"];
    rule = { type: "proportional", figure, full_at: fullAt };
  } else {
    const perUnit = readNumber(values.per_unit);
    const floor = readNumber(values.floor);
    if (perUnit === null || !(perUnit > 0)) problems.per_unit = ["apa_rule_positive"];
    if (floor === null || floor > 0) problems.floor = ["apa_rule_floor_wrong"];
    if (Number.isFinite(max) && max !== 0) problems.type = ["apa_rule_penalty_max"];
    rule = { type: "penalty", per_unit: perUnit, floor };
  }
  return Object.keys(problems).length ? { problems } : { rule };
}

const RULE_FIELDS = ["type", "levels", "figure", "full_at", "per_unit", "floor"];
const FIELDS_OF = { levels: ["levels"], proportional: ["figure", "full_at"], penalty: ["per_unit", "floor"] };

// The rule's fields: its type, then only the fields of that type, each labelled, with its message beside it.
function ruleEditor(ui, h) {
  const { el, t } = ui;
  const id = (name) => (name === "type" ? "apa-edit-rule-type" : `apa-edit-${name.replace("_", "-")}`);
  const typeSelect = h.select("rule_type", [["", t("apa_rule_none")], ...RULE_TYPES.map((k) => [k, t(`apa_rule_type_${k}`)])], "");
  const inputs = { type: typeSelect };
  for (const name of RULE_FIELDS.slice(1)) {
    const numeric = name !== "figure" && name !== "levels";
    inputs[name] = el("input", { type: "text", name, autocomplete: "off", inputmode: numeric ? "decimal" : null });
  }
  const errors = {};
  const wraps = {};
  for (const name of RULE_FIELDS) {
    const hint = t(`apa_rf_${name}_hint`, {}, "");
    wraps[name] = h.field(id(name), t(`apa_rf_${name}`), inputs[name], hint || null);
    errors[name] = el("p", { class: "error", id: `${id(name)}-error`, hidden: true });
    wraps[name].append(errors[name]);
  }
  const show = () => {
    const visible = FIELDS_OF[typeSelect.value] || [];
    for (const name of RULE_FIELDS.slice(1)) wraps[name].hidden = !visible.includes(name);
  };
  const clear = () => {
    for (const name of RULE_FIELDS) {
      errors[name].hidden = true;
      errors[name].textContent = "";
      inputs[name].removeAttribute("aria-invalid");
      const hint = inputs[name].getAttribute("aria-describedby")?.replace(` ${id(name)}-error`, "").replace(`${id(name)}-error`, "");
      if (hint) inputs[name].setAttribute("aria-describedby", hint);
      else inputs[name].removeAttribute("aria-describedby");
    }
  };
  typeSelect.addEventListener("change", () => {
    clear();
    show();
  });
  // Numbers are shown as they are typed in the language on screen, without thousands separators.
  const typed = (v) => (v === null || v === undefined ? "" : ui.lang() === "vi" ? String(v).replace(".", ",") : String(v));
  const fill = (rule) => {
    clear();
    typeSelect.value = rule?.type && RULE_TYPES.includes(rule.type) ? rule.type : "";
    inputs.levels.value = rule?.type === "levels" ? rule.levels.map(typed).join("; ") : "";
    inputs.figure.value = rule?.type === "proportional" ? rule.figure ?? "" : "";
    inputs.full_at.value = rule?.type === "proportional" ? typed(rule.full_at) : "";
    inputs.per_unit.value = rule?.type === "penalty" ? typed(rule.per_unit) : "";
    inputs.floor.value = rule?.type === "penalty" ? typed(rule.floor) : "";
    show();
  };
  // {rule} or null after showing each problem beside its field (the first one focused and announced).
  const read = (max, isBranch) => {
    clear();
    const values = Object.fromEntries(RULE_FIELDS.map((name) => [name, inputs[name].value]));
    const result = readRule(values, max, isBranch);
    if (!result.problems) return result;
    const names = RULE_FIELDS.filter((name) => result.problems[name]);
    for (const name of names) {
      const [key, params] = result.problems[name];
      errors[name].textContent = t(key, params ? { max: h.number(params.max) } : {});
      errors[name].hidden = false;
      inputs[name].setAttribute("aria-invalid", "true");
      const hint = inputs[name].getAttribute("aria-describedby");
      inputs[name].setAttribute("aria-describedby", hint ? `${hint} ${id(name)}-error` : `${id(name)}-error`);
    }
    ui.announce(errors[names[0]].textContent, "error");
    inputs[names[0]].focus();
    return null;
  };
  const node = el("fieldset", { class: "group", id: "apa-edit-rule" }, el("legend", {}, t("apa_rule")), ...RULE_FIELDS.map((name) => wraps[name]));
  return { node, fill, read };
}

function editCard(ui, h, base, criteria, redraw) {
  const { el, t } = ui;
  const byCode = Object.fromEntries(criteria.map((c) => [c.code, c]));
  const branches = new Set(criteria.map((c) => c.parent).filter(Boolean));
  const picker = h.select("criterion", criteria.map((c) => [c.code, `${c.code}. ${c.title}`]), criteria[0].code);
  const title = el("input", { type: "text", name: "title" });
  const max = el("input", { type: "number", name: "max_points", min: "0", step: "any" });
  const org = h.select("council_org", [["", t("apa_org_inherit")], ...ORGS.map((o) => [o, o])], "");
  const rule = ruleEditor(ui, h);
  const boxes = GROUPS.map((g) => h.checkbox(`apa-edit-group-${g}`, t(`adm_group_${g}`)));
  const problems = el("div", { class: "problems-slot", id: "apa-edit-problems" });
  const fill = () => {
    const c = byCode[picker.value];
    title.value = c.title;
    max.value = c.max_points;
    org.value = c.council_org || "";
    rule.fill(c.rule);
    GROUPS.forEach((g, i) => (boxes[i].querySelector("input").checked = Boolean(c.groups?.includes(g))));
  };
  picker.addEventListener("change", fill);
  const submit = async (event) => {
    event.preventDefault();
    const c = byCode[picker.value];
    const read = rule.read(max.value === "" ? NaN : Number(max.value), branches.has(c.code));
    if (!read) return;
    const body = {};
    if (title.value !== c.title) body.title = title.value;
    if (Number(max.value) !== c.max_points) body.max_points = max.value === "" ? null : Number(max.value);
    if ((org.value || null) !== (c.council_org || null)) body.council_org = org.value || null;
    const chosen = GROUPS.filter((_, i) => boxes[i].querySelector("input").checked);
    const groups = chosen.length ? chosen : null;
    if (JSON.stringify(groups) !== JSON.stringify(c.groups?.length ? c.groups : null)) body.groups = groups;
    if (JSON.stringify(read.rule) !== JSON.stringify(canonical(c.rule))) body.rule = read.rule;
    if (!Object.keys(body).length) {
      ui.announce(t("apa_nothing_changed"), "error");
      return;
    }
    const done = await h.attempt(() => h.call(`${base}/criteria/${enc(c.code)}`, { method: "PATCH", body }), problems);
    if (done) {
      await redraw();
      ui.announce(t("apa_edited", { code: c.code }), "ok");
    }
  };
  fill();
  return h.card(
    "apa-edit-card",
    t("apa_edit"),
    el(
      "form",
      { id: "apa-edit-form", onsubmit: submit, novalidate: true },
      h.field("apa-edit-code", t("apa_code"), picker),
      h.field("apa-edit-title", t("apa_title"), title),
      h.field("apa-edit-max", t("apa_max"), max),
      h.field("apa-edit-org", t("apa_council_org"), org),
      el("fieldset", { class: "group" }, el("legend", {}, t("apa_groups")), ...boxes),
      rule.node,
      problems,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "apa-edit-save" }, t("adm_save"))),
    ),
  );
}

// ------------------------------------------------------------------ council members and deadlines

// An ISO date-time of the API as the value of <input type="datetime-local"> (the browser's time zone).
function localInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function councilCard(ui, h, base, calendar, members, redraw) {
  const { el, t } = ui;
  const inputs = Object.fromEntries(STAGES.map((s) => [s, el("input", { type: "datetime-local", name: s, value: localInput(calendar[s]) })]));
  const deadlineProblems = el("div", { class: "problems-slot", id: "apa-deadline-problems" });
  const saveDeadlines = async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(STAGES.map((s) => [s, inputs[s].value ? new Date(inputs[s].value).toISOString() : null]));
    const done = await h.attempt(() => h.call(`${base}/appraisal-calendar`, { method: "PUT", body }), deadlineProblems);
    if (done) {
      await redraw();
      ui.announce(t("apa_deadlines_saved"), "ok");
    }
  };
  const username = el("input", { type: "text", name: "username", autocomplete: "off" });
  const kind = h.select("kind", [["council_org", t("apa_member_appraiser")], ["agency", t("apa_member_officer")]], "council_org");
  const org = h.select("council_org", ORGS.map((o) => [o, o]), "SNV");
  const agency = el("input", { type: "text", name: "agency", autocomplete: "off" });
  const memberProblems = el("div", { class: "problems-slot", id: "apa-member-problems" });
  const assign = async (event) => {
    event.preventDefault();
    const body = { username: username.value.trim(), agency: null, council_org: null };
    if (kind.value === "agency") body.agency = agency.value.trim();
    else body.council_org = org.value;
    const done = await h.attempt(() => h.call("/api/v1/appraisal/members", { method: "POST", body }), memberProblems);
    if (done) {
      await redraw();
      ui.announce(t("apa_member_saved", { user: done.username, place: done.agency || done.council_org }), "ok");
    }
  };
  // Who is appraiser for which organisation and officer for which agency (GET /api/v1/appraisal/members).
  const memberRows = members.map((m) =>
    el(
      "tr",
      { "data-member": m.username },
      el("th", { scope: "row" }, m.full_name ? `${m.full_name} (${m.username})` : m.username),
      el("td", {}, m.council_org ? t("apa_member_appraiser") : t("apa_member_officer")),
      el("td", {}, m.agency ? `${m.agency.name} (${m.agency.code})` : `${m.council_org_name || m.council_org} (${m.council_org})`),
      el("td", {}, m.active ? "" : t("apa_member_inactive")),
    ),
  );
  return h.card(
    "apa-council-card",
    t("apa_council"),
    el("h3", {}, t("apa_deadlines")),
    el(
      "form",
      { id: "apa-deadline-form", onsubmit: saveDeadlines, novalidate: true },
      ...STAGES.map((s) => h.field(`apa-${s}`, t(`apa_${s}`), inputs[s], calendar[s] ? h.when(calendar[s]) : t("apa_no_deadline"))),
      deadlineProblems,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "apa-deadlines-save" }, t("adm_save"))),
    ),
    el("h3", {}, t("apa_members")),
    el("p", { class: "hint" }, t("apa_members_hint")),
    memberRows.length
      ? h.table(t("apa_members_caption"), [t("apa_username"), t("apa_member_kind"), t("apa_member_place"), t("apa_member_state")], memberRows, { id: "apa-members" })
      : el("p", { class: "note", id: "apa-no-members" }, t("apa_no_members")),
    el(
      "form",
      { id: "apa-member-form", onsubmit: assign, novalidate: true },
      h.field("apa-member-username", t("apa_username"), username),
      h.field("apa-member-kind", t("apa_member_kind"), kind),
      h.field("apa-member-org", t("apa_council_org"), org),
      h.field("apa-member-agency", t("apa_agency_code"), agency),
      memberProblems,
      el("div", { class: "actions" }, el("button", { type: "submit", id: "apa-member-save" }, t("apa_assign"))),
    ),
  );
}

// ------------------------------------------------------------------ progress and lock

function progressCard(ui, h, p) {
  const { el, t } = ui;
  const agencyRows = p.agencies.map((a) =>
    el(
      "tr",
      { "data-agency": a.code },
      el("th", { scope: "row" }, `${a.name} (${a.code})`),
      el("td", {}, a.submitted_at ? h.when(a.submitted_at) : t("apa_not_submitted")),
      el("td", { class: "num" }, h.number(a.self)),
      el("td", { class: "num" }, h.number(a.appraised)),
    ),
  );
  const orgRows = p.organisations.map((o) =>
    el(
      "tr",
      { "data-org": o.council_org },
      el("th", { scope: "row" }, `${o.name} (${o.council_org})`),
      el("td", { class: "num" }, h.number(o.due, 0)),
      el("td", { class: "num" }, h.number(o.appraised, 0)),
      el("td", { class: "num" }, h.number(o.due - o.appraised, 0)),
    ),
  );
  const appraiserRows = p.appraisers.map((a) => el("tr", { "data-user": a.username }, el("th", { scope: "row" }, a.username), el("td", { class: "num" }, h.number(a.appraised, 0))));
  const diffRows = p.differences.map((d) =>
    el(
      "tr",
      { "data-agency": d.agency, "data-area": d.area },
      el("th", { scope: "row" }, d.agency),
      el("td", {}, d.area),
      el("td", { class: "num" }, h.number(d.self)),
      el("td", { class: "num" }, h.number(d.appraised)),
      el("td", { class: "num" }, h.number(d.difference)),
    ),
  );
  return h.card(
    "apa-progress-card",
    t("apa_progress"),
    el("p", { id: "apa-submitted" }, t("apa_submitted_n", { n: p.submitted, of: p.participants })),
    h.table(t("apa_agencies_caption"), [t("apa_agency"), t("apa_submitted_at"), t("apa_self"), t("apa_appraised")], agencyRows, { id: "apa-agencies" }),
    orgRows.length
      ? h.table(t("apa_orgs_caption"), [t("apa_council_org"), t("apa_due"), t("apa_appraised_n"), t("apa_left")], orgRows, { id: "apa-orgs" })
      : el("p", {}, t("apa_nothing_due")),
    appraiserRows.length
      ? h.table(t("apa_appraisers_caption"), [t("apa_username"), t("apa_appraised_n")], appraiserRows, { id: "apa-appraisers" })
      : el("p", { id: "apa-no-appraisal" }, t("apa_no_appraisal_yet")),
    diffRows.length
      ? h.table(t("apa_diff_caption"), [t("apa_agency"), t("apa_area"), t("apa_self"), t("apa_appraised"), t("apa_difference")], diffRows, { id: "apa-differences" })
      : el("p", { id: "apa-no-differences" }, t("apa_no_differences")),
  );
}

function lockCard(ui, h, base, p, redraw) {
  const { el, t } = ui;
  const slot = el("div", { id: "apa-lock-confirm" });
  const problems = el("div", { class: "problems-slot", id: "apa-lock-problems" });
  const cancel = () => {
    slot.replaceChildren();
    document.getElementById("apa-lock")?.focus();
  };
  const confirm = async () => {
    const done = await h.attempt(() => h.call(`${base}/appraisal/lock`, { method: "POST" }), problems);
    if (done) {
      await redraw();
      ui.announce(t("apa_locked_done", { n: done.agencies.length }), "ok");
    }
  };
  // Before locking: what is still unappraised, per council organisation, and which agencies have not submitted
  // (they are left out of the locked points). The server refuses a lock with anything unappraised.
  const ask = () => {
    const left = p.organisations.filter((o) => o.due > o.appraised);
    const unsent = p.agencies.filter((a) => !a.submitted_at);
    const total = left.reduce((sum, o) => sum + o.due - o.appraised, 0);
    slot.replaceChildren(
      el(
        "div",
        { class: `card ${total || unsent.length ? "warning" : "note"}`, role: "alertdialog", "aria-labelledby": "apa-lock-question" },
        el("p", { id: "apa-lock-question" }, el("strong", {}, t("apa_lock_question", { round: h.round() }))),
        total
          ? el(
              "ul",
              { id: "apa-unappraised" },
              ...left.map((o) => el("li", { "data-org": o.council_org }, t("apa_unappraised_org", { org: o.name, n: o.due - o.appraised }))),
            )
          : el("p", { id: "apa-all-appraised" }, t("apa_all_appraised")),
        total ? el("p", {}, t("apa_lock_refused_hint", { n: total })) : null,
        unsent.length ? el("p", { id: "apa-unsent" }, t("apa_unsent", { n: unsent.length, list: unsent.map((a) => a.code).join(", ") })) : null,
        problems,
        el(
          "div",
          { class: "actions" },
          el("button", { type: "button", class: "primary", id: "apa-lock-yes", onclick: confirm }, t("apa_lock_yes")),
          el("button", { type: "button", id: "apa-lock-no", onclick: cancel }, t("apa_cancel")),
        ),
      ),
    );
    document.getElementById("apa-lock-yes").focus();
  };
  return h.card(
    "apa-lock-card",
    t("apa_lock"),
    el("p", { class: "hint" }, t("apa_lock_hint")),
    el("div", { class: "actions" }, el("button", { type: "button", id: "apa-lock", onclick: ask }, t("apa_lock_button"))),
    slot,
  );
}
