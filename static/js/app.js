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
