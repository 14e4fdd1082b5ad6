/* Small behaviours that used to be inline <script> blocks and on*="" / hx-on attributes.
   The Content-Security-Policy runs no inline code without the page's nonce (and never an
   event-handler attribute), so each lives here as one delegated listener keyed on a data
   attribute: it survives htmx swaps and does nothing on pages without that attribute. */
(function () {
  "use strict";

  // ---------------------------------------------------------------- clicks
  document.addEventListener("click", function (event) {
    // The +/− buttons beside a quantity on the member's order page (one-handed, no typing).
    var step = event.target.closest("[data-step]");
    if (step) {
      var input = step.parentNode.querySelector("input");
      var value = (parseInt(input.value, 10) || 0) + parseInt(step.dataset.step, 10);
      input.value = Math.max(0, Math.min(99, value));
      return;
    }
    // Copy the order link on a poster; WebViews without the Clipboard API get it selected.
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var field = document.querySelector(copy.dataset.copy);
      var status = document.querySelector(".poster-copied");
      var done = function () { if (status) status.textContent = copy.dataset.copied; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
      } else {
        field.select();
        try { if (document.execCommand("copy")) done(); } catch (e) { /* the text stays selected */ }
      }
    }
  });

  // ---------------------------------------------------------------- changes
  document.addEventListener("change", function (event) {
    var target = event.target;
    // "All" ticks every box of a list: data-check-all names the boxes (order ids by default).
    if (target.matches("[data-check-all]")) {
      var scope = target.closest("form") || document;
      var boxes = target.dataset.checkAll || 'input[name="order_id"]';
      scope.querySelectorAll(boxes).forEach(function (box) { box.checked = target.checked; });
      return;
    }
    // A select that submits its form when changed (the period picker).
    if (target.matches("[data-autosubmit]") && target.form) {
      if (typeof target.form.requestSubmit === "function") target.form.requestSubmit();
      else target.form.submit();
      return;
    }
    // The file picker is a styled label; say which file was picked (the browser's text is English).
    if (target.matches("input[data-file-input]")) {
      var out = document.querySelector("[data-file-name]");
      if (out) out.textContent = target.files.length ? target.files[0].name : out.dataset.empty;
    }
  });

  // ---------------------------------------------------------------- the order form
  // A second tap on "Place order" while the first is on its way would place a second order.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.hasAttribute("data-place-order")) {
      setTimeout(function () { button.disabled = true; }, 0);
    }
  });

  // ---------------------------------------------------------------- htmx
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.hasAttribute) return;
    // "Show more" removes itself once its lines are in.
    if (elt.hasAttribute("data-remove-after-request")) {
      elt.remove();
      return;
    }
    // After a code was sent, the button counts down the 60 s the server enforces anyway.
    if (elt.hasAttribute("data-code-button") && event.detail.successful) {
      var label = elt.textContent, left = 60;
      var tick = function () {
        if (left <= 0) { elt.disabled = false; elt.textContent = label; return; }
        elt.disabled = true;
        elt.textContent = elt.dataset.wait.replace("{n}", left);
        left -= 1;
        setTimeout(tick, 1000);
      };
      setTimeout(tick, 0);  // after htmx re-enables the element it disabled during the request
    }
  });

  // A background job that just finished tells the page, so lists that depend on it reload.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.target;
    if (elt && elt.matches && elt.matches("[data-job-finished]") && window.htmx) {
      window.htmx.trigger(document.body, "jobFinished");
    }
  });
})();
