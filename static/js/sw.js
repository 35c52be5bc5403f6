// The portal's service worker (scope: /portal/ only, so staff pages are never touched). It
// keeps the app shell (CSS, JS, icons) and every portal page the client opened online, so an
// opened worksheet opens and can be filled in without a signal; and it sends entries waiting
// in the outbox when Background Sync says the connection is back. Served by
// portal.offline_views.service_worker, which fills in the two placeholders below.
"use strict";

const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const SHELL_CACHE = `bw-shell-${VERSION}`;
// The signed-in client's pages. The pages' script deletes it on sign-out and when another
// client signs in on the same device.
const PAGES = "bw-portal-pages";
const SCOPE = new URL(self.registration.scope).pathname;
const STATIC = SHELL[0].slice(0, SHELL[0].indexOf("css/")); // "/static/", as STATIC_URL
// Never kept: signing in and out (one-time links and codes), and drafts (POST only anyway).
const NEVER = /\/(sign-in|sign-out)\//;

importScripts(SHELL.find((url) => url.includes("js/outbox")));

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("bw-shell-") && name !== SHELL_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

const OFFLINE_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline · Bridgework</title>
<link rel="stylesheet" href="${SHELL[0]}"></head><body class="portal"><main id="main" class="portal-main">
<h1>You're offline</h1><p>This page wasn't opened on this phone while you had a signal, so it
can't be shown yet. Worksheets you opened before still work: go back and open one.</p>
<p><a class="btn" href="${SCOPE}">Your to-do list</a></p></main></body></html>`;

async function networkFirst(request, { page = true } = {}) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const kept = await caches.match(request, { cacheName: PAGES, ignoreSearch: page });
    if (!page) return kept || Response.error();
    return (
      kept ||
      new Response(OFFLINE_PAGE, {
        status: 503,
        headers: { "Content-Type": "text/html; charset=utf-8" },
      })
    );
  }
  // Only a whole page the client was shown (not a redirect to sign in, not an error page).
  if (response.status === 200 && !response.redirected && response.type === "basic") {
    const copy = response.clone();
    caches
      .open(PAGES)
      .then((cache) => cache.put(request, copy))
      .catch(() => {}); // a full phone keeps fewer pages; the page itself still shows
  }
  return response;
}

async function shellFirst(request) {
  const kept = await caches.match(request, { cacheName: SHELL_CACHE });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.status === 200 && response.type === "basic") {
    const copy = response.clone();
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.put(request, copy))
      .catch(() => {});
  }
  return response;
}

// Sending a worksheet (a new entry, or changes to one).
const SENDING = /\/(do\/[^/]+|entries\/[^/]+\/edit)\/$/;

// The phone said it was online (so the page let the send go) but the send never reached the
// server: a weak signal. The entry goes to the outbox as if sent offline, and the client is
// taken back to the worksheet (kept on the phone), which says it is waiting to send.
async function sendOrKeep(request) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    const client = await self.BWOutbox.getClient();
    const form = await copy.formData();
    const key = form.get("submission_key");
    if (!client || !key) throw error;
    const path = new URL(request.url).pathname;
    const fields = [...form.entries()].filter(
      ([name]) => name !== "csrfmiddlewaretoken" && name !== "submission_key",
    );
    await self.BWOutbox.put({ key, client, url: path, fields, queuedAt: Date.now() });
    self.registration.sync?.register("bw-outbox").catch(() => {});
    return Response.redirect(path, 303);
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate") {
    if (url.pathname.startsWith(SCOPE) && SENDING.test(url.pathname)) {
      event.respondWith(sendOrKeep(request));
    }
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    if (url.pathname.startsWith(SCOPE) && !NEVER.test(url.pathname)) {
      event.respondWith(networkFirst(request));
    }
    return;
  }
  // Static files hold no client data: keep them for everyone (they have content-hashed
  // names in production, so a kept copy is never stale).
  if (url.pathname.startsWith(STATIC)) {
    event.respondWith(shellFirst(request));
    return;
  }
  // A worksheet's pictures: with the client's pages (forgotten on sign-out).
  if (request.destination === "image") {
    event.respondWith(networkFirst(request, { page: false }));
  }
});

async function sendWaiting() {
  const results = await self.BWOutbox.flush();
  const windows = await self.clients.matchAll({ type: "window" });
  results
    .filter((result) => result.state === "sent")
    .forEach((result) =>
      windows.forEach((client) =>
        client.postMessage({ type: "bw-outbox-sent", key: result.entry.key, url: result.url }),
      ),
    );
  if (results.some((result) => result.state === "retry")) {
    throw new Error("Some entries are still waiting"); // Background Sync tries again later
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag === "bw-outbox") event.waitUntil(sendWaiting());
});
