(function () {
  "use strict";
  // Headings become buttons only when this script runs, so a page printed or
  // opened without scripts shows plain headings.
  function sortKey(cell, numeric) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) { raw = cell.textContent.trim(); }
    if (numeric) {
      var value = parseFloat(raw);
      return isNaN(value) ? -Infinity : value;
    }
    return raw.toLowerCase();
  }
  function sortTable(table, column, numeric, header) {
    var current = header.getAttribute("aria-sort");
    var ascending = current ? current !== "ascending" : !numeric;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var keyed = Array.prototype.map.call(body.rows, function (row, index) {
      return [sortKey(row.cells[column], numeric), index, row];
    });
    keyed.sort(function (a, b) {
      if (a[0] < b[0]) { return ascending ? -1 : 1; }
      if (a[0] > b[0]) { return ascending ? 1 : -1; }
      return a[1] - b[1];
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (item) { fragment.appendChild(item[2]); });
    body.appendChild(fragment);
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      var button = document.createElement("button");
      var numeric = header.getAttribute("data-type") === "number";
      button.type = "button";
      button.className = "sort";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, column, numeric, header); });
    });
    table.setAttribute("data-sort-ready", "");
  });
}());
