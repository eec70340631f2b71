// GOV.UK Frontend behaviours (error summary focus, menus, details).
import { initAll } from "./dist/govuk-frontend.min.js";

initAll();

// "Select all" for bulk approval: a plain checkbox that ticks the others.
for (const toggle of document.querySelectorAll("[data-select-all]")) {
  toggle.addEventListener("change", () => {
    const form = toggle.closest("form");
    for (const box of form.querySelectorAll("input[name='" + toggle.dataset.selectAll + "']")) {
      box.checked = toggle.checked;
    }
  });
}
