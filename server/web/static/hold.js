// Quarantine with care (enumerator quality screen): one enumerator at a time, after seeing the impact —
// how many ballots would be held and which agencies would fall below the minimum sample. Nothing is held
// until the supervisor confirms with a reason. Held ballots are "held" (tạm giữ), never "invalid".

function agencyLine(ui, a, minimum) {
  const { el, t } = ui;
  const warning = a.loses_every_ballot ? t("hold_loses_all") : a.falls_below_minimum || a.below_minimum_after ? t("hold_below_minimum", { n: minimum }) : "";
  return el(
    "li",
    { class: warning ? "flagged" : "", "data-agency": a.agency_code },
    `${a.agency_name} (${a.agency_code}): ${t("hold_counts", { now: a.countable_now, after: a.countable_after, held: a.held })}`,
    warning ? el("strong", { class: "flag" }, ` ⚑ ${warning}`) : null,
  );
}

// Show the impact of holding `enumerator` in `round` inside `container`; `done` redraws the screen after.
export async function showHoldImpact(ui, round, enumerator, container, done) {
  const { el, t, api, announce } = ui;
  const query = new URLSearchParams({ enumerator });
  const { data: impact } = await api(`/api/v1/rounds/${encodeURIComponent(round)}/quarantine-impact?${query}`);
  const reason = el("input", { id: "hold-reason", maxlength: "1000", required: true });
  const confirm = async () => {
    if (!reason.value.trim()) {
      announce(t("reason_required"), "error");
      reason.focus();
      return;
    }
    await api(`/api/v1/rounds/${encodeURIComponent(round)}/quarantines`, { method: "POST", body: { enumerator, reason: reason.value.trim() } });
    announce(t("hold_done", { enumerator, n: impact.ballots_held }), "ok");
    await done();
  };
  const below = impact.agencies.filter((a) => a.falls_below_minimum);
  const panel = el(
    "section",
    { class: "card hold-impact", id: "hold-impact", "aria-labelledby": "hold-title", tabindex: "-1" },
    el("h3", { id: "hold-title" }, t("hold_title", { enumerator })),
    el("p", { id: "hold-summary" }, t("hold_summary", { n: impact.ballots_held, agencies: impact.agencies.length })),
    below.length ? el("p", { class: "flag", id: "hold-below" }, t("hold_below_list", { n: impact.minimum_sample, names: below.map((a) => a.agency_name).join(", ") })) : el("p", { id: "hold-below" }, t("hold_none_below", { n: impact.minimum_sample })),
    el("ul", { class: "hold-agencies" }, ...impact.agencies.map((a) => agencyLine(ui, a, impact.minimum_sample))),
    el("p", { class: "hint" }, t("hold_hint")),
    el("label", { for: "hold-reason" }, t("reason")),
    reason,
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", id: "hold-confirm", class: "primary", onclick: () => confirm().catch((error) => announce(ui.t("hold_failed", { reason: error.message }), "error")) }, t("hold_confirm")),
      el("button", { type: "button", id: "hold-cancel", onclick: () => container.replaceChildren() }, t("cancel")),
    ),
  );
  container.replaceChildren(panel);
  panel.focus();
}
