// The form engine of the enumerator app: a ballot rendered from its form definition one group per screen,
// with skip logic, required answers and constraints (expr.js), the round's rules checked at capture
// (rules.js), every answer kept as a draft in IndexedDB as it is given, and the location evidence when the
// round asks for it. The app shell (app.js) opens it and gets control back through `ui`.
import { makeEnvelope, newInstanceId } from "./canonical.js";
import { evaluate, evaluateBoolean, toNumber } from "./expr.js";
import { LIKERT, reasonText } from "./i18n.js";
import { cleaningReason, durationSeconds, resultDateProblem } from "./rules.js";
import { drafts, saveBallot } from "./store.js";

function isBlank(value) {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}

// The device's position now, as paradata holds it, or null (no permission, no fix in time, no GPS):
// {"latitude", "longitude", "accuracy" (metres), "captured_at"}. Never throws, never blocks for long.
export function currentLocation(timeout) {
  if (!navigator.geolocation) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeout + 500);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        clearTimeout(timer);
        resolve({
          latitude: position.coords.latitude,
          longitude: position.coords.longitude,
          accuracy: position.coords.accuracy,
          captured_at: new Date(position.timestamp || Date.now()).toISOString(),
        });
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
      { enableHighAccuracy: true, timeout, maximumAge: 60_000 },
    );
  });
}

// A date and time typed in a datetime-local field, with this device's UTC offset, as ODK writes it.
export function withOffset(local) {
  const minutes = -new Date(local).getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  const pad = (n) => String(n).padStart(2, "0");
  return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// A calculation's result as the answer ODK stores: text, or a finite number; nothing for NaN.
export function calculatedAnswer(value) {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value ? "true" : "false";
  return value === "" ? null : value;
}

// Media questions: what the file picker offers, and on a phone the camera or recorder it opens at once.
export const MEDIA = {
  image: { accept: "image/*", capture: "environment" },
  audio: { accept: "audio/*", capture: "user" },
  video: { accept: "video/*", capture: "environment" },
  file: { accept: null, capture: null },
};

// The answer to a media question: a file name as ODK writes one (letters, digits, "_", "-", "."; see
// survey_forms.answers.FILE_NAME), unique to the question and the moment, keeping the file's extension.
export function mediaFileName(question, file, now = Date.now()) {
  const extension = (/\.([A-Za-z0-9]{1,8})$/.exec(file.name || "") || [])[1];
  return `${question}-${now}${extension ? `.${extension.toLowerCase()}` : ""}`;
}

export function formatDuration(seconds, t) {
  const whole = Math.max(0, Math.round(seconds));
  return t("duration", { m: Math.floor(whole / 60), s: whole % 60 });
}

export class BallotForm {
  // record: the stored form version; agencies: [{code, name}]; draft: a stored draft to resume, or null;
  // rules: the round's rules from my-progress (window, minimum seconds, collect_location), or null.
  constructor(ui, record, agencies, draft, rules) {
    const { el, t, label } = ui;
    Object.assign(this, { ui, el, t, label, record, agencies, rules });
    this.form = record.definition;
    this.fields = new Map(); // name -> {element, container, read(), raw(), restore(), error, input}
    this.groups = new Map(); // name -> {element, container}
    // The answers' scopes: the ballot's top level, and one per instance of a repeat group (its own fields,
    // groups, values and relevance), as survey_forms/answers.py checks them.
    this.scope = { fields: this.fields, groups: this.groups, parent: null, index: 1, repeat: null, suffix: "" };
    this.scope.children = this.form.children;
    this.scopeNow = this.scope;
    this.suffix = "";
    this.repeatsOf = {}; // name -> the repeat groups around it, outermost first
    this.repeatNames = new Set();
    const index = (children, chain) => {
      for (const e of children) {
        this.repeatsOf[e.name] = chain;
        if (e.type === "group" && e.repeat) this.repeatNames.add(e.name);
        if (e.type === "group") index(e.children, e.repeat ? [...chain, e.name] : chain);
      }
    };
    index(this.form.children, []);
    this.draft = draft || {
      id: newInstanceId(), // becomes the ballot's instance id when it is saved
      owner: ui.user().username,
      form_key: record.key,
      form_id: record.form_id,
      version: record.version,
      round: record.round,
      started_at: new Date().toISOString(),
      values: {},
      agency: "",
      page: 0,
    };
    this.stored = Boolean(draft); // written to IndexedDB at the first answer, not before
    this.writes = Promise.resolve();
    this.pendingWrites = 0;
    this.finished = false;
  }

  // ---------------------------------------------------------------- drawing

  render() {
    const { el, t, label } = this;
    this.agencySelect = el(
      "select",
      { id: "agency", name: "agency", required: true, onchange: () => this.onAgency() },
      el("option", { value: "" }, "—"),
      ...this.agencies.map((a) => el("option", { value: a.code }, a.name ? `${a.name} (${a.code})` : a.code)),
    );
    this.pages = this.paginate();
    this.pages[0].container.prepend(
      el("div", { class: "question" }, el("label", { for: "agency" }, t("choose_agency")), this.agencySelect),
    );
    this.progressLine = el("p", { id: "group-progress", class: "progress-line", tabindex: "-1", "aria-live": "polite" });
    this.warning = el("div", { id: "short-warning", class: "card warning", role: "alert", hidden: true });
    this.node = el(
      "form",
      {
        id: "ballot",
        novalidate: true,
        onsubmit: (event) => this.submit(event),
        oninput: () => this.changed(),
        onchange: () => this.changed(),
      },
      el("h2", {}, label(this.form.title)),
      this.progressLine,
      el("p", { class: "hint" }, t("draft_saved"), this.rules?.collect_location ? ` ${t("location_note")}` : ""),
      el("div", { class: "questions" }, ...this.pages.map((p) => p.container)),
      this.warning,
      el(
        "div",
        { class: "actions sticky" },
        el("button", { type: "button", id: "prev", onclick: () => this.move(-1) }, `‹ ${t("previous")}`),
        el("button", { type: "button", id: "next", onclick: () => this.move(1) }, `${t("next")} ›`),
        el("button", { type: "submit", class: "primary", id: "save" }, t("save_short")),
        el("button", { type: "button", id: "later", onclick: () => this.later() }, t("later")),
      ),
    );
    this.node.dataset.draftPending = "0";
    this.ui.main.replaceChildren(this.node);
    this.restore();
    this.show(Math.min(this.draft.page || 0, this.pages.length - 1), false);
    this.agencySelect.focus();
    if (this.rules?.collect_location && !this.draft.location_start) {
      currentLocation(15_000).then((where) => {
        if (where && !this.finished) {
          this.draft.location_start = where;
          if (this.stored) this.persist();
        }
      });
    }
  }

  // One screen per top-level group; top-level questions and notes between groups share a screen.
  paginate() {
    const pages = [];
    let loose = null;
    const hidden = this.el("div", { class: "calculations", hidden: true }); // calculations get no screen of their own
    for (const element of this.form.children) {
      if (element.type === "calculate") {
        hidden.append(this.element(element));
      } else if (element.type === "group") {
        loose = null;
        pages.push({ names: [element.name], container: this.el("div", { class: "page" }, this.element(element)) });
      } else {
        if (!loose) {
          loose = { names: [], container: this.el("div", { class: "page" }) };
          pages.push(loose);
        }
        loose.names.push(element.name);
        loose.container.append(this.element(element));
      }
    }
    if (!pages.length) pages.push({ names: [], container: this.el("div", { class: "page" }) });
    pages[0].container.append(hidden);
    return pages;
  }

  element(element) {
    const { el, label } = this;
    if (element.type === "group" && element.repeat) return this.repeatGroup(element);
    if (element.type === "group") {
      const container = el(
        "fieldset",
        { class: "group", id: `group-${element.name}${this.suffix}` },
        el("legend", {}, label(element.label, element.name)),
        element.hint ? el("p", { class: "hint" }, label(element.hint)) : null,
        ...element.children.map((child) => this.element(child)),
      );
      this.groups.set(element.name, { element, container });
      return container;
    }
    if (element.type === "calculate") return this.question(element); // never shown: see question()
    if (element.type === "note") {
      const container = el("p", { class: "note", id: `q-${element.name}${this.suffix}` }, label(element.label));
      this.groups.set(element.name, { element, container });
      return container;
    }
    return this.question(element);
  }

  // A repeat group: its instances one under the other, each with the group's questions, added and removed
  // by the enumerator (or as many as repeat_count says). Its field's raw value is the list of instances' answers.
  repeatGroup(element) {
    const { el, t, label } = this;
    const owner = this.scopeNow;
    const list = el("div", { class: "repeat-instances" });
    const error = el("p", { class: "error", role: "alert", hidden: true });
    const field = { element, error, input: null, instances: [], repeat: true };
    const add = (raw) => {
      const scope = this.renderInstance(element, owner, field.instances.length + 1, field);
      field.instances.push(scope);
      list.append(scope.container);
      if (raw) this.restoreScope(scope, raw);
      return scope;
    };
    field.rebuild = (raws) => {
      list.replaceChildren();
      field.instances = [];
      for (const raw of raws) add(raw);
    };
    field.remove = (scope) => {
      const raws = field.instances.filter((s) => s !== scope).map((s) => this.rawOf(s));
      field.rebuild(raws);
      this.changed();
    };
    field.setCount = (n) => {
      while (field.instances.length < n) add(null);
      if (field.instances.length > n) field.rebuild(field.instances.slice(0, n).map((s) => this.rawOf(s)));
    };
    field.raw = () => field.instances.map((s) => this.rawOf(s));
    field.restore = (raws) => field.rebuild(Array.isArray(raws) ? raws.filter((r) => r && typeof r === "object") : []);
    field.read = () => ({ value: null });
    const addButton = element.repeat_count
      ? null
      : el(
          "button",
          { type: "button", class: "repeat-add", id: `add-${element.name}${this.suffix}`, onclick: () => { add(null); this.changed(); } },
          t("repeat_add"),
        );
    field.container = el(
      "fieldset",
      { class: "group repeat", id: `group-${element.name}${this.suffix}` },
      el("legend", {}, label(element.label, element.name)),
      element.hint ? el("p", { class: "hint" }, label(element.hint)) : null,
      list,
      addButton,
      error,
    );
    owner.fields.set(element.name, field);
    return field.container;
  }

  renderInstance(element, parent, n, field) {
    const { el, t, label } = this;
    const scope = { fields: new Map(), groups: new Map(), parent, index: n, repeat: element.name, children: element.children };
    scope.suffix = `${parent.suffix}__${element.name}_${n}`;
    const saved = [this.scopeNow, this.fields, this.groups, this.suffix];
    [this.scopeNow, this.fields, this.groups, this.suffix] = [scope, scope.fields, scope.groups, scope.suffix];
    let children;
    try {
      children = element.children.map((child) => this.element(child));
    } finally {
      [this.scopeNow, this.fields, this.groups, this.suffix] = saved;
    }
    const remove = element.repeat_count
      ? null
      : el("button", { type: "button", class: "repeat-remove", onclick: () => field.remove(scope) }, t("repeat_remove"));
    scope.container = el(
      "fieldset",
      { class: "repeat-instance", id: `instance-${element.name}${scope.suffix}` },
      el("legend", {}, t("repeat_instance", { label: label(element.label, element.name), n })),
      ...children,
      remove,
    );
    return scope;
  }

  question(q) {
    const { el, t, label } = this;
    const scope = this.scopeNow;
    const suffix = this.suffix;
    const id = `q-${q.name}${suffix}`;
    const errorId = `${id}-error`;
    const hintId = `${id}-hint`;
    const described = [q.hint ? hintId : null, errorId].filter(Boolean).join(" ");
    const error = el("p", { class: "error", id: errorId, role: "alert", hidden: true });
    const hint = q.hint ? el("p", { class: "hint", id: hintId }, label(q.hint)) : null;
    const title = label(q.label, q.name) + (q.required === true ? " *" : "");
    let container;
    let read;
    let raw;
    let restore;
    let input = null;
    let choiceNodes = null;

    const choiceList = (options, multiple) => {
      choiceNodes = options.map(([value, text], index) => {
        const inputId = `${id}-${index}`;
        const box = el("input", { type: multiple ? "checkbox" : "radio", name: q.name + suffix, id: inputId, value: String(value) });
        return el("label", { class: "choice", for: inputId }, box, el("span", {}, text));
      });
      container = el(
        "fieldset",
        { class: "question", id, "aria-describedby": described },
        el("legend", {}, title),
        hint,
        el("div", { class: q.type === "likert5" ? "choices likert" : "choices" }, ...choiceNodes),
        error,
      );
      const boxes = () => [...container.querySelectorAll(`input[name="${q.name}${suffix}"]`)];
      raw = () => boxes().filter((box) => box.checked).map((box) => box.value);
      restore = (values) => {
        for (const box of boxes()) box.checked = Array.isArray(values) && values.includes(box.value);
      };
      return raw;
    };

    if (q.type === "calculate") {
      // Never shown, never typed: its value is the calculation over the answers on show (visibleValues).
      container = el("div", { id, hidden: true, "data-calculate": q.name });
      raw = () => null;
      restore = () => {};
      read = () => ({ value: scope.calculated?.[q.name] ?? null });
      this.fields.set(q.name, { element: q, container, read, raw, restore, error, input });
      return container;
    }
    if (q.type === "select_one" || q.type === "select_multiple") {
      const checked = choiceList(q.choices.map((c) => [c.value, label(c.label, c.value)]), q.type === "select_multiple");
      read = q.type === "select_one" ? () => ({ value: checked()[0] ?? null }) : () => ({ value: checked() });
    } else if (q.type === "likert5") {
      const options = [1, 2, 3, 4, 5].map((level) => [level, `${level}. ${label(LIKERT[level])}`]);
      if (q.allow_na) options.push(["na", t("not_applicable")]);
      const checked = choiceList(options, false);
      read = () => {
        const v = checked()[0];
        return { value: v === undefined ? null : v === "na" ? "na" : parseInt(v, 10) };
      };
    } else if (q.type in MEDIA) {
      // The file itself is kept in the draft (IndexedDB holds Blobs), the answer is its name; it goes into
      // the outbox with the ballot and is sent after it (app.js sendFiles).
      input = el("input", {
        id: `${id}-input`,
        name: q.name,
        type: "file",
        accept: MEDIA[q.type].accept,
        capture: MEDIA[q.type].capture,
        "aria-describedby": described,
      });
      const chosen = el("output", { id: `${id}-file`, for: `${id}-input`, class: "file-chosen" });
      const remove = el("button", { type: "button", id: `${id}-remove`, hidden: true }, t("file_remove"));
      const shown = () => {
        const file = this.draft.files?.[q.name];
        chosen.textContent = file ? t("file_chosen", { name: file.file_name, kb: Math.ceil(file.blob.size / 1024) }) : "";
        remove.hidden = !file;
      };
      input.addEventListener("change", () => {
        const file = input.files[0];
        if (!file) return;
        const entry = { file_name: mediaFileName(q.name, file), content_type: file.type || "application/octet-stream", blob: file };
        this.draft.files = { ...(this.draft.files || {}), [q.name]: entry };
        shown();
      });
      remove.addEventListener("click", () => {
        if (this.draft.files) delete this.draft.files[q.name];
        input.value = "";
        shown();
        this.changed();
      });
      container = el("div", { class: "question", id }, el("label", { for: `${id}-input` }, title), hint, input, chosen, remove, error);
      raw = () => this.draft.files?.[q.name]?.file_name ?? "";
      restore = () => shown();
      read = () => ({ value: this.draft.files?.[q.name]?.file_name ?? null });
    } else {
      const types = { integer: "number", decimal: "number", date: "date", text: "text", time: "time", datetime: "datetime-local" };
      input = el("input", {
        id: `${id}-input`,
        name: q.name + suffix,
        type: types[q.type] || "text",
        step: q.type === "integer" ? "1" : q.type === "decimal" ? "any" : null,
        inputmode: q.type === "integer" ? "numeric" : q.type === "decimal" ? "decimal" : null,
        "aria-describedby": described,
        readonly: q.name === "agency_code",
      });
      const locate =
        q.type === "geopoint"
          ? el(
              "button",
              {
                type: "button",
                class: "locate",
                id: `${id}-locate`,
                onclick: async () => {
                  const where = await currentLocation(15_000);
                  if (!where) return this.ui.announce(t("geo_failed"), "error");
                  input.value = `${where.latitude} ${where.longitude} 0 ${Math.round(where.accuracy * 10) / 10}`;
                  this.changed();
                },
              },
              t("geo_locate"),
            )
          : null;
      container = el("div", { class: "question", id }, el("label", { for: `${id}-input` }, title), hint, input, locate, error);
      raw = () => input.value;
      restore = (value) => {
        input.value = typeof value === "string" ? value : "";
      };
      read = () => {
        if (input.validity.badInput) return { problem: q.type === "date" ? "a_date" : "a_number" };
        const text = input.value;
        if (text === "") return { value: null };
        if (q.type === "integer") return /^-?\d+$/.test(text.trim()) ? { value: parseInt(text, 10) } : { problem: "whole_number" };
        if (q.type === "decimal") {
          const n = Number(text);
          return Number.isFinite(n) ? { value: n } : { problem: "a_number" };
        }
        if (q.type === "datetime") return { value: withOffset(text) };
        if (q.type === "geopoint") {
          const parts = text.trim().split(/\s+/).map(Number);
          const ok = parts.length >= 2 && parts.length <= 4 && parts.every(Number.isFinite) && Math.abs(parts[0]) <= 90 && Math.abs(parts[1]) <= 180;
          return ok ? { value: text.trim().replace(/\s+/g, " ") } : { problem: "a_location" };
        }
        return { value: text };
      };
    }
    this.fields.set(q.name, { element: q, container, read, raw, restore, error, input, choiceNodes });
    return container;
  }

  onAgency() {
    const field = this.fields.get("agency_code");
    if (field) field.input.value = this.agencySelect.value;
  }

  // ---------------------------------------------------------------- screens

  relevantPages(relevance) {
    return this.pages
      .map((page, index) => ({ page, index }))
      .filter(({ page }) => !page.names.length || page.names.some((name) => relevance[name] !== false));
  }

  show(index, focus = true) {
    const relevance = this.refresh();
    const shown = this.relevantPages(relevance);
    if (!shown.some((p) => p.index === index)) index = (shown.find((p) => p.index > index) ?? shown.at(-1) ?? { index: 0 }).index;
    this.current = index;
    this.pages.forEach((page, i) => {
      page.container.hidden = i !== index;
    });
    this.updateNav(relevance);
    if (this.draft.page !== index) {
      this.draft.page = index;
      if (this.stored) this.persist();
    }
    if (focus) {
      window.scrollTo(0, 0);
      this.progressLine.focus();
    }
  }

  // "Nhóm 3/7" counts the screens that apply now (skip logic may hide a whole group), and back / next
  // show only where there is somewhere to go.
  updateNav(relevance) {
    const shown = this.relevantPages(relevance);
    const position = shown.findIndex((p) => p.index === this.current);
    this.progressLine.textContent = this.t("group_progress", { n: position + 1, total: shown.length });
    this.node.querySelector("#prev").hidden = position <= 0;
    this.node.querySelector("#next").hidden = position >= shown.length - 1;
  }

  move(step) {
    const shown = this.relevantPages(this.refresh());
    const position = shown.findIndex((p) => p.index === this.current);
    const target = shown[Math.max(0, Math.min(shown.length - 1, position + step))];
    this.warning.hidden = true;
    this.show(target.index);
  }

  // ---------------------------------------------------------------- drafts

  rawValues() {
    return this.rawOf(this.scope);
  }

  rawOf(scope) {
    const values = {};
    for (const [name, field] of scope.fields) {
      const value = field.raw();
      if (!isBlank(value)) values[name] = value;
    }
    return values;
  }

  restoreScope(scope, values) {
    for (const [name, field] of scope.fields) if (name in values) field.restore(values[name]);
  }

  restore() {
    this.agencySelect.value = this.draft.agency || "";
    this.restoreScope(this.scope, this.draft.values);
    this.onAgency();
  }

  changed() {
    this.updateNav(this.refresh());
    if (this.finished) return;
    this.draft.values = this.rawValues();
    this.draft.agency = this.agencySelect.value;
    this.persist();
  }

  // Writes go one after another, each with the whole draft as it is now: the last one wins.
  persist() {
    if (this.finished) return;
    this.stored = true;
    const snapshot = structuredClone({
      ...this.draft,
      updated_at: new Date().toISOString(),
      answered: Object.keys(this.draft.values).length,
      pages: this.pages.length,
    });
    this.pendingWrites += 1;
    this.node.dataset.draftPending = String(this.pendingWrites);
    this.writes = this.writes
      .then(() => drafts.put(snapshot))
      .catch((error) => console.warn("draft not saved", error))
      .finally(() => {
        this.pendingWrites -= 1;
        this.node.dataset.draftPending = String(this.pendingWrites);
      });
  }

  async later() {
    // A ballot opened and left untouched leaves no empty draft behind.
    if (this.stored || this.agencySelect.value || Object.keys(this.rawValues()).length) this.changed();
    await this.writes;
    this.finished = true;
    if (this.stored) this.ui.announce(this.t("kept_as_draft"), "ok");
    await this.ui.home();
  }

  // ---------------------------------------------------------------- checks and saving

  // ---------------------------------------------------------------- scopes (repeats)

  scopes(scope = this.scope, out = []) {
    out.push(scope);
    for (const field of scope.fields.values()) if (field.repeat) for (const s of field.instances) this.scopes(s, out);
    return out;
  }

  chainOf(scope) {
    const chain = [];
    for (let s = scope; s && s.repeat; s = s.parent) chain.unshift(s.repeat);
    return chain;
  }

  // The answers an expression reads in `scope`: its own, then its enclosing instances' and the top level's
  // (JavaRosa's relative references).
  exprValues(scope) {
    const chain = [];
    for (let s = scope; s; s = s.parent) chain.unshift(s);
    return Object.assign({}, ...chain.map((s) => s.values || {}));
  }

  // Every answer ${name} names from `scope`: one per instance of the repeats it is in (count, sum).
  nodes(scope, name) {
    const around = this.repeatsOf[name] || [];
    const chain = this.chainOf(scope);
    let k = 0;
    while (k < around.length && k < chain.length && around[k] === chain[k]) k += 1;
    let found = [scope];
    while (this.chainOf(found[0]).length > k) found = [found[0].parent];
    const path = this.repeatNames.has(name) ? [...around, name] : around;
    for (const repeat of path.slice(k)) {
      found = found.flatMap((s) => (s.relevance?.[repeat] === false ? [] : s.fields.get(repeat)?.instances || []));
    }
    if (this.repeatNames.has(name)) return found.map(() => null);
    return found.map((s) => s.values?.[name] ?? null);
  }

  options(scope) {
    return {
      nodes: (name) => this.nodes(scope, name),
      indexed: (name, steps) => {
        let s = this.scope;
        for (const [repeat, n] of steps) {
          const instances = s.relevance?.[repeat] === false ? [] : s.fields.get(repeat)?.instances || [];
          if (!(n >= 1 && n <= instances.length)) return null;
          s = instances[n - 1];
        }
        return this.exprValues(s)[name] ?? null;
      },
      position: scope.index,
    };
  }

  // Each scope's answers on show (relevant and readable), then its calculations in form order, each seeing the
  // answers and the calculations before it (as ODK computes them).
  computeValues() {
    for (const scope of this.scopes()) {
      const relevance = scope.relevance || {};
      const values = {};
      const calculations = [];
      for (const [name, field] of scope.fields) {
        if (relevance[name] === false || field.repeat) continue;
        if (field.element.type === "calculate") {
          calculations.push(field.element);
          continue;
        }
        const { value, problem } = field.read();
        if (!problem && !isBlank(value)) values[name] = value;
      }
      scope.values = values;
      scope.calculated = {};
      for (const q of calculations) {
        const value = calculatedAnswer(evaluate(q.calculation, this.exprValues(scope), null, null, this.options(scope)));
        scope.calculated[q.name] = value;
        if (!isBlank(value)) values[q.name] = value;
      }
    }
  }

  visibleValues() {
    return this.exprValues(this.scope);
  }

  relevance() {
    for (const scope of this.scopes()) scope.relevance = {};
    for (let pass = 0; pass < 10; pass += 1) {
      this.computeValues();
      let stable = true;
      for (const scope of this.scopes()) {
        const next = {};
        const values = this.exprValues(scope);
        const options = this.options(scope);
        const walk = (children, parentRelevant) => {
          for (const e of children) {
            let relevant = parentRelevant;
            if (relevant && e.relevant) relevant = evaluateBoolean(e.relevant, values, null, null, options);
            next[e.name] = relevant;
            if (e.type === "group" && !e.repeat) walk(e.children, relevant);
          }
        };
        const inherited = scope.parent ? scope.parent.relevance[scope.repeat] !== false : true;
        walk(scope.children, inherited);
        if (!Object.keys(next).every((name) => next[name] === scope.relevance[name])) stable = false;
        scope.relevance = next;
      }
      if (stable) break;
    }
    this.computeValues();
    return this.scope.relevance;
  }

  // A repeat_count fixes the number of instances (ODK adds or removes them as the count changes).
  countInstances() {
    let changed = false;
    for (const scope of this.scopes()) {
      for (const field of scope.fields.values()) {
        if (!field.repeat || !field.element.repeat_count) continue;
        const n = toNumber(evaluate(field.element.repeat_count, this.exprValues(scope), null, null, this.options(scope)));
        const wanted = Number.isFinite(n) ? Math.max(0, Math.min(Math.trunc(n), 200)) : 0;
        if (wanted !== field.instances.length) {
          field.setCount(wanted);
          changed = true;
        }
      }
    }
    return changed;
  }

  // The choices a choice_filter keeps are shown; an answer it no longer keeps is cleared.
  filterChoices(scope) {
    const values = this.exprValues(scope);
    for (const field of scope.fields.values()) {
      const q = field.element;
      if (!q.choice_filter || !field.choiceNodes) continue;
      const options = { ...this.options(scope), choiceColumns: true };
      q.choices.forEach((choice, i) => {
        const node = field.choiceNodes[i];
        const keep = evaluateBoolean(q.choice_filter, values, null, null, { ...options, choice: { ...(choice.columns || {}), name: choice.value } });
        node.hidden = !keep;
        const box = node.querySelector("input");
        if (!keep && box.checked) box.checked = false;
      });
    }
  }

  refresh() {
    let relevance = this.relevance();
    for (let round = 0; round < 3 && this.countInstances(); round += 1) relevance = this.relevance();
    for (const scope of this.scopes()) {
      this.filterChoices(scope);
      for (const [name, item] of [...scope.fields, ...scope.groups]) {
        item.container.hidden = scope.relevance[name] === false || item.element.type === "calculate";
      }
    }
    return relevance;
  }

  // Every answer checked as the server will: the form's rules, and the round's result-date window with the
  // text the server's cleaning reason has.
  check() {
    const { t, label } = this;
    this.refresh();
    const problems = [];
    const checkScope = (scope) => {
      const answers = {};
      const values = this.exprValues(scope);
      for (const [name, field] of scope.fields) {
        const q = field.element;
        if (field.repeat) {
          if (scope.relevance[name] !== false) {
            const list = field.instances.map(checkScope);
            if (list.length) answers[name] = list;
          }
          continue;
        }
        let message = null;
        if (scope.relevance[name] !== false) {
          const { value, problem } = field.read();
          if (problem) message = t(problem);
          else if (isBlank(value)) {
            // required: true, or an expression (ODK's dynamic required) read in the question's scope
            const required = typeof q.required === "string" ? evaluateBoolean(q.required, values, null, null, this.options(scope)) : q.required;
            message = required ? t("required") : null;
          }
          else if (q.constraint && !evaluateBoolean(q.constraint, values, value, null, this.options(scope))) {
            message = label(q.constraint_message) || t("constraint");
          } else if (scope === this.scope && name === "result_date" && this.dateProblem(value)) {
            message = reasonText("invalid", this.dateProblem(value), this.ui.lang(), {
              start: this.rules.window_start,
              end: this.rules.window_end,
            });
          } else answers[name] = value;
        }
        field.error.hidden = !message;
        field.error.textContent = message || "";
        field.container.classList.toggle("invalid", Boolean(message));
        if (field.input) field.input.setAttribute("aria-invalid", message ? "true" : "false");
        if (message) problems.push(field);
      }
      return answers;
    };
    const answers = checkScope(this.scope);
    if (!this.agencySelect.value) problems.unshift({ container: this.agencySelect, agency: true });
    return { answers, problems };
  }

  // What the server's cleaning would say of this result date if the ballot were saved now (window, or a
  // date after the interview), with the same rule as rules.js cleaningReason; null when it is fine.
  dateProblem(value) {
    if (!this.rules) return null;
    return resultDateProblem(value, this.rules) || cleaningReason({ result_date: value }, null, new Date().toISOString(), this.rules);
  }

  pageOf(node) {
    const index = this.pages.findIndex((page) => page.container.contains(node));
    return index < 0 ? 0 : index;
  }

  warnShort(took) {
    const { el, t } = this;
    this.warning.replaceChildren(
      el("p", {}, t("short_warning", { took: formatDuration(took, t), minimum: formatDuration(this.rules.min_interview_seconds, t) })),
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", id: "keep-interviewing", class: "primary", onclick: () => this.keepInterviewing() }, t("keep_interviewing")),
        el("button", { type: "button", id: "save-anyway", onclick: () => this.save(true) }, t("save_anyway")),
      ),
    );
    this.warning.hidden = false;
    this.warning.querySelector("#keep-interviewing").focus();
  }

  keepInterviewing() {
    this.warning.hidden = true;
    this.progressLine.focus();
  }

  submit(event) {
    event.preventDefault();
    return this.save(false);
  }

  async save(shortConfirmed) {
    const { answers, problems } = this.check();
    if (problems.length) {
      this.warning.hidden = true;
      this.ui.announce(this.t("fix_errors", { n: problems.length }), "error");
      const first = problems[0].agency ? this.agencySelect : problems[0].container.querySelector("input, select");
      this.show(this.pageOf(problems[0].container), false);
      first?.focus();
      return;
    }
    const completedAt = new Date().toISOString();
    const took = durationSeconds(this.draft.started_at, completedAt);
    if (!shortConfirmed && this.rules && took !== null && took < this.rules.min_interview_seconds) {
      this.warnShort(took);
      return;
    }
    if (this.saving) return; // one press, one ballot: a second press while saving records nothing more
    this.saving = true;
    this.node.querySelector("#save").disabled = true;
    const paradata = { started_at: this.draft.started_at, completed_at: completedAt, app_version: this.ui.appVersion };
    if (this.rules?.collect_location) {
      const end = await currentLocation(5_000);
      if (this.draft.location_start) paradata.location_start = this.draft.location_start;
      if (end) paradata.location_end = end;
    }
    this.finished = true; // no draft write after this one
    await this.writes;
    const envelope = await makeEnvelope({
      formId: this.record.form_id,
      formVersion: this.record.version,
      agency: this.agencySelect.value,
      enumerator: this.draft.owner,
      answers,
      paradata,
      instanceId: this.draft.id,
    });
    const files = Object.values(this.draft.files || {})
      .filter((file) => Object.values(answers).includes(file.file_name))
      .map((file) => ({ ...file, state: "pending" }));
    await saveBallot({ instance_id: envelope.instance_id, state: "pending", envelope, saved_at: completedAt, files }, this.draft.id);
    this.ui.announce(this.t("saved"), "ok");
    await this.ui.home();
  }
}
