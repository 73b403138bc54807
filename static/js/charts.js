// Draws every [data-chart] element from the figure in the <script type="application/json"> whose id it
// names (written by Django's json_script), with the local plotly.js. No inline script: a strict
// Content-Security-Policy can hold. The numbers are also on the page as a table beside each chart.
(function () {
  "use strict";
  // No mode bar: its buttons are English, mouse-only and would sit, focusable, inside role="img".
  var config = { displaylogo: false, responsive: true, displayModeBar: false };

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, config);
  }

  function drawAll() {
    if (!window.Plotly) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
}());
