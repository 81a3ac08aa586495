// Single-choice pickers ([data-picker-single], forms.UserPicker: a team's 负责人). cycles_picker.js
// adds a chip for a clicked result; here, in the capture phase (so before it), the chip already
// chosen is removed, so the picker holds one choice at most.
(function () {
  "use strict";
  if (window.outperformPickerSingle) return;
  window.outperformPickerSingle = true;

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var add = event.target.closest("[data-picker-add]");
    var picker = add && add.closest("[data-picker-single]");
    if (!picker) return;
    var chips = picker.querySelectorAll("[data-picker-chip]");
    for (var i = 0; i < chips.length; i++) chips[i].remove();
    var marked = picker.querySelectorAll("[data-picker-add].active");
    for (var j = 0; j < marked.length; j++) marked[j].classList.remove("active");
  }, true);
})();
