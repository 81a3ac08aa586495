// Survey pages: copy a link to the clipboard; bar charts of answer distributions (ECharts) whose
// data comes from json_script elements. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var text = button.getAttribute("data-copy");
    var done = function () {
      button.classList.add("btn-success");
      setTimeout(function () { button.classList.remove("btn-success"); }, 1200);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      var input = button.parentElement.querySelector("input");
      if (input) { input.select(); document.execCommand("copy"); done(); }
    }
  });

  function init() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart='survey-bar']").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-source"));
      if (!source) return;
      var d = JSON.parse(source.textContent);
      var chart = window.echarts.init(el);
      chart.setOption({
        tooltip: {}, grid: { left: 40, right: 16, top: 16, bottom: 32, containLabel: true },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", data: d.values, label: { show: true, position: "top" } }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
