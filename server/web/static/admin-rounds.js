// Rounds (đợt khảo sát): create one by copying last year's (window, bands, survey maximum, maximum points and
// quotas, method version) or from nothing, change it, choose its agencies with their maximum points and ballot
// quota, and close it. Calls /api/v1/rounds (admin, supervisor).

export async function renderRounds(ui, h) {
  const { el, t, main } = ui;
  const rounds = await h.rounds();
  const rows = rounds.map((r) =>
    el(
      "tr",
      { "data-round": r.code },
      el("th", { scope: "row" }, h.roundName(r)),
      el("td", {}, String(r.year)),
      el("td", {}, `${h.day(r.window_start)} → ${h.day(r.window_end)}`),
      el("td", { class: "n" }, String(r.participants.length)),
      el("td", {}, r.state === "open" ? t("adm_open") : t("round_closed")),
      el(
        "td",
        {},
        el("button", { type: "button", class: "edit-round", onclick: () => editRound(ui, h, r.code) }, `${t("adm_edit")} ${r.code}`),
      ),
    ),
  );
  h.page(
    el("h2", { class: "page-title" }, t("adm_screen_rounds")),
    h.card(
      "rounds",
      t("adm_rounds_list"),
      rounds.length
        ? h.table(t("adm_rounds_list"), [t("round"), t("adm_year"), t("adm_window"), t("adm_agencies_n"), t("adm_state"), ""], rows)
        : el("p", {}, t("no_rounds")),
    ),
    newRoundForm(ui, h, rounds),
    ui.whoSection(),
  );
}

function newRoundForm(ui, h, rounds) {
  const { el, t } = ui;
  const latest = rounds[rounds.length - 1];
  const problems = el("div", { class: "problems-slot" });
  const copyFrom = h.select("copy_from", [["", t("adm_copy_none")], ...rounds.map((r) => [r.code, h.roundName(r)])], latest?.code ?? "");
  const year = new Date().getFullYear();
  const inputs = {
    code: el("input", { name: "code", required: true, value: latest ? String(latest.year + 1) : String(year) }),
    year: el("input", { name: "year", type: "number", required: true, value: latest ? String(latest.year + 1) : String(year) }),
    title: el("input", { name: "title" }),
    window_start: el("input", { name: "window_start", type: "date" }),
    window_end: el("input", { name: "window_end", type: "date" }),
    method_version: el("input", { name: "method_version", value: latest ? "" : "2017" }),
    survey_max_points: el("input", { name: "survey_max_points", type: "number", step: "any", value: latest ? "" : "10" }),
  };
  const submit = async (event) => {
    event.preventDefault();
    const body = { code: inputs.code.value.trim(), year: Number(inputs.year.value), title: inputs.title.value.trim() };
    if (copyFrom.value) body.copy_from = copyFrom.value;
    for (const name of ["window_start", "window_end", "method_version"]) if (inputs[name].value) body[name] = inputs[name].value;
    if (inputs.survey_max_points.value) body.survey_max_points = Number(inputs.survey_max_points.value);
    const created = await h.attempt(() => h.call("/api/v1/rounds", { method: "POST", body }), problems, t("adm_round_created", { code: body.code }));
    if (created) await editRound(ui, h, body.code);
  };
  return h.card(
    "new-round",
    t("adm_new_round"),
    el(
      "form",
      { id: "new-round-form", onsubmit: submit, novalidate: true },
      h.field("round-copy-from", t("adm_copy_from"), copyFrom, t("adm_copy_hint")),
      el(
        "div",
        { class: "grid2" },
        h.field("round-code", t("adm_code"), inputs.code),
        h.field("round-year", t("adm_year"), inputs.year),
      ),
      h.field("round-title", t("adm_title"), inputs.title),
      el(
        "div",
        { class: "grid2" },
        h.field("round-window-start", t("adm_window_start"), inputs.window_start),
        h.field("round-window-end", t("adm_window_end"), inputs.window_end),
      ),
      el(
        "div",
        { class: "grid2" },
        h.field("round-method", t("adm_method_version"), inputs.method_version),
        h.field("round-survey-max", t("adm_survey_max"), inputs.survey_max_points),
      ),
      el("p", { class: "hint" }, t("adm_new_round_hint")),
      problems,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "create-round" }, t("adm_create_round"))),
    ),
  );
}

export async function editRound(ui, h, code) {
  const { el, t, main } = ui;
  const round = await h.call(`/api/v1/rounds/${encodeURIComponent(code)}`);
  const agencies = await h.call("/api/v1/agencies");
  const open = round.state === "open";
  const problems = el("div", { class: "problems-slot" });
  const back = el("button", { type: "button", id: "rounds-back", onclick: () => renderRounds(ui, h) }, t("adm_back"));

  const inputs = {
    title: el("input", { name: "title", value: round.title || "" }),
    window_start: el("input", { name: "window_start", type: "date", value: round.window_start }),
    window_end: el("input", { name: "window_end", type: "date", value: round.window_end }),
    method_version: el("input", { name: "method_version", value: round.method_version }),
    survey_max_points: el("input", { name: "survey_max_points", type: "number", step: "any", value: String(round.survey_max_points) }),
  };
  const bandRows = round.bands.map((b, i) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, el("input", { name: `band-label-${i}`, value: b.label, "aria-label": `${t("adm_band")} ${i + 1}` })),
      el(
        "td",
        {},
        b.min === null
          ? t("adm_band_rest")
          : el("input", { name: `band-min-${i}`, type: "number", step: "any", value: String(b.min), "aria-label": `${t("adm_band_min")} ${b.label}` }),
      ),
    ),
  );
  const saveSettings = async (event) => {
    event.preventDefault();
    const bands = round.bands.map((b, i) => ({
      code: b.code,
      label: main.querySelector(`[name=band-label-${i}]`).value.trim(),
      min: b.min === null ? null : Number(main.querySelector(`[name=band-min-${i}]`).value),
    }));
    const body = {
      title: inputs.title.value.trim(),
      window_start: inputs.window_start.value,
      window_end: inputs.window_end.value,
      method_version: inputs.method_version.value.trim(),
      survey_max_points: Number(inputs.survey_max_points.value),
      bands,
    };
    await h.attempt(() => h.call(`/api/v1/rounds/${encodeURIComponent(code)}`, { method: "PATCH", body }), problems, t("adm_saved"));
  };
  const settings = h.card(
    "round-settings",
    `${t("round")} ${round.code}${open ? "" : ` (${t("round_closed")})`}`,
    el(
      "form",
      { id: "round-settings-form", onsubmit: saveSettings, novalidate: true },
      el("fieldset", { disabled: !open, class: "plain" },
        el("legend", { class: "visually-hidden" }, t("adm_round_settings")),
        h.field("edit-title", t("adm_title"), inputs.title),
        el("div", { class: "grid2" }, h.field("edit-window-start", t("adm_window_start"), inputs.window_start), h.field("edit-window-end", t("adm_window_end"), inputs.window_end)),
        el("div", { class: "grid2" }, h.field("edit-method", t("adm_method_version"), inputs.method_version), h.field("edit-survey-max", t("adm_survey_max"), inputs.survey_max_points)),
        h.table(t("adm_bands"), [t("adm_band"), t("adm_band_min")], bandRows),
        problems,
        el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "save-round" }, t("adm_save"))),
      ),
    ),
  );

  const participants = round.participants.map((p) => participantRow(ui, h, round, p, open));
  const inRound = new Set(round.participants.map((p) => p.agency_code));
  const addable = agencies.filter((a) => !inRound.has(a.code));
  const addProblems = el("div", { class: "problems-slot" });
  const addAgency = h.select("agency", addable.map((a) => [a.code, `${a.name} (${a.code})`]), addable[0]?.code);
  const addMax = el("input", { name: "max_points", type: "number", step: "any", value: "100" });
  const addQuota = el("input", { name: "ballot_quota", type: "number", min: "0", value: "0" });
  const addAll = async () => {
    for (const a of addable) {
      const body = { max_points: a.handles_procedures ? 100 : 60, ballot_quota: 0 };
      const ok = await h.attempt(() => h.call(`/api/v1/rounds/${encodeURIComponent(code)}/agencies/${encodeURIComponent(a.code)}`, { method: "PUT", body }), addProblems);
      if (!ok) return;
    }
    ui.announce(t("adm_saved"), "ok");
    await editRound(ui, h, code);
  };
  const add = async (event) => {
    event.preventDefault();
    const body = { max_points: Number(addMax.value), ballot_quota: Number(addQuota.value) };
    const ok = await h.attempt(
      () => h.call(`/api/v1/rounds/${encodeURIComponent(code)}/agencies/${encodeURIComponent(addAgency.value)}`, { method: "PUT", body }),
      addProblems,
      t("adm_saved"),
    );
    if (ok) await editRound(ui, h, code);
  };
  const members = h.card(
    "round-agencies",
    t("adm_round_agencies"),
    el("p", { class: "hint" }, t("adm_round_agencies_hint")),
    participants.length
      ? h.table(t("adm_round_agencies"), [t("agency"), t("adm_surveyed"), t("adm_max_points"), t("adm_quota"), ""], participants, { class: "participants" })
      : el("p", {}, t("adm_no_agencies_in_round")),
    el("div", { class: "problems-slot", id: "round-agencies-problems" }),
    open && addable.length
      ? el(
          "form",
          { id: "add-agency-form", onsubmit: add, novalidate: true },
          el("h3", {}, t("adm_add_agency")),
          h.field("add-agency", t("agency"), addAgency),
          el("div", { class: "grid2" }, h.field("add-max", t("adm_max_points"), addMax), h.field("add-quota", t("adm_quota"), addQuota)),
          addProblems,
          el(
            "div",
            { class: "actions" },
            el("button", { type: "submit", class: "primary", id: "add-agency-submit" }, t("adm_add")),
            el("button", { type: "button", id: "add-all-agencies", onclick: addAll }, t("adm_add_all", { n: addable.length })),
          ),
        )
      : null,
  );

  const close = async () => {
    if (!window.confirm(t("adm_close_confirm", { code }))) return;
    const ok = await h.attempt(() => h.call(`/api/v1/rounds/${encodeURIComponent(code)}/close`, { method: "POST" }), null, t("adm_round_closed_ok", { code }));
    if (ok) await editRound(ui, h, code);
  };
  h.page(
    el("h2", { class: "page-title" }, `${t("adm_screen_rounds")}: ${round.code}`),
    el("div", { class: "actions" }, back),
    settings,
    members,
    open
      ? h.card("close-round", t("adm_close_round"), el("p", {}, t("adm_close_hint")), el("button", { type: "button", id: "close-round-button", onclick: close }, t("adm_close_round")))
      : null,
    ui.whoSection(),
  );
}

function participantRow(ui, h, round, p, open) {
  const { el, t } = ui;
  const surveyed = el("input", { type: "checkbox", name: "surveyed", checked: p.surveyed, disabled: !open, "aria-label": `${t("adm_surveyed")}: ${p.agency_name}` });
  const max = el("input", { type: "number", step: "any", name: "max_points", value: String(p.max_points), disabled: !open, "aria-label": `${t("adm_max_points")}: ${p.agency_name}` });
  const quota = el("input", { type: "number", min: "0", name: "ballot_quota", value: String(p.ballot_quota), disabled: !open, "aria-label": `${t("adm_quota")}: ${p.agency_name}` });
  const save = async () => {
    const body = { surveyed: surveyed.checked, max_points: Number(max.value), ballot_quota: Number(quota.value) };
    await h.attempt(
      () => h.call(`/api/v1/rounds/${encodeURIComponent(round.code)}/agencies/${encodeURIComponent(p.agency_code)}`, { method: "PUT", body }),
      document.getElementById("round-agencies-problems"),
      t("adm_saved"),
    );
  };
  const remove = async () => {
    if (!window.confirm(t("adm_remove_confirm", { name: p.agency_name }))) return;
    const done = await h.attempt(
      () => h.call(`/api/v1/rounds/${encodeURIComponent(round.code)}/agencies/${encodeURIComponent(p.agency_code)}`, { method: "DELETE" }),
      document.getElementById("round-agencies-problems"),
    );
    if (done) {
      await editRound(ui, h, round.code);
      ui.announce(t("adm_removed", { name: p.agency_name }), "ok");
    }
  };
  return el(
    "tr",
    { "data-agency": p.agency_code },
    el("th", { scope: "row" }, `${p.agency_name} (${p.agency_code})`),
    el("td", {}, surveyed),
    el("td", {}, max),
    el("td", {}, quota),
    el(
      "td",
      { class: "row-buttons" },
      open ? el("button", { type: "button", class: "save-participant", onclick: save }, `${t("adm_save")} ${p.agency_code}`) : null,
      open ? el("button", { type: "button", class: "remove-participant", onclick: remove }, `${t("adm_remove")} ${p.agency_code}`) : null,
    ),
  );
}
