// The year-to-date chart on a payee's commissions page: credited vs quota, cumulative by month.
// The figures come from the page (json_script "ytd-data"); Plotly is served from the
// installed plotly package, never a CDN. Without JavaScript the table beside it says the same.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("ytd-chart");
    var source = document.getElementById("ytd-data");
    if (!holder || !source || !window.Plotly) { return; }
    var data = JSON.parse(source.textContent);
    var traces = [{
      x: data.months, y: data.credited.map(Number), name: "Credited to date",
      type: "scatter", mode: "lines+markers", line: { color: "#1f4e79", width: 3 }
    }];
    if (data.quota.some(function (value) { return value !== null; })) {
      traces.push({
        x: data.months, y: data.quota.map(function (v) { return v === null ? null : Number(v); }),
        name: "Quota to date", type: "scatter", mode: "lines", line: { color: "#b35c00", dash: "dash" }
      });
    }
    window.Plotly.newPlot(holder, traces, {
      margin: { l: 70, r: 20, t: 10, b: 40 },
      xaxis: { type: "category" }, yaxis: { tickformat: ",.0f", rangemode: "tozero" },
      legend: { orientation: "h", y: -0.18 }, font: { size: 12 }
    }, { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] });
    holder.setAttribute("data-drawn", "true");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
