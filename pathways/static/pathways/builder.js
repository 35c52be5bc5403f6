// The pathway builder: drag steps to reorder them. Keyboard users (and anyone without
// JavaScript) use the move up/down buttons, which post the same change.
"use strict";

(() => {
  let dragged = null;
  let lastDirection = null;

  const list = () => document.querySelector("[data-step-list]");

  document.addEventListener("dragstart", (event) => {
    const item = event.target.closest && event.target.closest("[data-step-id]");
    if (!item || !list() || !list().contains(item)) return;
    dragged = item;
    item.classList.add("pathway-step--dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.stepId);
  });

  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const over = event.target.closest && event.target.closest("[data-step-id]");
    if (!over || over === dragged || over.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", (event) => {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("pathway-step--dragging");
    dragged = null;
    const form = document.getElementById("step-order-form");
    if (!form) return;
    form.querySelectorAll("input[name=step]").forEach((input) => input.remove());
    list().querySelectorAll("[data-step-id]").forEach((item) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "step";
      input.value = item.dataset.stepId;
      form.appendChild(input);
    });
    form.requestSubmit();
  });

  // After a move, keep the keyboard focus on the step that moved.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[name=direction]");
    if (button) lastDirection = button.value;
  });

  document.addEventListener("htmx:afterSwap", () => {
    const moved = document.querySelector("[data-step-id][data-moved]");
    if (!moved) return;
    const buttons = [...moved.querySelectorAll("button[name=direction]:not([disabled])")];
    const target = buttons.find((b) => b.value === lastDirection) || buttons[0];
    if (target) target.focus();
  });
})();
