// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // After htmx swaps in new content, move keyboard and screen-reader focus to
  // it, so the person is not left on a control that no longer exists.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var focusable = target.querySelector("[data-focus-after-swap]") || target;
    if (!focusable.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(focusable.tagName)) {
      focusable.setAttribute("tabindex", "-1");
    }
    focusable.focus({ preventScroll: false });
  });
  // A language choice applies at once when JavaScript is on.
  document.addEventListener("change", function (event) {
    if (event.target.id === "language-select") {
      event.target.form.submit();
    }
  });
})();
