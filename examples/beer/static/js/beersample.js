/* Search as you type (the guide's AJAX beer search filter, without jQuery).
 * An input with data-search="/beers/search" and data-table="beer-table" asks the
 * URL for {"value": what is typed} and rebuilds the table's rows from the JSON
 * answer ([{id, name, brewery?}]). Rows are built with DOM calls, never from
 * HTML text, so a beer named "<script>" stays a name. Answers arriving after a
 * newer request are dropped. */
(function () {
  "use strict";

  function link(href, text, cls) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (cls) { a.className = cls; }
    return a;
  }

  function cell(tr) {
    var td = document.createElement("td");
    tr.appendChild(td);
    return td;
  }

  function row(tableId, item) {
    var tr = document.createElement("tr");
    var otype = tableId === "brewery-table" ? "breweries" : "beers";
    var id = encodeURIComponent(item.id);
    cell(tr).appendChild(link("/" + otype + "/show/" + id, item.name));
    if (tableId === "beer-table") {
      cell(tr).appendChild(link("/breweries/show/" + encodeURIComponent(item.brewery),
                                "To Brewery"));
    }
    if (tableId !== "brewery-beers") {
      var actions = cell(tr);
      actions.className = "actions";
      actions.appendChild(link("/" + otype + "/edit/" + id, "Edit", "btn btn-small btn-warning"));
      actions.appendChild(document.createTextNode(" "));
      actions.appendChild(link("/" + otype + "/delete/" + id, "Delete", "btn btn-small btn-danger"));
    }
    return tr;
  }

  function attach(input) {
    var body = document.querySelector("#" + input.dataset.table + " tbody");
    var sent = 0;
    var timer = null;
    function run() {
      var mine = ++sent;
      var url = input.dataset.search + "?value=" + encodeURIComponent(input.value);
      fetch(url, {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (data) {
          if (mine !== sent) { return; }
          while (body.firstChild) { body.removeChild(body.firstChild); }
          data.forEach(function (item) { body.appendChild(row(input.dataset.table, item)); });
          input.dispatchEvent(new CustomEvent("searched", {detail: data.length}));
        })
        .catch(function () { /* keep the rows shown; the next keystroke tries again */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    input.form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  }

  document.querySelectorAll("input[data-search]").forEach(attach);
}());
