// Users and devices (người dùng, thiết bị): create and edit users (role, organisation MTTQ/CCB, home agency),
// reset a password, deactivate and reactivate; enrol a phone with a QR code holding a one-time code that
// expires in minutes; list devices and sessions with their last sync and revoke one. Calls /api/v1/users,
// /api/v1/tokens (admin).

const ROLES = ["admin", "supervisor", "enumerator", "reviewer"];

export async function renderUsers(ui, h) {
  const { el, t, main } = ui;
  const [users, agencies, tokens] = [await h.call("/api/v1/users"), await h.call("/api/v1/agencies"), await h.call("/api/v1/tokens")];
  const rows = users.map((u) =>
    el(
      "tr",
      { "data-user": u.username, class: u.active ? "" : "inactive" },
      el("th", { scope: "row" }, u.username),
      el("td", {}, u.full_name || "—"),
      el("td", {}, t(`adm_role_${u.role}`)),
      el("td", {}, u.organisation || "—"),
      el("td", {}, u.active ? t("adm_active") : t("adm_inactive")),
      el(
        "td",
        {},
        el("button", { type: "button", class: "edit-user", onclick: () => editUser(ui, h, u, agencies) }, `${t("adm_edit")} ${u.username}`),
        u.active
          ? el("button", { type: "button", class: "enrol-user", onclick: () => enrol(ui, h, u) }, `${t("adm_enrol")} ${u.username}`)
          : null,
      ),
    ),
  );
  h.page(
    el("h2", { class: "page-title" }, t("adm_screen_users")),
    el("div", { id: "user-editor" }),
    h.card("users", t("adm_users"), h.table(t("adm_users"), [t("username"), t("adm_full_name"), t("adm_role"), t("adm_organisation"), t("adm_state"), t("adm_actions")], rows)),
    userForm(ui, h, null, agencies),
    devicesCard(ui, h, tokens),
    ui.whoSection(),
  );
}

// The create form (user null) or the edit form of a user.
function userForm(ui, h, user, agencies) {
  const { el, t } = ui;
  const prefix = user ? "edit-user" : "new-user";
  const problems = el("div", { class: "problems-slot" });
  const username = el("input", { name: "username", autocomplete: "off", required: true, value: user?.username ?? "", readonly: Boolean(user) });
  const fullName = el("input", { name: "full_name", value: user?.full_name ?? "" });
  const role = h.select("role", ROLES.map((r) => [r, t(`adm_role_${r}`)]), user?.role ?? "enumerator");
  const organisation = h.select("organisation", [["", t("adm_none")], ["MTTQ", t("adm_org_MTTQ")], ["CCB", t("adm_org_CCB")]], user?.organisation ?? "");
  const home = h.select("home_agency", [["", t("adm_none")], ...agencies.map((a) => [a.code, `${a.name} (${a.code})`])], user?.home_agency ?? "");
  const password = el("input", { name: "password", type: "password", autocomplete: "new-password" });
  const reviewerOnly = el(
    "div",
    { class: "reviewer-only" },
    h.field(`${prefix}-organisation`, t("adm_organisation"), organisation),
    h.field(`${prefix}-home`, t("adm_home_agency"), home, t("adm_home_agency_hint")),
  );
  const sync = () => {
    reviewerOnly.hidden = role.value !== "reviewer";
  };
  role.addEventListener("change", sync);
  sync();
  const submit = async (event) => {
    event.preventDefault();
    const reviewer = role.value === "reviewer";
    const body = {
      full_name: fullName.value.trim(),
      role: role.value,
      organisation: reviewer ? organisation.value || null : null,
      home_agency: reviewer ? home.value || null : null,
    };
    if (password.value) body.password = password.value;
    const path = user ? `/api/v1/users/${encodeURIComponent(user.username)}` : "/api/v1/users";
    if (!user) body.username = username.value.trim();
    const done = await h.attempt(() => h.call(path, { method: user ? "PATCH" : "POST", body }), problems);
    if (done) {
      await renderUsers(ui, h);
      ui.announce(t(user ? "adm_user_saved" : "adm_user_created", { name: done.username }), "ok");
    }
  };
  const active = async () => {
    const action = user.active ? "deactivate" : "activate";
    const done = await h.attempt(() => h.call(`/api/v1/users/${encodeURIComponent(user.username)}/${action}`, { method: "POST" }), problems);
    if (done) {
      await renderUsers(ui, h);
      ui.announce(t(`adm_user_${action}d`, { name: user.username }), "ok");
    }
  };
  return h.card(
    prefix,
    user ? `${t("adm_edit_user")}: ${user.username}` : t("adm_new_user"),
    el(
      "form",
      { id: `${prefix}-form`, onsubmit: submit, novalidate: true },
      el("div", { class: "grid2" }, h.field(`${prefix}-username`, t("username"), username), h.field(`${prefix}-full-name`, t("adm_full_name"), fullName)),
      h.field(`${prefix}-role`, t("adm_role"), role),
      reviewerOnly,
      h.field(`${prefix}-password`, user ? t("adm_new_password") : t("password"), password, user ? t("adm_reset_hint") : t("adm_password_hint")),
      problems,
      el(
        "div",
        { class: "actions" },
        el("button", { type: "submit", class: "primary", id: `${prefix}-submit` }, user ? t("adm_save") : t("adm_create_user")),
        user
          ? el("button", { type: "button", id: "toggle-active", onclick: active }, user.active ? t("adm_deactivate") : t("adm_activate"))
          : null,
        user ? el("button", { type: "button", id: "edit-user-cancel", onclick: () => renderUsers(ui, h) }, t("cancel")) : null,
      ),
    ),
  );
}

function editUser(ui, h, user, agencies) {
  const slot = document.getElementById("user-editor");
  slot.replaceChildren(userForm(ui, h, user, agencies));
  slot.querySelector("#edit-user-full-name").focus();
}

// A QR code with the app's address and a one-time code: the phone's camera opens it and the app signs in.
async function enrol(ui, h, user) {
  const { el, t } = ui;
  const slot = document.getElementById("user-editor");
  const enrolment = await h.attempt(() => h.call(`/api/v1/users/${encodeURIComponent(user.username)}/enrolments`, { method: "POST", body: { label: t("adm_enrolled_phone") } }));
  if (!enrolment) return;
  const image = el("img", {
    class: "qr",
    id: "enrol-qr",
    src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qr_svg)}`,
    alt: t("adm_qr_alt", { name: user.username }),
    width: "240",
    height: "240",
  });
  slot.replaceChildren(
    h.card(
      "enrolment",
      `${t("adm_enrol")} ${user.username}`,
      el("p", {}, t("adm_enrol_hint", { time: h.when(enrolment.expires_at) })),
      image,
      el("p", { class: "hint" }, t("adm_enrol_link"), " ", el("a", { href: enrolment.url, id: "enrol-link" }, t("adm_enrol_link_text"))),
      el("button", { type: "button", id: "enrol-done", onclick: () => renderUsers(ui, h) }, t("adm_done")),
    ),
  );
  slot.querySelector("#enrol-done").focus();
}

function devicesCard(ui, h, tokens) {
  const { el, t } = ui;
  const problems = el("div", { class: "problems-slot" });
  const rows = tokens.map((token) =>
    el(
      "tr",
      { "data-token": String(token.id) },
      el("th", { scope: "row" }, token.kind === "device" ? `${token.username} — ${token.label || t("adm_unnamed")}` : token.username),
      el("td", {}, token.kind === "device" ? t("adm_kind_device") : t("adm_kind_session")),
      el("td", {}, h.when(token.created_at)),
      el("td", { class: "last-sync" }, h.when(token.last_sync_at)),
      el(
        "td",
        {},
        el(
          "button",
          {
            type: "button",
            class: "revoke-token",
            onclick: async () => {
              if (!window.confirm(t("adm_revoke_confirm", { name: token.username }))) return;
              const done = await h.attempt(() => h.call(`/api/v1/tokens/${token.id}/revoke`, { method: "POST" }), problems);
              if (done) {
                await renderUsers(ui, h);
                ui.announce(t("adm_revoked"), "ok");
              }
            },
          },
          t("adm_revoke_of", { name: token.username }),
        ),
      ),
    ),
  );
  return h.card(
    "devices",
    t("adm_devices"),
    el("p", { class: "hint" }, t("adm_devices_hint")),
    rows.length ? h.table(t("adm_devices"), [t("adm_device"), t("adm_kind"), t("adm_created"), t("adm_last_sync"), ""], rows) : el("p", {}, t("adm_no_devices")),
    problems,
  );
}
