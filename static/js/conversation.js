// Reviewing homework in session: each item's form saves by fetch (Enter in any field saves
// and moves to the next item; Shift+Enter is a new line). Without JavaScript the forms post
// and the page comes back at the next item.
(function () {
  "use strict";
  const forms = Array.from(document.querySelectorAll("[data-review-item]"));
  if (!forms.length || !window.fetch) return;

  function reasonVisibility(form) {
    const outcome = form.querySelector("input[name$='-outcome']:checked");
    const reason = form.querySelector("[data-reason]");
    if (reason) reason.hidden = outcome && outcome.value === "done";
  }

  function next(form) {
    const index = forms.indexOf(form);
    const following = forms[index + 1];
    const target = following
      ? following.querySelector("input[name$='-outcome']:checked") ||
        following.querySelector("input[name$='-outcome']")
      : document.querySelector("[data-finish]");
    if (target) {
      (following || target).scrollIntoView({ behavior: "smooth", block: "start" });
      target.focus({ preventScroll: true });
    }
  }

  function showErrors(form, errors) {
    const box = form.querySelector("[data-errors]");
    const lines = [];
    Object.keys(errors).forEach(function (field) {
      errors[field].forEach(function (message) { lines.push(message); });
    });
    box.textContent = lines.join(" ");
    box.hidden = lines.length === 0;
  }

  function progress() {
    const saved = forms.filter(function (f) { return f.classList.contains("review-item--saved"); }).length;
    const label = document.querySelector("[data-progress]");
    if (label) label.textContent = saved + " of " + forms.length + " reviewed";
  }

  forms.forEach(function (form) {
    reasonVisibility(form);
    form.addEventListener("change", function () { reasonVisibility(form); });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && event.target.tagName === "TEXTAREA") {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (!result.ok) {
            showErrors(form, result.data.errors || {});
            return;
          }
          showErrors(form, {});
          form.querySelector("[data-update]").value = "1";
          form.classList.add("review-item--saved");
          form.querySelector("[data-saved]").hidden = false;
          const change = form.querySelector("[data-change-link]");
          if (change) change.hidden = result.data.decision !== "change";
          progress();
          if (result.data.decision === "change" && change) {
            change.focus();
          } else {
            next(form);
          }
        })
        .catch(function () { form.submit(); })
        .finally(function () { button.disabled = false; });
    });
  });
})();
