// The round's cleaning rules (server/recheck/cleaning.py, clean()) as the device can check them at capture,
// with the round's rules from GET /api/v1/rounds/<code>/my-progress. Same order, same reason codes, so the
// enumerator is told at capture what the server would say after sync (a browser test runs both on the
// same cases).

function isoDate(value) {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const [y, m, d] = value.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? value : null;
}

// Seconds from start to end (ISO 8601 strings with an offset), or null when either is missing.
export function durationSeconds(startedAt, completedAt) {
  if (!startedAt || !completedAt) return null;
  return (Date.parse(completedAt) - Date.parse(startedAt)) / 1000;
}

// Is a result date outside the round's window? (null: no date, or not a date, so nothing to say)
export function resultDateProblem(resultDate, rules) {
  const date = isoDate(resultDate);
  if (date === null || !rules) return null;
  return date < rules.window_start || date > rules.window_end ? "result_date_outside_window" : null;
}

// How far a device clock may run ahead of the server's (CLOCK_TOLERANCE in cleaning.py): a day, in ms.
const CLOCK_TOLERANCE_MS = 24 * 3600 * 1000;

// The first rule a ballot breaks, as clean() returns it, or null when it is valid. receivedAt (ISO 8601)
// is the server's time of receipt when known; at capture the device has none (its own clock may be wrong).
export function cleaningReason(answers, startedAt, completedAt, rules, receivedAt = null) {
  const stamps = [startedAt, completedAt].filter(Boolean);
  if (receivedAt && stamps.some((s) => Date.parse(s) > Date.parse(receivedAt) + CLOCK_TOLERANCE_MS)) {
    return "interview_after_receipt";
  }
  // stamp.date() in Python: the calendar date written in the timestamp, in its own offset.
  if (stamps.some((s) => s.slice(0, 10) < rules.window_start)) return "interview_before_window";
  const date = isoDate(answers.result_date);
  if (date !== null) {
    if (date < rules.window_start || date > rules.window_end) return "result_date_outside_window";
    // completed_at.date() in Python: the calendar date written in the timestamp, in its own offset.
    if (completedAt && date > completedAt.slice(0, 10)) return "result_after_interview";
  }
  const duration = durationSeconds(startedAt, completedAt);
  if (duration !== null && duration < rules.min_interview_seconds) return "interview_too_short";
  return null;
}
