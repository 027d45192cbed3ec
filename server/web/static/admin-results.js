// Results (kết quả): import the appraisal council's points (a template to download, the problems of each row),
// key in paper ballots (templates per form version, valid rows stored, refused rows listed and downloadable),
// the round's scoring settings, score the round, and download the exports and the report (HTML or PDF). The ranking itself is on the
// oversight screens. Calls /api/v1/rounds/<code>/appraisal and /score-runs (admin, supervisor).

export async function renderResults(ui, h) {
  const { el, t, main } = ui;
  const rounds = await h.rounds();
  if (!h.round()) {
    h.page(el("p", { class: "card" }, t("no_rounds")), ui.whoSection());
    return;
  }
  const code = encodeURIComponent(h.round());
  const [appraisal, runs, settings] = [
    await h.call(`/api/v1/rounds/${code}/appraisal`),
    await h.call(`/api/v1/rounds/${code}/score-runs`),
    await h.call(`/api/v1/rounds/${code}/scoring-settings`),
  ];
  h.page(
    el("h2", { class: "page-title" }, `${t("adm_screen_results")} — ${t("round")} ${h.round()}`),
    rounds.length > 1 ? h.roundPicker(rounds, () => renderResults(ui, h)) : null,
    appraisalCard(ui, h, appraisal),
    paperCard(ui, h),
    settingsCard(ui, h, settings),
    runsCard(ui, h, runs),
    ui.whoSection(),
  );
}

function appraisalCard(ui, h, appraisal) {
  const { el, t } = ui;
  const code = encodeURIComponent(h.round());
  const file = el("input", { type: "file", name: "file", accept: ".csv,.xlsx" });
  const problems = el("div", { class: "problems-slot", id: "appraisal-problems" });
  const count = (appraisal.agencies ?? appraisal.rows ?? []).length;
  const submit = async (event) => {
    event.preventDefault();
    const done = await h.upload(file, `/api/v1/rounds/${code}/appraisal`, problems);
    if (done) {
      await renderResults(ui, h);
      ui.announce(t("adm_appraisal_imported", { n: (done.agencies ?? done.rows ?? []).length }), "ok");
    }
  };
  return h.card(
    "appraisal",
    t("adm_appraisal"),
    el("p", { id: "appraisal-count" }, count ? t("adm_appraisal_count", { n: count }) : t("adm_no_appraisal")),
    el("p", {}, el("a", { class: "button", id: "appraisal-template", href: `/api/v1/rounds/${code}/appraisal/template.csv`, download: "" }, t("adm_download_template"))),
    el(
      "form",
      { id: "appraisal-form", onsubmit: submit, novalidate: true },
      h.field("appraisal-file", t("adm_file_csv_xlsx"), file, t("adm_appraisal_hint")),
      problems,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "appraisal-submit" }, t("adm_import"))),
    ),
  );
}

// Paper ballots: a template per form version (CSV or Excel), then the filled file. Valid rows are stored,
// rows already stored are skipped, and each refused row is listed with its line and reasons, with a file of
// the refused rows to correct and import again.
function paperCard(ui, h) {
  const { el, t } = ui;
  const code = encodeURIComponent(h.round());
  const file = el("input", { type: "file", name: "file", accept: ".csv,.xlsx" });
  const problems = el("div", { class: "problems-slot", id: "paper-problems" });
  const outcome = el("div", { id: "paper-outcome", role: "status" });
  const submit = async (event) => {
    event.preventDefault();
    const done = await h.upload(file, `/api/v1/rounds/${code}/paper-ballots`, problems);
    if (!done) return;
    const summary = t("adm_paper_done", { accepted: done.accepted, duplicates: done.duplicates, refused: done.refused_rows });
    const parts = [el("p", { id: "paper-summary" }, summary)];
    if (done.blank_scored) parts.push(el("p", { class: "hint" }, t("adm_paper_blank", { n: done.blank_scored })));
    if (done.refused_rows) {
      const rows = done.refused.flatMap((r) => r.problems.map((p) => ({ line: r.line, column: p.path, message: `${p.code}: ${p.message}` })));
      problems.replaceChildren(h.problemsTable(rows));
      const blob = new Blob(["\ufeff" + done.refused_file.text], { type: "text/csv;charset=utf-8" });
      parts.push(el("p", {}, el("a", { class: "button", id: "paper-refused", href: URL.createObjectURL(blob), download: done.refused_file.filename }, t("adm_paper_refused_file"))));
    }
    outcome.replaceChildren(...parts);
    ui.announce(summary, done.refused_rows ? "error" : "ok");
  };
  return h.card(
    "paper",
    t("adm_paper"),
    el(
      "p",
      { class: "actions" },
      el("a", { class: "button", id: "paper-template-xlsx", href: `/api/v1/rounds/${code}/paper-ballots/template.xlsx`, download: "" }, t("adm_paper_template_xlsx")),
      el("a", { class: "button", id: "paper-template-csv", href: `/api/v1/rounds/${code}/paper-ballots/template.csv`, download: "" }, t("adm_paper_template_csv")),
    ),
    el(
      "form",
      { id: "paper-form", onsubmit: submit, novalidate: true },
      h.field("paper-file", t("adm_file_csv_xlsx"), file, t("adm_paper_hint")),
      problems,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "paper-submit" }, t("adm_import"))),
    ),
    outcome,
  );
}

// The round's scoring settings: agencies below the minimum sample ranked with a mark or not ranked, the basis
// of rank and band (the displayed 2-decimal index, as published, or the unrounded one), the minimum sample.
function settingsCard(ui, h, settings) {
  const { el, t } = ui;
  const code = encodeURIComponent(h.round());
  const below = h.select("below_min_sample", [["rank_marked", t("adm_below_rank_marked")], ["not_ranked", t("adm_below_not_ranked")]], settings.below_min_sample);
  const basis = h.select("band_basis", [["displayed", t("adm_basis_displayed")], ["unrounded", t("adm_basis_unrounded")]], settings.band_basis);
  const minimum = el("input", { type: "number", min: "0", step: "1", name: "min_ballots", value: String(settings.min_ballots) });
  const problems = el("div", { class: "problems-slot", id: "settings-problems" });
  const submit = async (event) => {
    event.preventDefault();
    const body = { below_min_sample: below.value, band_basis: basis.value, min_ballots: Number(minimum.value) };
    await h.attempt(() => h.call(`/api/v1/rounds/${code}/scoring-settings`, { method: "PUT", body }), problems, t("adm_settings_saved"));
  };
  return h.card(
    "scoring-settings",
    t("adm_scoring_settings"),
    el(
      "form",
      { id: "scoring-settings-form", onsubmit: submit, novalidate: true },
      h.field("settings-below", t("adm_below_min_sample"), below),
      h.field("settings-basis", t("adm_band_basis"), basis),
      h.field("settings-min", t("adm_min_ballots"), minimum),
      problems,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "settings-submit" }, t("adm_save"))),
    ),
  );
}

function runsCard(ui, h, runs) {
  const { el, t } = ui;
  const problems = el("div", { class: "problems-slot", id: "score-problems" });
  const score = async () => {
    const run = await h.attempt(() => h.call(`/api/v1/rounds/${encodeURIComponent(h.round())}/score-runs`, { method: "POST", body: {} }), problems);
    if (run) {
      await renderResults(ui, h);
      ui.announce(t("adm_scored", { id: run.id }), "ok");
    }
  };
  const link = (id, href, text) => el("a", { class: "button", id, href, download: "" }, text);
  const rows = runs.map((run, index) =>
    el(
      "tr",
      { "data-run": String(run.id) },
      el("th", { scope: "row" }, `#${run.id}`),
      el("td", {}, h.when(run.created_at)),
      el("td", { class: "n" }, String(run.ballots_included ?? "—")),
      el(
        "td",
        { class: "downloads" },
        link(index === 0 ? "report-html" : null, `/api/v1/score-runs/${run.id}/report.html`, `${t("adm_report_html")} #${run.id}`),
        link(index === 0 ? "report-pdf" : null, `/api/v1/score-runs/${run.id}/report.pdf`, `${t("adm_report_pdf")} #${run.id}`),
        link(index === 0 ? "report-docx" : null, `/api/v1/score-runs/${run.id}/report.docx`, `${t("adm_report_docx")} #${run.id}`),
        link(null, `/api/v1/score-runs/${run.id}/export.xlsx`, `${t("export_xlsx")} #${run.id}`),
        link(null, `/api/v1/score-runs/${run.id}/export.csv`, `${t("export_csv")} #${run.id}`),
      ),
    ),
  );
  return h.card(
    "score-runs",
    t("adm_score_runs"),
    el("p", { class: "hint" }, t("adm_score_hint")),
    el("div", { class: "actions" }, el("button", { type: "button", class: "primary", id: "score-round", onclick: score }, t("score_now"))),
    problems,
    runs.length ? h.table(t("adm_score_runs"), [t("score_run"), t("adm_created"), t("ballots_counted"), t("adm_downloads")], rows) : el("p", {}, t("no_runs")),
  );
}
