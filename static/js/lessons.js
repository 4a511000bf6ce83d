// Progressive enhancement for the quiz and the story's decision points.
(function () {
  "use strict";
  // An answer the server could not accept comes back as 422 with its message:
  // show it in place, as a page load without JavaScript would.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
