// Registry (danh mục cơ quan): the province's agencies, their group and whether they handle administrative
// procedures (TTHC, so are surveyed); create, edit, and import the list from CSV or XLSX with the problems
// of each row; where each one-stop office is (latitude and longitude, for the location check of interviews).
// Calls /api/v1/agencies (admin, supervisor).

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
      el("td", { class: "office" }, officeText(ui, a)),
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
        ? h.table(t("adm_agencies"), [t("agency"), t("adm_code"), t("adm_group"), t("adm_tthc"), t("adm_parent"), t("adm_office"), ""], rows)
        : el("p", {}, t("adm_no_agencies")),
    ),
    ui.whoSection(),
  );
}

// "20,5431; 105,9123" in the number format on screen, or a dash when the office is not placed yet.
function officeText(ui, a) {
  if (a.office_latitude == null || a.office_longitude == null) return "—";
  const format = new Intl.NumberFormat(ui.lang() === "en" ? "en" : "vi", { maximumFractionDigits: 6 });
  return `${format.format(a.office_latitude)}; ${format.format(a.office_longitude)}`;
}

// The office's coordinates from the two inputs: {office_latitude, office_longitude} (both null when both
// are empty), or a problem keyed by field as the API would name it. A decimal comma is accepted.
export function readOffice(latitudeText, longitudeText) {
  const parse = (text) => (text.trim() === "" ? null : Number(text.trim().replace(",", ".")));
  const latitude = parse(latitudeText);
  const longitude = parse(longitudeText);
  if ((latitude === null) !== (longitude === null)) return { problem: { [latitude === null ? "office_latitude" : "office_longitude"]: "adm_office_both" } };
  if (latitude !== null && !(Number.isFinite(latitude) && latitude >= -90 && latitude <= 90)) return { problem: { office_latitude: "adm_office_latitude_range" } };
  if (longitude !== null && !(Number.isFinite(longitude) && longitude >= -180 && longitude <= 180)) return { problem: { office_longitude: "adm_office_longitude_range" } };
  return { office_latitude: latitude, office_longitude: longitude };
}

function officeFields(ui, h, agency) {
  const { el, t } = ui;
  const value = (v) => (v == null ? "" : String(v));
  const latitude = el("input", { name: "office_latitude", inputmode: "decimal", autocomplete: "off", value: value(agency.office_latitude), placeholder: "20.5431" });
  const longitude = el("input", { name: "office_longitude", inputmode: "decimal", autocomplete: "off", value: value(agency.office_longitude), placeholder: "105.9123" });
  const node = el(
    "fieldset",
    { class: "office-fields" },
    el("legend", {}, t("adm_office")),
    el("div", { class: "grid2" }, h.field("edit-agency-latitude", t("adm_office_latitude"), latitude), h.field("edit-agency-longitude", t("adm_office_longitude"), longitude)),
    el("p", { class: "hint" }, t("adm_office_hint")),
  );
  return { node, latitude, longitude };
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
  const office = agency ? officeFields(ui, h, agency) : null;
  const submit = async (event) => {
    event.preventDefault();
    const body = {
      name: name.value.trim(),
      group: group.value,
      parent_code: parent.value || null,
      handles_procedures: procedures.querySelector("input").checked,
    };
    if (!agency) body.code = code.value.trim();
    if (office) {
      const place = readOffice(office.latitude.value, office.longitude.value);
      if (place.problem) {
        const [fieldName, key] = Object.entries(place.problem)[0];
        problems.replaceChildren(h.problemsTable({ [fieldName]: [t(key)] }));
        ui.announce(t(key), "error");
        (fieldName === "office_latitude" ? office.latitude : office.longitude).focus();
        return;
      }
      Object.assign(body, place);
    }
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
      office ? office.node : null,
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
    const done = await h.upload(file, "/api/v1/agencies/import", problems);
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
