// The admin console's only script: draws the charts whose figures the page carries in data-series (the same figures are
// in a table beside each chart). Loaded from the gateway's origin; the CSP allows no inline script.
"use strict";
(function () {
  function draw(canvas) {
    if (typeof Chart === "undefined") {
      return;
    }
    var data = JSON.parse(canvas.getAttribute("data-series") || "{}");
    var kind = canvas.getAttribute("data-chart");
    var config;
    if (kind === "rates") {
      config = {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "arrival rate λ (items/s)", data: data.arrival, backgroundColor: "#1f5fa8" },
            { label: "service rate μ (items/s)", data: data.service, backgroundColor: "#2e8540" },
          ],
        },
      };
    } else if (kind === "utilisation") {
      config = {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "utilisation ρ", data: data.utilisation, backgroundColor: "#b35900", yAxisID: "y" },
            { label: "queue depth (items)", data: data.depth, backgroundColor: "#5b4a8a", yAxisID: "depth" },
          ],
        },
        options: { scales: { y: { min: 0, suggestedMax: 1 }, depth: { position: "right", min: 0, grid: { drawOnChartArea: false } } } },
      };
    } else if (kind === "drills") {
      config = {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [
            { label: "achieved RTO (s)", data: data.rto, borderColor: "#1f5fa8", backgroundColor: "#1f5fa8" },
            { label: "RTO target (s)", data: data.rtoTarget, borderColor: "#b30000", borderDash: [6, 4], pointRadius: 0 },
            { label: "achieved RPO (s)", data: data.rpo, borderColor: "#2e8540", backgroundColor: "#2e8540" },
          ],
        },
      };
    } else {
      return;
    }
    config.options = Object.assign({ animation: false, responsive: false, plugins: { legend: { position: "bottom" } } }, config.options || {});
    new Chart(canvas, config);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
