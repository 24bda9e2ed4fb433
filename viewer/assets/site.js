// Report pages: a click on a cell shows where the source printed it, the
// box on the drawn page (PDF) or the source line (HTML, text).
(function () {
  "use strict";
  var where = document.getElementById("where");
  var selected = [];
  function clear() {
    selected.forEach(function (el) { el.classList.remove("sel"); });
    selected = [];
  }
  function mark(el) { if (el) { el.classList.add("sel"); selected.push(el); } }
  function show(td) {
    clear();
    mark(td);
    var text = td.getAttribute("data-key");
    var box = td.getAttribute("data-box");
    var line = td.getAttribute("data-line");
    var target = null;
    if (box !== null) {
      target = document.getElementById("b" + box);
      text += " — the marked box on the page";
    } else if (line !== null) {
      mark(document.getElementById("L" + line));
      var m = td.getAttribute("data-mark");
      target = m !== null ? document.getElementById("m" + m) : document.getElementById("L" + line);
      text += " — line " + line + " of the source" + (m !== null ? ", its value marked" : "");
    } else {
      text += " — no position known";
    }
    mark(target);
    if (where) { where.textContent = text; }
    var aside = target && target.closest ? target.closest("aside") : null;
    if (aside) {
      // scroll the source panel only, so that the cell clicked stays in view
      var r = target.getBoundingClientRect(), a = aside.getBoundingClientRect();
      aside.scrollTop += r.top - a.top - aside.clientHeight / 2 + r.height / 2;
    }
  }
  document.querySelectorAll("td.cell").forEach(function (td) {
    td.addEventListener("click", function () { show(td); });
  });
  document.querySelectorAll("td.bad").forEach(function (td) {
    var b = td.getAttribute("data-box");
    if (b !== null) {
      var r = document.getElementById("b" + b);
      if (r) { r.classList.add("bad"); }
    }
  });
  document.querySelectorAll("svg.page rect.box").forEach(function (r) {
    r.addEventListener("click", function () {
      var td = document.querySelector('td.cell[data-box="' + r.id.slice(1) + '"]');
      if (td) { show(td); td.scrollIntoView({block: "center"}); }
    });
  });
  if (location.hash.length > 1) {
    var td = document.getElementById(location.hash.slice(1));
    if (td && td.classList.contains("cell")) { td.scrollIntoView({block: "center"}); show(td); }
  }
})();
