/* The pickup counter: undo countdowns, the ticked-orders count, the report form's close
   button and the camera scanner (BarcodeDetector, only where the browser has it). */
(function () {
  "use strict";

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  // Undo buttons count down to their deadline; after it the server refuses anyway.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (btn) {
      var left = Math.floor((Date.parse(btn.dataset.deadline) - now) / 1000);
      var out = btn.querySelector("[data-countdown]");
      if (left <= 0) {
        btn.disabled = true;
        btn.textContent = btn.dataset.expired || "";
        btn.removeAttribute("data-deadline");
      } else if (out) {
        out.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
      }
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);

  // "(n ticked)" follows the checkboxes, so partial pickup says what it will do.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(".counter-form input[name=order_id]")) return;
    var form = box.closest("form");
    var label = form.querySelector("[data-pick-count]");
    var n = form.querySelectorAll("input[name=order_id]:checked").length;
    if (label) label.textContent = label.textContent.replace(/\d+/, String(n));
    form.querySelector("button[type=submit]").disabled = n === 0;
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-report-close]");
    if (close && close.closest(".counter-report-slot")) {
      event.preventDefault();
      close.closest(".counter-report-slot").innerHTML = "";
    }
  });

  // Camera scanning: progressive enhancement. Hardware scanners just type into the box.
  function setUpScanner() {
    var button = document.querySelector("[data-scan]");
    var dialog = document.getElementById("counter-scanner");
    if (!button || !dialog || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    button.hidden = false;
    var video = dialog.querySelector("video");
    var stream = null;
    var running = false;

    function stop() {
      running = false;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      if (dialog.open) dialog.close();
    }

    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s;
        video.srcObject = s;
        dialog.showModal();
        running = true;
        return video.play();
      }).then(function loop() {
        if (!running) return;
        detector.detect(video).then(function (codes) {
          if (codes.length && codes[0].rawValue) {
            var input = document.getElementById("counter-q");
            input.value = codes[0].rawValue;
            stop();
            input.form.requestSubmit();
          } else {
            setTimeout(loop, 200);
          }
        }).catch(function () { setTimeout(loop, 400); });
      }).catch(stop);
    });
    dialog.querySelector("[data-scan-close]").addEventListener("click", stop);
    dialog.addEventListener("close", stop);
  }
  document.addEventListener("DOMContentLoaded", setUpScanner);
})();

/* A photo over the upload limit would be refused by the server after a long upload:
   say so at once, in the form's language (the limit and message come from the page). */
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches(".counter-report__photo") || !input.files || !input.files[0]) return;
  var limit = Number(input.dataset.maxBytes || 0);
  if (limit && input.files[0].size > limit) {
    window.alert(input.dataset.tooLarge || "");
    input.value = "";
  }
});

/* Show which photo was chosen (the real file input is invisible over its big button). */
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches(".counter-report__photo")) return;
  var out = input.closest(".field") && input.closest(".field").querySelector("[data-photo-name]");
  if (out) out.textContent = input.files && input.files[0] ? input.files[0].name : "";
});
