// The enumerator app: sign in, download questionnaires, fill ballots offline, keep them in a durable
// outbox and sync them with protocol 1 of sync/protocol.py. The server checks everything again.
// Reviewers' re-check findings travel through the same outbox and sync (reviewer.js).
import { BallotForm } from "./ballotform.js";
import { ERROR_ACTIONS, sha256Hex } from "./canonical.js";
import { ballotListSection, draftsSection, formsSection, handoverSection, quotaSection, verdictOf, whyText } from "./enumerator.js";
import { TEXTS, errorText } from "./i18n.js";
import { renderReviewerHome } from "./reviewer.js";
import { drafts, forms, kv, outbox, persist } from "./store.js";

const APP_VERSION = "web-1";
const BATCH_SIZE = 100;
const ACKNOWLEDGED = ["accepted", "duplicate", "conflict"];
const VERDICT_KEYS = ["ballot_status", "status_reason", "countable"];
const MANAGERS = ["supervisor", "admin"];
const main = document.getElementById("main");
// Signed in = a user profile on the device. The session itself is an HttpOnly cookie that scripts cannot
// read; the app keeps only the profile and the session's CSRF token, so it opens offline after a restart.
const state = { lang: "vi", user: null, csrf: null, deviceId: null, syncing: false, syncAgain: false };
const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

// ------------------------------------------------------------------ helpers

function t(key, vars = {}, fallback = key) {
  const text = TEXTS[state.lang][key] ?? TEXTS.vi[key] ?? fallback;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

function label(texts, fallback = "") {
  if (!texts) return fallback;
  return texts[state.lang] ?? texts.vi ?? Object.values(texts)[0] ?? fallback;
}

// Build DOM nodes without innerHTML, so no text from the server or a form can become markup.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function announce(message, kind = "info") {
  const status = document.getElementById("status");
  status.className = `status ${kind}`;
  status.textContent = message;
}

class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Every call carries the session cookie; a change also carries the CSRF token (else 403 csrf_failed).
async function api(path, { method = "GET", body, raw, headers = {} } = {}) {
  // The server's messages come back in the language on screen (server/i18n.py).
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", "Accept-Language": state.lang, ...headers } };
  if (!SAFE_METHODS.includes(method) && state.csrf) init.headers["X-CSRF-Token"] = state.csrf;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (raw !== undefined) {
    init.headers["Content-Type"] = raw.type || "application/octet-stream";
    init.body = raw;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiFailure(0, "network", t("needs_network"));
  }
  if (response.status === 304) return { notModified: true, response };
  const data = response.headers.get("Content-Type")?.includes("json") ? await response.json() : null;
  if (!response.ok) {
    if (response.status === 401 && state.user) await sessionLost();
    // The user reads the catalogue's text for the code (sync/codes.py), never the server's English message.
    const code = data?.code || "error";
    throw new ApiFailure(response.status, code, errorText(code, state.lang));
  }
  return { data, response };
}

function updateOnline() {
  const badge = document.getElementById("network");
  badge.textContent = navigator.onLine ? t("online") : t("offline");
  badge.className = navigator.onLine ? "badge online" : "badge offline";
}

// ------------------------------------------------------------------ sign-in

function renderSignIn() {
  const username = el("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = el("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const form = el(
    "form",
    { class: "card", id: "sign-in", onsubmit: (event) => signIn(event, username.value, password.value) },
    el("h2", {}, t("sign_in")),
    el("label", { for: "username" }, t("username")),
    username,
    el("label", { for: "password" }, t("password")),
    password,
    el("button", { type: "submit", class: "primary" }, t("sign_in")),
  );
  document.getElementById("console-nav")?.remove(); // the admin console's menu
  main.replaceChildren(form);
  username.focus();
}

async function keepSession(data) {
  state.user = { username: data.username, role: data.role, organisation: data.organisation, full_name: data.full_name };
  await kv.set("user", state.user);
  if (data.csrf_token) {
    state.csrf = data.csrf_token;
    await kv.set("csrf", state.csrf);
  }
}

async function signIn(event, username, password) {
  event.preventDefault();
  try {
    await revokeStaleSession();
    const { data } = await api("/api/v1/auth/session", {
      method: "POST",
      body: { username, password, label: "web app" },
    });
    await keepSession(data);
    // The new cookie has replaced the old one, so a session still unrevoked can no longer be reached from
    // here (it expires on the server): stop trying.
    await kv.remove("stale_csrf");
    await persist();
    if (state.user.role === "enumerator") await downloadForms();
    renderHome();
  } catch (error) {
    // A deactivated user who typed the right password is told the account is locked (and what happens to
    // their unsent ballots); every other refusal reads the same.
    const message = error.status === 0 ? t("needs_network") : error.code === "account_locked" ? error.message : t("sign_in_failed");
    announce(message, "error");
  }
}

// Revoke the session of the cookie on the server (which also clears the cookie). Done when the server
// says so (2xx) or no longer knows the session (401); offline, or any other answer (a 5xx, a 403), the
// session may still be valid, so the caller keeps its CSRF token to try again later.
async function revokeSession(csrf) {
  try {
    const headers = csrf ? { "X-CSRF-Token": csrf } : {};
    const response = await fetch("/api/v1/auth/session", { method: "DELETE", credentials: "same-origin", headers });
    return response.ok || response.status === 401;
  } catch {
    return false;
  }
}

// Sign out on the server, then on the device. When the server could not revoke the session (offline, or an
// error answer), the cookie outlives the sign-out: its CSRF token is kept so that the session is revoked at
// the next chance (revokeStaleSession). The outbox is never touched: unsent records wait for their owner.
async function signOut() {
  if (state.user && !(await revokeSession(state.csrf)) && state.csrf) await kv.set("stale_csrf", state.csrf);
  await forgetSession();
  renderSignIn();
}

// The server no longer knows the session (expired, revoked, user deactivated): back to sign-in.
async function sessionLost() {
  await forgetSession();
  renderSignIn();
  announce(t("session_expired"), "error");
}

async function forgetSession() {
  const username = state.user?.username;
  // Signed out first, so that a refresh still on its way stores nothing (refreshAssignments checks)...
  state.user = null;
  state.csrf = null;
  // ...and respondents' contact details cached for a reviewer's re-checks do not outlive the session.
  if (username) await kv.remove(`rechecks:${username}`);
  await kv.remove("user");
  await kv.remove("csrf");
}

async function revokeStaleSession() {
  const csrf = await kv.get("stale_csrf");
  if (!csrf) return;
  // Revoked, or already unknown to the server: done. Otherwise try again next time.
  if (await revokeSession(csrf)) await kv.remove("stale_csrf");
}

// ------------------------------------------------------------------ forms and progress

async function downloadForms() {
  const { data: versions } = await api("/api/v1/forms");
  let count = 0;
  const rounds = new Set();
  // A version the server no longer offers for filling (closed, or its round closed) leaves "new ballot";
  // its definition stays, so that drafts and unsent ballots of it can still be shown.
  const fillable = new Set(versions.filter((v) => v.accepts_answers).map((v) => `${v.form_id}@${v.version}`));
  for (const record of await forms.all()) {
    if (!fillable.has(record.key) && !record.closed) await forms.put({ ...record, closed: true });
  }
  for (const version of versions) {
    if (!version.accepts_answers) continue;
    const key = `${version.form_id}@${version.version}`;
    const stored = await forms.get(key);
    const headers = stored?.etag ? { "If-None-Match": stored.etag } : {};
    const response = await fetch(version.download_url, { credentials: "same-origin", headers });
    if (response.status === 401) {
      await sessionLost();
      throw new ApiFailure(401, "unauthenticated", t("session_expired"));
    }
    if (response.status === 200) {
      const text = await response.text();
      const etag = response.headers.get("ETag");
      // The ETag is the sha256 of the canonical definition: check that what arrived is what was published.
      if (etag && etag.replaceAll('"', "") !== (await sha256Hex(text))) throw new ApiFailure(500, "corrupt", errorText("error", state.lang));
      await forms.put({ key, form_id: version.form_id, version: version.version, round: version.round, etag, definition: JSON.parse(text), closed: false });
    } else if (response.status === 304 && stored?.closed) {
      await forms.put({ ...stored, closed: false }); // published again
    } else if (response.status !== 304) {
      throw new ApiFailure(response.status, "download", errorText("error", state.lang));
    }
    count += 1;
    if (version.round) rounds.add(version.round);
  }
  for (const round of rounds) await refreshProgress(round);
  announce(t("forms_downloaded", { n: count }), "ok");
}

async function refreshProgress(round) {
  const { data: assignments } = await api(`/api/v1/rounds/${encodeURIComponent(round)}/assignments`);
  await kv.set(`assignments:${round}`, assignments);
  const { data: progress } = await api(`/api/v1/rounds/${encodeURIComponent(round)}/my-progress`);
  await kv.set(`progress:${round}`, progress);
}

// ------------------------------------------------------------------ home

// What the reviewer screens need from the app (kept here so reviewer.js imports nothing from app.js).
const ui = {
  el,
  t,
  api,
  label,
  main,
  announce,
  whoSection: () => whoSection(),
  lang: () => state.lang,
  user: () => state.user,
  home: () => renderHome(),
  appVersion: APP_VERSION,
  myRecords: () => myRecords(),
  outboxSections: (records, note) => outboxSections(records, note),
  syncNow: () => syncNow(),
  saveFinding: (envelope) => keepInOutbox(envelope),
  needsConnection: () => needsConnection(),
  csrf: () => state.csrf,
};

// Admins and supervisors get the console (admin.js), loaded only for them: the enumerator app never needs it.
async function renderConsole(ui) {
  let module;
  try {
    module = await import("./admin.js");
  } catch {
    throw new ApiFailure(0, "network", t("needs_network"));
  }
  await module.renderConsole(ui);
}

// Agency officers and appraisers get the appraisal screens (appraisal.js), loaded only for them.
async function renderAppraisal(ui) {
  let module;
  try {
    module = await import("./appraisal.js");
  } catch {
    throw new ApiFailure(0, "network", t("needs_network"));
  }
  await (ui.user().role === "appraiser" ? module.renderAppraiserHome(ui) : module.renderOfficerHome(ui));
}

// ------------------------------------------------------------------ the outbox, for both roles that send

// A new ballot or finding is written to the outbox, pending, before the app says it is saved.
function keepInOutbox(envelope) {
  return outbox.put({ instance_id: envelope.instance_id, state: "pending", envelope, saved_at: new Date().toISOString() });
}

function ownerOf(envelope) {
  return envelope.kind === "verification" ? envelope.reviewer : envelope.enumerator;
}

// Only the signed-in user's records: a device shared by two people never sends one's records with the
// other's token (the server would refuse them as wrong_enumerator / wrong_reviewer).
async function myRecords() {
  return (await outbox.all()).filter((record) => ownerOf(record.envelope) === state.user?.username);
}

function countsOf(records) {
  const counts = { pending: 0, sent: 0, rejected: 0 };
  for (const record of records) counts[record.state] += 1;
  return counts;
}

// The outbox card (counts and the sync button) and, when there are any, the rejected records with reasons.
function outboxSections(records, note, ...buttons) {
  const counts = countsOf(records);
  const countsList = el(
    "dl",
    { class: "counts", id: "counts" },
    ...["pending", "sent", "rejected"].map((name) =>
      el("div", { class: `count ${name}` }, el("dt", {}, t(name)), el("dd", { id: `count-${name}` }, counts[name])),
    ),
  );
  const actions = el(
    "div",
    { class: "actions" },
    el("button", { type: "button", id: "sync", class: "primary", onclick: () => syncNow() }, t("sync")),
    ...buttons,
  );
  const rejected = records.filter((r) => r.state === "rejected");
  return [
    el("section", { class: "card", "aria-labelledby": "outbox-title" }, el("h2", { id: "outbox-title" }, t("outbox")), countsList, actions, el("p", { class: "hint" }, note)),
    rejected.length ? rejectedSection(rejected) : null,
  ].filter(Boolean);
}

function needsConnection() {
  return el(
    "section",
    { class: "card", id: "needs-connection", "aria-labelledby": "needs-connection-title" },
    el("h2", { id: "needs-connection-title" }, t("needs_connection")),
    el("p", {}, t("supervisor_offline")),
    el("button", { type: "button", id: "retry", class: "primary", onclick: () => renderHome() }, t("retry")),
  );
}

function whoSection() {
  return el("section", { class: "card who" }, el("p", {}, `${t("signed_in_as")} ${state.user.username}`), signOutButton());
}

// Home is drawn after network and storage calls: if the user signs out meanwhile, it is not drawn at all
// (sign-in stays on show).
async function renderHome() {
  const user = state.user;
  // The last screen asked for wins: a ballot opened while home was being drawn is not drawn over.
  const ticket = (state.screen = (state.screen || 0) + 1);
  const screens = {
    reviewer: renderReviewerHome,
    supervisor: renderConsole,
    admin: renderConsole,
    agency_officer: renderAppraisal,
    appraiser: renderAppraisal,
  };
  if (screens[user.role]) {
    try {
      await screens[user.role](ui);
    } catch (error) {
      if (error.status === 401 || state.user?.username !== user.username) return; // the session is gone: sign-in is on show
      if (error.status === 0) {
        announce("");
        main.replaceChildren(needsConnection(), whoSection());
      } else {
        announce(error.message, "error");
        main.replaceChildren(whoSection());
      }
    }
    if (MANAGERS.includes(user.role) && state.user?.username === user.username) await showHandover();
    return;
  }
  if (state.user.role !== "enumerator") {
    main.replaceChildren(
      el("section", { class: "card" }, el("p", {}, `${t("not_enumerator")} ${state.user.role}`), signOutButton()),
    );
    return;
  }
  const stored = await forms.all();
  const records = await myRecords();
  const [outboxCard, rejected] = outboxSections(
    records,
    t("storage_note"),
    el("button", { type: "button", id: "download", onclick: () => guarded(downloadForms) }, t("download_forms")),
  );
  const byKey = Object.fromEntries(stored.map((r) => [r.key, r]));
  const mine = await myDrafts();
  const rounds = [...new Set(stored.map((r) => r.round).filter(Boolean))];
  const progresses = (await Promise.all(rounds.map((round) => kv.get(`progress:${round}`)))).filter(Boolean);
  const names = {};
  for (const progress of progresses) for (const a of progress.agencies || []) names[a.agency_code] = a.agency_name;
  const waiting = {};
  for (const record of records) if (record.state === "pending") waiting[record.envelope.agency] = (waiting[record.envelope.agency] || 0) + 1;

  const sections = [outboxCard];
  if (mine.length) sections.push(draftsSection(ui, mine, names, byKey, (draft) => resumeDraft(draft), (draft) => discardDraft(draft)));
  sections.push(formsSection(ui, stored, (key) => renderFill(key)));
  sections.push(ballotListSection(ui, records, mine, names, progresses[0]?.rules, questionLabels(stored)));
  for (const progress of progresses) if (progress.agencies?.length) sections.push(quotaSection(ui, progress, waiting));
  if (rejected) sections.push(rejected);
  if (state.user?.username !== user.username || ticket !== state.screen) return;
  sections.push(whoSection());
  main.replaceChildren(...sections);
}

// The signed-in user's drafts, newest first. Drafts belong to their user: another user on a shared device
// never sees them.
async function myDrafts() {
  const all = await drafts.all();
  return all
    .filter((draft) => draft.owner === state.user?.username)
    .sort((a, b) => String(b.updated_at || b.started_at).localeCompare(String(a.updated_at || a.started_at)));
}

async function discardDraft(draft) {
  await drafts.remove(draft.id);
  announce(t("discarded"), "ok");
  await renderHome();
  document.getElementById("drafts-title")?.focus?.();
}

// A question's label by its name, from the forms on the device (rejection reasons name questions, not codes).
function questionLabels(stored) {
  const found = {};
  const walk = (children) => {
    for (const e of children || []) {
      if (e.label && !(e.name in found)) found[e.name] = e.label;
      if (e.children) walk(e.children);
    }
  };
  for (const record of stored) walk(record.definition?.children);
  return (name) => (found[name] ? label(found[name], name) : null);
}

function signOutButton() {
  return el("button", { type: "button", id: "sign-out", onclick: () => signOut() }, t("sign_out"));
}

function rejectedSection(records) {
  return el(
    "section",
    { class: "card", "aria-labelledby": "rejected-title" },
    el("h2", { id: "rejected-title" }, t("rejected_ballots")),
    el(
      "ul",
      { id: "rejected-list" },
      ...records.map((r) =>
        el(
          "li",
          {},
          el(
            "strong",
            {},
            r.envelope.kind === "verification"
              ? `${t("finding_number", { id: r.envelope.assignment_id })} · ${r.instance_id.slice(0, 8)}`
              : `${r.envelope.agency} · ${r.instance_id.slice(0, 8)}`,
          ),
          el("span", {}, ` ${whyText(ui, r, null, () => null)}`),
        ),
      ),
    ),
  );
}

async function guarded(action) {
  try {
    await action();
  } catch (error) {
    if (error.status === 401) return; // back at sign-in, with its own message
    announce(error.status === 0 ? t("needs_network") : error.message, "error");
  }
  // A ballot opened meanwhile stays on screen (its answers are a draft, but the interview goes on).
  if (state.user && !main.querySelector("#ballot, #recheck")) renderHome();
}

// ------------------------------------------------------------------ sync

// A sync asked for while one runs (a finding saved meanwhile, another user signed in) runs right after it.
async function syncNow() {
  if (!state.user) return;
  if (state.syncing) {
    state.syncAgain = true;
    return;
  }
  state.syncing = true;
  try {
    do {
      state.syncAgain = false;
      await syncOnce();
    } while (state.syncAgain && state.user);
  } finally {
    state.syncing = false;
  }
  if (!state.user) return;
  // A half-filled ballot or finding is never thrown away by a sync (one starts by itself when the
  // connection returns): with a form open, only the counts change.
  if (main.querySelector("#ballot, #recheck")) await showCounts();
  else await renderHome();
}

// What to do with an item answered "error": retry the codes whose action is "retry" and, as sync/outbox.py
// does, codes this app does not know (a newer server's); every other known code is final.
function retryable(code) {
  const action = ERROR_ACTIONS[code];
  return action === undefined || action === "retry";
}

// Record the server's answer to each record sent, as sync/outbox.py does.
async function settle(chunk, results) {
  const byId = new Map(chunk.map((r) => [r.instance_id, r]));
  for (const result of results) {
    const record = byId.get(result.instance_id);
    if (!record) continue;
    record.result = result; // with the server's verdict (ballot_status, status_reason, countable)
    record.synced_at = new Date().toISOString();
    if (ACKNOWLEDGED.includes(result.status)) record.state = "sent";
    else if (result.status === "rejected" || !retryable(result.code)) record.state = "rejected";
    await outbox.put(record); // an error to retry: stays pending, sent again at the next sync
  }
}

// Send the signed-in user's pending records, a batch at a time. Should the user change meanwhile (signed
// out, someone else signed in), no further batch goes out with the new session: the rest stays pending
// for its owner's next sync.
async function syncOnce() {
  const { username } = state.user;
  const sameUser = () => state.user?.username === username;
  try {
    const pending = (await myRecords()).filter((r) => r.state === "pending");
    for (let start = 0; start < pending.length && sameUser(); start += BATCH_SIZE) {
      const chunk = pending.slice(start, start + BATCH_SIZE);
      const { data } = await api("/api/v1/sync/batches", {
        method: "POST",
        body: { protocol: 1, device_id: state.deviceId, items: chunk.map((r) => r.envelope) },
      });
      await settle(chunk, data.results);
    }
    if (!sameUser()) return;
    await sendFiles(username);
    if (!sameUser()) return;
    if (state.user.role === "enumerator") {
      await refreshVerdicts(username);
      const rounds = new Set((await forms.all()).map((r) => r.round).filter(Boolean));
      for (const round of rounds) await refreshProgress(round);
    }
    const records = await myRecords();
    const notCounted = records.filter((r) => verdictOf(r) === "not_countable").length;
    announce(t("synced", countsOf(records)) + (notCounted ? ` ${t("synced_not_countable", { n: notCounted })}` : ""), "ok");
  } catch (error) {
    if (error.status !== 401 && sameUser()) announce(t("sync_failed", { reason: error.message }), "error");
  }
}

// The files answering media questions, each sent once its ballot is acknowledged (PUT, idempotent: the same
// bytes again are answered "duplicate", so a sync cut short sends them again). A file refused for good
// (too large, other bytes stored) is marked refused with its code; a network failure leaves it pending.
async function sendFiles(username) {
  const records = (await myRecords()).filter((r) => r.state === "sent" && r.files?.some((f) => f.state === "pending"));
  for (const record of records) {
    for (const file of record.files.filter((f) => f.state === "pending")) {
      if (state.user?.username !== username) return;
      try {
        await api(`/api/v1/ballots/${record.instance_id}/attachments/${encodeURIComponent(file.file_name)}`, { method: "PUT", raw: file.blob });
        file.state = "sent";
      } catch (error) {
        if (error.status === 0 || retryable(error.code)) throw error;
        file.state = "refused";
        file.code = error.code;
      }
      await outbox.put(record);
    }
  }
}

// What the sent ballots mean now: re-check and quarantine change a verdict after sync
// (POST /api/v1/sync/status answers for the user's own ballots).
async function refreshVerdicts(username) {
  const sent = (await myRecords()).filter((r) => r.state === "sent" && r.envelope.kind !== "verification");
  for (let start = 0; start < sent.length && state.user?.username === username; start += 500) {
    const chunk = sent.slice(start, start + 500);
    const { data } = await api("/api/v1/sync/status", { method: "POST", body: { instance_ids: chunk.map((r) => r.instance_id) } });
    const byId = new Map(chunk.map((r) => [r.instance_id, r]));
    for (const verdict of data.ballots) {
      const record = byId.get(verdict.instance_id);
      if (!record || VERDICT_KEYS.every((key) => record.result?.[key] === verdict[key])) continue;
      record.result = { ...record.result, ...Object.fromEntries(VERDICT_KEYS.map((key) => [key, verdict[key]])) };
      await outbox.put(record);
    }
  }
}

// ------------------------------------------------------------------ hand-over

// Unsent ballots on this device of enumerators other than the signed-in supervisor (one who left or was
// deactivated): the supervisor may send them on their behalf; the server records it in the audit log.
async function handoverRecords() {
  return (await outbox.all()).filter(
    (r) => r.state === "pending" && r.envelope.kind !== "verification" && r.envelope.enumerator !== state.user?.username,
  );
}

async function showHandover() {
  const records = await handoverRecords();
  if (!records.length || !MANAGERS.includes(state.user?.role)) return;
  main.prepend(handoverSection(ui, records, () => handOver()));
}

async function handOver() {
  const { username } = state.user;
  try {
    const pending = await handoverRecords();
    for (let start = 0; start < pending.length && state.user?.username === username; start += BATCH_SIZE) {
      const chunk = pending.slice(start, start + BATCH_SIZE);
      const { data } = await api("/api/v1/sync/batches", {
        method: "POST",
        body: { protocol: 1, device_id: state.deviceId, items: chunk.map((r) => r.envelope) },
      });
      await settle(chunk, data.results);
    }
    const counts = { sent: 0, rejected: 0, pending: 0 };
    const handed = new Set(pending.map((r) => r.instance_id));
    for (const record of await outbox.all()) if (handed.has(record.instance_id)) counts[record.state] += 1;
    await renderHome();
    announce(t("handover_done", counts), "ok");
  } catch (error) {
    if (error.status !== 401) announce(error.status === 0 ? t("needs_network") : error.message, "error");
  }
}

// The outbox counts on show, if any, brought up to date without redrawing the screen.
async function showCounts() {
  const counts = countsOf(await myRecords());
  for (const [name, n] of Object.entries(counts)) {
    const node = document.getElementById(`count-${name}`);
    if (node) node.textContent = String(n);
  }
}

// ------------------------------------------------------------------ filling a ballot (ballotform.js)

async function renderFill(key, draft = null) {
  state.screen = (state.screen || 0) + 1;
  const record = await forms.get(key);
  if (!record || record.closed) return renderHome(); // a closed version takes no new ballot
  const assignments = (await kv.get(`assignments:${record.round}`)) || [];
  const progress = (await kv.get(`progress:${record.round}`)) || { agencies: [] };
  const names = Object.fromEntries(progress.agencies.map((a) => [a.agency_code, a.agency_name]));
  const agencies = assignments.map((a) => ({ code: a.agency_code, name: names[a.agency_code] }));
  announce("");
  new BallotForm(ui, record, agencies, draft, progress.rules || null).render();
}

function resumeDraft(draft) {
  return renderFill(draft.form_key, draft);
}

// ------------------------------------------------------------------ start

async function setLanguage(lang) {
  state.lang = lang;
  await kv.set("lang", lang);
  document.documentElement.lang = lang;
  drawChrome();
  if (state.user) await renderHome();
  else renderSignIn();
}

function drawChrome() {
  document.getElementById("app-title").textContent = t("app_title");
  const button = document.getElementById("language");
  // The visible name ("English" / "Tiếng Việt") is the accessible name too (WCAG 2.5.3), in its own language.
  button.textContent = t("language");
  button.lang = state.lang === "vi" ? "en" : "vi";
  button.title = t("language_label");
  updateOnline();
}

// Versions before session cookies kept a bearer token in IndexedDB, where any script could read it: revoke
// it if the server can be reached, and remove it either way. The user signs in again to get a cookie.
async function dropBearerToken() {
  const token = await kv.get("token");
  if (!token) return;
  try {
    await fetch("/api/v1/auth/tokens/current", { method: "DELETE", headers: { Authorization: `Bearer ${token}` } });
  } catch {
    // offline: the token can no longer be used by this app, and expires on the server
  }
  await kv.remove("token");
}

// Refresh the profile and CSRF token from the session; a dead session goes back to sign-in (api()).
async function checkSession() {
  try {
    const { data } = await api("/api/v1/auth/session");
    await keepSession(data);
  } catch {
    // offline or server unreachable: carry on with what the device holds
  }
}

// A phone that opens the link of an enrolment QR code (/app/#enrol=CODE, shown on the admin console) signs in
// with that one-time code, and the code leaves the address bar at once.
async function enrolFromLink() {
  const found = /^#enrol=([\w-]+)$/.exec(location.hash);
  if (!found) return;
  history.replaceState(null, "", location.pathname);
  try {
    await revokeStaleSession();
    if (state.user) await revokeSession(state.csrf); // someone else was signed in on this phone
    const { data } = await api("/api/v1/auth/enrolments", { method: "POST", body: { code: found[1] } });
    await forgetSession();
    await keepSession(data);
    await persist();
    if (state.user.role === "enumerator") await downloadForms();
  } catch (error) {
    announce(error.status === 0 ? t("needs_network") : error.message, "error");
  }
}

async function start() {
  state.lang = (await kv.get("lang")) || "vi";
  state.user = (await kv.get("user")) || null;
  state.csrf = (await kv.get("csrf")) || null;
  await dropBearerToken();
  state.deviceId = await kv.get("device_id");
  if (!state.deviceId) {
    state.deviceId = `web-${crypto.randomUUID ? crypto.randomUUID() : Date.now()}`;
    await kv.set("device_id", state.deviceId);
  }
  document.documentElement.lang = state.lang;
  document.getElementById("language").addEventListener("click", () => setLanguage(state.lang === "vi" ? "en" : "vi"));
  window.addEventListener("online", () => {
    updateOnline();
    if (["enumerator", "reviewer"].includes(state.user?.role)) syncNow();
    else if (state.user && document.getElementById("needs-connection")) renderHome();
  });
  window.addEventListener("offline", updateOnline);
  drawChrome();
  await enrolFromLink();
  if (state.user && navigator.onLine) await checkSession();
  if (state.user) await renderHome();
  else {
    renderSignIn();
    if (navigator.onLine) await revokeStaleSession();
  }
  document.body.dataset.ready = "true";
  if ("serviceWorker" in navigator) {
    try {
      await navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" });
    } catch (error) {
      console.warn("service worker not registered", error);
    }
  }
}

start();
