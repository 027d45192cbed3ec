// Appraisal screens (desktop first, needs a connection): the agency officer's self-assessment (points,
// explanation, signed PDF evidence, submission, one answer per appraised criterion) and the appraiser's
// desk (the criteria of their council organisation in one content area, across every submitted agency).
// Everything goes through the appraisal API (server/appraisal/views.py).
import { formatNumber } from "./format.js";
import { APPRAISAL_TEXTS } from "./i18n-appraisal.js";
import { TEXTS, errorText } from "./i18n.js";

for (const lang of Object.keys(APPRAISAL_TEXTS)) Object.assign(TEXTS[lang], APPRAISAL_TEXTS[lang]);

const enc = encodeURIComponent;

// A multipart upload (the app's api() sends JSON only), with the session's CSRF token.
async function sendFile(ui, path, file) {
  const form = new FormData();
  form.append("file", file);
  const headers = { Accept: "application/json", "Accept-Language": ui.lang() };
  if (ui.csrf()) headers["X-CSRF-Token"] = ui.csrf();
  let response;
  try {
    response = await fetch(path, { method: "POST", body: form, credentials: "same-origin", headers });
  } catch {
    throw new Error(ui.t("needs_network"));
  }
  const data = response.headers.get("Content-Type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw new Error(errorText(data?.code || "error", ui.lang()));
  return data;
}

async function attempt(ui, action) {
  try {
    return await action();
  } catch (error) {
    ui.announce(error.message, "error");
    return null;
  }
}

const points = (ui, value) => formatNumber(ui.lang(), value, 2);
const when = (ui, value) => (value ? new Date(value).toLocaleString(ui.lang() === "vi" ? "vi-VN" : "en-GB") : ui.t("apr_no_deadline"));

function deadlines(ui, calendar) {
  const { el, t } = ui;
  const text = t("apr_deadlines", {
    self: when(ui, calendar.self_assessment_until),
    appraisal: when(ui, calendar.appraisal_until),
    answer: when(ui, calendar.answer_until),
  });
  return [el("p", { class: "hint" }, text), calendar.locked_at ? el("p", { class: "note", id: "locked" }, t("apr_locked")) : null];
}

// The input a leaf's rule asks for: a level to choose, a reported figure, or a number of penalty cases.
function valueInput(ui, criterion, id, current) {
  const { el, t } = ui;
  const rule = criterion.rule;
  if (rule.type === "levels") {
    const select = el(
      "select",
      { id },
      el("option", { value: "" }, t("apr_choose")),
      ...rule.levels.map((level) => el("option", { value: String(level), selected: current === level }, points(ui, level))),
    );
    return [el("label", { for: id }, t("apr_level")), select];
  }
  const text = rule.type === "proportional" ? t("apr_figure", { figure: rule.figure, full: rule.full_at }) : t("apr_count");
  const input = el("input", { id, type: "number", min: "0", step: rule.type === "penalty" ? "1" : "any", value: current ?? "" });
  return [el("label", { for: id }, text), input];
}

function readValue(id) {
  const raw = document.getElementById(id).value;
  return raw === "" ? null : Number(raw);
}

function evidenceList(ui, round, files) {
  const { el, t } = ui;
  if (!files.length) return el("p", { class: "hint" }, t("apr_no_evidence"));
  return el(
    "ul",
    { class: "evidence" },
    ...files.map((file) =>
      el(
        "li",
        { "data-status": file.signature_status },
        el("a", { href: `/api/v1/rounds/${enc(round)}/evidence/${file.id}`, target: "_blank", rel: "noopener" }, file.filename),
        " — ",
        el("strong", { class: `sig sig-${file.signature_status}` }, t(`apr_sig_${file.signature_status}`)),
        file.signer ? el("span", { class: "hint" }, ` (${t("apr_signer", { signer: file.signer })})`) : null,
      ),
    ),
  );
}

function criterionHeading(ui, criterion) {
  const { el, t } = ui;
  const limit = criterion.rule.type === "penalty" ? t("apr_penalty", { floor: points(ui, criterion.rule.floor) }) : t("apr_max", { max: points(ui, criterion.max_points) });
  return el("h3", {}, `${criterion.code}. ${criterion.title} `, el("span", { class: "note-text" }, `(${limit})`));
}

// ------------------------------------------------------------------ the agency officer

export async function renderOfficerHome(ui) {
  const { el, t, api } = ui;
  const { data: me } = await api("/api/v1/appraisal/me");
  if (!me.agency) return ui.main.replaceChildren(el("section", { class: "card" }, el("p", {}, t("apr_no_member"))), ui.whoSection());
  if (!me.rounds.length) return ui.main.replaceChildren(el("section", { class: "card" }, el("p", {}, t("apr_no_round"))), ui.whoSection());
  const round = me.rounds[0].code;
  const base = `/api/v1/rounds/${enc(round)}/agencies/${enc(me.agency.code)}`;
  const { data: view } = await api(`${base}/self-assessment`);
  const open = !view.submitted_at && !view.calendar.locked_at;
  const unlocked = !view.calendar.locked_at;

  const cards = view.areas.map((area) =>
    el(
      "fieldset",
      { class: "group", id: `area-${area.code}` },
      el("legend", {}, `${area.code}. ${area.title} (${t("apr_max", { max: points(ui, area.max_points) })})`),
      ...view.criteria.filter((c) => c.area === area.code).map((c) => officerCard(ui, round, base, c, open, unlocked)),
    ),
  );
  const submit = open
    ? el(
        "button",
        {
          type: "button",
          class: "primary",
          id: "submit-self",
          onclick: async () => {
            if (await attempt(ui, () => api(`${base}/submit`, { method: "POST" }))) {
              await renderOfficerHome(ui);
              ui.announce(t("apr_submit_done"), "ok");
            }
          },
        },
        t("apr_submit"),
      )
    : null;
  ui.main.replaceChildren(
    el(
      "section",
      { class: "card" },
      el("h2", { class: "page-title" }, `${t("apr_self_title")} — ${me.agency.name}`),
      el("p", {}, `${t("apr_round")} ${round}`),
      ...deadlines(ui, view.calendar),
      el("p", { id: "submission" }, view.submitted_at ? t("apr_submitted", { at: when(ui, view.submitted_at) }) : t("apr_not_submitted")),
    ),
    ...cards,
    el("div", { class: "actions sticky" }, submit),
    ui.whoSection(),
  );
}

function officerCard(ui, round, base, c, open, unlocked) {
  const { el, t, api } = ui;
  const id = `v-${c.code}`;
  const note = `e-${c.code}`;
  const file = `f-${c.code}`;
  const own = c.self;
  const card = el("section", { class: "card criterion", "data-code": c.code }, criterionHeading(ui, c));
  card.append(el("p", { class: "self-points" }, own ? t("apr_self_points", { points: points(ui, own.points) }) : t("apr_not_assessed")));
  if (open) {
    card.append(
      ...valueInput(ui, c, id, own?.value),
      el("label", { for: note }, t("apr_explanation")),
      el("textarea", { id: note, rows: 2 }, own?.explanation || ""),
      el(
        "div",
        { class: "actions" },
        el(
          "button",
          {
            type: "button",
            class: "save",
            onclick: async () => {
              const body = { value: readValue(id), explanation: document.getElementById(note).value };
              const saved = await attempt(ui, () => api(`${base}/self-assessment/${enc(c.code)}`, { method: "PUT", body }));
              if (saved) {
                await renderOfficerHome(ui); // evidence may now be added to it
                ui.announce(t("apr_saved", { code: c.code, points: points(ui, saved.data.points) }), "ok");
              }
            },
          },
          t("apr_save"),
        ),
      ),
    );
  } else if (own?.explanation) {
    card.append(el("p", {}, `${t("apr_explanation")}: ${own.explanation}`));
  }
  card.append(el("h4", {}, t("apr_evidence")), evidenceList(ui, round, own?.evidence || []));
  if (open && own) {
    card.append(
      el("label", { for: file }, t("apr_evidence")),
      el("input", { id: file, type: "file", accept: "application/pdf,.pdf" }),
      el(
        "button",
        {
          type: "button",
          class: "upload",
          onclick: async () => {
            const chosen = document.getElementById(file).files[0];
            if (!chosen) return;
            const stored = await attempt(ui, () => sendFile(ui, `${base}/self-assessment/${enc(c.code)}/evidence`, chosen));
            if (stored) {
              await renderOfficerHome(ui);
              ui.announce(t("apr_uploaded", { file: stored.filename, status: t(`apr_sig_${stored.signature_status}`) }), "ok");
            }
          },
        },
        t("apr_upload"),
      ),
    );
  }
  if (c.appraisal) card.append(...appraisalFacts(ui, base, c, unlocked));
  return card;
}

function appraisalFacts(ui, base, c, canAnswer) {
  const { el, t, api } = ui;
  const review = c.appraisal;
  const parts = [
    el("p", { class: "appraised" }, el("strong", {}, t("apr_appraised", { points: points(ui, review.points) }))),
    review.comment ? el("p", {}, `${t("apr_comment")}: ${review.comment}`) : null,
  ];
  if (review.answer) parts.push(el("p", { class: "answer" }, `${t("apr_answer")}: ${review.answer}`));
  else if (canAnswer) {
    const id = `a-${c.code}`;
    parts.push(
      el("label", { for: id }, t("apr_answer")),
      el("textarea", { id, rows: 2 }),
      el(
        "button",
        {
          type: "button",
          class: "send-answer",
          onclick: async () => {
            const body = { answer: document.getElementById(id).value };
            if (await attempt(ui, () => api(`${base}/appraisal/${enc(c.code)}/answer`, { method: "POST", body }))) {
              await renderOfficerHome(ui);
              ui.announce(t("apr_answer_sent"), "ok");
            }
          },
        },
        t("apr_send_answer"),
      ),
    );
  }
  return parts.filter(Boolean);
}

// ------------------------------------------------------------------ the appraiser

export async function renderAppraiserHome(ui, chosenArea = null) {
  const { el, t, api } = ui;
  const { data: me } = await api("/api/v1/appraisal/me");
  if (!me.council_org) return ui.main.replaceChildren(el("section", { class: "card" }, el("p", {}, t("apr_no_member"))), ui.whoSection());
  if (!me.rounds.length) return ui.main.replaceChildren(el("section", { class: "card" }, el("p", {}, t("apr_no_round"))), ui.whoSection());
  const round = me.rounds[0];
  const area = chosenArea || round.areas[0].code;
  const { data: desk } = await api(`/api/v1/rounds/${enc(round.code)}/areas/${enc(area)}/appraisal`);
  const { data: calendar } = await api(`/api/v1/rounds/${enc(round.code)}/appraisal-calendar`);
  const picker = el(
    "select",
    { id: "area" },
    ...round.areas.map((a) => el("option", { value: a.code, selected: a.code === area }, `${a.code}. ${a.title}`)),
  );
  const agencies = desk.agencies.filter((a) => a.criteria.length);
  ui.main.replaceChildren(
    el(
      "section",
      { class: "card" },
      el("h2", { class: "page-title" }, t("apr_council_title")),
      el("p", {}, `${t("apr_your_org", { org: me.council_org_name })} — ${t("apr_round")} ${round.code}`),
      ...deadlines(ui, calendar),
      el("label", { for: "area" }, t("apr_area")),
      el("div", { class: "actions" }, picker, el("button", { type: "button", id: "show-area", onclick: () => renderAppraiserHome(ui, picker.value) }, t("apr_show"))),
    ),
    ...(agencies.length
      ? agencies.map((agency) =>
          el(
            "fieldset",
            { class: "group", id: `agency-${agency.code}` },
            el("legend", {}, `${agency.name} (${agency.code})`),
            ...agency.criteria.map((c) => appraiserCard(ui, round.code, agency, c, !calendar.locked_at)),
          ),
        )
      : [el("section", { class: "card" }, el("p", {}, t("apr_no_agencies")))]),
    ui.whoSection(),
  );
}

function appraiserCard(ui, round, agency, c, open) {
  const { el, t, api } = ui;
  const id = `v-${agency.code}-${c.code}`;
  const note = `c-${agency.code}-${c.code}`;
  const own = c.self;
  const card = el(
    "section",
    { class: "card criterion", "data-agency": agency.code, "data-code": c.code },
    criterionHeading(ui, c),
    el("p", {}, own ? t("apr_self_points", { points: points(ui, own.points) }) : t("apr_not_assessed")),
    own?.explanation ? el("p", {}, `${t("apr_explanation")}: ${own.explanation}`) : null,
    el("h4", {}, t("apr_evidence")),
    evidenceList(ui, round, own?.evidence || []),
  );
  const review = c.appraisal;
  const result = el("p", { class: "appraised" }, review ? t("apr_appraised", { points: points(ui, review.points) }) : "");
  card.append(result);
  if (review?.answer) card.append(el("p", { class: "answer" }, `${t("apr_answer")}: ${review.answer}`));
  if (!open) return card;
  card.append(
    ...valueInput(ui, c, id, review?.value ?? own?.value),
    el("label", { for: note }, t("apr_comment")),
    el("textarea", { id: note, rows: 2 }, review?.comment || ""),
    el(
      "div",
      { class: "actions" },
      el(
        "button",
        {
          type: "button",
          class: "appraise",
          onclick: async () => {
            const body = { value: readValue(id), comment: document.getElementById(note).value };
            const path = `/api/v1/rounds/${enc(round)}/agencies/${enc(agency.code)}/appraisal/${enc(c.code)}`;
            const saved = await attempt(ui, () => api(path, { method: "PUT", body }));
            if (saved) {
              const diff = own ? saved.data.points - own.points : 0;
              result.textContent = `${t("apr_appraised", { points: points(ui, saved.data.points) })} — ${t("apr_difference", { diff: points(ui, diff) })}`;
              ui.announce(t("apr_appraise_done", { agency: agency.code, code: c.code, points: points(ui, saved.data.points) }), "ok");
            }
          },
        },
        t("apr_appraise"),
      ),
    ),
  );
  return card;
}
