/* Charts of the standings pages: data comes from json_script blocks (no inline scripts: CSP). */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") { return; }
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  function num(list) { return list.map(function (v) { return v === null ? null : Number(v); }); }

  var v = data("standings-vendor-data");
  if (v) {
    chart("rollup-chart", {
      tooltip: { trigger: "axis" }, legend: {},
      xAxis: { type: "category", data: v.cycles }, yAxis: { type: "value" },
      series: v.grades.map(function (g, i) { return { name: g, type: "bar", stack: "n", data: v.counts[i] }; })
    });
    chart("trend-chart", {
      tooltip: { trigger: "axis" }, legend: {},
      xAxis: { type: "category", data: v.cycles },
      yAxis: [{ type: "value", name: "%" }, { type: "value", min: 0, max: 100 }],
      series: [
        { name: "不合格占比 %", type: "line", data: num(v.fail_share) },
        { name: "平均分", type: "line", yAxisIndex: 1, data: num(v.mean) }
      ]
    });
  }
  var c = data("standings-compare-data");
  if (c) {
    if (c.dimensions.length) {
      chart("radar-chart", {
        tooltip: {}, legend: { type: "scroll", bottom: 0 },
        radar: { indicator: c.dimensions.map(function (d) { return { name: d, max: 100 }; }) },
        series: [{ type: "radar", data: c.radar.map(function (r) { return { name: r.name, value: num(r.value) }; }) }]
      });
    }
    chart("compare-trend-chart", {
      tooltip: { trigger: "axis" }, legend: { type: "scroll", bottom: 0 },
      xAxis: { type: "category", data: c.trend.labels }, yAxis: { type: "value", min: 0, max: 100 },
      series: c.trend.series.map(function (s) { return { name: s.name, type: "line", data: num(s.data) }; })
    });
    chart("cost-chart", {
      tooltip: { trigger: "axis" }, legend: {},
      xAxis: { type: "category", data: c.cost.vendors }, yAxis: { type: "value" },
      series: [
        { name: "外包成本", type: "bar", data: num(c.cost.cost) },
        { name: "内部基准成本", type: "bar", data: num(c.cost.benchmark) }
      ]
    });
  }
})();
