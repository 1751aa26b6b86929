// Cash application from the keyboard.
// The unapplied queue: j / k (or the arrow keys) move between receipts, Enter opens one.
// A receipt's workbench: / focuses the invoice search, j / k move between the invoices found,
// Space ticks one (its amount filled with what it has open, at most what is left of the
// receipt), Enter applies what is ticked, Escape leaves the search. The total ticked is kept
// in view and said when it is more than is left. Without JavaScript the forms work as they are
// (an empty amount on a ticked invoice is its balance, at most what is left).
(function () {
  "use strict";

  function typing(target) {
    return target && target.closest && target.closest("input, select, textarea");
  }

  function cents(text) {
    var value = String(text || "").replace(/,/g, "").trim();
    if (!/^\d+(\.\d{1,2})?$/.test(value)) { return null; }
    var parts = value.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }

  function shown(amount) {
    var whole = Math.floor(amount / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return whole + "." + ("0" + (amount % 100)).slice(-2);
  }

  function moveIn(rows, current, step) {
    if (!rows.length) { return; }
    var at = rows.indexOf(current);
    var next = rows[Math.max(0, Math.min(rows.length - 1, at < 0 ? 0 : at + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  // -- the queue ------------------------------------------------------------------------------
  var queue = document.querySelector("[data-fragment-region] [data-testid=object-table]");
  if (queue && document.querySelector(".cash-buckets")) {
    var queueRows = function () {
      return Array.prototype.slice.call(
        document.querySelectorAll("[data-fragment-region] [data-testid=object-table] tbody tr")
      );
    };
    document.addEventListener("keydown", function (event) {
      if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var rows = queueRows();
      rows.forEach(function (row) { row.tabIndex = -1; row.classList.add("queue-row"); });
      var row = event.target.closest ? event.target.closest("tr.queue-row") : null;
      if (event.key === "j" || event.key === "ArrowDown") { moveIn(rows, row, 1); }
      else if (event.key === "k" || event.key === "ArrowUp") { moveIn(rows, row, -1); }
      else if (event.key === "Enter" && row && event.target === row) {
        var link = row.querySelector("a");
        if (link) { window.location = link.href; }
      } else { return; }
      event.preventDefault();
    });
    return;
  }

  // -- the workbench --------------------------------------------------------------------------
  var search = document.getElementById("invoice-search");
  var form = document.getElementById("apply-form");
  var left = document.querySelector("[data-unapplied]");
  var leftCents = left ? cents(left.dataset.unapplied) : 0;
  var rows = form ? Array.prototype.slice.call(form.querySelectorAll("tr.invoice-row")) : [];

  function amountOf(row) { return row.querySelector("input.amount"); }
  function tickOf(row) { return row.querySelector("input[type=checkbox]"); }

  function total() {
    var sum = 0;
    rows.forEach(function (row) {
      if (tickOf(row).checked) { sum += cents(amountOf(row).value) || 0; }
    });
    return sum;
  }

  function refresh() {
    if (!form) { return; }
    var sum = total();
    form.querySelector("[data-testid=ticked-total]").textContent = shown(sum);
    form.querySelector("[data-testid=too-much]").hidden = sum <= leftCents;
    rows.forEach(function (row) { row.classList.toggle("ticked", tickOf(row).checked); });
  }

  function tick(row, on) {
    var box = tickOf(row);
    var amount = amountOf(row);
    box.checked = on;
    if (on && !amount.value) {
      var others = total();
      var open = cents(row.dataset.balance) || 0;
      var room = Math.max(leftCents - others, 0);
      amount.value = shown(Math.min(open, room)).replace(/,/g, "");
    }
    if (!on) { amount.value = ""; }
    refresh();
  }

  rows.forEach(function (row) {
    tickOf(row).addEventListener("change", function () { tick(row, tickOf(row).checked); });
    amountOf(row).addEventListener("input", function () {
      if (amountOf(row).value && !tickOf(row).checked) { tickOf(row).checked = true; }
      refresh();
    });
    row.addEventListener("click", function (event) {
      if (event.target.closest("input, a, label")) { return; }
      tick(row, !tickOf(row).checked);
    });
  });
  if (form) {
    form.addEventListener("submit", function (event) {
      if (!rows.some(function (row) { return tickOf(row).checked; })) {
        event.preventDefault();
        window.alert("Tick at least one invoice (Space on a row) before applying.");
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      if (rows.length) { rows[0].focus(); }
      return;
    }
    if (typing(event.target)) { return; }
    var row = event.target.closest ? event.target.closest("tr.invoice-row") : null;
    switch (event.key) {
      case "/":
        if (!search) { return; }
        search.focus();
        search.select();
        break;
      case "j": case "ArrowDown": moveIn(rows, row, 1); break;
      case "k": case "ArrowUp": moveIn(rows, row, -1); break;
      case " ":
        if (!row) { return; }
        tick(row, !tickOf(row).checked);
        break;
      case "Enter":
        if (!row || !form) { return; }
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        break;
      default: return;
    }
    event.preventDefault();
  });
  refresh();
})();
