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
})();
