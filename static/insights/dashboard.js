// Insights dashboards (看板): draws every [data-insights-chart] element from the JSON the page embeds
// in <script id="insights-data" type="application/json"> (json_script). Each chart carries ECharts'
// toolbox "save as image" (PNG); the .xlsx of its data is a server-side link on the card.
// No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  var grid = { left: 16, right: 24, top: 48, bottom: 24, containLabel: true };
  var toolbox = function (name) {
    return { right: 8, feature: { saveAsImage: { name: name, pixelRatio: 2, title: "PNG" } } };
  };
  // A fresh object per chart: ECharts may keep and change the option objects it is given.
  var percentAxis = function () { return { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }; };

  function shareSeries(series, axisKey, axisIndex) {
    return series.map(function (s) {
      var item = { name: s.name, type: "bar", stack: "share", data: s.data, itemStyle: { color: s.colour },
                   emphasis: { focus: "series" } };
      item[axisKey] = axisIndex;
      return item;
    });
  }

  var builders = {
    distribution: function (d) {
      return {
        tooltip: { trigger: "axis" }, legend: { top: 0, left: 0 }, grid: grid,
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "人数 / Count", type: "bar", label: { show: true, position: "top" },
            data: d.values.map(function (v, i) { return { value: v, itemStyle: { color: d.colours[i] } }; }) },
          { name: "上限 / Max", type: "scatter", symbol: "triangle", symbolSize: 14, symbolRotate: 180,
            itemStyle: { color: "#c0392b" }, data: d.quota_max },
          { name: "下限 / Min", type: "scatter", symbol: "triangle", symbolSize: 14, itemStyle: { color: "#d68910" },
            data: d.quota_min }
        ]
      };
    },
    compare: function (d) {
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }, legend: { top: 0, left: 0 }, grid: grid,
        yAxis: { type: "category", data: d.categories, inverse: true },
        xAxis: [percentAxis(), { type: "value", min: 0, max: 100, position: "top", splitLine: { show: false } }],
        series: shareSeries(d.series, "xAxisIndex", 0).concat([{
          name: "平均分 / Mean", type: "scatter", xAxisIndex: 1, symbol: "diamond", symbolSize: 12,
          itemStyle: { color: "#222" }, data: d.means, label: { show: true, position: "right" }
        }])
      };
    },
    trend: function (d) {
      return {
        tooltip: { trigger: "axis" }, legend: { top: 0, left: 0 }, grid: grid,
        xAxis: { type: "category", data: d.categories },
        yAxis: [{ type: "value", min: 0, max: 100, name: "平均分" }, percentAxis()],
        series: shareSeries(d.series, "yAxisIndex", 1).concat([{
          name: "平均分 / Mean", type: "line", yAxisIndex: 0, data: d.means, label: { show: true },
          itemStyle: { color: "#222" }, connectNulls: true
        }])
      };
    },
    progress: function (d) {
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }, legend: { top: 0, left: 0 }, grid: grid,
        yAxis: { type: "category", data: d.categories, inverse: true },
        xAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "已提交 / Submitted", type: "bar", stack: "n", data: d.done, itemStyle: { color: "#2e8b57" } },
          { name: "未提交 / Pending", type: "bar", stack: "n", data: d.pending, itemStyle: { color: "#e67e22" } }
        ]
      };
    },
    alerts: function (d) {
      return {
        tooltip: { trigger: "axis" }, legend: { top: 0, left: 0 }, grid: grid,
        xAxis: { type: "category", data: d.severities }, yAxis: { type: "value", minInterval: 1 },
        series: d.series.map(function (s) { return { name: s.name, type: "bar", stack: "a", data: s.data }; })
      };
    },
    my_trend: function (d) {
      return {
        tooltip: { trigger: "axis" }, grid: grid,
        xAxis: { type: "category", data: d.categories },
        yAxis: { type: "value", max: 100, min: function (v) { return Math.max(0, Math.floor((v.min - 10) / 10) * 10); } },
        series: [{ name: "综合得分 / Composite", type: "line", data: d.scores, connectNulls: true,
                   label: { show: true, formatter: function (p) { return p.value + " " + (d.grades[p.dataIndex] || ""); } } }]
      };
    }
  };
  builders.departments = builders.compare;
  builders.vendors = builders.compare;

  function init() {
    var source = document.getElementById("insights-data");
    if (!window.echarts || !source) return;
    var payload = JSON.parse(source.textContent);
    document.querySelectorAll("[data-insights-chart]").forEach(function (el) {
      var key = el.getAttribute("data-insights-chart");
      var chart = payload.charts[key];
      var build = builders[key];
      if (!chart || !build) return;
      var option = build(chart.data);
      option.toolbox = toolbox(key);
      var instance = window.echarts.init(el);
      instance.setOption(option);
      el.setAttribute("data-rendered", "1");
      window.addEventListener("resize", function () { instance.resize(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
