/* Drafting the plan: "Add a row" copies the formset's empty form (<template id="kinerja-rhk-empty">,
   one <tbody> per RHK with a line per indicator) as a new numbered RHK. */
(function () {
  "use strict";
  var button = document.getElementById("kinerja-add-rhk");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var total = document.getElementById("id_rhk-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var html = document.getElementById("kinerja-rhk-empty").innerHTML.replace(/__prefix__/g, index)
      .replace(">#</td>", ">" + (index + 1) + "</td>");
    document.querySelector(".kinerja-rhk-form").insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
  });
  button.dataset.ready = "1"; /* the tests wait for it: a click before this line would be lost */
})();
