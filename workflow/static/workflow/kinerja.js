/* Behaviours shared by every page, bound once on the document (Turbo keeps this script across
   visits). The Content-Security-Policy forbids inline scripts and event handler attributes, so
   templates ask for a behaviour with a data attribute instead:
     <select data-autosubmit>      submits its form when the choice changes;
     <form data-confirm="text">    asks before submitting, and submits only if confirmed;
     <a href="/" data-history-back> goes back in the history (its href when there is none). */
(function () {
  "use strict";
  if (window.kinerjaBound) { return; }
  window.kinerjaBound = true;

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) { field.form.submit(); }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-history-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // Logging out may go on at the single sign-on provider, another origin (workflow/sso.py): the
  // logout form is submitted natively, since Turbo's fetch cannot follow a redirect there.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && new URL(form.action, document.baseURI).pathname === "/accounts/logout/") {
      form.setAttribute("data-turbo", "false");
    }
  }, true);
  // A table wider than its page scrolls inside its own frame (kinerja.css, on phones): such a frame
  // takes the keyboard focus, so it can be scrolled without a mouse (WCAG 2.1.1).
  function scrollFrames() {
    document.querySelectorAll(".vf-page__body table, .kinerja-diagram-frame").forEach(function (frame) {
      if (frame.scrollWidth > frame.clientWidth + 1) {
        frame.setAttribute("tabindex", "0");
      } else if (!frame.classList.contains("kinerja-diagram-frame")) {
        frame.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", scrollFrames);
  document.addEventListener("turbo:load", scrollFrames);
  window.addEventListener("resize", scrollFrames);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
