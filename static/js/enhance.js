/* Progressive enhancement only: every page works without this file.
   - Shows the "Print or save this summary" button and wires it to the print dialog.
   - Moves focus to the error summary when a form comes back with errors.
   - Keeps "None of these" and "Not sure" checkboxes exclusive. */
(function () {
  "use strict";
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  var summary = document.querySelector("[data-module='error-summary']");
  if (summary) { summary.focus(); }
  // An exclusive answer ("None of these", "I'm not sure") unticks the others,
  // and ticking any other answer unticks it. Without JS the form's own error
  // explains the rule instead.
  document.querySelectorAll("input[type=checkbox][name]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) { return; }
      var exclusive = box.hasAttribute("data-exclusive");
      document.querySelectorAll("input[type=checkbox][name='" + box.name + "']").forEach(function (other) {
        if (other !== box && (exclusive || other.hasAttribute("data-exclusive"))) { other.checked = false; }
      });
    });
  });
})();
