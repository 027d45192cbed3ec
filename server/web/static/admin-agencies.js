// Registry (danh mục cơ quan): the province's agencies, their group and whether they handle administrative
// procedures (TTHC, so are surveyed); create, edit, and import the list from CSV or XLSX with the problems
// of each row. Calls /api/v1/agencies (admin, supervisor).

export async function renderAgencies(ui, h) {
  const { el, t, main } = ui;
  const [agencies, groups] = await Promise.all([h.call("/api/v1/agencies"), h.loadGroups()]);
  const groupName = Object.fromEntries(groups);
  const rows = agencies.map((a) =>
    el(
      "tr",
      { "data-agency": a.code },
      el("th", { scope: "row" }, a.name),
      el("td", {}, a.code),
      el("td", {}, groupName[a.group] ?? a.group),
      el("td", {}, a.handles_procedures ? t("adm_yes") : t("adm_no")),
      el("td", {}, a.parent_code ?? "—"),
      el("td", {}, el("button", { type: "button", class: "edit-agency", onclick: () => edit(ui, h, a, agencies, groups) }, `${t("adm_edit")} ${a.code}`)),
    ),
  );
  h.page(
    el("h2", { class: "page-title" }, t("adm_screen_agencies")),
    el("div", { id: "agency-editor" }, agencyForm(ui, h, null, agencies, groups)),
    importCard(ui, h),
    h.card(
      "agencies",
      t("adm_agencies_n_title", { n: agencies.length }),
      agencies.length
        ? h.table(t("adm_agencies"), [t("agency"), t("adm_code"), t("adm_group"), t("adm_tthc"), t("adm_parent"), ""], rows)
        : el("p", {}, t("adm_no_agencies")),
    ),
    ui.whoSection(),
  );
}

function agencyForm(ui, h, agency, agencies, groups) {
  const { el, t } = ui;
  const prefix = agency ? "edit-agency" : "new-agency";
  const problems = el("div", { class: "problems-slot" });
  const code = el("input", { name: "code", required: true, value: agency?.code ?? "", readonly: Boolean(agency) });
  const name = el("input", { name: "name", required: true, value: agency?.name ?? "" });
  const group = h.select("group", groups, agency?.group ?? groups[0]?.[0]);
  const parent = h.select(
    "parent_code",
    [["", t("adm_none")], ...agencies.filter((a) => a.code !== agency?.code).map((a) => [a.code, `${a.name} (${a.code})`])],
    agency?.parent_code ?? "",
  );
  const procedures = h.checkbox(`${prefix}-procedures`, t("adm_handles_procedures"), agency ? agency.handles_procedures : true);
  const submit = async (event) => {
    event.preventDefault();
    const body = {
      name: name.value.trim(),
      group: group.value,
      parent_code: parent.value || null,
      handles_procedures: procedures.querySelector("input").checked,
    };
    if (!agency) body.code = code.value.trim();
    const path = agency ? `/api/v1/agencies/${encodeURIComponent(agency.code)}` : "/api/v1/agencies";
    const done = await h.attempt(() => h.call(path, { method: agency ? "PATCH" : "POST", body }), problems);
    if (done) {
      await renderAgencies(ui, h);
      ui.announce(t("adm_agency_saved", { name: done.name }), "ok");
      document.getElementById("new-agency-code")?.focus();
    }
  };
  return h.card(
    prefix,
    agency ? `${t("adm_edit_agency")}: ${agency.code}` : t("adm_new_agency"),
    el(
      "form",
      { id: `${prefix}-form`, onsubmit: submit, novalidate: true },
      el("div", { class: "grid2" }, h.field(`${prefix}-code`, t("adm_code"), code, agency ? null : t("adm_code_hint")), h.field(`${prefix}-group`, t("adm_group"), group)),
      h.field(`${prefix}-name`, t("adm_agency_name"), name),
      h.field(`${prefix}-parent`, t("adm_parent"), parent),
      procedures,
      el("p", { class: "hint" }, t("adm_procedures_hint")),
      problems,
      el(
        "div",
        { class: "actions" },
        el("button", { type: "submit", class: "primary", id: `${prefix}-submit` }, agency ? t("adm_save") : t("adm_create_agency")),
        agency ? el("button", { type: "button", id: "edit-agency-cancel", onclick: () => renderAgencies(ui, h) }, t("cancel")) : null,
      ),
    ),
  );
}

function edit(ui, h, agency, agencies, groups) {
  const slot = document.getElementById("agency-editor");
  slot.replaceChildren(agencyForm(ui, h, agency, agencies, groups));
  slot.scrollIntoView();
  slot.querySelector("#edit-agency-name").focus();
}

function importCard(ui, h) {
  const { el, t } = ui;
  const file = el("input", { type: "file", name: "file", accept: ".csv,.xlsx" });
  const problems = el("div", { class: "problems-slot", id: "agency-import-problems" });
  const submit = async (event) => {
    event.preventDefault();
    if (!file.files[0]) {
      ui.announce(t("adm_choose_file"), "error");
      file.focus();
      return;
    }
    const form = new FormData();
    form.append("file", file.files[0]);
    const done = await h.attempt(() => h.call("/api/v1/agencies/import", { method: "POST", form }), problems);
    if (done) {
      await renderAgencies(ui, h);
      ui.announce(t("adm_imported", done), "ok");
    }
  };
  return h.card(
    "agency-import",
    t("adm_import_agencies"),
    el(
      "form",
      { id: "agency-import-form", onsubmit: submit, novalidate: true },
      h.field("agency-import-file", t("adm_file_csv_xlsx"), file, t("adm_agency_file_hint")),
      problems,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "agency-import-submit" }, t("adm_import"))),
    ),
  );
}
