// The diagnosis, watch-list and project charts, drawn from the numbers the server embeds in
// #diagnosis-charts: line charts (a series dashed where asked) and a milestone timeline.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  var DAY = 86400000;
  function stamp(text) { return Date.parse(text + "T00:00:00"); }
  function dayText(value) { var d = new Date(value); return (d.getMonth() + 1) + "-" + d.getDate(); }
  ready(function () {
    var source = document.getElementById("diagnosis-charts");
    if (!source || !window.echarts) { return; }
    var charts = [];
    JSON.parse(source.textContent).forEach(function (spec) {
      var element = document.getElementById(spec.id);
      if (!element) { return; }
      var chart = window.echarts.init(element);
      var option;
      if (spec.kind === "timeline") {
        var starts = spec.starts.map(stamp);
        var first = Math.min.apply(null, starts);
        option = {
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          grid: { left: 8, right: 16, top: 8, bottom: 24, containLabel: true },
          xAxis: { type: "value", min: first, axisLabel: { formatter: dayText } },
          yAxis: { type: "category", data: spec.labels, inverse: true },
          series: [
            { type: "bar", stack: "plan", data: starts, itemStyle: { color: "transparent" }, tooltip: { show: false } },
            { type: "bar", stack: "plan", data: spec.finishes.map(function (f, i) { return stamp(f) - starts[i] + DAY; }),
              itemStyle: { color: "#1d4ed8" }, label: { show: true, position: "insideRight", color: "#fff", formatter: function (p) { return spec.done[p.dataIndex] + "%"; } } }
          ]
        };
      } else {
        option = {
          tooltip: { trigger: "axis" },
          legend: { top: 0 },
          grid: { left: 36, right: 12, top: 32, bottom: 28 },
          xAxis: { type: "category", data: spec.labels, axisLabel: { fontSize: 12, color: "#374151" } },
          yAxis: { type: "value" },
          series: spec.series.map(function (s) {
            return { name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 7, lineStyle: s.dashed ? { type: "dashed" } : {} };
          })
        };
      }
      option.color = ["#1d4ed8", "#6b7280", "#15803d", "#b45309"];
      option.textStyle = { fontFamily: "inherit", fontSize: 13, color: "#1f2937" };
      option.animation = false;
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
