// Questionnaires (phiếu hỏi): upload an XLSForm or a JSON definition as a draft (problems listed per sheet and
// row), publish a draft into a round (a version with no round only when ticked "for testing only"; the API
// refuses it otherwise with form_without_round), close a published version, and preview any version as the phone
// renders it (the enumerator app's own BallotForm, imported) with a test ballot the server checks but never
// stores. Calls /api/v1/forms (admin).
import { BallotForm } from "./ballotform.js";

// The enumerator's renderer, but "save" only checks: here in the browser, then on the server
// (POST …/test-ballots), and nothing goes to the outbox, the drafts or the database.
class PreviewBallot extends BallotForm {
  constructor(record, agencies, ui, h) {
    super(ui, record, agencies, null, null);
    this.h = h;
  }

  persist() {} // a preview keeps no draft

  async later() {
    this.finished = true;
    await this.ui.home();
  }

  render() {
    super.render();
    const { el, t } = this.ui;
    const form = document.getElementById("ballot");
    form.classList.add("preview-ballot");
    form.prepend(el("p", { class: "note", id: "preview-note" }, t("adm_preview_note")));
    document.getElementById("save").textContent = t("adm_check_test_ballot");
  }

  async submit(event) {
    event.preventDefault();
    const { ui, h } = this;
    const { answers, problems } = this.check();
    if (problems.length) {
      ui.announce(ui.t("fix_errors", { n: problems.length }), "error");
      const first = problems[0].agency ? this.agencySelect : problems[0].container.querySelector("input, select");
      if (!problems[0].agency) this.show(this.pageOf(problems[0].container), false);
      first?.focus();
      return;
    }
    const path = `/api/v1/forms/${encodeURIComponent(this.record.form_id)}/versions/${encodeURIComponent(this.record.version)}/test-ballots`;
    const result = await h.attempt(() => h.call(path, { method: "POST", body: { answers } }), null);
    if (!result) return;
    if (result.valid) ui.announce(ui.t("adm_test_ballot_valid"), "ok");
    else ui.announce(`${ui.t("adm_test_ballot_invalid")} ${result.errors.map((e) => `${e.path}: ${e.message}`).join(" · ")}`, "error");
  }
}

async function preview(ui, h, version) {
  const path = `/api/v1/forms/${encodeURIComponent(version.form_id)}/versions/${encodeURIComponent(version.version)}`;
  const definition = await h.call(path);
  let agencies = (await h.call("/api/v1/agencies")).map((a) => ({ code: a.code, name: a.name }));
  if (version.round) {
    const round = await h.call(`/api/v1/rounds/${encodeURIComponent(version.round)}`);
    agencies = round.participants.filter((p) => p.surveyed).map((p) => ({ code: p.agency_code, name: p.agency_name }));
  }
  const record = { key: `${version.form_id}@${version.version}`, form_id: version.form_id, version: version.version, round: version.round, definition };
  ui.announce("");
  new PreviewBallot(record, agencies, ui, h).render();
}

export async function renderForms(ui, h) {
  const { el, t, main } = ui;
  const [versions, rounds] = [await h.call("/api/v1/forms"), await h.rounds()];
  const openRounds = rounds.filter((r) => r.state === "open");
  const rows = versions.map((v) => versionRow(ui, h, v, openRounds));
  h.page(
    el("h2", { class: "page-title" }, t("adm_screen_forms")),
    uploadCard(ui, h, openRounds),
    h.card(
      "versions",
      t("adm_versions"),
      versions.length
        ? h.table(t("adm_versions"), [t("adm_form"), t("adm_state"), t("round"), t("adm_actions")], rows, { class: "versions" })
        : el("p", {}, t("adm_no_versions")),
    ),
    ui.whoSection(),
  );
}

function uploadCard(ui, h, openRounds) {
  const { el, t } = ui;
  const file = el("input", { type: "file", name: "file", accept: ".xlsx,.json,application/json" });
  const round = h.select("round", [["", t("adm_no_round")], ...openRounds.map((r) => [r.code, h.roundName(r)])], openRounds.at(-1)?.code ?? "");
  const problems = el("div", { class: "problems-slot", id: "upload-problems" });
  const submit = async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) {
      ui.announce(t("adm_choose_file"), "error");
      file.focus();
      return;
    }
    const query = round.value ? `?round=${encodeURIComponent(round.value)}` : "";
    const send = async () => {
      if (chosen.name.toLowerCase().endsWith(".json")) {
        let definition;
        try {
          definition = JSON.parse(await chosen.text());
        } catch {
          throw Object.assign(new Error(t("adm_not_json")), { status: 400 });
        }
        return h.call(`/api/v1/forms${query}`, { method: "POST", body: definition });
      }
      const form = new FormData();
      form.append("file", chosen);
      return h.call(`/api/v1/forms${query}`, { method: "POST", form });
    };
    const stored = await h.attempt(send, problems);
    if (stored) {
      ui.announce(t("adm_uploaded", { form: stored.form_id, version: stored.version }), "ok");
      await renderForms(ui, h);
      ui.announce(t("adm_uploaded", { form: stored.form_id, version: stored.version }), "ok");
    }
  };
  return h.card(
    "upload",
    t("adm_upload_form"),
    el(
      "form",
      { id: "upload-form", onsubmit: submit, novalidate: true },
      h.field("upload-file", t("adm_form_file"), file, t("adm_form_file_hint")),
      h.field("upload-round", t("round"), round),
      problems,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "upload-submit" }, t("adm_upload"))),
    ),
  );
}

function versionRow(ui, h, v, openRounds) {
  const { el, t } = ui;
  const key = `${v.form_id}-${v.version}`.replace(/[^\w-]/g, "_");
  const title = v.title?.[ui.lang()] || v.title?.vi || v.form_id;
  const actions = el("div", { class: "row-actions" });
  const problems = el("div", { class: "problems-slot" });
  if (v.state === "draft") {
    const round = h.select("round", [["", t("adm_no_round")], ...openRounds.map((r) => [r.code, h.roundName(r)])], v.round ?? openRounds.at(-1)?.code ?? "");
    const testing = h.checkbox(`testing-${key}`, t("adm_for_testing"));
    const publish = async () => {
      const body = { round: round.value || null, for_testing: testing.querySelector("input").checked };
      const done = await h.attempt(
        () => h.call(`/api/v1/forms/${encodeURIComponent(v.form_id)}/versions/${encodeURIComponent(v.version)}/publish`, { method: "POST", body }),
        problems,
      );
      if (done) {
        await renderForms(ui, h);
        ui.announce(t("adm_published", { form: v.form_id, version: v.version }), "ok");
      }
    };
    actions.append(
      h.field(`publish-round-${key}`, t("adm_publish_into"), round),
      testing,
      el("button", { type: "button", class: "primary publish", id: `publish-${key}`, onclick: publish }, `${t("adm_publish")} ${v.version}`),
    );
  } else if (v.state === "published") {
    const close = async () => {
      if (!window.confirm(t("adm_close_form_confirm", { form: title, version: v.version }))) return;
      const done = await h.attempt(
        () => h.call(`/api/v1/forms/${encodeURIComponent(v.form_id)}/versions/${encodeURIComponent(v.version)}/close`, { method: "POST" }),
        problems,
      );
      if (done) {
        await renderForms(ui, h);
        ui.announce(t("adm_form_closed", { form: v.form_id, version: v.version }), "ok");
      }
    };
    actions.append(el("button", { type: "button", class: "close-form", id: `close-${key}`, onclick: close }, `${t("adm_close_form")} ${v.version}`));
  }
  actions.append(el("button", { type: "button", class: "preview-form", id: `preview-${key}`, onclick: () => preview(ui, h, v) }, `${t("adm_preview_form")} ${v.version}`));
  actions.append(problems);
  const state = { draft: t("adm_draft"), published: t("adm_published_state"), closed: t("adm_closed_state") }[v.state];
  return el(
    "tr",
    { "data-version": `${v.form_id}@${v.version}` },
    el("th", { scope: "row" }, `${title} — ${t("adm_version")} ${v.version}`),
    el("td", { class: "form-state" }, state + (v.state === "published" && !v.accepts_answers ? ` (${t("adm_not_fillable")})` : "")),
    el("td", {}, v.round ?? t("adm_no_round")),
    el("td", {}, actions),
  );
}
