// Home page charts, drawn from the aggregated numbers the server embeds in #chart-data.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var labels = data.labels;
    var palette = ["#1d4ed8", "#15803d", "#b45309", "#6b7280", "#0e7490", "#7c3aed", "#111827"];
    var stateColours = { found: "#6b7280", rectifying: "#1d4ed8", submitted: "#0e7490", closed: "#15803d", suspended: "#b45309", cancelled: "#111827" };
    var charts = [];
    function make(id, option) {
      var element = document.getElementById(id);
      if (!element) { return; }
      var chart = window.echarts.init(element);
      option.color = option.color || palette;
      option.textStyle = { fontFamily: "inherit", fontSize: 13, color: "#1f2937" };
      option.animation = false;
      chart.setOption(option);
      charts.push(chart);
    }
    make("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 36, right: 12, top: 32, bottom: 28 },
      xAxis: { type: "category", data: data.trend.weeks, axisLabel: { fontSize: 12, color: "#374151" } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: labels.found, type: "line", data: data.trend.found, symbolSize: 7 },
        { name: labels.closed, type: "line", data: data.trend.closed, symbol: "diamond", symbolSize: 9, lineStyle: { type: "dashed" } }
      ]
    });
    make("chart-states", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 36, right: 12, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.states.villages, axisLabel: { fontSize: 12, color: "#374151", interval: 0, rotate: data.states.villages.length > 6 ? 40 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.states.series.map(function (s) {
        return { name: s.label, type: "bar", stack: "states", data: s.data, itemStyle: { color: stateColours[s.state] } };
      })
    });
    make("chart-campaigns", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 36, right: 12, top: 32, bottom: 28, containLabel: true },
      xAxis: { type: "category", data: data.campaigns.map(function (c) { return c.name; }), axisLabel: { fontSize: 12, color: "#374151", interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: labels.total, type: "bar", data: data.campaigns.map(function (c) { return c.total; }) },
        { name: labels.closed, type: "bar", data: data.campaigns.map(function (c) { return c.closed; }) }
      ]
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
