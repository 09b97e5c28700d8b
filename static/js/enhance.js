/* Progressive enhancement only: every page works without this file.
   - Shows the "Print or save this summary" button and wires it to the print dialog.
   - Moves focus to the error summary when a form comes back with errors. */
(function () {
  "use strict";
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  var summary = document.querySelector("[data-module='error-summary']");
  if (summary) { summary.focus(); }
})();
