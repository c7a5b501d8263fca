// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Escape hides an open violation popover (WCAG 1.4.13); moving focus or the pointer shows it again.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { document.body.classList.add("tips-off"); }
  });
  function tipsOn() { document.body.classList.remove("tips-off"); }
  document.addEventListener("focusin", tipsOn);
  document.addEventListener("mouseover", function (event) {
    if (event.target && event.target.closest && event.target.closest("mark.v")) { tipsOn(); }
  });
  // A review form is sent once: disable its button after the first submit.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }  // a form a script handles itself (the agent workspace)
    var button = event.target.querySelector("button[type=submit]");
    if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
  });
})();
