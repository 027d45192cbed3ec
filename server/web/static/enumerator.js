// The enumerator's home sections: interviews in progress (drafts), questionnaires (closed versions without
// "new ballot"), quota progress counting only countable ballots, every ballot on the device with the
// server's verdict, and, for a supervisor on a shared device, the hand-over of other enumerators' ballots.
// Each takes `ui` (app.js) and returns a DOM section; nothing here talks to the server.
import { errorText, reasonText } from "./i18n.js";

// What a record in the outbox means for its enumerator, as sync/outbox.py verdict_of says it.
export function verdictOf(record) {
  if (record.state === "pending") return "waiting";
  if (record.state === "rejected") return "rejected";
  const result = record.result || {};
  if (result.status === "conflict") return "conflict";
  if (result.countable === true) return "countable";
  if (result.countable === false) return "not_countable";
  return "sent";
}

export function when(ui, iso) {
  if (!iso) return "";
  const locale = ui.lang() === "vi" ? "vi-VN" : "en-GB";
  return new Date(iso).toLocaleString(locale, { dateStyle: "short", timeStyle: "short" });
}

function agencyName(names, code) {
  return code ? (names[code] ? `${names[code]} (${code})` : code) : null;
}

export function draftsSection(ui, list, names, forms, onResume, onDiscard) {
  const { el, t } = ui;
  const items = list.map((draft) => {
    const closed = forms[draft.form_key]?.closed || !forms[draft.form_key];
    const row = el(
      "li",
      { class: "draft", "data-draft": draft.id },
      el(
        "p",
        {},
        t("draft_line", {
          agency: agencyName(names, draft.agency) || t("no_agency_yet"),
          started: when(ui, draft.started_at),
          answered: draft.answered ?? Object.keys(draft.values || {}).length,
          group: (draft.page || 0) + 1,
          groups: draft.pages || "?",
        }),
      ),
      closed ? el("p", { class: "hint" }, t("draft_closed")) : null,
    );
    const buttons = el(
      "div",
      { class: "actions" },
      closed ? null : el("button", { type: "button", class: "primary resume-draft", onclick: () => onResume(draft) }, t("resume")),
      el("button", { type: "button", class: "discard-draft", onclick: () => confirmDiscard() }, t("discard")),
    );
    // Discarding asks first, in the page itself (a native dialog would block the app and tests alike).
    const confirmDiscard = () => {
      const question = el(
        "div",
        { class: "confirm", role: "group", "aria-label": t("discard") },
        el("p", {}, t("discard_confirm")),
        el(
          "div",
          { class: "actions" },
          el("button", { type: "button", class: "danger discard-yes", onclick: () => onDiscard(draft) }, t("discard_yes")),
          el("button", { type: "button", class: "discard-no", onclick: () => question.replaceWith(buttons) }, t("discard_no")),
        ),
      );
      buttons.replaceWith(question);
      question.querySelector(".discard-no").focus();
    };
    row.append(buttons);
    return row;
  });
  return el(
    "section",
    { class: "card", "aria-labelledby": "drafts-title" },
    el("h2", { id: "drafts-title" }, t("drafts")),
    el("ul", { id: "drafts-list", class: "plain" }, ...items),
  );
}

export function formsSection(ui, stored, onNew) {
  const { el, t, label } = ui;
  const open = stored.filter((record) => !record.closed);
  const closed = stored.filter((record) => record.closed);
  const list = stored.length
    ? el(
        "ul",
        { class: "forms" },
        ...open.map((record) =>
          el(
            "li",
            {},
            el("span", {}, `${label(record.definition.title, record.form_id)} (${record.version})`),
            el("button", { type: "button", class: "primary new-ballot", "data-form": record.key, onclick: () => onNew(record.key) }, t("new_ballot")),
          ),
        ),
        ...closed.map((record) =>
          el(
            "li",
            { class: "closed-form", "data-form": record.key },
            el("span", {}, `${label(record.definition.title, record.form_id)} (${record.version})`),
            el("p", { class: "hint" }, t("form_closed_note")),
          ),
        ),
      )
    : el("p", {}, t("no_forms"));
  return el("section", { class: "card", "aria-labelledby": "forms-title" }, el("h2", { id: "forms-title" }, t("forms")), list);
}

// The quota counts only what the server says counts; what does not count and what still waits on this
// device are shown beside it.
export function quotaSection(ui, progress, waiting) {
  const { el, t } = ui;
  const rows = progress.agencies.map((a) => {
    const countable = a.countable ?? a.received;
    const notCountable = a.not_countable ?? 0;
    return el(
      "tr",
      { "data-agency": a.agency_code },
      el("th", { scope: "row" }, `${a.agency_name} (${a.agency_code})`),
      el(
        "td",
        {},
        el("span", { class: "quota-countable" }, t("quota_line", { countable, quota: a.quota })),
        el("br"),
        el("progress", { max: Math.max(a.quota, 1), value: Math.min(countable, a.quota || countable), "aria-label": a.agency_code }),
        el("br"),
        el("span", { class: "quota-others" }, t("quota_others", { not_countable: notCountable, waiting: waiting[a.agency_code] || 0 })),
      ),
    );
  });
  return el(
    "section",
    { class: "card", "aria-labelledby": "quota-title" },
    el("h2", { id: "quota-title" }, `${t("quota")} — ${progress.round}`),
    el(
      "table",
      { id: "quota" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("agency")), el("th", { scope: "col" }, t("countable_of_quota")))),
      el("tbody", {}, ...rows),
    ),
  );
}

// Why a record does not count or was rejected, in the user's language (never a raw code or server text).
export function whyText(ui, record, rules, labels) {
  const verdict = verdictOf(record);
  const result = record.result || {};
  if (verdict === "not_countable") {
    return reasonText(result.ballot_status, result.status_reason, ui.lang(), { start: rules?.window_start, end: rules?.window_end });
  }
  if (verdict === "rejected") {
    const lines = [errorText(result.code, ui.lang())];
    for (const problem of Array.isArray(result.errors) ? result.errors : []) {
      if (problem && typeof problem === "object") {
        const name = String(problem.path || "").split("/").pop();
        lines.push(ui.t("answer_problem", { question: labels(name) || name, problem: errorText(problem.code, ui.lang()) }));
      }
    }
    return lines.join(" ");
  }
  return "";
}

export function ballotListSection(ui, records, drafts, names, rules, labels) {
  const { el, t } = ui;
  const rows = [
    ...drafts.map((draft) =>
      el(
        "li",
        { "data-verdict": "draft", "data-id": draft.id },
        el("strong", {}, agencyName(names, draft.agency) || t("no_agency_yet")),
        ` · ${t("saved_at", { when: when(ui, draft.updated_at || draft.started_at) })} · `,
        el("span", { class: "verdict" }, t("verdict_draft")),
      ),
    ),
    ...records
      .filter((record) => record.envelope?.kind !== "verification")
      .sort((a, b) => String(b.saved_at || "").localeCompare(String(a.saved_at || "")))
      .map((record) => {
        const verdict = verdictOf(record);
        const why = whyText(ui, record, rules, labels);
        return el(
          "li",
          { "data-verdict": verdict, "data-id": record.instance_id },
          el("strong", {}, agencyName(names, record.envelope?.agency) || "—"),
          ` · ${t("saved_at", { when: when(ui, record.saved_at) })} · `,
          el("span", { class: `verdict ${verdict}` }, t(`verdict_${verdict}`)),
          why ? el("span", { class: "why" }, ` — ${why}`) : null,
        );
      }),
  ];
  return el(
    "section",
    { class: "card", "aria-labelledby": "ballots-title" },
    el("h2", { id: "ballots-title" }, t("my_ballots")),
    rows.length ? el("ul", { id: "ballot-list", class: "plain" }, ...rows) : el("p", {}, t("no_ballots")),
  );
}

// For a supervisor or admin: unsent ballots of other enumerators on this device, sent on their behalf.
export function handoverSection(ui, records, onSend) {
  const { el, t } = ui;
  const byEnumerator = {};
  for (const record of records) byEnumerator[record.envelope.enumerator] = (byEnumerator[record.envelope.enumerator] || 0) + 1;
  return el(
    "section",
    { class: "card", id: "handover", "aria-labelledby": "handover-title" },
    el("h2", { id: "handover-title" }, t("handover")),
    el("ul", {}, ...Object.entries(byEnumerator).map(([enumerator, n]) => el("li", {}, t("handover_line", { enumerator, n })))),
    el("p", { class: "hint" }, t("handover_hint")),
    el("button", { type: "button", id: "handover-send", class: "primary", onclick: () => onSend() }, t("handover_send")),
  );
}
