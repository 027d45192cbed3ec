// The device's durable storage in IndexedDB: settings (the user's profile and session CSRF token, never
// the session itself, which is an HttpOnly cookie; language; device id), downloaded form definitions with
// their ETags, cached assignments/progress/re-checks, and the outbox of ballots and re-check findings.
// A ballot is written to the outbox before the app says "saved", and leaves "pending" only when the
// server has answered it (accepted, duplicate, conflict = sent; rejected = rejected).
// Drafts (version 2): every answer of an interview in progress, written as it is given, so a reload, a
// crash or a sign-out never loses it; a draft becomes an outbox record in one transaction (saveBallot).

const DB_NAME = "parsurvey";
const DB_VERSION = 2;
let opened = null;

function open() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        const db = request.result;
        if (event.oldVersion < 1) {
          db.createObjectStore("kv");
          db.createObjectStore("forms", { keyPath: "key" });
          const outbox = db.createObjectStore("outbox", { keyPath: "instance_id" });
          outbox.createIndex("state", "state");
        }
        if (event.oldVersion < 2) db.createObjectStore("drafts", { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opened;
}

async function run(store, mode, action) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const result = action(tx.objectStore(store));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const kv = {
  get: (key) => run("kv", "readonly", (s) => s.get(key)),
  set: (key, value) => run("kv", "readwrite", (s) => s.put(value, key)),
  remove: (key) => run("kv", "readwrite", (s) => s.delete(key)),
};

export const forms = {
  all: () => run("forms", "readonly", (s) => s.getAll()),
  get: (key) => run("forms", "readonly", (s) => s.get(key)),
  put: (record) => run("forms", "readwrite", (s) => s.put(record)),
};

export const outbox = {
  all: () => run("outbox", "readonly", (s) => s.getAll()),
  put: (record) => run("outbox", "readwrite", (s) => s.put(record)),
};

export const drafts = {
  all: () => run("drafts", "readonly", (s) => s.getAll()),
  get: (id) => run("drafts", "readonly", (s) => s.get(id)),
  put: (draft) => run("drafts", "readwrite", (s) => s.put(draft)),
  remove: (id) => run("drafts", "readwrite", (s) => s.delete(id)),
};

// A finished interview goes into the outbox and leaves the drafts in one transaction: after a crash it is
// in exactly one of the two, never both (which would send the same instance id twice with other content).
export async function saveBallot(record, draftId) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(["outbox", "drafts"], "readwrite");
    tx.objectStore("outbox").put(record);
    tx.objectStore("drafts").delete(draftId);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// Ask the browser not to evict our data under storage pressure (best effort).
export async function persist() {
  if (navigator.storage && navigator.storage.persist) {
    try {
      return await navigator.storage.persist();
    } catch {
      return false;
    }
  }
  return false;
}
