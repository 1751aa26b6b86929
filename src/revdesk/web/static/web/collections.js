// The worklist's keyboard and its inline forms: j / k (or the arrow keys) move between
// accounts, Enter opens the account, l logs a call, p records a promise, i shows the
// invoices (fetched when first opened), Escape closes a form. Without JavaScript the Log
// and Promise buttons open the account page, which has the same forms and the invoices.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".work-row"));
  if (!rows.length) { return; }

  function rowOf(element) {
    return element && element.closest ? element.closest(".work-row") : null;
  }

  function focus(at) {
    var row = rows[Math.max(0, Math.min(rows.length - 1, at))];
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  // One copy of each form in the page (<template>): put under the row when opened, with the
  // row's address and, for a log, the row's next action as the summary.
  function formOf(row, which) {
    var found = row.querySelector('.work-form[data-form="' + which + '"]');
    if (found) { return found; }
    var template = document.getElementById("work-form-" + which);
    var copy = template.content.firstElementChild.cloneNode(true);
    var form = copy.querySelector("form");
    form.action = row.dataset[which];
    form.setAttribute("aria-label", (which === "log" ? "Log on " : "Promise of ") + row.dataset.name);
    var subject = form.querySelector('input[name="subject"]');
    if (subject) { subject.value = row.dataset.summary; }
    copy.querySelector("[data-close]").addEventListener("click", function () { close(row); });
    row.firstElementChild.after(copy);
    return copy;
  }

  function open(row, which) {
    row.querySelectorAll(".work-form").forEach(function (form) {
      form.hidden = form.dataset.form !== which;
    });
    var shown = formOf(row, which);
    shown.hidden = false;
    var first = shown.querySelector("[data-first]");
    if (first) { first.focus(); }
  }

  function close(row) {
    row.querySelectorAll(".work-form").forEach(function (form) { form.hidden = true; });
    row.focus();
  }

  // The invoices under a row come from the server the first time they are opened (the page
  // leaves them out); after that i shows and hides them.
  function toggleItems(row) {
    var items = row.querySelector(".work-items");
    if (items) { items.hidden = !items.hidden; return; }
    if (row.dataset.loading) { return; }
    row.dataset.loading = "1";
    fetch(row.dataset.items, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) { row.insertAdjacentHTML("beforeend", html); })
      .catch(function () { window.location = row.dataset.account; })
      .finally(function () { delete row.dataset.loading; });
  }

  rows.forEach(function (row) {
    row.querySelectorAll("[data-open]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        open(row, button.dataset.open);
      });
    });
  });

  document.addEventListener("keydown", function (event) {
    var row = rowOf(event.target) || rowOf(document.activeElement);
    var typing = event.target.closest && event.target.closest("input, select, textarea");
    if (event.key === "Escape") {
      if (row) { close(row); }
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var at = rows.indexOf(row);
    switch (event.key) {
      case "j": case "ArrowDown": focus(at + 1); break;
      case "k": case "ArrowUp": focus(at <= 0 ? 0 : at - 1); break;
      case "Enter":
        if (!row || event.target !== row) { return; }
        window.location = row.dataset.account;
        break;
      case "l": if (row) { open(row, "log"); } break;
      case "p": if (row) { open(row, "promise"); } break;
      case "i": if (row) { toggleItems(row); } break;
      default: return;
    }
    event.preventDefault();
  });
})();
