(function () {
  "use strict";
  // Filters for a table: each select names a data-* attribute of the rows
  // (values separated by "|"); a row stays visible when it has every value
  // chosen. The controls are hidden until this script shows them, so a page
  // printed or opened without scripts shows the whole table and no dead controls.
  Array.prototype.forEach.call(document.querySelectorAll("[data-filters-for]"), function (box) {
    var table = document.getElementById(box.getAttribute("data-filters-for"));
    if (!table || !table.tBodies.length) { return; }
    var selects = box.querySelectorAll("select[data-filter]");
    var count = box.querySelector("output");
    function keeps(row, select) {
      var wanted = select.value;
      if (!wanted) { return true; }
      var values = (row.getAttribute("data-" + select.getAttribute("data-filter")) || "").split("|");
      return values.indexOf(wanted) >= 0;
    }
    function apply() {
      var rows = table.tBodies[0].rows;
      var shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var keep = Array.prototype.every.call(selects, function (select) { return keeps(row, select); });
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      if (count) { count.textContent = "Showing " + shown + " of " + rows.length + " posts"; }
    }
    Array.prototype.forEach.call(selects, function (select) { select.addEventListener("change", apply); });
    box.hidden = false;
    apply();
  });
}());
