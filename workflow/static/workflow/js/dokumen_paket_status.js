/* A document package being built: poll its progress until it is done or failed, then reload to
   show the download. The page's <progress id="kinerja-progress"> carries the address in data-url. */
(function poll() {
  "use strict";
  var bar = document.getElementById("kinerja-progress");
  if (!bar) { return; }
  fetch(bar.dataset.url).then(function (r) { return r.json(); }).then(function (d) {
    bar.value = d.persen;
    if (d.status === "done" || d.status === "failed") { window.location.reload(); } else { setTimeout(poll, 1500); }
  });
})();
