// Reviewer screens (MTTQ / CCB re-check, phúc tra): the re-checks assigned to the signed-in reviewer, the
// respondent's contact details (the API shows them only to the assigned reviewer), the key questions to
// re-ask, and the outcome form. Works offline: while online the assigned re-checks are cached in IndexedDB
// with just what the re-check needs (contacts, key questions, interview time); findings are protocol-1
// "verification" envelopes put in the same durable outbox as ballots and sent by the same sync.
import { makeVerification } from "./canonical.js";
import { LIKERT } from "./i18n.js";
import { kv } from "./store.js";
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

function cacheKey(username) {
  return `rechecks:${username}`;
}

// A re-check awaits its finding while its ballot is "selected" (an "unreachable" finding leaves it so).
const AWAITING = "selected";

function sameList(a, b) {
  return JSON.stringify(a || []) === JSON.stringify(b || []);
}

// What a re-check needs offline, from its ballot and form: the interview time, the respondent's contact
// details and the key questions to re-ask. Null if this ballot cannot be had (403, 404...): the others
// are still fetched. Offline (0) or signed out (401), the whole refresh stops.
async function recheckDetails(api, recheck, forms) {
  try {
    const { data: ballot } = await api(`/api/v1/ballots/${encodeURIComponent(recheck.ballot)}`);
    const formKey = `${ballot.form_id}@${ballot.form_version}`;
    if (!forms.has(formKey)) {
      const path = `/api/v1/forms/${encodeURIComponent(ballot.form_id)}/versions/${encodeURIComponent(ballot.form_version)}`;
      forms.set(formKey, (await api(path)).data);
    }
    const form = forms.get(formKey);
    return {
      completed_at: ballot.completed_at,
      contacts: (recheck.contact_questions || []).map((name) => ({
        name,
        label: findQuestion(form.children, name)?.label || null,
        value: ballot.answers[name] ?? null,
      })),
      questions: (recheck.key_questions || []).map((name) => findQuestion(form.children, name)).filter(Boolean),
    };
  } catch (error) {
    if (error.status === 0 || error.status === 401) throw error;
    return null;
  }
}

// Download the assigned re-checks; the cache is replaced as a whole, so re-checks taken away from this
// reviewer disappear from the device at the next refresh. Respondents' contact details are kept only for
// re-checks still awaiting a finding in an open round, and fetched once: a re-check already on the device
// with the same questions is not fetched again.
async function refreshAssignments(ui) {
  const { api } = ui;
  const { username } = ui.user();
  const before = new Map(((await kv.get(cacheKey(username)))?.items || []).map((item) => [item.id, item]));
  const { data: rounds } = await api("/api/v1/rounds");
  const forms = new Map();
  const items = [];
  for (const round of rounds) {
    const { data: rechecks } = await api(`/api/v1/rounds/${encodeURIComponent(round.code)}/rechecks`);
    for (const recheck of rechecks) {
      const item = { ...recheck, round: round.code };
      if (round.state !== "closed" && recheck.ballot_status === AWAITING) {
        const cached = before.get(recheck.id);
        const reuse =
          cached?.contacts &&
          cached.ballot === recheck.ballot &&
          sameList(cached.contact_questions, recheck.contact_questions) &&
          sameList(cached.key_questions, recheck.key_questions);
        const details = reuse
          ? { completed_at: cached.completed_at, contacts: cached.contacts, questions: cached.questions }
          : await recheckDetails(api, recheck, forms);
        if (details) Object.assign(item, details);
        else item.unavailable = true;
      }
      items.push(item);
    }
  }
  const cache = { fetched_at: new Date().toISOString(), rounds: rounds.map((r) => r.code), items };
  // Signed out meanwhile: keep nothing (sign-out has just removed the cache).
  if (ui.user()?.username === username) await kv.set(cacheKey(username), cache);
  return cache;
}

// A ballot as a reviewer tells it apart: its agency by name, the start of its id, the interview date and the
// respondent's contact (shown to the reviewer the re-check is assigned to; cached only while it awaits).
function agencyName(recheck) {
  return recheck.agency_name ? `${recheck.agency_name} (${recheck.agency_code})` : recheck.agency_code;
}

function shortId(recheck) {
  return String(recheck.ballot || "").slice(0, 8);
}

function ballotCell(ui, r) {
  const { el, t } = ui;
  const when = r.completed_at ? new Date(r.completed_at).toLocaleDateString(ui.lang()) : null;
  const contact = (r.contacts || []).find((c) => c.value);
  return el(
    "td",
    { class: "recheck-ballot" },
    el("strong", { class: "agency-name" }, agencyName(r)),
    el(
      "small",
      { class: "recheck-facts" },
      el("span", { class: "ballot-id" }, `${t("ballot")} ${shortId(r)}`),
      when ? el("span", { class: "interview-date" }, ` · ${t("interviewed_at")}: ${when}`) : null,
      contact ? el("span", { class: "recheck-contact" }, " · ", el("a", { href: `tel:${contact.value}` }, String(contact.value))) : null,
    ),
  );
}

export async function renderReviewerHome(ui) {
  const { el, t, main } = ui;
  const me = ui.user();
  let cache;
  let offline = null;
  try {
    cache = await refreshAssignments(ui);
  } catch (error) {
    if (error.status !== 0) throw error;
    cache = await kv.get(cacheKey(me.username));
    offline = cache
      ? el("p", { class: "status info", id: "offline-note" }, t("rechecks_saved_at", { when: new Date(cache.fetched_at).toLocaleString(ui.lang()) }))
      : el("p", { class: "status error", id: "offline-note" }, t("rechecks_need_network"));
  }
  const records = await ui.myRecords();
  const waiting = new Map(
    records.filter((r) => r.state === "pending" && r.envelope.kind === "verification").map((r) => [r.envelope.assignment_id, r.envelope]),
  );
  const sections = [...ui.outboxSections(records, t("storage_note_reviewer"))];
  if (offline) sections.unshift(offline);
  for (const round of cache?.rounds || []) {
    const rechecks = cache.items.filter((r) => r.round === round);
    const rows = rechecks.map((r) =>
      el(
        "tr",
        { "data-recheck": String(r.id) },
        ballotCell(ui, r),
        el("td", {}, r.organisation),
        el("td", {}, t(`reason_${r.reason}`, {}, r.reason)),
        el(
          "td",
          { class: `ballot-status ${r.ballot_status}` },
          t(`status_${r.ballot_status}`, {}, r.ballot_status),
          waiting.has(r.id)
            ? el("span", { class: "finding-pending" }, t("finding_pending", { outcome: t(`outcome_${waiting.get(r.id).outcome}`) }))
            : null,
        ),
        el(
          "td",
          {},
          r.contacts
            ? el(
                "button",
                { type: "button", class: "primary open-recheck", "data-recheck": String(r.id), onclick: () => renderRecheck(ui, r) },
                t("recheck_open"),
              )
            : r.unavailable
              ? el("span", { class: "recheck-unavailable" }, t("recheck_unavailable"))
              : null,
        ),
      ),
    );
    sections.push(
      el(
        "section",
        { class: "card", "aria-labelledby": `rechecks-${round}` },
        el("h2", { id: `rechecks-${round}` }, `${t("rechecks")} — ${round}`),
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
  if (ui.user()?.username !== me.username) return; // signed out meanwhile: sign-in stays on show
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
  const { el, t, label, main, announce } = ui;
  const openedAt = new Date().toISOString();
  const contacts = recheck.contacts.map(({ name, label: texts, value }) =>
    el(
      "div",
      { class: "contact" },
      el("dt", {}, label(texts, name)),
      el("dd", { class: "contact-value" }, value ? el("a", { href: `tel:${value}` }, String(value)) : t("no_contact")),
    ),
  );
  const inputs = new Map();
  const keyFields = recheck.questions.map((question) => {
    const { name } = question;
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
  let saving = false;
  const submit = async (event) => {
    event.preventDefault();
    if (saving) return; // one press, one finding: a second press while saving records nothing more
    const chosen = main.querySelector("input[name=outcome]:checked");
    if (!chosen) {
      announce(t("choose_outcome"), "error");
      main.querySelector("input[name=outcome]").focus();
      return;
    }
    saving = true;
    main.querySelector("#record-recheck").disabled = true;
    const reasked = {};
    for (const [name, [question, input]] of inputs) {
      const value = reaskValue(question, input);
      if (value !== null) reasked[name] = value;
    }
    const envelope = await makeVerification({
      assignmentId: recheck.id,
      outcome: chosen.value,
      reviewer: ui.user().username,
      reasked,
      notes: notes.value,
      paradata: { started_at: openedAt, completed_at: new Date().toISOString(), app_version: ui.appVersion },
    });
    await ui.saveFinding(envelope);
    // Back to the list whatever happens next: the finding is in the outbox, and is sent by this sync or,
    // if one is running already, by the one that follows it.
    await ui.home();
    announce(t("finding_saved"), "ok");
    if (navigator.onLine) await ui.syncNow();
  };
  main.replaceChildren(
    el(
      "form",
      { id: "recheck", class: "card", novalidate: true, onsubmit: submit },
      el("h2", {}, `${t("recheck")} — ${agencyName(recheck)} · ${t("ballot")} ${shortId(recheck)}`),
      el(
        "dl",
        { class: "facts" },
        el("div", {}, el("dt", {}, t("interviewed_at")), el("dd", {}, recheck.completed_at ? new Date(recheck.completed_at).toLocaleString(ui.lang()) : "")),
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
        el("button", { type: "button", onclick: () => ui.home() }, t("back")),
      ),
    ),
  );
  main.querySelector("h2").scrollIntoView();
}
