/* Annual review and appeal decision: the rules' suggestion (#kinerja-suggestion, its address in data-url) is fetched
   again whenever a rating changes. Answers can arrive out of order: only the answer to the latest
   change is shown, and a request made stale by a newer change is cancelled. */
(function () {
  "use strict";
  var box = document.getElementById("kinerja-suggestion");
  var form = box && box.closest("form");
  if (!form || !box) { return; }
  var latest = 0, pending = null;
  async function refresh() {
    var mine = ++latest;
    if (pending) { pending.abort(); }
    pending = new AbortController();
    try {
      var response = await fetch(box.dataset.url, {method: "POST", body: new FormData(form),
        headers: {"X-Requested-With": "fetch"}, signal: pending.signal});
      var answer = response.ok ? await response.json() : null;
      if (answer && mine === latest) { box.innerHTML = answer.html; }
    } catch (error) {
      if (error.name !== "AbortError") { throw error; }
    }
  }
  form.querySelectorAll("select").forEach(function (el) { el.addEventListener("change", refresh); });
  refresh();
})();
