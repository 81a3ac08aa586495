// Subject pickers (forms.SubjectPicker): the server renders the chosen rows as chips holding hidden
// inputs and answers searches with buttons (htmx fills [data-picker-results]); here a click on a
// result adds a chip, × removes one, Enter searches instead of submitting the form. On the cycle
// form, only the pickers of the chosen subject kind are shown ([data-for-kind]).
(function () {
  "use strict";
  if (window.outperformPicker) return;  // one copy per page, however many pickers
  window.outperformPicker = true;

  function count(picker) {
    var counter = document.querySelector('[data-picker-count="' + picker.getAttribute("data-name") + '"]');
    if (counter) counter.textContent = picker.querySelectorAll("[data-picker-chip]").length;
  }

  function addChip(picker, value, label) {
    var chosen = picker.querySelector("[data-picker-chosen]");
    var inputs = chosen.querySelectorAll("input[type=hidden]");
    for (var i = 0; i < inputs.length; i++) if (inputs[i].value === value) return;
    var chip = document.createElement("span");
    chip.className = "badge rounded-pill text-bg-light border fw-normal me-1 mb-1 picker-chip";
    chip.setAttribute("data-picker-chip", "");
    chip.appendChild(document.createTextNode(label));
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.getAttribute("data-name");
    input.value = value;
    chip.appendChild(input);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close ms-1 picker-remove";
    remove.setAttribute("data-picker-remove", "");
    remove.setAttribute("aria-label", "× " + label);
    chip.appendChild(remove);
    chosen.appendChild(chip);
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var add = event.target.closest("[data-picker-add]");
    if (add) {
      var picker = add.closest("[data-picker]");
      if (!picker) return;
      addChip(picker, add.getAttribute("data-value"), add.getAttribute("data-label"));
      add.classList.add("active");
      count(picker);
      return;
    }
    var remove = event.target.closest("[data-picker-remove]");
    if (remove) {
      var owner = remove.closest("[data-picker]");
      remove.closest("[data-picker-chip]").remove();
      if (owner) count(owner);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-picker-search]")) {
      event.preventDefault();
      if (window.htmx) window.htmx.trigger(event.target, "search");
    }
  });

  function showKind() {
    var select = document.querySelector("select[name=subject_kind]");
    if (!select) return;
    document.querySelectorAll("[data-for-kind]").forEach(function (el) {
      var invalid = el.querySelector(".is-invalid, .invalid-feedback");
      el.hidden = el.getAttribute("data-for-kind") !== select.value && !invalid;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[name=subject_kind]")) showKind();
  });
  showKind();
})();
