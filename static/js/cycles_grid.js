// Rating grid (评分表): rows = subjects, columns = indicators. Keyboard entry like a spreadsheet:
// Tab / Enter go to the next score cell (Shift goes back), the arrow keys move between cells.
(function () {
  "use strict";

  function cells() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-grid-cell]:not([disabled])"));
  }

  function cellAt(row, col) {
    return document.querySelector('[data-grid-cell][data-row="' + row + '"][data-col="' + col + '"]:not([disabled])');
  }

  function step(from, backwards) {
    var list = cells();
    var i = list.indexOf(from);
    return list[i + (backwards ? -1 : 1)] || null;
  }

  function move(from, dRow, dCol) {
    var all = cells();
    var maxRow = 0, maxCol = 0;
    all.forEach(function (c) {
      maxRow = Math.max(maxRow, +c.getAttribute("data-row"));
      maxCol = Math.max(maxCol, +c.getAttribute("data-col"));
    });
    var row = +from.getAttribute("data-row"), col = +from.getAttribute("data-col");
    for (;;) {
      row += dRow; col += dCol;
      if (row < 0 || col < 0 || row > maxRow || col > maxCol) return null;
      var target = cellAt(row, col);
      if (target) return target;
    }
  }

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches("[data-grid-cell]")) return;
    var target;
    switch (event.key) {
      case "Enter": case "Tab": target = step(el, event.shiftKey); break;
      case "ArrowDown": target = move(el, 1, 0); break;
      case "ArrowUp": target = move(el, -1, 0); break;
      case "ArrowRight": target = move(el, 0, 1); break;
      case "ArrowLeft": target = move(el, 0, -1); break;
      default: return;
    }
    // Never submit the form with Enter, nor change a number with the arrow keys.
    if (event.key !== "Tab" || target) event.preventDefault();
    if (target) {
      target.focus();
      if (target.select) target.select();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-grid-select-all]")) {
      document.querySelectorAll("[data-grid-select]").forEach(function (cb) { cb.checked = event.target.checked; });
    }
  });
})();
