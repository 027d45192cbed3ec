// Service worker of the enumerator app: keeps the app shell so the app opens with no connection,
// even after the browser is closed. Network first (updates arrive when online), the cache when not.
// Every role's screens are in the shell. Data (forms, ballots, findings, re-checks) lives in IndexedDB,
// never here; API calls (and so the session cookie) are not intercepted.
const CACHE = "parsurvey-shell-v14";
const SHELL = [
  "/app/",
  "/app/manifest.webmanifest",
  "/app/static/app.css",
  "/app/static/app.js",
  "/app/static/admin.js",
  "/app/static/admin-agencies.js",
  "/app/static/admin-fieldwork.js",
  "/app/static/admin-forms.js",
  "/app/static/admin-groups.js",
  "/app/static/admin-recheck.js",
  "/app/static/admin-results.js",
  "/app/static/admin-rounds.js",
  "/app/static/admin-users.js",
  "/app/static/appraisal.js",
  "/app/static/appraisal-admin.js",
  "/app/static/i18n-appraisal.js",
  "/app/static/i18n-admin.js",
  "/app/static/ballot_table.js",
  "/app/static/ballotform.js",
  "/app/static/canonical.js",
  "/app/static/enumerator.js",
  "/app/static/expr.js",
  "/app/static/fieldwork.js",
  "/app/static/format.js",
  "/app/static/hold.js",
  "/app/static/i18n.js",
  "/app/static/oversight.js",
  "/app/static/reviewer.js",
  "/app/static/rules.js",
  "/app/static/setup.js",
  "/app/static/store.js",
  "/app/static/supervisor.js",
  "/app/static/icon.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith("/app/")) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.match(event.request, { ignoreSearch: true }).then((hit) => hit || caches.match("/app/")),
      ),
  );
});
