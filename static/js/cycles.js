// Cycle pages (考核): confirmation on one button of a form, repeatable rows, ECharts charts whose
// data comes from json_script elements. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  // app.js asks for confirmation on forms with data-confirm; here a single button may ask
  // (e.g. 提交 beside 保存草稿 in the same form).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });

  // Repeatable rows: a table[data-repeat=name] with tr[data-repeat-row], a [data-repeat-add=name]
  // button that copies the last row (emptied), and [data-repeat-remove] buttons in each row.
  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var add = event.target.closest("[data-repeat-add]");
    if (add) {
      var body = document.querySelector('[data-repeat="' + add.getAttribute("data-repeat-add") + '"] tbody');
      var rows = body ? body.querySelectorAll("[data-repeat-row]") : [];
      if (!rows.length) return;
      var row = rows[rows.length - 1].cloneNode(true);
      row.querySelectorAll("input, textarea").forEach(function (i) { i.value = ""; });
      body.appendChild(row);
      var first = row.querySelector("input");
      if (first) first.focus();
      return;
    }
    var remove = event.target.closest("[data-repeat-remove]");
    if (remove) {
      var tr = remove.closest("[data-repeat-row]");
      if (tr.parentElement.querySelectorAll("[data-repeat-row]").length > 1) tr.remove();
      else tr.querySelectorAll("input, textarea").forEach(function (i) { i.value = ""; });
    }
  });

  function dataOf(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  var grid = { left: 48, right: 16, top: 32, bottom: 40, containLabel: true };
  var builders = {
    // {labels: [...], values: [...], colours: [...]}
    bar: function (d) {
      return {
        tooltip: {}, grid: grid,
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [{
          type: "bar", label: { show: true, position: "top" },
          data: d.values.map(function (v, i) { return { value: v, itemStyle: { color: d.colours[i] } }; })
        }]
      };
    },
    // {labels: [...], series: [{name, data: [number|null]}]}
    line: function (d) {
      return {
        tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: grid,
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", max: 100, min: function (v) { return Math.max(0, Math.floor((v.min - 10) / 10) * 10); } },
        series: d.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, connectNulls: true, label: { show: true } };
        })
      };
    }
  };

  function initCharts() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = builders[el.getAttribute("data-chart")];
      var d = dataOf(el);
      if (!build || !d) return;
      var chart = window.echarts.init(el);
      chart.setOption(build(d));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initCharts);
  else initCharts();
})();
