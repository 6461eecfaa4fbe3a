/* Decision table grid: move rows up and down (the hidden order inputs follow) and add rows from
   <template id="rules-new-row">; a new row goes above a default row, which must stay last. */
(function () {
  "use strict";
  var body = document.querySelector("#rules-grid tbody");
  var add = document.getElementById("rules-add-row");
  if (!body || !add) { return; }
  var next = 1000;
  function renumber() {
    body.querySelectorAll("tr.rules-row").forEach(function (tr, i) { tr.querySelector(".rules-order").value = i + 1; });
  }
  body.addEventListener("click", function (ev) {
    var tr = ev.target.closest("tr.rules-row");
    if (!tr) { return; }
    if (ev.target.classList.contains("rules-up") && tr.previousElementSibling) { body.insertBefore(tr, tr.previousElementSibling); renumber(); }
    if (ev.target.classList.contains("rules-down") && tr.nextElementSibling) { body.insertBefore(tr.nextElementSibling, tr); renumber(); }
  });
  add.addEventListener("click", function () {
    var html = document.getElementById("rules-new-row").innerHTML.replace(/__K__/g, "n" + (next++));
    var rows = body.querySelectorAll("tr.rules-row");
    var last = rows[rows.length - 1];
    var tmp = document.createElement("tbody"); tmp.innerHTML = html;
    var tr = tmp.firstElementChild;
    if (last && last.querySelector('input[name^="default-"]').checked) { body.insertBefore(tr, last); } else { body.appendChild(tr); }
    renumber();
  });
})();
