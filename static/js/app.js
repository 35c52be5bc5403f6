// Small progressive enhancements. Every page works without JavaScript.
"use strict";

// Confirm destructive actions: <button data-confirm="Remove this person?">
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// Library form builder (and any region marked data-swap-errors): a 400 answer carries the
// form again with its errors next to the fields, so htmx should show it rather than drop it.
document.addEventListener("htmx:beforeSwap", (event) => {
  const region = event.detail.requestConfig && event.detail.requestConfig.elt.closest("[data-swap-errors]");
  if (region && event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Fields that htmx follows as they are typed in (the library and caseload filters, the
// builder's JSON editor): on a slow phone a person can type before the scripts have loaded,
// and that typing raised no event htmx saw. Once htmx has set the page up (its own
// DOMContentLoaded listener was added first, so it has run), a field whose text differs from
// what the page was served with raises its "input" event again. These triggers carry no
// "changed" modifier: htmx would take the early text as already seen and drop this event
// (an "input" event only fires when the text changes, so the modifier adds nothing there).
const FOLLOWS_TYPING = '[hx-trigger^="input"]:is(input, textarea), [hx-trigger^="input"] :is(input, textarea)';
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(FOLLOWS_TYPING).forEach((field) => {
    if (field.value !== field.defaultValue) {
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
});

// Read-only fields meant for copying (a calendar link) select their text when focused. Written
// here, not as an onfocus attribute: the Content-Security-Policy allows no inline script.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("input[data-select-on-focus]")) {
    event.target.select();
  }
});

// A filter that applies as soon as it changes (a select marked data-submit-on-change).
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-submit-on-change]")) {
    event.target.form.requestSubmit();
  }
});
