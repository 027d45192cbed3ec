// Reviewer screens (MTTQ / CCB re-check, phúc tra): the re-checks assigned to the signed-in reviewer, the
// respondent's contact details (the API shows them only to the assigned reviewer), the key questions to
// re-ask, and the outcome form posted to POST /api/v1/rechecks/<id>/verifications. Needs a connection.
import { newInstanceId } from "./canonical.js";
import { LIKERT } from "./i18n.js";

export const OUTCOMES = ["confirmed", "unreachable", "not_eligible", "interview_not_held", "answers_differ"];

function findQuestion(children, name) {
  for (const element of children) {
    if (element.name === name) return element;
    if (element.type === "group") {
      const found = findQuestion(element.children, name);
      if (found) return found;
    }
  }
  return null;
}

export async function renderReviewerHome(ui) {
  const { el, t, api, main } = ui;
  const { data: rounds } = await api("/api/v1/rounds");
  const sections = [];
  for (const round of rounds) {
    const { data: rechecks } = await api(`/api/v1/rounds/${encodeURIComponent(round.code)}/rechecks`);
    const rows = rechecks.map((r) =>
      el(
        "tr",
        {},
        el("td", {}, r.agency_code),
        el("td", {}, r.organisation),
        el("td", {}, t(`reason_${r.reason}`, {}, r.reason)),
        el("td", { class: `ballot-status ${r.ballot_status}` }, t(`status_${r.ballot_status}`, {}, r.ballot_status)),
        el(
          "td",
          {},
          el(
            "button",
            { type: "button", class: "primary open-recheck", "data-recheck": String(r.id), onclick: () => renderRecheck(ui, r) },
            t("recheck_open"),
          ),
        ),
      ),
    );
    sections.push(
      el(
        "section",
        { class: "card", "aria-labelledby": `rechecks-${round.code}` },
        el("h2", { id: `rechecks-${round.code}` }, `${t("rechecks")} — ${round.code}`),
        rechecks.length
          ? el(
              "table",
              { class: "rechecks" },
              el(
                "thead",
                {},
                el(
                  "tr",
                  {},
                  ...["agency", "organisation", "recheck_reason", "ballot_status", "action"].map((k) =>
                    el("th", { scope: "col" }, t(k)),
                  ),
                ),
              ),
              el("tbody", {}, ...rows),
            )
          : el("p", {}, t("no_rechecks")),
      ),
    );
  }
  sections.push(ui.whoSection());
  main.replaceChildren(...sections);
}

function reaskInput(ui, question, id) {
  const { el, t, label } = ui;
  if (question.type === "likert5" || question.type === "select_one") {
    const options =
      question.type === "likert5"
        ? [1, 2, 3, 4, 5].map((level) => [String(level), `${level}. ${label(LIKERT[level])}`])
        : question.choices.map((c) => [c.value, label(c.label, c.value)]);
    if (question.type === "likert5" && question.allow_na) options.push(["na", t("not_applicable")]);
    return el("select", { id }, el("option", { value: "" }, t("not_reasked")), ...options.map(([v, text]) => el("option", { value: v }, text)));
  }
  const types = { date: "date", integer: "number", decimal: "number" };
  return el("input", { id, type: types[question.type] || "text" });
}

function reaskValue(question, input) {
  const text = input.value;
  if (text === "") return null;
  if (question.type === "likert5") return text === "na" ? "na" : parseInt(text, 10);
  if (question.type === "integer") return parseInt(text, 10);
  if (question.type === "decimal") return Number(text);
  return text;
}

export async function renderRecheck(ui, recheck) {
  const { el, t, api, label, main, announce } = ui;
  const { data: ballot } = await api(`/api/v1/ballots/${encodeURIComponent(recheck.ballot)}`);
  const { data: form } = await api(
    `/api/v1/forms/${encodeURIComponent(ballot.form_id)}/versions/${encodeURIComponent(ballot.form_version)}`,
  );
  const contacts = (recheck.contact_questions || []).map((name) => {
    const question = findQuestion(form.children, name);
    const value = ballot.answers[name];
    return el(
      "div",
      { class: "contact" },
      el("dt", {}, question ? label(question.label, name) : name),
      el("dd", { class: "contact-value" }, value ? el("a", { href: `tel:${value}` }, String(value)) : t("no_contact")),
    );
  });
  const keyQuestions = (recheck.key_questions || [])
    .map((name) => [name, findQuestion(form.children, name)])
    .filter(([, q]) => q);
  const inputs = new Map();
  const keyFields = keyQuestions.map(([name, question]) => {
    const id = `reask-${name}`;
    const input = reaskInput(ui, question, id);
    inputs.set(name, [question, input]);
    return el("div", { class: "question" }, el("label", { for: id }, label(question.label, name)), input);
  });
  const outcomeChoices = OUTCOMES.map((outcome, index) =>
    el(
      "label",
      { class: "choice", for: `outcome-${index}` },
      el("input", { type: "radio", name: "outcome", id: `outcome-${index}`, value: outcome, required: true }),
      el("span", {}, t(`outcome_${outcome}`)),
    ),
  );
  const notes = el("textarea", { id: "notes", rows: "3", maxlength: "2000" });
  const submit = async (event) => {
    event.preventDefault();
    const chosen = main.querySelector("input[name=outcome]:checked");
    if (!chosen) {
      announce(t("choose_outcome"), "error");
      main.querySelector("input[name=outcome]").focus();
      return;
    }
    const reasked = {};
    for (const [name, [question, input]] of inputs) {
      const value = reaskValue(question, input);
      if (value !== null) reasked[name] = value;
    }
    try {
      const { data } = await api(`/api/v1/rechecks/${recheck.id}/verifications`, {
        method: "POST",
        body: { instance_id: newInstanceId(), outcome: chosen.value, reasked, notes: notes.value },
      });
      announce(t("recheck_recorded", { status: t(`status_${data.ballot_status}`, {}, data.ballot_status) }), "ok");
      await renderReviewerHome(ui);
    } catch (error) {
      announce(`${error.code}: ${error.message}`, "error");
    }
  };
  main.replaceChildren(
    el(
      "form",
      { id: "recheck", class: "card", novalidate: true, onsubmit: submit },
      el("h2", {}, `${t("recheck")} — ${recheck.agency_code}`),
      el(
        "dl",
        { class: "facts" },
        el("div", {}, el("dt", {}, t("interviewed_at")), el("dd", {}, ballot.completed_at ? new Date(ballot.completed_at).toLocaleString(ui.lang()) : "")),
        el("div", {}, el("dt", {}, t("recheck_reason")), el("dd", {}, t(`reason_${recheck.reason}`, {}, recheck.reason))),
        ...contacts,
      ),
      el("fieldset", { class: "group" }, el("legend", {}, t("key_questions")), el("p", { class: "hint" }, t("key_questions_hint")), ...keyFields),
      el("fieldset", { class: "question" }, el("legend", {}, t("outcome")), el("div", { class: "choices" }, ...outcomeChoices)),
      el("label", { for: "notes" }, t("notes")),
      notes,
      el(
        "div",
        { class: "actions" },
        el("button", { type: "submit", class: "primary", id: "record-recheck" }, t("record_recheck")),
        el("button", { type: "button", onclick: () => renderReviewerHome(ui) }, t("back")),
      ),
    ),
  );
  main.querySelector("h2").scrollIntoView();
}
