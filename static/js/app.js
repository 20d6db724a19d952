/* Cùng Học Số — small behaviours on top of htmx; the pages work without them. */
(function () {
  "use strict";

  function showMessage(text) {
    var box = document.getElementById("messages");
    if (!box) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.replaceChildren(p);
  }

  // The server could not be reached: tell the person instead of doing nothing.
  document.addEventListener("htmx:sendError", function () {
    var lang = document.documentElement.lang || "vi";
    showMessage(lang.indexOf("en") === 0
      ? "Could not reach the server. Please check your connection and try again."
      : "Không kết nối được máy chủ. Vui lòng kiểm tra mạng rồi thử lại.");
  });

  // After a form comes back with errors, move focus to the first invalid field.
  document.addEventListener("htmx:afterSwap", function (event) {
    // The element swapped in (with hx-swap="outerHTML", event.detail.target is the old one, gone).
    var target = event.target;
    if (!target || !target.querySelector) { return; }
    var invalid = target.querySelector("[aria-invalid='true']");
    if (invalid && event.detail.requestConfig && event.detail.requestConfig.verb !== "get" &&
        event.detail.requestConfig.triggeringEvent && event.detail.requestConfig.triggeringEvent.type === "submit") {
      invalid.focus();
      return;
    }
    var heading = target.querySelector("[data-focus-after-swap]");
    if (heading) { heading.focus(); }
  });

  // Buttons that submit a form elsewhere on the page in print views.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { window.print(); }
  });
})();
