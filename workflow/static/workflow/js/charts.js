/* Dashboards: draws each canvas[data-chart] with Chart.js (workflow/static/vendor/chartjs) from the
   JSON block whose id the attribute names (workflow/includes/chart.html). No inline script: the
   data comes from json_script, the behaviour from this file. Turbo runs body scripts again on each
   visit, so a canvas already drawn is left alone. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#3f51b5", "#009688", "#ff9800", "#8bc34a", "#e91e63", "#607d8b", "#9c27b0",
                 "#795548", "#03a9f4", "#cddc39", "#f44336"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    if (canvas.dataset.drawn) { return; }
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var ticks = spec.ticks || {};
    var hasTicks = Object.keys(ticks).length > 0;
    var datasets = spec.datasets.map(function (d, i) {
      var colour = palette[i % palette.length];
      var set = {label: d.label, data: d.data, backgroundColor: colour, borderColor: colour};
      if (d.line) { set.type = "line"; set.showLine = false; set.pointStyle = "line"; set.pointRadius = 12;
                    set.pointBorderWidth = 3; }
      if (spec.kind === "line") { set.fill = false; set.tension = 0.2; }
      return set;
    });
    var valueAxis = {beginAtZero: true, stacked: spec.stacked, ticks: {precision: 0}};
    if (hasTicks) {
      valueAxis.min = 1; valueAxis.max = Object.keys(ticks).length;
      valueAxis.ticks = {stepSize: 1, callback: function (v) { return ticks[String(v)] || ""; }};
    }
    var scales = spec.horizontal
      ? {x: valueAxis, y: {stacked: spec.stacked}}
      : {x: {stacked: spec.stacked}, y: valueAxis};
    new Chart(canvas, {
      type: spec.kind,
      data: {labels: spec.labels, datasets: datasets},
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: {position: "bottom"},
          tooltip: hasTicks ? {callbacks: {label: function (c) { return ticks[String(c.parsed.y)] || ""; }}} : {}
        }
      }
    });
    canvas.dataset.drawn = "1";
  });
})();
