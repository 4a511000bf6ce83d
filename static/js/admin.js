/* The trainers' admin: "Move up"/"Move down" for ordered inlines (the
   keyboard's way to do what dragging a heading does), and a preview of
   Markdown fields rendered exactly as a learner sees them (by the server's
   own rich_text filter, sanitised). No inline script: the page's CSP
   allows only files of the site. */
(function () {
  "use strict";

  function renumber(group) {
    // As django-admin-sortable2 does after a drag: 1, 2, 3… in page order.
    group.querySelectorAll(".inline-related.has_original").forEach(function (item, index) {
      var input = item.querySelector("input._reorder_");
      if (input) input.value = String(index + 1);
    });
  }

  function move(button, up) {
    var item = button.closest(".inline-related.has_original");
    if (!item) return;
    var sibling = up ? item.previousElementSibling : item.nextElementSibling;
    while (sibling && !sibling.classList.contains("has_original")) {
      sibling = up ? sibling.previousElementSibling : sibling.nextElementSibling;
    }
    if (!sibling) return;
    sibling.insertAdjacentElement(up ? "beforebegin" : "afterend", item);
    renumber(item.parentElement);
    button.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.order-up, button.order-down");
    if (button) {
      event.preventDefault();
      move(button, button.classList.contains("order-up"));
      return;
    }
    var preview = event.target.closest("button.markdown-preview-button");
    if (preview) {
      event.preventDefault();
      showPreview(preview);
    }
  });

  function showPreview(button) {
    var field = document.getElementById(button.getAttribute("aria-controls").replace(/-preview$/, ""));
    var output = document.getElementById(button.getAttribute("aria-controls"));
    var form = button.closest("form");
    var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    var body = new FormData();
    body.append("text", field.value);
    fetch(button.dataset.url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        output.innerHTML = html; // rendered and sanitised by the server
        output.hidden = false;
      })
      .catch(function () {
        output.textContent = button.dataset.error;
        output.hidden = false;
      });
  }

  function addPreviewButtons() {
    document.querySelectorAll("textarea[data-markdown-preview]").forEach(function (field) {
      if (field.id.indexOf("__prefix__") !== -1 || field.dataset.previewReady) return;
      field.dataset.previewReady = "1";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button markdown-preview-button";
      button.textContent = field.dataset.markdownPreview;
      button.dataset.url = field.dataset.previewUrl;
      button.dataset.error = field.dataset.previewError;
      button.setAttribute("aria-controls", field.id + "-preview");
      var output = document.createElement("div");
      output.id = field.id + "-preview";
      output.className = "markdown-preview rich-text";
      output.setAttribute("aria-live", "polite");
      output.setAttribute("role", "region");
      output.setAttribute("aria-label", field.dataset.previewLabel);
      output.hidden = true;
      // Below the field (and its help text), not squeezed in beside it.
      var tools = document.createElement("div");
      tools.className = "markdown-preview-tools";
      tools.appendChild(button);
      tools.appendChild(output);
      var row = field.closest(".flex-container") || field;
      row.insertAdjacentElement("afterend", tools);
    });
  }

  document.addEventListener("DOMContentLoaded", addPreviewButtons);
  // An inline row added with "Add another" gets its button too.
  document.addEventListener("formset:added", addPreviewButtons);
})();
