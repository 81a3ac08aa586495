// Indicator and template pages: rule editor, formset rows, live weight total.
// The live preview itself is htmx (hx-post on the form); nothing here is needed for it to work,
// and every page still works without JavaScript (all sections shown, rows added by saving).
(function () {
  "use strict";

  // --- indicator form: show only the parts that apply to the chosen kind and rule type ---------
  function syncIndicatorForm(form) {
    const kind = form.querySelector("[name=kind]");
    const ruleType = form.querySelector("[name=rule_type]");
    const current = kind ? kind.value : "";
    form.querySelectorAll("[data-kind-section]").forEach((el) => {
      el.hidden = current !== "" && el.getAttribute("data-kind-section") !== current;
    });
    const type = ruleType ? ruleType.value : "";
    form.querySelectorAll("[data-rule-section]").forEach((el) => {
      el.hidden = el.getAttribute("data-rule-section") !== type;
    });
  }

  document.querySelectorAll("[data-indicator-form]").forEach((form) => {
    syncIndicatorForm(form);
    form.addEventListener("change", (event) => {
      if (event.target.matches("[name=kind], [name=rule_type]")) syncIndicatorForm(form);
    });
  });

  // --- template form: live total of the indicator weights --------------------------------------
  function updateWeightTotal(form) {
    const box = form.querySelector("[data-weight-total-box]");
    if (!box) return;
    let hundredths = 0;
    form.querySelectorAll("[data-formset=items] [data-formset-row]").forEach((row) => {
      const deleted = row.querySelector("input[name$='-DELETE']");
      const weight = row.querySelector("input[name$='-weight']");
      if (!weight || (deleted && deleted.checked) || weight.value.trim() === "") return;
      const value = Number(weight.value);
      // Hundredths as integers: 33.33 + 33.33 + 33.34 must show 100, not 99.99999999999999.
      if (Number.isFinite(value)) hundredths += Math.round(value * 100);
    });
    const total = box.querySelector("[data-weight-total]");
    total.textContent = String(hundredths / 100);
    box.classList.toggle("text-danger", hundredths !== 10000);
    box.classList.toggle("text-success", hundredths === 10000);
  }

  // --- formsets: add a row from the empty form --------------------------------------------------
  function addRow(section) {
    const prefix = section.getAttribute("data-formset");
    const total = section.querySelector(`input[name='${prefix}-TOTAL_FORMS']`);
    const template = section.querySelector("template[data-formset-empty]");
    const body = section.querySelector("[data-formset-body]");
    if (!total || !template || !body) return;
    const index = Number(total.value);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const first = body.lastElementChild && body.lastElementChild.querySelector("input, select, textarea");
    if (first && first.type !== "hidden") first.focus();
  }

  document.querySelectorAll("[data-template-form]").forEach((form) => {
    updateWeightTotal(form);
    form.addEventListener("input", () => updateWeightTotal(form));
    form.addEventListener("change", () => updateWeightTotal(form));
    form.addEventListener("click", (event) => {
      const button = event.target.closest("[data-formset-add]");
      if (!button) return;
      event.preventDefault();
      addRow(button.closest("[data-formset]"));
      updateWeightTotal(form);
    });
  });
})();
