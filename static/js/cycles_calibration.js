// Calibration board (校准看板): the grade distribution against the template's quotas, recomputed
// live as HR picks new grades in the rows (before saving), with the same rounding as the engine:
// a max quota gives floor(n × share) places but at least 1; a min quota ceil(n × share).
(function () {
  "use strict";
  var source = document.getElementById("quota-data");
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var el = document.querySelector('[data-chart="quota"]');
  var chart = el && window.echarts ? window.echarts.init(el) : null;
  if (chart) window.addEventListener("resize", function () { chart.resize(); });

  function places(n, kind, share) {
    var bp = Math.round(parseFloat(share) * 100); // share in % → hundredths of a percent
    var exact = n * bp; // × 1/10000
    if (kind === "min") return Math.floor((exact + 9999) / 10000);
    var p = Math.floor(exact / 10000);
    return p === 0 && bp > 0 && n > 0 ? 1 : p;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  function currentGrades() {
    var grades = {};
    Object.keys(data.grades).forEach(function (k) { grades[k] = data.grades[k]; });
    document.querySelectorAll("[data-calibrate-grade]").forEach(function (select) {
      if (select.value) grades[select.getAttribute("data-calibrate-grade")] = select.value;
    });
    return grades;
  }

  function compute() {
    var grades = currentGrades(), counts = {}, n = 0;
    Object.keys(grades).forEach(function (k) {
      var g = grades[k];
      if (g) { n += 1; counts[g] = (counts[g] || 0) + 1; }
    });
    return data.bands.map(function (b) {
      var row = { code: b.code, name: b.name, colour: b.colour, count: counts[b.code] || 0, max: null, min: null, violation: "" };
      data.quotas.forEach(function (q) {
        if (q.code !== b.code) return;
        var p = places(n, q.kind, q.share);
        row[q.kind] = p;
        var values = { name: b.name, count: row.count, places: p, share: q.share };
        if (q.kind === "max" && row.count > p) row.violation = format(data.text.over, values);
        if (q.kind === "min" && row.count < p) row.violation = format(data.text.under, values);
      });
      return row;
    });
  }

  function render() {
    var rows = compute();
    rows.forEach(function (r) {
      var cell = document.querySelector('[data-grade="' + r.code + '"] [data-count]');
      if (cell) cell.textContent = r.count;
    });
    var list = document.querySelector("[data-violations]");
    if (list) {
      list.innerHTML = "";
      var problems = rows.filter(function (r) { return r.violation; });
      (problems.length ? problems : [null]).forEach(function (r) {
        var li = document.createElement("li");
        if (r) li.textContent = "⚠ " + r.violation;
        else { li.className = "text-success"; li.textContent = "✓ " + data.text.ok; }
        list.appendChild(li);
      });
    }
    if (!chart) return;
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.text.count, type: "bar", label: { show: true, position: "top" },
          data: rows.map(function (r) { return { value: r.count, itemStyle: { color: r.colour } }; }) },
        { name: data.text.max, type: "scatter", symbol: "rect", symbolSize: [40, 4], itemStyle: { color: "#d63939" },
          data: rows.map(function (r) { return r.max; }) },
        { name: data.text.min, type: "scatter", symbol: "rect", symbolSize: [40, 4], itemStyle: { color: "#2f9e44" },
          data: rows.map(function (r) { return r.min; }) }
      ]
    }, true);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-calibrate-grade]")) render();
  });
  render();
})();
