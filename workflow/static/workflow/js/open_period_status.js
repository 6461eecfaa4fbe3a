/* Opening a period: poll the job's progress until it is done, then reload to show the result.
   The page's <progress id="kinerja-progress"> carries the address to poll in data-url. */
(function poll() {
  "use strict";
  var bar = document.getElementById("kinerja-progress");
  if (!bar) { return; }
  fetch(bar.dataset.url).then(function (r) { return r.json(); }).then(function (d) {
    bar.value = d.persen;
    if (d.status !== "done") { setTimeout(poll, 1500); } else { window.location.reload(); }
  });
})();
