/*
 * Entente: the little behaviour the server-rendered pages need.
 * Loaded from a file because the Content-Security-Policy refuses inline scripts.
 * Every page also works without it.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      return meta.content;
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // htmx requests carry the CSRF token as a header, as Django expects.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // <form data-confirm="Delete this meeting?"> or <button data-confirm="…">:
  // ask before a destructive action. (For htmx requests use hx-confirm.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message =
      (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // <button data-copy="ID" data-copied="Copied" hidden>: copies the text of element ID.
  // Hidden in the page, so that without this script (or a clipboard) no dead button shows.
  if (navigator.clipboard) {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = button.getAttribute("data-copied") || button.textContent;
      });
    }
  });

  // <table class="cards"> becomes cards on a phone (display: block in the CSS), which makes
  // some browsers drop its table semantics; explicit roles keep them for screen readers.
  var TABLE_ROLES = [
    ["table.cards", "table"],
    ["table.cards > thead, table.cards > tbody", "rowgroup"],
    ["table.cards tr", "row"],
    ["table.cards th[scope=col]", "columnheader"],
    ["table.cards th[scope=row]", "rowheader"],
    ["table.cards td", "cell"]
  ];

  function restoreTableRoles(root) {
    TABLE_ROLES.forEach(function (pair) {
      var found = Array.prototype.slice.call(root.querySelectorAll(pair[0]));
      if (root.matches && root.matches(pair[0])) {
        found.push(root);
      }
      found.forEach(function (element) {
        element.setAttribute("role", pair[1]);
      });
    });
  }

  restoreTableRoles(document);
  document.addEventListener("htmx:afterSettle", function (event) {
    restoreTableRoles(event.target);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
