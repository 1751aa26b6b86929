// The charts of the commission analytics page. The figures come from the page (json_script
// "analytics-charts": one entry per chart, amounts as exact strings); every one of them is
// also in the table under its chart. Plotly is served from the installed plotly package,
// never a CDN.
(function () {
  "use strict";
  var COLOURS = ["#1f4e79", "#b35c00", "#2e7d32", "#7b3f98", "#00838f", "#c62828",
    "#5d6d7e", "#9e7c0c", "#ad1457", "#37474f"];

  function numbers(values) {
    return values.map(function (value) { return value === null ? null : Number(value); });
  }

  function traces(chart) {
    return chart.traces.map(function (trace, index) {
      // a trace may name its colour's place (the same group, the same colour on every chart)
      var place = trace.colour === undefined ? index : trace.colour;
      var colour = COLOURS[place % COLOURS.length];
      if (chart.kind === "line") {
        return { x: chart.x, y: numbers(trace.y), name: trace.name, type: "scatter",
          mode: "lines+markers", line: { color: colour, width: 3 } };
      }
      if (chart.kind === "hbar") {
        var values = numbers(trace.y);
        return { y: chart.x, x: values, name: trace.name, type: "bar", orientation: "h",
          marker: { color: values.map(function (v) { return v < 0 ? "#c62828" : "#1f4e79"; }) } };
      }
      return { x: chart.x, y: numbers(trace.y), name: trace.name, type: "bar",
        marker: { color: colour } };
    });
  }

  function layout(chart) {
    var base = {
      margin: { l: 80, r: 20, t: 10, b: 40 }, font: { size: 12 },
      legend: { orientation: "h", y: -0.2 }, showlegend: chart.traces.length > 1
    };
    if (chart.kind === "hbar") {
      base.margin.l = 200;
      base.xaxis = { tickformat: chart.format, zeroline: true };
      base.yaxis = { type: "category", autorange: "reversed", automargin: true };
    } else {
      base.xaxis = { type: "category" };
      base.yaxis = { tickformat: chart.format, rangemode: "tozero" };
      if (chart.format === ",d") {  // counts: whole-number ticks only
        var most = Math.max.apply(null, numbers(chart.traces[0].y).concat([1]));
        base.yaxis.dtick = Math.max(1, Math.ceil(most / 8));
      }
      if (chart.kind === "stacked") { base.barmode = "relative"; }
    }
    return base;
  }

  function draw() {
    var source = document.getElementById("analytics-charts");
    if (!source || !window.Plotly) { return; }
    JSON.parse(source.textContent).forEach(function (chart) {
      var holder = document.getElementById(chart.id);
      if (!holder) { return; }
      window.Plotly.newPlot(holder, traces(chart), layout(chart), {
        displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"]
      });
      holder.setAttribute("data-drawn", "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
