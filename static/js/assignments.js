// Assign and edit pages: show only the schedule settings that belong to the chosen
// "How often". Without JavaScript every setting is shown and the unused ones are ignored.
"use strict";

document.querySelectorAll("[data-schedule]").forEach((block) => {
  const kinds = block.querySelectorAll('input[name$="schedule_kind"]');
  const update = () => {
    const kind = [...kinds].find((input) => input.checked)?.value;
    block.querySelectorAll("[data-show-for]").forEach((element) => {
      element.hidden = !element.dataset.showFor.split(" ").includes(kind);
    });
  };
  kinds.forEach((input) => input.addEventListener("change", update));
  update();
});
