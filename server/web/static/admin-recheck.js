// Re-check (phúc tra): draw the round's sample with its parameters after a dry run that shows how many
// ballots it takes per agency, per enumerator and per organisation (MTTQ, CCB), then give re-checks to
// reviewers in bulk. Calls /api/v1/rounds/<code>/recheck-samples and /rechecks (admin, supervisor).

export async function renderRecheck(ui, h) {
  const { el, t, main } = ui;
  const rounds = await h.rounds();
  if (!h.round()) {
    h.page(el("p", { class: "card" }, t("no_rounds")), ui.whoSection());
    return;
  }
  const code = encodeURIComponent(h.round());
  const rechecks = await h.call(`/api/v1/rounds/${code}/rechecks`);
  const names = Object.fromEntries((await h.call("/api/v1/agencies")).map((a) => [a.code, a.name]));
  const users = await h.call("/api/v1/users").catch(() => null);
  const reviewers = users
    ? users.filter((u) => u.role === "reviewer" && u.active)
    : [...new Set(rechecks.map((r) => r.reviewer).filter(Boolean))].map((username) => ({ username, organisation: rechecks.find((r) => r.reviewer === username).organisation }));
  h.page(
    el("h2", { class: "page-title" }, `${t("adm_screen_recheck")} — ${t("round")} ${h.round()}`),
    rounds.length > 1 ? h.roundPicker(rounds, () => renderRecheck(ui, h)) : null,
    sampleCard(ui, h, names),
    assignCard(ui, h, rechecks, reviewers, names),
    ui.whoSection(),
  );
}

function sampleCard(ui, h, names) {
  const { el, t } = ui;
  const problems = el("div", { class: "problems-slot" });
  const preview = el("div", { id: "sample-preview", "aria-live": "polite" });
  const inputs = {
    seed: el("input", { name: "seed", type: "number", value: String(Math.floor(Math.random() * 1e6)) }),
    rate: el("input", { name: "rate", type: "number", step: "any", min: "0", max: "100", value: "10" }),
    min_per_enumerator: el("input", { name: "min_per_enumerator", type: "number", min: "0", value: "2" }),
    shortest_share: el("input", { name: "shortest_share", type: "number", step: "any", min: "0", max: "100", value: "0" }),
  };
  const boxes = ["straight_lined", "repeated_contacts", "both_organisations"].map((name) => [name, h.checkbox(`sample-${name}`, t(`adm_sample_${name}`))]);
  const body = (dryRun) => ({
    seed: Number(inputs.seed.value),
    rate: Number(inputs.rate.value) / 100,
    min_per_enumerator: Number(inputs.min_per_enumerator.value),
    shortest_share: Number(inputs.shortest_share.value) / 100,
    ...Object.fromEntries(boxes.map(([name, box]) => [name, box.querySelector("input").checked])),
    dry_run: dryRun,
  });
  const draw = async (dryRun) => {
    const path = `/api/v1/rounds/${encodeURIComponent(h.round())}/recheck-samples`;
    const result = await h.attempt(() => h.call(path, { method: "POST", body: body(dryRun) }), problems);
    if (!result) return;
    if (dryRun) {
      preview.replaceChildren(breakdown(ui, h, result, names));
      ui.announce(t("adm_preview_ready", { n: result.selected }), "ok");
    } else {
      await renderRecheck(ui, h);
      ui.announce(t("adm_sample_drawn", { n: result.selected }), "ok");
    }
  };
  return h.card(
    "sample",
    t("adm_draw_sample"),
    el("p", { class: "hint" }, t("adm_sample_hint")),
    el(
      "form",
      { id: "sample-form", novalidate: true, onsubmit: (event) => (event.preventDefault(), draw(true)) },
      el(
        "div",
        { class: "grid2" },
        h.field("sample-rate", t("adm_sample_rate"), inputs.rate),
        h.field("sample-min", t("adm_sample_min"), inputs.min_per_enumerator),
        h.field("sample-shortest", t("adm_sample_shortest"), inputs.shortest_share),
        h.field("sample-seed", t("adm_sample_seed"), inputs.seed, t("adm_sample_seed_hint")),
      ),
      ...boxes.map(([, box]) => box),
      problems,
      el(
        "div",
        { class: "actions" },
        el("button", { type: "submit", id: "sample-preview-button" }, t("adm_preview")),
        el("button", { type: "button", class: "primary", id: "sample-draw", onclick: () => draw(false) }, t("adm_draw")),
      ),
    ),
    preview,
  );
}

function breakdown(ui, h, result, names) {
  const { el, t } = ui;
  const part = (id, title, counts) =>
    h.table(
      title,
      [title, t("adm_ballots")],
      Object.entries(counts).map(([name, n]) => el("tr", {}, el("th", { scope: "row" }, name), el("td", { class: "n" }, String(n)))),
      { id },
    );
  return el(
    "div",
    { class: "preview" },
    el("p", { id: "preview-total" }, t("adm_preview_total", { n: result.selected })),
    el(
      "div",
      { class: "columns" },
      part("preview-agency", t("agency"), Object.fromEntries(Object.entries(result.by_agency).map(([code, n]) => [names[code] ?? code, n]))),
      part("preview-enumerator", t("adm_enumerator"), result.by_enumerator),
      part("preview-organisation", t("adm_organisation"), result.by_organisation),
      part("preview-reason", t("adm_reason"), Object.fromEntries(Object.entries(result.by_reason).map(([k, v]) => [t(`adm_reason_${k}`, {}, k), v]))),
    ),
  );
}

function assignCard(ui, h, rechecks, reviewers, names) {
  const { el, t } = ui;
  if (!rechecks.length) return h.card("rechecks", t("adm_rechecks"), el("p", {}, t("adm_no_rechecks")));
  const problems = el("div", { class: "problems-slot" });
  const boxes = [];
  const rows = rechecks.map((r) => {
    const box = el("input", { type: "checkbox", name: "recheck", value: String(r.id), "aria-label": t("adm_pick_recheck", { id: r.id }), "data-organisation": r.organisation, "data-reviewer": r.reviewer ?? "" });
    boxes.push(box);
    return el(
      "tr",
      { "data-recheck": String(r.id) },
      el("td", {}, box),
      el("th", { scope: "row" }, `#${r.id}`),
      el("td", {}, names[r.agency_code] ?? r.agency_code),
      el("td", {}, r.enumerator),
      el("td", {}, r.organisation),
      el("td", { class: "reviewer" }, r.reviewer ?? t("adm_nobody")),
    );
  });
  const reviewer = h.select("reviewer", reviewers.map((u) => [u.username, `${u.full_name || u.username} (${u.organisation})`]), reviewers[0]?.username);
  const pickUnassigned = () => {
    const organisation = reviewers.find((u) => u.username === reviewer.value)?.organisation;
    for (const box of boxes) box.checked = box.dataset.organisation === organisation && !box.dataset.reviewer;
  };
  const assign = async (event) => {
    event.preventDefault();
    const ids = boxes.filter((b) => b.checked).map((b) => Number(b.value));
    if (!ids.length) {
      ui.announce(t("adm_pick_some"), "error");
      return;
    }
    const done = await h.attempt(
      () => h.call(`/api/v1/rounds/${encodeURIComponent(h.round())}/rechecks/reviewer`, { method: "POST", body: { assignments: ids, username: reviewer.value } }),
      problems,
    );
    if (done) {
      await renderRecheck(ui, h);
      ui.announce(t("adm_assigned_n", { n: done.length, name: reviewer.value }), "ok");
    }
  };
  return h.card(
    "rechecks",
    t("adm_rechecks"),
    el(
      "form",
      { id: "assign-form", onsubmit: assign, novalidate: true },
      h.field("assign-reviewer", t("adm_reviewer"), reviewer),
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", id: "pick-unassigned", onclick: pickUnassigned }, t("adm_pick_unassigned")),
        el("button", { type: "submit", class: "primary", id: "assign-submit" }, t("adm_assign")),
      ),
      problems,
      h.table(t("adm_rechecks"), [t("adm_pick"), t("adm_recheck"), t("agency"), t("adm_enumerator"), t("adm_organisation"), t("adm_reviewer")], rows),
    ),
  );
}
