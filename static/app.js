// LearnCircle's only script: small glue for htmx. Every page works without it.
(function () {
  "use strict";
  var body = document.body;

  // Every htmx request carries the CSRF token, like every form does.
  body.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
  });

  function notices() { return document.getElementById("notices"); }

  function notice(text) {
    var box = notices();
    if (!box) return;
    var p = document.createElement("p");
    p.className = "notice error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.replaceChildren(p);
  }

  // The notices count asks by itself every minute: never while nobody sees the page, and its failures and
  // answers leave the person's messages alone (they did not ask).
  function polling(event) { return event.detail.elt.id === "notice-count"; }

  // htmx does not swap 4xx/5xx (except 422): tell the person instead of failing silently.
  body.addEventListener("htmx:responseError", function (event) {
    if (polling(event)) return;
    var xhr = event.detail.xhr, doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var message = doc.querySelector(".error-box p");
    notice(message ? message.textContent : notices().dataset.offline);
  });
  body.addEventListener("htmx:sendError", function (event) {
    if (!polling(event)) notice(notices().dataset.offline);
  });
  body.addEventListener("htmx:beforeRequest", function (event) {
    if (polling(event)) {
      if (document.hidden) event.preventDefault();
      return;
    }
    var box = notices();
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

  // Focus goes to the first field in error in what htmx puts in (htmx itself focuses [autofocus]).
  body.addEventListener("htmx:load", function (event) {
    var field = event.detail.elt.querySelector("[aria-invalid=true]");
    if (field) (field.querySelector("input") || field).focus();
  });

  // A boosted page may change language.
  body.addEventListener("htmx:afterSwap", function (event) {
    var lang = /<html lang="([\w-]+)"/.exec(event.detail.xhr.responseText);
    if (lang) document.documentElement.lang = lang[1];
  });

  // A form that htmx posted successfully may ask to be emptied (data-reset-on-success).
  body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form.matches && form.matches("form[data-reset-on-success]")) form.reset();
  });

  // A post's text box (data-mentions) fetches composer.js, its @name suggestions and quoting, when it first
  // takes the focus: a page only read never downloads it. Unversioned, so revalidated then, never stale.
  var composer = document.currentScript.src.replace(/app\.js.*/, "composer.js");
  body.addEventListener("focusin", function (event) {
    if (composer && event.target.matches("[data-mentions]")) {
      var script = document.createElement("script");
      script.src = composer;
      body.append(script);
      composer = null;
    }
  });
})();
