// Entries sent while the phone had no signal wait here (IndexedDB, no expiry) until they can
// go. Shared by the portal's pages and its service worker (Background Sync), so either can
// send them. Each entry carries the submission key its form was drawn with: the server makes
// a send exactly-once by that key, so two senders racing, or a resend after a lost reply,
// still make one entry.
"use strict";

(function (global) {
  const DB = "bw-outbox";
  const ENTRIES = "entries";
  const META = "meta";

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(ENTRIES, { keyPath: "key" });
        request.result.createObjectStore(META);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(storeName, mode, action) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(storeName, mode);
      const request = action(transaction.objectStore(storeName));
      let result;
      if (request) request.onsuccess = () => (result = request.result);
      transaction.oncomplete = () => {
        db.close();
        resolve(result);
      };
      transaction.onerror = transaction.onabort = () => {
        db.close();
        reject(transaction.error);
      };
    });
  }

  const put = (entry) => run(ENTRIES, "readwrite", (store) => store.put(entry));
  const remove = (key) => run(ENTRIES, "readwrite", (store) => store.delete(key));
  const all = () => run(ENTRIES, "readonly", (store) => store.getAll());
  // Who is signed in on this device: only their entries are ever sent, so an entry can never
  // go out under someone else's session (it would be refused anyway: another client's
  // worksheet is a 404).
  const setClient = (client) =>
    run(META, "readwrite", (store) => (client ? store.put(client, "client") : store.delete("client")));
  const getClient = () => run(META, "readonly", (store) => store.get("client"));

  const signInPage = (url) => /\/portal\/sign-in\//.test(new URL(url).pathname);
  const entryPage = (url) => /\/portal\/entries\//.test(new URL(url).pathname);

  // One entry: read a fresh CSRF token from the worksheet page (the one kept with the entry
  // may have been rotated by a sign-in since), then post the answers with the entry's key.
  async function sendOne(entry) {
    const page = await fetch(entry.url, { credentials: "same-origin", cache: "no-store" });
    if (signInPage(page.url)) return { state: "signin" };
    // A single-entry worksheet already sent (this key's earlier send whose reply was lost,
    // or from another device) now opens as its entry.
    if (page.ok && entryPage(page.url)) return { state: "sent", url: page.url };
    if (!page.ok) return { state: "retry" };
    const token = (await page.text()).match(/name="csrfmiddlewaretoken" value="([^"]+)"/);
    if (!token) return { state: "retry" };
    const body = new FormData();
    entry.fields.forEach(([name, value]) => body.append(name, value));
    body.set("csrfmiddlewaretoken", token[1]);
    body.set("submission_key", entry.key);
    const sent = await fetch(entry.url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token[1] },
    });
    if (sent.ok && entryPage(sent.url)) return { state: "sent", url: sent.url };
    if (signInPage(sent.url)) return { state: "signin" };
    if (sent.status === 400) return { state: "check" };
    return { state: "retry" };
  }

  let flushing = null;

  // Send every waiting entry of the signed-in client. Returns [{entry, state, url}]; an
  // entry leaves the queue only once the server has it.
  function flush() {
    if (!flushing) {
      flushing = (async () => {
        const client = await getClient();
        const results = [];
        if (!client) return results;
        for (const entry of await all()) {
          if (entry.client !== client || entry.state === "check") continue;
          let result;
          try {
            result = await sendOne(entry);
          } catch (error) {
            result = { state: "retry" }; // still offline, or the connection dropped
          }
          if (result.state === "sent") await remove(entry.key);
          else if (result.state === "check") await put({ ...entry, state: "check" });
          results.push({ entry, ...result });
        }
        return results;
      })().finally(() => {
        flushing = null;
      });
    }
    return flushing;
  }

  global.BWOutbox = { put, remove, all, flush, setClient, getClient };
})(self);
