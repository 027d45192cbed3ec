// The device's durable storage in IndexedDB: settings (the user's profile and session CSRF token, never
// the session itself, which is an HttpOnly cookie; language; device id), downloaded form definitions with
// their ETags, cached assignments/progress/re-checks, and the outbox of ballots and re-check findings.
// A ballot is written to the outbox before the app says "saved", and leaves "pending" only when the
// server has answered it (accepted, duplicate, conflict = sent; rejected = rejected).

const DB_NAME = "parsurvey";
const DB_VERSION = 1;
let opened = null;

function open() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("kv");
        db.createObjectStore("forms", { keyPath: "key" });
        const outbox = db.createObjectStore("outbox", { keyPath: "instance_id" });
        outbox.createIndex("state", "state");
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
