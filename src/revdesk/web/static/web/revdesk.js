// In-page updates for lists: sort, page and filter without reloading the whole page.
// The server returns only the table fragment when asked with "HX-Request: true".
// Without JavaScript every link and form still works as a plain page load.
(function () {
  "use strict";
  function load(region, url, push) {
    region.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        region.innerHTML = html;
        region.removeAttribute("aria-busy");
        if (push) { history.pushState({ fragment: true }, "", url); }
        syncExport(url);
      })
      .catch(function () { window.location.href = url; });
  }
  function syncExport(url) {
    var target = new URL(url, window.location.href);
    var exportLink = document.querySelector("[data-testid=export]");
    if (!exportLink) { return; }
    target.searchParams.delete("page");
    target.searchParams.set("export", "xlsx");
    exportLink.setAttribute("href", target.pathname + target.search);
    var form = document.querySelector("[data-fragment-form]");
    var sort = target.searchParams.get("sort");
    if (form && sort) {
      var input = form.querySelector("input[name=sort]");
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = "sort";
        form.appendChild(input);
      }
      input.value = sort;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var region = document.querySelector("[data-fragment-region]");
    if (!region) { return; }
    region.addEventListener("click", function (event) {
      var link = event.target.closest("th a.sort, .pagination a");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      event.preventDefault();
      load(region, link.getAttribute("href"), true);
    });
    window.addEventListener("popstate", function () { load(region, window.location.href, false); });
  });
})();

// A status fragment that polls: an element with data-poll="<url>" reloads its content from
// that URL every 2 seconds until the content marks itself finished (data-finished).
(function () {
  "use strict";
  var INTERVAL = 2000;
  function poll(region) {
    var url = region.getAttribute("data-poll");
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        region.innerHTML = html;
        if (region.querySelector("[data-finished]")) {
          region.removeAttribute("data-poll");
          return;
        }
        window.setTimeout(function () { poll(region); }, INTERVAL);
      })
      .catch(function () { window.setTimeout(function () { poll(region); }, INTERVAL * 2); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(function (region) {
      window.setTimeout(function () { poll(region); }, INTERVAL);
    });
  });
})();

// Cases. The reason list shows only the reasons of the chosen type (without JavaScript all
// reasons stay, grouped by type, and the server refuses a reason of another type). The box
// in the queue's header row ticks every case on the page.
(function () {
  "use strict";
  function filterReasons(select, typeSelect) {
    var chosen = typeSelect.options[typeSelect.selectedIndex];
    var code = chosen ? chosen.getAttribute("data-code") || "" : "";
    select.querySelectorAll("optgroup").forEach(function (group) {
      var shown = false;
      group.querySelectorAll("option").forEach(function (option) {
        var fits = !code || option.getAttribute("data-type") === code;
        option.hidden = !fits;
        option.disabled = !fits;
        if (fits) { shown = true; }
      });
      group.hidden = !shown;
    });
    var current = select.options[select.selectedIndex];
    if (current && current.disabled) { select.value = ""; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-reason-for]").forEach(function (select) {
      var typeSelect = document.getElementById(select.getAttribute("data-reason-for"));
      if (!typeSelect) { return; }
      var codes = JSON.parse(typeSelect.getAttribute("data-codes") || "{}");
      Array.prototype.forEach.call(typeSelect.options, function (option) {
        if (codes[option.value]) { option.setAttribute("data-code", codes[option.value]); }
      });
      typeSelect.addEventListener("change", function () { filterReasons(select, typeSelect); });
      filterReasons(select, typeSelect);
    });
    document.addEventListener("change", function (event) {
      if (!event.target.matches("[data-pick-all]")) { return; }
      var table = event.target.closest("table");
      table.querySelectorAll("input[name=case]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    });
  });
})();

// A select marked data-autosubmit sends its form when changed (the form also has a button
// for people without JavaScript).
(function () {
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
  });
})();
