// Draws each <figure class="chart" data-chart="..."> of the dashboard with Chart.js.
// The numbers come from the page (the table beside each chart holds the same ones), so
// nothing is fetched and no script is inline: the pages' CSP allows only this origin.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var palette = ["#1f6feb", "#d9822b", "#2e9e5b", "#b5475b", "#7a5af8", "#6e7781", "#c9a227", "#3a8fb7"];
  var lang = document.documentElement.lang || "en";
  document.querySelectorAll("figure.chart[data-chart]").forEach(function (figure) {
    var spec;
    try {
      spec = JSON.parse(figure.getAttribute("data-chart"));
    } catch (e) {
      return;
    }
    var canvas = figure.querySelector("canvas");
    if (!canvas || !spec) return;
    var round = spec.kind === "doughnut";
    var datasets = spec.series.map(function (series, i) {
      var colour = palette[i % palette.length];
      return {
        label: series.label,
        data: series.data,
        backgroundColor: round ? spec.labels.map(function (_, j) { return palette[j % palette.length]; }) : colour,
        borderColor: round ? "#ffffff" : colour,
        spanGaps: true,
        tension: 0.2
      };
    });
    new Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        locale: lang,
        plugins: { legend: { display: round || datasets.length > 1, position: "bottom" } },
        scales: round ? {} : { y: { beginAtZero: true } }
      }
    });
    figure.classList.add("drawn");
  });
})();
