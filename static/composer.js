// The composer, for every text box with data-mentions (a post's): "@name" suggestions as one types, and a
// post's "Quote" link putting the quote into the reply box in place. app.js loads it the first time such a
// box takes the focus. Without it a name typed in full still becomes a link once posted, and "Quote" loads
// the thread page again with the quote in its reply box.
// Keys, while suggestions are shown: Down and Up choose one, Enter or Tab picks it, Escape closes them.
(function () {
  "use strict";
  var timer;

  // The name being typed: an "@" (not after a letter, digit or name character, as the server reads it)
  // and what follows it up to the caret; null when the caret is not in one.
  function typed(area) {
    if (area.selectionStart !== area.selectionEnd) return null;
    var match = /(?:^|[^\p{L}\p{N}_@.\/-])@([^\s@]{0,30})$/u.exec(area.value.slice(0, area.selectionEnd));
    return match ? match[1] : null;
  }

  function isComposer(element) {
    return element && element.dataset && element.dataset.mentions;
  }

  function boxOf(area) {
    return document.getElementById(area.id + "-mentions");
  }

  // The suggestions' place under the text box, and a status line that says how many there are.
  function makeBox(area) {
    var box = boxOf(area);
    if (box) return box;
    box = document.createElement("div");
    box.id = area.id + "-mentions";
    box.className = "mentions";
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    area.after(box, status);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", box.id);
    return box;
  }

  function close(area) {
    var box = boxOf(area);
    area.removeAttribute("aria-activedescendant");
    if (box) {
      box.replaceChildren();
      box.nextElementSibling.textContent = "";
    }
  }

  function options(area) {
    var box = boxOf(area);
    return box ? Array.prototype.slice.call(box.querySelectorAll("[role=option]")) : [];
  }

  // Ask the circle for matching members (htmx swaps the listbox in), once typing pauses.
  function suggest(area) {
    clearTimeout(timer);
    var word = typed(area);
    if (word === null) return close(area);
    timer = setTimeout(function () {
      var box = makeBox(area);
      htmx.ajax("GET", area.dataset.mentions + "?q=" + encodeURIComponent(word), {target: box, swap: "innerHTML"})
        .then(function () { shown(area, box); });
    }, 300);
  }

  function shown(area, box) {
    // The writer may have moved on while they were asked for.
    if (typed(area) === null) return close(area);
    options(area).forEach(function (option, index) { option.id = box.id + "-" + index; });
    var count = box.querySelector("[data-count]");
    box.nextElementSibling.textContent = count ? count.textContent : "";
    area.removeAttribute("aria-activedescendant");
  }

  function choose(area, found, index) {
    found.forEach(function (option, at) { option.setAttribute("aria-selected", String(at === index)); });
    area.setAttribute("aria-activedescendant", found[index].id);
    found[index].scrollIntoView({block: "nearest"});
  }

  // Put "@username " in place of the name being typed.
  function pick(area, option) {
    var end = area.selectionEnd, word = typed(area);
    if (word !== null) area.setRangeText(option.dataset.name + " ", end - word.length, end, "end");
    area.focus();
    close(area);
  }

  document.addEventListener("input", function (event) {
    if (isComposer(event.target)) suggest(event.target);
  });

  document.addEventListener("keydown", function (event) {
    var area = event.target, found = isComposer(area) ? options(area) : [];
    if (!found.length) {
      if (isComposer(area) && (event.key === "Escape" || event.key === "Tab")) close(area);
      return;
    }
    var active = found.findIndex(function (option) { return option.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var step = event.key === "ArrowDown" ? 1 : -1;
      choose(area, found, active < 0 ? (step > 0 ? 0 : found.length - 1) : (active + step + found.length) % found.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      pick(area, found[active]);
    } else if (event.key === "Escape") {
      close(area);
    } else {
      if (event.key === "Tab") close(area);
      return;
    }
    event.preventDefault();
  });

  // A pointer picks too; pressing it on the list leaves the focus and the caret in the text box. A click
  // anywhere else closes the list once done (not as the focus leaves: the form would move under the pointer).
  function optionAt(event) {
    return event.target.closest && event.target.closest(".mentions [role=option]");
  }
  document.addEventListener("mousedown", function (event) {
    if (optionAt(event)) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var option = optionAt(event);
    if (option) return pick(document.getElementById(option.closest(".mentions").id.replace(/-mentions$/, "")), option);
    document.querySelectorAll(".mentions").forEach(function (box) {
      var area = document.getElementById(box.id.replace(/-mentions$/, ""));
      if (area && area !== event.target) close(area);
    });
  });

  // "Quote": the quote the thread page would put in its reply box goes in at the caret, and what was
  // already written stays. Caught before htmx boosts the link; if anything fails, the link is followed.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('article.post > header a[href*="quote="]');
    var area = link && document.querySelector("form[id$=-reply] textarea[data-mentions]");
    if (!area || event.button || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    event.stopPropagation();
    function follow() { location.href = link.href; }
    fetch(link.href).then(function (response) { return response.text(); }).then(function (page) {
      var quoted = new DOMParser().parseFromString(page, "text/html").getElementById(area.id);
      if (!quoted || !quoted.value) return follow();
      var at = area.selectionEnd, before = area.value.slice(0, at);
      var gap = !before || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
      area.setRangeText(gap + quoted.value, at, at, "end");
      area.focus();
    }, follow);
  }, true);

  // Loaded while someone types: catch up with what they typed meanwhile.
  if (isComposer(document.activeElement)) suggest(document.activeElement);
})();
