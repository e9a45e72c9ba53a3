// Committee workspace: a confirmation before actions that reach the public or take things out of the draft
// (the question is the data-confirm attribute of the button or its form), and live progress of a background
// solve: polls the run's JSON status while it runs and reloads the page when it ends, so the result (or the
// explanation) is shown. No text of its own besides units.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  var box = document.getElementById("run-progress");
  if (!box || box.dataset.running !== "true") { return; }
  var url = box.dataset.statusUrl;

  function show(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }

  function number(value, digits) {
    return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          window.location.reload();  // logged out, or the run is gone: the page itself says so
          return null;
        }
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (s) {
        if (s === null) { return; }
        show("p-state", s.state + (s.cancel_requested && s.running ? " (cancelling)" : ""));
        show("p-status", s.status || "–");
        show("p-objective", number(s.objective, 0));
        show("p-bound", number(s.bound, 1));
        show("p-gap", s.gap === null || s.gap === undefined ? "–" : (100 * s.gap).toFixed(1) + " %");
        show("p-solutions", String(s.solutions));
        show("p-elapsed", number(s.elapsed_s, 1) + " s");
        if (s.running) {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  window.setTimeout(poll, 500);
}());
