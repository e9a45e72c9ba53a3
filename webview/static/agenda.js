/* Conference timetable, progressive enhancement (the pages work without it):
   - stars: sessions kept in localStorage (no account), toggled by a button added to every session;
   - clashes: starred sessions on the page that overlap in time are marked;
   - filters: the day's filter form narrows the grid in place (same rules as the server, webview/data.py);
   - now/next: the running session and each room's next one, by the clock (epoch seconds, so the visitor's time
     zone does not matter; the clock is shown in the conference's zone);
   - the personal agenda page is rendered by the server from the stars, sent as ?s=ID&s=ID.
   No framework, no external requests. Every text shown comes translated from the page (#agenda-strings). */
(function () {
  "use strict";

  var root = document.documentElement;
  var strings = {};
  try {
    strings = JSON.parse(document.getElementById("agenda-strings").textContent);
  } catch (e) { /* no strings: buttons show symbols only */ }
  var KEY = "agenda.stars." + (root.getAttribute("data-conf") || "default");

  function fold(text) {
    // Same as fold() in webview/data.py: accents off, lower case ("Città" matches "citta").
    return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  }

  // ---- stars

  function loadStars() {
    try {
      var value = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(value) ? value.filter(function (x) { return typeof x === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  function saveStars(ids) {
    try {
      localStorage.setItem(KEY, JSON.stringify(ids));
    } catch (e) { /* private mode or full storage: stars last for this page only */ }
  }

  function toggleStar(id) {
    var stars = loadStars();
    var at = stars.indexOf(id);
    if (at < 0) { stars.push(id); } else { stars.splice(at, 1); }
    saveStars(stars);
    render();
    syncAgendaPage();
  }

  function agendaHref(stars) {
    var params = new URLSearchParams();
    stars.slice().sort().forEach(function (id) { params.append("s", id); });
    // An interface language picked with ?lang= stays picked (the server's links keep it the same way).
    var lang = new URLSearchParams(location.search).get("lang");
    if (lang) { params.append("lang", lang); }
    var query = params.toString();
    return "/agenda" + (query ? "?" + query : "");
  }

  function addStarButtons() {
    document.querySelectorAll("[data-id]").forEach(function (el) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "star";
      var heading = el.querySelector("h1, h3 a, a");
      button.setAttribute("data-title", heading ? heading.textContent.trim() : el.getAttribute("data-id"));
      button.addEventListener("click", function () { toggleStar(el.getAttribute("data-id")); });
      if (heading && heading.tagName === "H1") {
        // The session page: a labelled button under the title rather than a bare symbol in a corner.
        button.className = "star big";
        heading.insertAdjacentElement("afterend", button);
      } else {
        el.appendChild(button);
      }
    });
  }

  function render() {
    var stars = loadStars();
    var starred = new Set(stars);
    document.querySelectorAll("[data-id] > .star").forEach(function (button) {
      var el = button.parentElement;
      var on = starred.has(el.getAttribute("data-id"));
      var label = on ? strings.unstar : strings.star;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      if (button.classList.contains("big")) {
        button.textContent = (on ? "\u2605 " : "\u2606 ") + label;
      } else {
        button.textContent = on ? "\u2605" : "\u2606";
        button.setAttribute("aria-label", label + ": " + button.getAttribute("data-title"));
      }
      el.classList.toggle("starred", on);
    });
    document.querySelectorAll("[data-star-count]").forEach(function (el) {
      el.textContent = stars.length ? " (" + stars.length + ")" : "";
    });
    var link = document.getElementById("agenda-link");
    if (link) { link.setAttribute("href", agendaHref(stars)); }
    markClashes(starred);
  }

  function markClashes(starred) {
    if (document.getElementById("agenda")) { return; } // the agenda page shows the server's clashes
    var items = Array.prototype.filter.call(document.querySelectorAll(".s[data-start], .card[data-start]"), function (el) {
      return starred.has(el.getAttribute("data-id"));
    });
    items.sort(function (a, b) { return a.getAttribute("data-start") - b.getAttribute("data-start"); });
    var clashing = new Set();
    for (var i = 0; i < items.length; i++) {
      var end = +items[i].getAttribute("data-end");
      for (var j = i + 1; j < items.length && +items[j].getAttribute("data-start") < end; j++) {
        clashing.add(items[i]);
        clashing.add(items[j]);
      }
    }
    document.querySelectorAll(".s, .card").forEach(function (el) {
      var on = clashing.has(el);
      el.classList.toggle("jclash", on);
      var badge = el.querySelector(".cb");
      if (on && !badge) {
        badge = document.createElement("strong");
        badge.className = "badge cb";
        badge.textContent = strings.clash;
        el.insertBefore(badge, el.firstChild);
      } else if (!on && badge) {
        badge.remove();
      }
    });
  }

  // ---- the personal agenda page

  function syncAgendaPage() {
    var agenda = document.getElementById("agenda");
    if (!agenda || agenda.getAttribute("data-shared") !== "false") { return false; }
    var want = agendaHref(loadStars());
    if (want !== location.pathname + location.search) {
      location.replace(want);
      return true;
    }
    return false;
  }

  function setUpAdopt() {
    var button = document.getElementById("adopt");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var stars = loadStars();
      JSON.parse(button.getAttribute("data-ids")).forEach(function (id) {
        if (stars.indexOf(id) < 0) { stars.push(id); }
      });
      saveStars(stars);
      button.textContent = strings.adopted;
      render();
    });
  }

  // ---- copy buttons

  function setUpCopy() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) { return; }
      button.hidden = false;
      var label = button.textContent;
      button.addEventListener("click", function () {
        var done = function () {
          button.textContent = strings.copied;
          setTimeout(function () { button.textContent = label; }, 2000);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
        } else {
          field.select();
          if (document.execCommand("copy")) { done(); }
        }
      });
    });
  }

  // ---- filters (same rules as Programme.matches)

  function rooms(el) {
    // Main room first, then overflow rooms; JSON because room ids are free text.
    try { return JSON.parse(el.getAttribute("data-room") || "[]"); } catch (e) { return []; }
  }

  function matches(el, f) {
    if (f.language && el.getAttribute("data-lang") !== f.language) { return false; }
    if (f.follow && el.getAttribute("data-follow").split(" ").indexOf(f.follow) < 0) { return false; }
    if (f.track && el.getAttribute("data-track") !== f.track) { return false; }
    if (f.kind && el.getAttribute("data-kind") !== f.kind) { return false; }
    if (f.room && rooms(el).indexOf(f.room) < 0) { return false; }
    if (f.speaker) {
      var people = el.querySelector(".p");
      if (!people || fold(people.textContent).indexOf(f.speaker) < 0) { return false; }
    }
    return true;
  }

  function setUpFilters() {
    var form = document.getElementById("filters");
    if (!form) { return; }
    var status = document.getElementById("shown");
    var noMatch = document.getElementById("no-match");
    var timetable = document.getElementById("timetable");
    var apply = function () {
      var data = new FormData(form);
      var f = {};
      ["language", "follow", "track", "room", "kind"].forEach(function (name) { f[name] = data.get(name) || ""; });
      f.speaker = fold(String(data.get("speaker") || "").trim());
      var shown = 0;
      var total = 0;
      var hiddenIds = new Set();
      document.querySelectorAll(".grid .s").forEach(function (el) {
        var ok = matches(el, f);
        el.hidden = !ok;
        total += 1;
        if (ok) { shown += 1; } else { hiddenIds.add(el.getAttribute("data-id")); }
      });
      document.querySelectorAll(".grid .relay").forEach(function (el) {
        el.hidden = hiddenIds.has(el.getAttribute("data-of"));
      });
      if (status) {
        status.textContent = strings.shown.replace("{shown}", shown).replace("{total}", total);
      }
      // Nothing left: the page's "no sessions match" message instead of a grid holding only its break rows.
      if (noMatch && timetable) {
        noMatch.hidden = shown > 0;
        timetable.hidden = shown === 0;
      }
      // Keep the address (and the day links) in step, so a reload or a shared link shows the same view.
      var params = new URLSearchParams();
      data.forEach(function (value, name) { if (value) { params.append(name, value); } });
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
      document.querySelectorAll(".days a, .pager a").forEach(function (a) {
        a.search = query;
      });
    };
    form.addEventListener("change", apply);
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
  }

  // ---- now and next

  function setUpClock() {
    var items = document.querySelectorAll(".grid .s[data-start]");
    if (!items.length) { return; }
    var clock = document.getElementById("clock");
    var format = new Intl.DateTimeFormat(root.lang, {
      timeZone: root.getAttribute("data-tz") || undefined, hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
    var first = Infinity;
    var last = -Infinity;
    items.forEach(function (el) {
      first = Math.min(first, +el.getAttribute("data-start"));
      last = Math.max(last, +el.getAttribute("data-end"));
    });
    var badge = function (el, text) {
      var b = el.querySelector(".nb");
      if (text && !b) {
        b = document.createElement("strong");
        b.className = "badge nb";
        el.insertBefore(b, el.firstChild);
      }
      if (text) { b.textContent = text; } else if (b) { b.remove(); }
    };
    var tick = function () {
      var now = Date.now() / 1000;
      // Only on the day itself: from three hours before the first session to the end of the last.
      var live = now >= first - 3 * 3600 && now < last;
      var nextByRoom = {};
      items.forEach(function (el) {
        var start = +el.getAttribute("data-start");
        var room = rooms(el)[0];
        if (live && start > now && (!nextByRoom[room] || start < +nextByRoom[room].getAttribute("data-start"))) {
          nextByRoom[room] = el;
        }
      });
      items.forEach(function (el) {
        var running = live && +el.getAttribute("data-start") <= now && now < +el.getAttribute("data-end");
        var next = !running && nextByRoom[rooms(el)[0]] === el;
        el.classList.toggle("now", running);
        el.classList.toggle("next", next);
        if (running) { el.setAttribute("aria-current", "time"); } else { el.removeAttribute("aria-current"); }
        badge(el, running ? strings.now : next ? strings.next : "");
      });
      if (clock) {
        clock.hidden = !live;
        clock.textContent = strings.clock.replace("{time}", format.format(new Date()));
      }
    };
    tick();
    setInterval(tick, 30000);
  }

  // ---- offline

  function setUpOffline() {
    var notice = document.getElementById("offline");
    var show = function () { if (notice) { notice.hidden = navigator.onLine; } };
    window.addEventListener("online", show);
    window.addEventListener("offline", show);
    show();
    // Keep a copy of the timetable on the device (needs https or localhost, like every service worker).
    if ("serviceWorker" in navigator && window.isSecureContext) {
      navigator.serviceWorker.register("/sw.js").catch(function () { /* no copy: pages still work online */ });
    }
  }

  // ---- start

  if (syncAgendaPage()) { return; }
  addStarButtons();
  render();
  setUpAdopt();
  setUpCopy();
  setUpFilters();
  setUpClock();
  setUpOffline();
  // Stars changed in another tab of the same conference.
  window.addEventListener("storage", function (event) { if (event.key === KEY) { render(); } });
}());
