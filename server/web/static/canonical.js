// Canonical JSON and envelope hashes exactly as sync/protocol.py computes them (survey_forms.canonical):
// NFC strings, keys sorted, no spaces, non-ASCII kept as is, numbers written as Python writes them
// after reading the JSON this app sends.
import { pyFloatRepr } from "./expr.js";

// Every error code of sync/codes.py with its action (a browser test keeps this table equal to it). An item
// answered "error" with a "retry" code, or with a code not listed here, stays pending; any other error is
// final, as in sync/outbox.py.
export const ERROR_ACTIONS = {
  malformed_json: "fix",
  bad_request: "fix",
  unsupported_media_type: "fix",
  payload_too_large: "fix",
  invalid_request: "fix",
  unauthenticated: "authenticate",
  invalid_credentials: "authenticate",
  too_many_attempts: "retry",
  account_locked: "stop",
  forbidden: "stop",
  csrf_failed: "fix",
  not_found: "stop",
  method_not_allowed: "fix",
  already_exists: "stop",
  state_conflict: "stop",
  unknown_form_version: "stop",
  form_version_conflict: "stop",
  form_closed: "stop",
  invalid_form: "fix",
  form_without_round: "fix",
  invalid_enrolment: "authenticate",
  invalid_import: "fix",
  unsupported_construct: "fix",
  invalid_answers: "fix",
  unsupported_protocol: "fix",
  batch_too_large: "fix",
  invalid_envelope: "stop",
  payload_conflict: "stop",
  attachment_too_large: "stop",
  attachments_too_large: "stop",
  unknown_attachment: "stop",
  unknown_agency: "stop",
  not_assigned: "stop",
  wrong_enumerator: "stop",
  wrong_reviewer: "stop",
  invalid_appraisal: "fix",
  nothing_to_score: "fix",
  scoring_failed: "fix",
  invalid_criteria: "fix",
  invalid_evidence: "fix",
  deadline_passed: "stop",
  service_unavailable: "retry",
  internal_error: "retry",
};

export function nfc(value) {
  if (typeof value === "string") return value.normalize("NFC");
  if (Array.isArray(value)) return value.map(nfc);
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k.normalize("NFC")] = nfc(v);
    return out;
  }
  return value;
}

function number(n) {
  if (!Number.isFinite(n)) throw new Error("NaN and infinity are not JSON");
  const text = JSON.stringify(n);
  // JSON without "." or "e" is read by Python as an int and written back the same; anything else is a float.
  return /[.e]/.test(text) ? pyFloatRepr(n) : text;
}

function byCodePoint(a, b) {
  const x = [...a].map((c) => c.codePointAt(0));
  const y = [...b].map((c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

export function canonicalJson(value) {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return number(value);
  if (typeof value === "string") return JSON.stringify(value.normalize("NFC"));
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  const keys = Object.keys(value).sort(byCodePoint);
  return "{" + keys.map((k) => JSON.stringify(k.normalize("NFC")) + ":" + canonicalJson(value[k])).join(",") + "}";
}

export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// sync.protocol.envelope_hash: sha256 of the canonical JSON of the envelope without content_hash.
export async function envelopeHash(envelope) {
  const rest = { ...envelope };
  delete rest.content_hash;
  return sha256Hex(canonicalJson(rest));
}

export function newInstanceId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// A ballot envelope as sync.protocol.make_envelope builds it, with its content hash.
export async function makeEnvelope({ formId, formVersion, agency, enumerator, answers, paradata, instanceId }) {
  const envelope = nfc({
    kind: "ballot",
    instance_id: instanceId || newInstanceId(),
    form_id: formId,
    form_version: formVersion,
    agency,
    enumerator,
    answers,
    paradata,
  });
  envelope.content_hash = await envelopeHash(envelope);
  return envelope;
}

// A re-check finding as sync.protocol.make_verification builds it, with its content hash.
export async function makeVerification({ assignmentId, outcome, reviewer, reasked, notes, paradata, instanceId }) {
  const envelope = nfc({
    kind: "verification",
    instance_id: instanceId || newInstanceId(),
    assignment_id: assignmentId,
    outcome,
    reviewer,
    reasked: reasked || {},
    notes: notes || "",
    paradata,
  });
  envelope.content_hash = await envelopeHash(envelope);
  return envelope;
}
