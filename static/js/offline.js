// The portal without a signal: registers the portal's service worker, keeps an entry sent
// while offline in the outbox (outbox.js) and sends it when the connection is back (the
// online event, every page load, and Background Sync where the browser has it), and says in
// calm words where the work is: sent, saved on this phone, or waiting to send. Loaded by the
// portal's pages only.
"use strict";

(() => {
  const script = document.currentScript;
  const client = script.dataset.client || "";
  const Outbox = self.BWOutbox;
  const PAGES = "bw-portal-pages";
  const forgetPages = () => ("caches" in self ? caches.delete(PAGES) : Promise.resolve());

  if (!("indexedDB" in self) || !Outbox) return; // the portal works as before, online

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(script.dataset.worker, { scope: script.dataset.scope })
      .catch(() => {}); // without a worker the portal is simply online-only
  }

  // The page cache belongs to one signed-in client: a different client (or nobody) on this
  // device never gets the previous one's pages.
  let previous = null;
  try {
    previous = localStorage.getItem("bw-portal-client");
    localStorage.setItem("bw-portal-client", client);
  } catch (error) {
    previous = null;
  }
  if (!client || previous !== client) forgetPages();
  const ready = Outbox.setClient(client || null).catch(() => {});

  document.querySelectorAll('form[action$="/sign-out/"]').forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      Promise.allSettled([forgetPages(), Outbox.setClient(null)]).then(() => form.submit());
    });
  });

  const form = document.getElementById("worksheet-form");
  const keyInput = form?.querySelector("input[name=submission_key]");
  let key = keyInput?.value;
  const here = location.pathname;
  let status = null;

  function say(html, tone) {
    if (!status) {
      status = document.createElement("div");
      status.setAttribute("role", "status");
      status.className = "outbox-status";
      const where = form?.querySelector("[data-sheet-actions]") || document.getElementById("main");
      where.prepend(status);
    }
    status.className = `outbox-status alert alert--${tone}`;
    status.innerHTML = html;
  }

  function waiting(signIn = false) {
    const autosave = form?.querySelector("[data-autosave-status]");
    if (autosave) autosave.hidden = true; // this message replaces the autosave's
    say(
      signIn
        ? "<strong>Waiting to send.</strong> Your answers are saved on this phone. " +
            `<a href="${script.dataset.signIn}">Sign in again</a> and they will go.`
        : "<strong>Waiting to send — will go when you're back online.</strong> " +
            "Your answers are saved on this phone.",
      "warning",
    );
  }

  // ---- Sending while offline -----------------------------------------------------------

  if (form && key) {
    // Runs before the worksheet's own submit handler (capture, on the window): offline, the
    // entry goes to the outbox instead of a send that would fail.
    window.addEventListener(
      "submit",
      (event) => {
        if (event.target !== form || navigator.onLine) return;
        event.preventDefault();
        event.stopPropagation();
        const fields = [...new FormData(form).entries()].filter(
          ([name]) => name !== "csrfmiddlewaretoken" && name !== "submission_key",
        );
        const draftKey = form.dataset.storageKey;
        Outbox.put({ key, client, url: here, fields, draftKey, queuedAt: Date.now() })
          .then(() => {
            waiting();
            return navigator.serviceWorker?.ready;
          })
          .then((registration) => registration?.sync?.register("bw-outbox"))
          .catch(() => {}); // no Background Sync: the online event and page loads send it
      },
      true,
    );
  }

  // ---- Sending what waits ----------------------------------------------------------------

  function settle(results) {
    // What was typed is with the therapist now: the copy kept on this device goes, as the
    // entry page does after an online send (or it would come back into the next entry).
    results
      .filter((result) => result.state === "sent" && result.entry.draftKey)
      .forEach(({ entry }) => {
        try {
          localStorage.removeItem(entry.draftKey);
          localStorage.removeItem(`${entry.draftKey}:step`);
        } catch (error) {
          // Storage disabled: nothing was kept.
        }
      });
    const mine = results.find((result) => result.entry.key === key);
    if (mine?.state === "sent") {
      location.assign(mine.url); // the entry page says "Sent" and forgets the draft
      return;
    }
    if (mine?.state === "signin") waiting(true);
    if (mine?.state === "check") {
      Outbox.remove(key);
      say(
        "One answer needs a look before this can be sent. Your answers are saved on this " +
          'phone: press "Send" to see which.',
        "warning",
      );
      if (form.querySelector("[data-autosave-status]")) {
        form.querySelector("[data-autosave-status]").hidden = false;
      }
    }
    const others = results.filter((result) => result.entry.key !== key);
    const sent = others.filter((result) => result.state === "sent");
    if (sent.length) {
      say(
        `<strong>Sent.</strong> ${sent.length === 1 ? "The entry" : `${sent.length} entries`} ` +
          "you finished offline reached your therapist. " +
          (sent.length === 1
            ? `<a href="${sent[0].url}">Open your entry</a>` // as sent: with its support, if any
            : `<a href="${script.dataset.history}">See them in your history</a>`),
        "success",
      );
    } else if (others.some((result) => result.state === "signin") && !mine) {
      say(
        "<strong>Waiting to send.</strong> Entries you finished offline are saved on this phone. " +
          `<a href="${script.dataset.signIn}">Sign in again</a> and they will go.`,
        "warning",
      );
    }
  }

  function sendWaiting() {
    if (!client || !navigator.onLine) return;
    Outbox.flush().then(settle).catch(() => {});
  }

  ready
    .then(() => Outbox.all())
    .then((entries) => {
      // This worksheet's waiting entry, even if the page was drawn afresh (with a new key)
      // since: the form takes the waiting entry's key, so sending again replaces it, and
      // both can never arrive.
      const mine = form
        ? entries.find((entry) => entry.url === here && entry.client === client)
        : null;
      if (mine && keyInput) keyInput.value = key = mine.key;
      // An entry the service worker kept (a send lost on a weak signal) learns which copy
      // on this device is its draft.
      if (mine && !mine.draftKey) {
        return Outbox.put({ ...mine, draftKey: form.dataset.storageKey }).then(() => mine);
      }
      return mine;
    })
    .then((mine) => {
      if (mine?.state === "check") settle([{ entry: mine, state: "check" }]);
      else if (mine) waiting();
      sendWaiting();
    })
    .catch(() => {});
  window.addEventListener("online", sendWaiting);
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "bw-outbox-sent" && event.data.key === key) {
      location.assign(event.data.url);
    }
  });
})();
