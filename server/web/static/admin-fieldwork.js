// Fieldwork (phân công): which enumerator works at which agency, and their ballot quota, as a grid (enumerators
// down, the round's surveyed agencies across; an empty cell is no assignment), imported from CSV or XLSX or copied
// from another round; and the round's quality settings as a form, each with its default and what it does.
// Calls /api/v1/rounds/<code>/assignments and /quality-settings (admin, supervisor).

const SETTINGS = [
  ["min_interview_seconds", "number"],
  ["key_questions", "list"],
  ["contact_questions", "list"],
  ["quarantine_failure_rate", "percent"],
  ["quarantine_min_decided", "number"],
  ["exclude_own_agency", "boolean"],
];

export async function renderFieldwork(ui, h) {
  const { el, t, main } = ui;
  const rounds = await h.rounds();
  if (!h.round()) {
    h.page(el("p", { class: "card" }, t("no_rounds")), ui.whoSection());
    return;
  }
  const code = encodeURIComponent(h.round());
  const round = rounds.find((r) => r.code === h.round());
  const [assignments, users, settings] = [
    await h.call(`/api/v1/rounds/${code}/assignments`),
    await h.call("/api/v1/users").catch(() => null),
    await h.call(`/api/v1/rounds/${code}/quality-settings`),
  ];
  // Supervisors may not list users: the grid then shows the enumerators who already have an assignment.
  const enumerators = users
    ? users.filter((u) => u.role === "enumerator" && u.active).map((u) => ({ username: u.username, full_name: u.full_name }))
    : [...new Set(assignments.map((a) => a.username))].map((username) => ({ username, full_name: "" }));
  const agencies = round.participants.filter((p) => p.surveyed);
  h.page(
    el("h2", { class: "page-title" }, `${t("adm_screen_fieldwork")} — ${t("round")} ${round.code}`),
    rounds.length > 1 ? h.roundPicker(rounds, () => renderFieldwork(ui, h)) : null,
    gridCard(ui, h, round, enumerators, agencies, assignments),
    importCard(ui, h, round, rounds),
    settingsCard(ui, h, round, settings),
    ui.whoSection(),
  );
}

function gridCard(ui, h, round, enumerators, agencies, assignments) {
  const { el, t } = ui;
  const open = round.state === "open";
  const current = new Map(assignments.map((a) => [`${a.username}|${a.agency_code}`, a.quota]));
  const problems = el("div", { class: "problems-slot", id: "grid-problems" });
  const cells = [];
  const rows = enumerators.map((e) =>
    el(
      "tr",
      { "data-enumerator": e.username },
      el("th", { scope: "row" }, e.full_name ? `${e.full_name} (${e.username})` : e.username),
      ...agencies.map((a) => {
        const key = `${e.username}|${a.agency_code}`;
        const input = el("input", {
          type: "number",
          min: "0",
          step: "1",
          class: "quota",
          name: `quota-${e.username}-${a.agency_code}`,
          value: current.has(key) ? String(current.get(key)) : "",
          disabled: !open,
          "aria-label": t("adm_quota_of", { who: e.username, agency: a.agency_name }),
        });
        cells.push({ key, username: e.username, agency: a.agency_code, input });
        return el("td", {}, input);
      }),
    ),
  );
  const save = async () => {
    let changed = 0;
    for (const cell of cells) {
      const text = cell.input.value.trim();
      const before = current.get(cell.key);
      const path = `/api/v1/rounds/${encodeURIComponent(round.code)}/assignments/${encodeURIComponent(cell.username)}/${encodeURIComponent(cell.agency)}`;
      let action = null;
      if (text === "" && before !== undefined) action = () => h.call(path, { method: "DELETE" });
      else if (text !== "" && Number(text) !== before) action = () => h.call(path, { method: "PUT", body: { quota: Number(text) } });
      if (!action) continue;
      const ok = await h.attempt(action, problems);
      if (!ok) {
        cell.input.focus();
        return;
      }
      changed += 1;
    }
    await renderFieldwork(ui, h);
    ui.announce(t("adm_assignments_saved", { n: changed }), "ok");
  };
  const headers = [t("adm_enumerator"), ...agencies.map((a) => `${a.agency_name} (${a.ballot_quota})`)];
  return h.card(
    "assignments",
    t("adm_assignments"),
    el("p", { class: "hint" }, t("adm_grid_hint")),
    enumerators.length && agencies.length
      ? h.table(t("adm_assignments"), headers, rows, { class: "grid" })
      : el("p", {}, t("adm_grid_empty")),
    problems,
    open && cells.length ? el("div", { class: "actions" }, el("button", { type: "button", class: "primary", id: "save-grid", onclick: save }, t("adm_save_assignments"))) : null,
  );
}

function importCard(ui, h, round, rounds) {
  const { el, t } = ui;
  const file = el("input", { type: "file", name: "file", accept: ".csv,.xlsx" });
  const problems = el("div", { class: "problems-slot", id: "assignment-import-problems" });
  const others = rounds.filter((r) => r.code !== round.code);
  const from = h.select("from_round", others.map((r) => [r.code, h.roundName(r)]), others.at(-1)?.code);
  const upload = async (event) => {
    event.preventDefault();
    const done = await h.upload(file, `/api/v1/rounds/${encodeURIComponent(round.code)}/assignments/import`, problems);
    if (done) {
      await renderFieldwork(ui, h);
      ui.announce(t("adm_assignments_saved", { n: done.rows }), "ok");
    }
  };
  const copy = async (event) => {
    event.preventDefault();
    const done = await h.attempt(
      () => h.call(`/api/v1/rounds/${encodeURIComponent(round.code)}/assignments/copy`, { method: "POST", body: { from_round: from.value } }),
      problems,
    );
    if (done) {
      await renderFieldwork(ui, h);
      ui.announce(t("adm_copied", done), "ok");
    }
  };
  if (round.state !== "open") return null;
  return h.card(
    "assignment-import",
    t("adm_import_assignments"),
    el(
      "form",
      { id: "assignment-import-form", onsubmit: upload, novalidate: true },
      h.field("assignment-file", t("adm_file_csv_xlsx"), file, t("adm_assignment_file_hint")),
      el("div", { class: "actions" }, el("button", { type: "submit", id: "assignment-import-submit" }, t("adm_import"))),
    ),
    others.length
      ? el(
          "form",
          { id: "assignment-copy-form", onsubmit: copy },
          h.field("copy-from-round", t("adm_copy_assignments_from"), from),
          el("div", { class: "actions" }, el("button", { type: "submit", id: "assignment-copy-submit" }, t("adm_copy"))),
        )
      : null,
    problems,
  );
}

function settingsCard(ui, h, round, { settings, defaults }) {
  const { el, t } = ui;
  const problems = el("div", { class: "problems-slot" });
  const controls = {};
  const fields = SETTINGS.map(([name, kind]) => {
    const id = `setting-${name}`;
    const shown = (value) =>
      kind === "list" ? value.join(", ") : kind === "percent" ? String(Math.round(value * 1000) / 10) : kind === "boolean" ? (value ? t("adm_yes") : t("adm_no")) : String(value);
    const hint = `${t(`adm_setting_${name}_hint`)} ${t("adm_default")}: ${shown(defaults[name])}.`;
    if (kind === "boolean") {
      const box = el("input", { type: "checkbox", id, name, checked: settings[name], "aria-describedby": `${id}-hint` });
      controls[name] = () => box.checked;
      return el("div", { class: "field check" }, box, el("label", { for: id }, t(`adm_setting_${name}`)), el("p", { class: "hint", id: `${id}-hint` }, hint));
    }
    const input = el("input", { name, type: kind === "list" ? "text" : "number", step: "any", min: "0", value: shown(settings[name]) });
    controls[name] = () =>
      kind === "list"
        ? input.value.split(",").map((s) => s.trim()).filter(Boolean)
        : kind === "percent"
          ? Number(input.value) / 100
          : Number(input.value);
    return h.field(id, t(`adm_setting_${name}`), input, hint);
  });
  const submit = async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(Object.entries(controls).map(([name, read]) => [name, read()]));
    await h.attempt(() => h.call(`/api/v1/rounds/${encodeURIComponent(round.code)}/quality-settings`, { method: "PATCH", body }), problems, t("adm_saved"));
  };
  return h.card(
    "quality-settings",
    t("adm_quality_settings"),
    el("form", { id: "quality-settings-form", onsubmit: submit, novalidate: true }, ...fields, problems, el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "save-settings" }, t("adm_save")))),
  );
}
