/* 邻里工作台: the few behaviours htmx attributes do not cover. No framework, no build. */
(function () {
  "use strict";

  var body = document.body;

  function flash(message, category) {
    // Same markup as templates/_flashes.html, for messages born in the browser.
    var box = document.getElementById("flashes");
    if (!box || !message) return;
    var item = document.createElement("div");
    item.className = "flash flash--" + (category || "error");
    item.setAttribute("role", "alert");
    var text = document.createElement("span");
    text.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "flash__close";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", body.dataset.msgClose || "×");
    close.textContent = "×";
    item.appendChild(text);
    item.appendChild(close);
    box.appendChild(item);
  }

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var item = dismiss.closest(".flash");
      if (item) item.remove();
      return;
    }
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // A session that expired answers an htmx request with a redirect to the login page;
  // load that page properly instead of swapping a login form into a table.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var login = body.dataset.loginUrl;
    if (!xhr || !xhr.responseURL || !login) return;
    if (new URL(xhr.responseURL, location.href).pathname === login) {
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
    }
  });

  // In a store the phone's network comes and goes: say so instead of doing nothing.
  document.addEventListener("htmx:sendError", function () {
    flash(body.dataset.msgOffline, "error");
  });
  document.addEventListener("htmx:timeout", function () {
    flash(body.dataset.msgOffline, "error");
  });

  // Charts: plotly.js (about 320 KB compressed) is fetched only when a chart comes into view
  // or its 显示图表 button is tapped, never up front; the numbers are already on the page as
  // a table (workbench/owner/charts.py), which folds away once the chart is drawn.
  var plotly = null;

  function loadPlotly(src) {
    if (!plotly) {
      plotly = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = function () { plotly = null; reject(new Error("plotly")); };
        document.head.appendChild(script);
      });
    }
    return plotly;
  }

  function drawChart(plot) {
    if (plot.dataset.drawn) return;
    plot.dataset.drawn = "1";
    var spec = JSON.parse(plot.nextElementSibling.textContent);
    loadPlotly(plot.dataset.chartSrc).then(function (Plotly) {
      plot.textContent = "";
      return Plotly.newPlot(plot, spec.data, spec.layout, spec.config);
    }).then(function () {
      plot.classList.add("chart__plot--drawn");
      // The drawing repeats the table's numbers; screen readers read the table.
      plot.setAttribute("aria-hidden", "true");
      var data = plot.parentNode.querySelector(".chart__data");
      if (data) data.open = false;
    }).catch(function () {
      delete plot.dataset.drawn;  // offline: the button stays for another try
      flash(body.dataset.msgOffline, "error");
    });
  }

  var watcher = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        watcher.unobserve(entry.target);
        drawChart(entry.target);
      }
    });
  }, {rootMargin: "100px"}) : null;

  function watchCharts(root) {
    var plots = (root || document).querySelectorAll("[data-chart-src]");
    for (var i = 0; i < plots.length; i++) {
      var data = plots[i].parentNode.querySelector(".chart__data");
      if (data && !plots[i].dataset.drawn) data.open = !watcher;
      if (watcher) watcher.observe(plots[i]);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".chart__load");
    if (button) drawChart(button.closest("[data-chart-src]"));
  });
  document.addEventListener("htmx:load", function (event) { watchCharts(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { watchCharts(document); });
  } else {
    watchCharts(document);
  }
})();
