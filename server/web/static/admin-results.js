// Results (kết quả): import the appraisal council's points (a template to download, the problems of each row),
// score the round, and download the exports and the report (HTML or PDF). The ranking itself is on the
// oversight screens. Calls /api/v1/rounds/<code>/appraisal and /score-runs (admin, supervisor).

export async function renderResults(ui, h) {
  const { el, t, main } = ui;
  const rounds = await h.rounds();
  if (!h.round()) {
    h.page(el("p", { class: "card" }, t("no_rounds")), ui.whoSection());
    return;
  }
  const code = encodeURIComponent(h.round());
  const [appraisal, runs] = [await h.call(`/api/v1/rounds/${code}/appraisal`), await h.call(`/api/v1/rounds/${code}/score-runs`)];
  h.page(
    el("h2", { class: "page-title" }, `${t("adm_screen_results")} — ${t("round")} ${h.round()}`),
    rounds.length > 1 ? h.roundPicker(rounds, () => renderResults(ui, h)) : null,
    appraisalCard(ui, h, appraisal),
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
    if (!file.files[0]) {
      ui.announce(t("adm_choose_file"), "error");
      file.focus();
      return;
    }
    const form = new FormData();
    form.append("file", file.files[0]);
    const done = await h.attempt(() => h.call(`/api/v1/rounds/${code}/appraisal`, { method: "POST", form }), problems);
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
