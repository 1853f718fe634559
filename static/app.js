// LearnCircle's only script: small glue for htmx. Every page works without it.
(function () {
  "use strict";
  var body = document.body;

  // Every htmx request carries the CSRF token, like every form does.
  body.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
  });

  function notice(text) {
    var box = document.getElementById("notices");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "notice error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.replaceChildren(p);
  }

  // htmx does not swap 4xx/5xx (except 422): tell the person instead of failing silently.
  body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr, doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var message = doc.querySelector(".error-box p");
    notice(message ? message.textContent : "The server answered " + xhr.status + ". Your text is still here.");
  });
  body.addEventListener("htmx:sendError", function () {
    notice("Could not reach the server. Check your connection; your text is still here.");
  });
  body.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("notices");
    if (box) box.querySelectorAll(".notice.error").forEach(function (p) { p.remove(); });
  });

  // Guess a new account's time zone from the browser; the person can still change it.
  function guessTimezone(root) {
    root.querySelectorAll("select[data-guess-timezone]").forEach(function (select) {
      if (select.dataset.guessed) return;
      select.dataset.guessed = "1";
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (select.value === "UTC" && zone && select.querySelector('option[value="' + zone + '"]')) {
        select.value = zone;
      }
    });
  }
  guessTimezone(document);
  body.addEventListener("htmx:load", function (event) { guessTimezone(event.detail.elt); });

  // A form that htmx posted successfully may ask to be emptied (data-reset-on-success).
  body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form.matches && form.matches("form[data-reset-on-success]")) form.reset();
  });
})();
