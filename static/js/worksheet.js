// The client's worksheet form, enhanced: add table rows and emotions, show follow-up
// questions as answers change, step through long worksheets one section at a time, and
// autosave (to the server every few seconds and on leaving a field, and to this device on
// every keystroke) so nothing typed is lost. Without JavaScript the form still works: every
// section on one page, sent in one go.
"use strict";

(() => {
  // After sending, the entry page tells us which saved copy on this device to forget.
  document.querySelectorAll("[data-clear-draft]").forEach((element) => {
    try {
      localStorage.removeItem(element.dataset.clearDraft);
      localStorage.removeItem(`${element.dataset.clearDraft}:step`);
    } catch (error) {
      // Storage may be disabled (private mode); there is nothing to forget then.
    }
  });

  const form = document.getElementById("worksheet-form");
  if (!form) return;

  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const storageKey = form.dataset.storageKey;
  const status = form.querySelector("[data-autosave-status]");
  const submitButton = form.querySelector("[data-submit]");
  const ROW_NAME = /^f\.([a-z][a-z0-9_]*)\.(\d+)\./;

  const setStatus = (text) => {
    if (status) status.textContent = text;
  };
  const clock = () =>
    new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

  // ---- Repeating rows (tables and emotions) -------------------------------------------

  const rows = (container) => container.querySelectorAll(":scope > .table-entry__row");

  function refreshAddButton(container) {
    const button = container.querySelector(":scope > [data-add-row]");
    const max = Number(container.dataset.maxRows || 50);
    if (button) button.hidden = rows(container).length >= max;
  }

  function addRow(container, focus = true) {
    const template = container.querySelector(":scope > template[data-row-template]");
    if (!template || rows(container).length >= Number(container.dataset.maxRows || 50)) {
      return null;
    }
    let next = 0;
    container.querySelectorAll("[name]").forEach((input) => {
      const match = input.name.match(ROW_NAME);
      if (match) next = Math.max(next, Number(match[2]) + 1);
    });
    template.insertAdjacentHTML("beforebegin", template.innerHTML.replaceAll("__row__", next));
    const row = template.previousElementSibling;
    const number = rows(container).length;
    const legend = row.querySelector(".table-entry__legend");
    if (legend) legend.textContent = `${legend.textContent.trim()} ${number}`;
    const first = row.querySelector(".field__label");
    if (!legend && first && first.textContent.trim() === "Emotion") {
      first.textContent = `Emotion ${number}`;
    }
    refreshAddButton(container);
    if (focus) row.querySelector("input, textarea, select")?.focus();
    return row;
  }

  form.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add.closest(".table-entry"));
      return;
    }
    const chip = event.target.closest("[data-emotion]");
    if (chip) {
      event.preventDefault();
      const container = chip.closest(".field--emotions").querySelector(".table-entry");
      const empty = () =>
        [...container.querySelectorAll('input[name$=".emotion"]')].find((i) => !i.value.trim());
      const target = empty() || (addRow(container, false) && empty());
      if (!target) return;
      target.value = chip.dataset.emotion;
      target.dispatchEvent(new Event("input", { bubbles: true }));
      target.closest(".table-entry__row").querySelector('input[name$=".intensity"]')?.focus();
    }
  });
  form.querySelectorAll(".table-entry").forEach(refreshAddButton);

  // ---- Follow-up questions (show_if) -----------------------------------------------------

  function answerOf(fieldId) {
    const wrapper = document.getElementById(`f-${fieldId}`) || document.getElementById(`f-${fieldId}-field`);
    if (wrapper && wrapper.hidden) return null; // a hidden question counts as unanswered
    const inputs = form.querySelectorAll(`[name="f.${fieldId}"], [name^="f.${fieldId}."]`);
    const values = [];
    inputs.forEach((input) => {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value.trim()) values.push(input.value.trim());
    });
    const many = [...inputs].some((i) => i.type === "checkbox" || i.name !== `f.${fieldId}`);
    if (!values.length) return null;
    return many ? values : values[0];
  }

  function holds(condition) {
    const answer = answerOf(condition.field);
    const { op, value } = condition;
    if (op === "answered") return answer !== null;
    if (answer === null) return op === "not_equals";
    const list = Array.isArray(answer) ? answer : [answer];
    if (op === "equals") return list.includes(String(value));
    if (op === "not_equals") return !list.includes(String(value));
    if (op === "in") return value.map(String).some((v) => list.includes(v));
    const number = Number.parseFloat(list[0]);
    if (Number.isNaN(number)) return op === "gte" ? list[0] >= value : list[0] <= value;
    return op === "gte" ? number >= value : number <= value;
  }

  const conditional = [...form.querySelectorAll("[data-show-if]")];
  function applyConditions() {
    conditional.forEach((element) => {
      element.hidden = !holds(JSON.parse(element.dataset.showIf));
    });
  }

  // ---- One section at a time -----------------------------------------------------------

  const sections = [...form.querySelectorAll(".worksheet__section")];
  const stepKey = `${storageKey}:step`;
  let step = 0;
  let stepper = null;

  function showStep(index, { focus = true } = {}) {
    step = Math.max(0, Math.min(index, sections.length - 1));
    sections.forEach((section, i) => {
      section.hidden = i !== step;
    });
    const last = step === sections.length - 1;
    submitButton.hidden = !last;
    stepper.label.textContent = `Part ${step + 1} of ${sections.length}`;
    stepper.fill.style.width = `${Math.round(((step + 1) / sections.length) * 100)}%`;
    try {
      localStorage.setItem(stepKey, String(step));
    } catch (error) {
      // Not remembering the step is fine.
    }
    if (focus) {
      const heading = sections[step].querySelector(".worksheet__title");
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
      stepper.element.scrollIntoView({ block: "start" });
    }
  }

  function buildStepper() {
    // The stepper numbers the parts ("Part 8 of 8"); an author's own numbering in the titles
    // ("7. How you feel now", with an unnumbered optional part before it) would disagree.
    sections.forEach((section) => {
      const title = section.querySelector(".worksheet__title");
      title.textContent = title.textContent.replace(/^\s*\d+[.)]\s+/, "");
    });
    const element = document.createElement("div");
    element.className = "stepper";
    element.innerHTML =
      '<p class="stepper__label" aria-live="polite"></p>' +
      '<div class="stepper__bar" aria-hidden="true"><span class="stepper__fill"></span></div>';
    form.querySelector(".worksheet").prepend(element);
    sections.forEach((section, i) => {
      const nav = document.createElement("div");
      nav.className = "stepper__nav";
      if (i > 0) {
        nav.insertAdjacentHTML(
          "beforeend",
          '<button type="button" class="btn btn--ghost btn--large" data-step="-1">Back</button>',
        );
      }
      if (i < sections.length - 1) {
        nav.insertAdjacentHTML(
          "beforeend",
          '<button type="button" class="btn btn--primary btn--large" data-step="1">Next</button>',
        );
      }
      section.append(nav);
    });
    form.addEventListener("click", (event) => {
      const move = event.target.closest("[data-step]");
      if (move) {
        event.preventDefault();
        if (dirty) save();
        showStep(step + Number(move.dataset.step));
      }
      const link = event.target.closest('.error-summary a[href^="#"]');
      if (link) {
        const target = document.getElementById(link.getAttribute("href").slice(1));
        const owner = target && sections.indexOf(target.closest(".worksheet__section"));
        if (owner >= 0) showStep(owner, { focus: false });
      }
    });
    return {
      element,
      label: element.querySelector(".stepper__label"),
      fill: element.querySelector(".stepper__fill"),
    };
  }

  // ---- Saving: on this device and on the server ------------------------------------------

  function snapshot() {
    return [...new FormData(form).entries()].filter(
      ([name]) => name.startsWith("f.") || name === "share_with_therapist",
    );
  }

  // The server's draft as this page knows it, in the server's clock. The copy on this device
  // records it as its base: on the next load the device copy wins unless the server has a
  // draft newer than that base (saved from another device). Comparing the phone's clock with
  // the server's instead would drop what was typed whenever the phone's clock runs behind.
  let serverSavedAt = Number(form.dataset.draftSavedAt || 0) * 1000;

  function keepOnDevice() {
    try {
      localStorage.setItem(
        storageKey,
        JSON.stringify({ t: Date.now(), base: serverSavedAt, v: snapshot() }),
      );
    } catch (error) {
      // Full or disabled storage: the server copy still protects the answers.
    }
  }

  function restore(values) {
    const wanted = new Map();
    values.forEach(([name, value]) => {
      if (!wanted.has(name)) wanted.set(name, []);
      wanted.get(name).push(value);
    });
    wanted.forEach((_, name) => {
      const match = name.match(ROW_NAME);
      if (!match || form.querySelector(`[name="${CSS.escape(name)}"]`)) return;
      const wrapper = document.getElementById(`f-${match[1]}`);
      const container = wrapper?.querySelector(".table-entry");
      while (container && !form.querySelector(`[name="${CSS.escape(name)}"]`)) {
        if (!addRow(container, false)) break;
      }
    });
    form.querySelectorAll('[name^="f."], [name="share_with_therapist"]').forEach((input) => {
      const given = wanted.get(input.name) || [];
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = given.includes(input.value);
      } else {
        input.value = given[0] ?? "";
      }
    });
  }

  let dirty = false;
  let saving = null; // the autosave in flight, if any
  let again = false;
  let submitting = false;

  function save(keepalive = false) {
    if (submitting) return;
    if (saving) {
      again = true;
      return;
    }
    dirty = false;
    saving = send(keepalive);
  }

  async function send(keepalive) {
    setStatus("Saving…");
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
        keepalive,
      });
      const json = (response.headers.get("Content-Type") || "").includes("json");
      if (response.ok && json) {
        const savedAt = Date.parse((await response.json()).saved_at);
        if (!Number.isNaN(savedAt)) {
          serverSavedAt = savedAt;
          keepOnDevice(); // what is typed now, on top of the draft the server just kept
        }
        setStatus(`Draft saved at ${clock()}.`);
      } else if (response.status === 400 && json) {
        const body = await response.json();
        setStatus(
          body.issues
            ? "Kept on this device. One answer needs a look before it can be saved."
            : body.error,
        );
      } else {
        dirty = true;
        setStatus("Kept on this device. Sign in again to save it to your account.");
      }
    } catch (error) {
      dirty = true;
      setStatus("Saved on this phone. You seem to be offline: it saves to your account when you’re back.");
    } finally {
      saving = null;
      if (again) {
        again = false;
        save();
      }
    }
  }

  function changed() {
    dirty = true;
    keepOnDevice();
    applyConditions();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", () => {
    if (dirty) save();
  });
  window.setInterval(() => {
    if (dirty) save();
  }, 5000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && dirty) save(true);
  });
  form.addEventListener("submit", (event) => {
    if (submitting) {
      event.preventDefault(); // a double tap: the first one is on its way
      return;
    }
    submitting = true;
    submitButton.disabled = true;
    submitButton.textContent = "Sending…";
    if (saving) {
      // Let the autosave in flight finish first, so the two never race on the server.
      event.preventDefault();
      saving.finally(() => form.submit());
    }
  });
  window.addEventListener("pageshow", () => {
    submitting = false;
    submitButton.disabled = false;
  });

  // ---- Start -------------------------------------------------------------------------------

  try {
    const kept = JSON.parse(localStorage.getItem(storageKey) || "null");
    const hasErrors = form.querySelector(".error-summary");
    // Copies saved before bases were recorded fall back to comparing clocks.
    const current = kept && ("base" in kept ? kept.base >= serverSavedAt : kept.t > serverSavedAt);
    if (current && !hasErrors) {
      if (JSON.stringify(kept.v) !== JSON.stringify(snapshot())) {
        restore(kept.v);
        dirty = true;
        setStatus("We brought back what you typed on this device.");
      }
    }
  } catch (error) {
    // Unreadable saved copy: start from what the server sent.
  }
  applyConditions();
  if (sections.length >= 3) {
    stepper = buildStepper();
    const withError = sections.findIndex((s) => s.querySelector(".field--error"));
    let start = withError;
    if (start < 0) {
      try {
        start = Number(localStorage.getItem(stepKey) || 0);
      } catch (error) {
        start = 0;
      }
    }
    showStep(start, { focus: false });
  }
})();
