// Groups and past years: the province's own ranking groups (nhóm xếp hạng: since 2025 sở, ban, ngành; phường;
// xã; đặc khu), where units come from (merged, split, renamed, with the date), and the published results of
// earlier years that year-on-year change and the means-over-the-years chart use. Calls /api/v1/agency-groups,
// /api/v1/agencies/{code}/lineage and /api/v1/history (admin, supervisor).

const KINDS = ["merged_from", "split_from", "renamed_from"];

export async function renderGroups(ui, h) {
  const { el, t } = ui;
  const [groups, agencies, years] = await Promise.all([
    h.call("/api/v1/agency-groups"),
    h.call("/api/v1/agencies"),
    h.call("/api/v1/history"),
  ]);
  const rows = groups.map((g) =>
    el(
      "tr",
      { "data-group": g.code },
      el("th", { scope: "row" }, g.name),
      el("td", {}, g.code),
      el("td", { class: "n" }, String(g.position)),
      el("td", { class: "n" }, String(g.agencies)),
      el("td", {}, el("button", { type: "button", class: "edit-group", onclick: () => editGroup(ui, h, g) }, `${t("adm_edit")} ${g.name}`)),
    ),
  );
  h.page(
    el("h2", { class: "page-title" }, t("adm_screen_groups")),
    h.card(
      "groups",
      t("adm_groups_title"),
      el("p", { class: "hint" }, t("adm_groups_hint")),
      h.table(t("adm_groups_title"), [t("adm_group_name"), t("adm_group_code"), t("adm_group_position"), t("adm_group_agencies"), ""], rows),
      el("div", { id: "group-editor" }, groupForm(ui, h, null)),
    ),
    lineageCard(ui, h, agencies),
    historyCard(ui, h, years, new Map(groups.map((g) => [g.code, g.name]))),
    ui.whoSection(),
  );
}

function groupForm(ui, h, group) {
  const { el, t } = ui;
  const prefix = group ? "edit-group" : "new-group";
  const problems = el("div", { class: "problems-slot" });
  const code = el("input", { name: "code", required: true, value: group?.code ?? "", readonly: Boolean(group) });
  const name = el("input", { name: "name", required: true, value: group?.name ?? "" });
  const position = el("input", { name: "position", type: "number", value: group ? String(group.position) : "" });
  const submit = async (event) => {
    event.preventDefault();
    const body = { name: name.value.trim() };
    if (position.value !== "") body.position = Number(position.value);
    if (!group) body.code = code.value.trim();
    const path = group ? `/api/v1/agency-groups/${encodeURIComponent(group.code)}` : "/api/v1/agency-groups";
    const done = await h.attempt(() => h.call(path, { method: group ? "PATCH" : "POST", body }), problems);
    if (done) {
      await renderGroups(ui, h);
      ui.announce(t("adm_group_saved", { name: done.name }), "ok");
    }
  };
  return el(
    "form",
    { id: `${prefix}-form`, onsubmit: submit, novalidate: true },
    el("h3", {}, group ? `${t("adm_edit_group")}: ${group.name} (${group.code})` : t("adm_new_group")),
    el(
      "div",
      { class: "grid2" },
      h.field(`${prefix}-code`, t("adm_group_code"), code, group ? null : t("adm_group_code_hint")),
      h.field(`${prefix}-position`, t("adm_group_position"), position),
    ),
    h.field(`${prefix}-name`, t("adm_group_name"), name),
    problems,
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "primary", id: `${prefix}-submit` }, group ? t("adm_save") : t("adm_new_group")),
      group ? el("button", { type: "button", id: "edit-group-cancel", onclick: () => renderGroups(ui, h) }, t("cancel")) : null,
    ),
  );
}

function editGroup(ui, h, group) {
  const slot = document.getElementById("group-editor");
  slot.replaceChildren(groupForm(ui, h, group));
  slot.querySelector("#edit-group-name").focus();
}

function lineageCard(ui, h, agencies) {
  const { el, t } = ui;
  const options = agencies.map((a) => [a.code, `${a.name} (${a.code})`]);
  const agency = h.select("agency", options, options[0]?.[0]);
  const kind = h.select("kind", KINDS.map((k) => [k, t(`adm_lineage_${k}`)]), "merged_from");
  const predecessors = el("select", { name: "predecessors", multiple: true, size: "6" }, ...options.map(([value, text]) => el("option", { value }, text)));
  const date = el("input", { name: "effective_date", type: "date", value: "2025-07-01" });
  const problems = el("div", { class: "problems-slot", id: "lineage-problems" });
  const named = Object.fromEntries(agencies.map((a) => [a.code, a.name]));
  const submit = async (event) => {
    event.preventDefault();
    const chosen = [...predecessors.selectedOptions].map((o) => o.value);
    const body = { predecessors: chosen.map((code) => ({ predecessor: code, kind: kind.value, effective_date: date.value || null })) };
    const path = `/api/v1/agencies/${encodeURIComponent(agency.value)}/lineage`;
    const done = await h.attempt(() => h.call(path, { method: "PUT", body }), problems);
    if (done) {
      await renderGroups(ui, h);
      ui.announce(t("adm_lineage_saved", { name: done.name }), "ok");
    }
  };
  const withLineage = agencies.filter((a) => a.lineage?.length);
  const rows = withLineage.map((a) =>
    el(
      "tr",
      { "data-lineage": a.code },
      el("th", { scope: "row" }, a.name),
      el("td", {}, t(`adm_lineage_${a.lineage[0].kind}`)),
      el("td", {}, a.lineage.map((e) => named[e.predecessor] ?? e.predecessor).join(", ")),
      el("td", {}, h.day(a.lineage[0].effective_date)),
    ),
  );
  return h.card(
    "lineage",
    t("adm_lineage_title"),
    el("p", { class: "hint" }, t("adm_lineage_hint")),
    withLineage.length
      ? h.table(t("adm_lineage_title"), [t("adm_lineage_agency"), t("adm_lineage_kind"), t("adm_lineage_predecessors"), t("adm_lineage_date")], rows)
      : el("p", {}, t("adm_lineage_none")),
    el(
      "form",
      { id: "lineage-form", onsubmit: submit, novalidate: true },
      el("div", { class: "grid2" }, h.field("lineage-agency", t("adm_lineage_agency"), agency), h.field("lineage-kind", t("adm_lineage_kind"), kind)),
      h.field("lineage-predecessors", t("adm_lineage_predecessors"), predecessors),
      h.field("lineage-date", t("adm_lineage_date"), date),
      problems,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "lineage-submit" }, t("adm_save"))),
    ),
  );
}

// `names`: each group code with its name, so a partial year names its groups as the province does.
function historyCard(ui, h, years, names) {
  const { el, t } = ui;
  const year = el("input", { name: "year", type: "number", min: "2000", max: "2100", value: String(new Date().getFullYear() - 1) });
  const agenciesFile = el("input", { type: "file", name: "agencies", accept: ".csv,.xlsx" });
  const groupsFile = el("input", { type: "file", name: "groups", accept: ".csv,.xlsx" });
  const problems = el("div", { class: "problems-slot", id: "history-problems" });
  const upload = (kind, file) => {
    const form = new FormData();
    form.append("file", file);
    return h.call(`/api/v1/history/${encodeURIComponent(year.value)}/${kind}`, { method: "POST", form });
  };
  const submit = async (event) => {
    event.preventDefault();
    if (!agenciesFile.files[0] && !groupsFile.files[0]) {
      ui.announce(t("adm_choose_file"), "error");
      agenciesFile.focus();
      return;
    }
    const done = await h.attempt(async () => {
      let summary = null;
      if (agenciesFile.files[0]) summary = await upload("agencies", agenciesFile.files[0]);
      if (groupsFile.files[0]) summary = await upload("groups", groupsFile.files[0]);
      return summary;
    }, problems);
    if (done) {
      await renderGroups(ui, h);
      const partial = done.partial.map((p) => names.get(p.group) ?? p.group);
      ui.announce(
        partial.length
          ? t("adm_history_partial", { year: done.year, groups: partial.join(", ") })
          : t("adm_history_saved", { year: done.year, agencies: done.agencies.length, groups: done.groups.length }),
        partial.length ? "error" : "ok",
      );
    }
  };
  const rows = years.map((y) =>
    el(
      "tr",
      { "data-year": String(y.year) },
      el("th", { scope: "row" }, String(y.year)),
      el("td", { class: "n" }, String(y.agencies)),
      el("td", { class: "n" }, String(y.groups)),
      el("td", {}, y.partial.map((p) => names.get(p.group) ?? p.group).join(", ") || "—"),
    ),
  );
  return h.card(
    "history",
    t("adm_history_title"),
    el("p", { class: "hint" }, t("adm_history_hint")),
    years.length
      ? h.table(t("adm_history_title"), [t("adm_history_year"), t("adm_history_rows"), t("adm_history_group_rows"), t("adm_history_partial_col")], rows)
      : el("p", {}, t("adm_history_none")),
    el(
      "form",
      { id: "history-form", onsubmit: submit, novalidate: true },
      h.field("history-year", t("adm_history_year"), year),
      h.field("history-agencies-file", t("adm_history_agencies_file"), agenciesFile),
      h.field("history-groups-file", t("adm_history_groups_file"), groupsFile),
      problems,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "history-submit" }, t("adm_import"))),
    ),
  );
}
