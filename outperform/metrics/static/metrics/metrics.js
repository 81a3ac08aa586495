// Metric explorer: the monthly trend (ECharts), data from a json_script element; the subject list
// reloads when the subject type changes. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.name === "level" && el.form) {
      var subject = el.form.querySelector("[name=subject]");
      if (subject) subject.value = "";
      el.form.submit();
    }
  });

  function init() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart='metric-trend']").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-source"));
      if (!source) return;
      var d = JSON.parse(source.textContent);
      var chart = window.echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "axis" }, grid: { left: 48, right: 16, top: 24, bottom: 32, containLabel: true },
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", scale: true },
        series: d.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, connectNulls: false, label: { show: true } };
        })
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
