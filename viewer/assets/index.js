// The index: agencies × years coloured by status. data/index.js brings the
// provinces and counts; the agencies come in shards (data/p*.js), loaded
// as scripts (which file:// allows, unlike fetch) when they are shown.
(function () {
  "use strict";
  // maxRows caps the rows the grid draws: more is slow to draw and to
  // read; the count says how many matched.
  var maxRows = 2000;
  var idx = null, loaded = {}, pending = {};
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined) { e.textContent = String(text); }
    return e;
  }
  function label(code) {
    for (var i = 0; i < idx.statuses.length; i++) { if (idx.statuses[i].code === code) { return idx.statuses[i].label; } }
    return code;
  }
  // short names a grid cell has room for
  var short = {ok: "ok", identities_failed: "≠", partial: "part", late: "late", revised: "rev", unreadable: "?!"};
  function option(sel, value, text) { sel.appendChild(el("option", {value: value}, text)); }

  function counts() {
    var t = el("table"), head = el("tr");
    head.appendChild(el("th", null, "status"));
    idx.years.forEach(function (y) { head.appendChild(el("th", null, y)); });
    head.appendChild(el("th", null, "year unknown"));
    head.appendChild(el("th", null, "all"));
    t.appendChild(head);
    idx.statuses.forEach(function (s) {
      var tr = el("tr", {"class": "count-" + s.code});
      var th = el("th"); th.appendChild(el("span", {"class": "badge st-" + s.code}, s.label)); tr.appendChild(th);
      (idx.counts_by_year[s.code] || []).forEach(function (n) { tr.appendChild(el("td", null, n)); });
      tr.appendChild(el("td", null, idx.totals[s.code] || 0));
      t.appendChild(tr);
    });
    var c = $("counts");
    c.appendChild(el("p", null, idx.agencies + " agencies, " + idx.reports + " reports (counts are agency-years of current reports)"));
    c.appendChild(t);
  }

  function load(names, done) {
    var left = 0;
    names.forEach(function (n) {
      if (loaded[n]) { return; }
      left++;
      (pending[n] = pending[n] || []).push(function () { if (--left === 0) { done(); } });
      if (pending[n].length === 1) {
        var s = el("script", {src: "data/" + n + ".js"});
        s.onerror = function () { hint("cannot load data/" + n + ".js"); };
        document.body.appendChild(s);
      }
    });
    if (left === 0) { done(); }
  }

  function wanted() {
    var p = $("f-province").value, q = $("f-search").value.trim();
    var names = [];
    idx.provinces.forEach(function (pr) {
      if (p === "" ? (q !== "" || idx.agencies <= idx.autoload_agencies) : pr.name === p) { names = names.concat(pr.shards); }
    });
    return names;
  }

  function hint(text) { var h = $("hint"); h.hidden = !text; h.textContent = text || ""; }

  // render shows the grid the filters ask for; the time it took, from the
  // choice to the grid drawn (shards loaded), is left in
  // document.body.dataset.renderMs for whoever measures.
  function render() {
    var t0 = performance.now();
    var names = wanted();
    if (names.length === 0) {
      draw([]);
      hint("Choose a province or type a name: " + idx.agencies + " agencies are too many to show at once.");
      return;
    }
    hint("");
    load(names, function () {
      var rows = [];
      names.forEach(function (n) { rows = rows.concat(loaded[n]); });
      draw(rows);
      document.body.dataset.renderMs = String(Math.round(performance.now() - t0));
    });
  }

  function draw(rows) {
    var level = $("f-level").value, year = $("f-year").value, status = $("f-status").value;
    var q = $("f-search").value.trim().toLowerCase();
    var years = year === "" ? idx.years : [Number(year)];
    var thead = $("grid").tHead, tbody = $("grid").tBodies[0];
    thead.textContent = ""; tbody.textContent = "";
    var h = el("tr"); h.appendChild(el("th", null, "agency")); h.appendChild(el("th", null, "province"));
    years.forEach(function (y) { h.appendChild(el("th", null, y)); });
    h.appendChild(el("th", null, "?"));
    thead.appendChild(h);
    var shown = 0, matched = 0, frag = document.createDocumentFragment();
    rows.forEach(function (a) {
      var key = a[0], name = a[1] || "(agency not known)", lvl = a[2], cells = a[3], prov = a.prov;
      if (level !== "" && lvl !== level) { return; }
      if (q !== "" && name.toLowerCase().indexOf(q) < 0 && key.indexOf(q) < 0) { return; }
      var byYear = {};
      cells.forEach(function (c) { byYear[c[0]] = c; });
      if (status !== "") {
        var hit = false;
        years.forEach(function (y) {
          var c = byYear[y];
          if (status === "missing" ? !c : c && (c[1] === status || c[4].indexOf(status) >= 0)) { hit = true; }
        });
        if (!hit) { return; }
      }
      if (++matched > maxRows) { return; }
      var tr = el("tr", {"data-agency": key});
      var th = el("th", {"class": "a"}); th.appendChild(el("a", {href: "a/" + key + ".html"}, name)); tr.appendChild(th);
      tr.appendChild(el("td", null, prov));
      years.concat([0]).forEach(function (y) {
        var c = byYear[y];
        if (!c) {
          tr.appendChild(el("td", {"class": y === 0 ? "y" : "y st-missing", title: y === 0 ? "" : y + ": no report"}));
          return;
        }
        var td = el("td", {"class": "y st-" + c[1], title: y + ": " + c[4].map(label).join(", ") + (c[3] > 1 ? " (" + c[3] + " reports)" : "")});
        td.appendChild(el("a", {href: "r/" + c[2] + ".html", "data-status": c[1]}, c[3] > 1 ? c[3] + "×" : short[c[1]] || c[1]));
        tr.appendChild(td);
      });
      frag.appendChild(tr);
      shown++;
    });
    tbody.appendChild(frag);
    $("shown").textContent = matched > shown ? "the first " + shown + " of " + matched + " agencies shown: narrow the filters" : shown + " agencies shown";
  }

  window.NB = {
    index: function (d) {
      idx = d;
      idx.provinces.forEach(function (p) { option($("f-province"), p.name, p.name + " (" + p.agencies + ")"); });
      idx.levels.forEach(function (l) { option($("f-level"), l, l); });
      idx.years.forEach(function (y) { option($("f-year"), y, y); });
      idx.statuses.forEach(function (s) { option($("f-status"), s.code, s.label); });
      var lg = $("legend");
      idx.statuses.forEach(function (s) { lg.appendChild(el("span", {"class": "badge st-" + s.code}, s.label)); });
      counts();
      ["f-province", "f-level", "f-year", "f-status"].forEach(function (id) { $(id).addEventListener("change", render); });
      var t = null;
      $("f-search").addEventListener("input", function () { clearTimeout(t); t = setTimeout(render, 150); });
      render();
    },
    shard: function (name, rows) {
      var prov = "";
      idx.provinces.forEach(function (p) { if (p.shards.indexOf(name) >= 0) { prov = p.name; } });
      rows.forEach(function (r) { r.prov = prov; });
      loaded[name] = rows;
      (pending[name] || []).forEach(function (f) { f(); });
      delete pending[name];
    }
  };
})();
