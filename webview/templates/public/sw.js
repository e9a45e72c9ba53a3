/* Offline copy of the timetable, for attendees on the venue's unreliable wifi.
   Pages: network first, falling back to the copy on this device when the network fails or stalls.
   Versioned static files: cache first (their URL changes with their content). Feeds and exports: network only.
   The version below changes with every publication and every static file, so browsers install a fresh copy. */
"use strict";
const CACHE = "agenda-{{ version }}";
const PRECACHE = {{ precache|tojson }};
const STALL_MS = 4000;  // slower than this, show the saved copy if there is one (the network copy still lands)

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("agenda-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function keep(request, response) {
  if (response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

function networkFirst(request) {
  const network = fetch(request).then((response) => keep(request, response));
  const stall = new Promise((resolve) => setTimeout(resolve, STALL_MS));
  return Promise.race([network.catch(() => undefined), stall]).then(async (response) => {
    if (response) { return response; }
    const saved = await caches.match(request);
    return saved || network;
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.startsWith("/feeds/") || url.pathname.startsWith("/schedule.")) { return; }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((saved) => saved || fetch(request).then((r) => keep(request, r))));
    return;
  }
  event.respondWith(networkFirst(request));
});
