// The document browser of report.html: list, filters, one document at a time.
// Crawled text only ever becomes DOM text nodes (append(string), textContent,
// title); nothing here parses strings as HTML. Each document's JSON is parsed
// when it is opened, so a run of thousands of documents opens quickly.
(function () {
  "use strict";
  var PAGE = 50;
  var EDIT_ROWS = 500;
  var KNOWN_TYPES = ["money", "percent", "count", "date", "org", "person", "location"];
  var index = JSON.parse(document.getElementById("report-index").textContent);
  var docs = index.docs;
  var state = { cats: new Set(), flags: new Set(), types: new Set(), query: "", page: 0, shown: docs, open: null, hidden: new Set() };

  function el(tag, cls) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  function typeClass(type) { return "t-" + (KNOWN_TYPES.indexOf(type) >= 0 ? type : "other"); }
  function shown(s) { return s === "" ? "∅" : String(s).replace(/\n/g, "⏎").replace(/\t/g, "→"); }
  function clip(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "…" : s; }
  function num(n) { return n === null || n === undefined ? "" : Number(n).toLocaleString("en"); }
  function sum(obj) { var t = 0; for (var k in obj) t += obj[k]; return t; }

  // ---- filters ------------------------------------------------------------
  function chip(label, count, key, set) {
    var b = el("button", "chip", label, el("span", "count", num(count)));
    b.type = "button";
    b.dataset.filter = key;
    b.setAttribute("aria-pressed", "false");
    b.addEventListener("click", function () {
      if (set.has(label)) set.delete(label); else set.add(label);
      b.setAttribute("aria-pressed", set.has(label) ? "true" : "false");
      state.page = 0;
      applyFilters();
    });
    return b;
  }
  function buildFilters() {
    var box = document.getElementById("filters");
    var search = el("input");
    search.type = "search";
    search.placeholder = "document id or title";
    search.setAttribute("aria-label", "search documents");
    search.addEventListener("input", function () { state.query = search.value.trim().toLowerCase(); state.page = 0; applyFilters(); });
    box.append(search);
    var catCount = {}, flagCount = {}, typeCount = {};
    docs.forEach(function (d) {
      d.cats.forEach(function (c) { catCount[c] = (catCount[c] || 0) + 1; });
      d.flags.forEach(function (f) { flagCount[f] = (flagCount[f] || 0) + 1; });
      Object.keys(d.facts).forEach(function (t) { typeCount[t] = (typeCount[t] || 0) + 1; });
    });
    var cats = el("div", "group", el("span", "name", "Flags:"));
    cats.dataset.group = "categories";
    index.categories.forEach(function (c) { cats.append(chip(c, catCount[c] || 0, "cat:" + c, state.cats)); });
    index.flags.forEach(function (f) {
      // A flag named like a category (`spun`) is already behind that category's chip.
      if (index.categories.indexOf(f) < 0) cats.append(chip(f, flagCount[f] || 0, "flag:" + f, state.flags));
    });
    box.append(cats);
    var types = el("div", "group", el("span", "name", "Facts:"));
    types.dataset.group = "types";
    if (!index.types.length) types.append(el("span", "none", "none in this run"));
    index.types.forEach(function (t) {
      var c = chip(t, typeCount[t] || 0, "type:" + t, state.types);
      c.classList.add(typeClass(t));
      types.append(c);
    });
    box.append(types);
  }
  function matches(d) {
    if (state.query && String(d.id).toLowerCase().indexOf(state.query) < 0 &&
        String(d.title || "").toLowerCase().indexOf(state.query) < 0) return false;
    // Within flags (and within fact types) any selected one will do; both groups must hold.
    if (state.cats.size || state.flags.size) {
      var hit = d.cats.some(function (c) { return state.cats.has(c); }) ||
                d.flags.some(function (f) { return state.flags.has(f); });
      if (!hit) return false;
    }
    if (state.types.size && !Object.keys(d.facts).some(function (t) { return state.types.has(t); })) return false;
    return true;
  }
  function applyFilters() {
    state.shown = docs.filter(matches);
    renderList();
  }

  // ---- document list ------------------------------------------------------
  function badges(d) {
    var span = el("span");
    d.cats.forEach(function (c) { span.append(el("span", "flag " + c, c)); });
    d.flags.forEach(function (f) { span.append(el("span", "flag", f)); });
    return span;
  }
  function renderList() {
    var box = document.getElementById("doc-list");
    var total = state.shown.length;
    var pages = Math.max(1, Math.ceil(total / PAGE));
    state.page = Math.min(state.page, pages - 1);
    var first = state.page * PAGE;
    var table = el("table");
    table.append(el("thead", null, el("tr", null, el("th", null, "#"), el("th", null, "document"), el("th", null, "title"),
      el("th", null, "characters"), el("th", null, "facts"), el("th", null, "removed"), el("th", null, "edits"), el("th", null, "flags"))));
    var body = el("tbody");
    state.shown.slice(first, first + PAGE).forEach(function (d) {
      var tr = el("tr", d.failed ? "failed" : null,
        el("td", "n", d.i + 1), el("td", null, d.id), el("td", null, d.failed ? d.error : clip(d.title || "", 60)),
        el("td", "n", num(d.chars)), el("td", "n", num(sum(d.facts))), el("td", "n", num(d.removed)),
        el("td", "n", num(d.edits)), el("td", null, badges(d)));
      tr.dataset.i = d.i;
      tr.tabIndex = 0;
      if (state.open === d.i) tr.classList.add("current");
      tr.addEventListener("click", function () { openDoc(d.i); });
      tr.addEventListener("keydown", function (e) { if (e.key === "Enter") openDoc(d.i); });
      body.append(tr);
    });
    table.append(body);
    var prev = el("button", null, "‹ previous"), next = el("button", null, "next ›");
    prev.type = next.type = "button";
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
    prev.addEventListener("click", function () { state.page--; renderList(); });
    next.addEventListener("click", function () { state.page++; renderList(); });
    var count = el("span", "count", num(total) + " of " + num(docs.length) + " documents");
    count.id = "doc-count";
    var pager = el("div", "pager", prev, el("span", null, "page " + (state.page + 1) + " of " + pages), next, count);
    box.replaceChildren(pager, table);
  }

  // ---- one document -------------------------------------------------------
  // Facts arrive as arrays (index.fact_fields), edits as groups
  // [layer, stage, rule, before, after, count, kind], marks of the original
  // as flat (start, end, group) triples.
  function detail(i) {
    var node = document.getElementById("d" + i);
    if (!node) return null;
    var d = JSON.parse(node.textContent);
    if (d.failed) return d;
    d.facts = d.facts.map(function (a) {
      var f = {};
      index.fact_fields.forEach(function (name, k) { f[name] = a[k]; });
      return f;
    });
    var segs = [];
    for (var k = 0; k < d.orig_segs.length; k += 3) segs.push([d.orig_segs[k], d.orig_segs[k + 1], d.orig_segs[k + 2]]);
    d.orig_segs = segs;
    return d;
  }
  function isRemoval(g) { return g[1] === "clean" && g[6] === "delete"; }
  function openDoc(i) {
    var d = detail(i);
    var view = document.getElementById("doc-view");
    state.open = i;
    if (history.replaceState) history.replaceState(null, "", "#doc-" + i);
    document.querySelectorAll("#doc-list tr.current").forEach(function (tr) { tr.classList.remove("current"); });
    var row = document.querySelector('#doc-list tr[data-i="' + i + '"]');
    if (row) row.classList.add("current");
    if (!d) {
      view.replaceChildren(el("h2", null, String(docs[i].id)),
        el("p", "none", "Not included: the report holds the first " + num(index.max_docs) + " documents in full (pipeline report --max-docs)."));
      return;
    }
    var parts = [el("h2", "doc-id", d.id)];
    if (d.title) parts.push(el("p", "doc-title", d.title));
    parts.push(metaTable(d));
    if (d.failed) { view.replaceChildren.apply(view, parts); view.scrollIntoView(); return; }
    var flags = el("p", null, "Flags: ");
    var names = Object.keys(d.flags);
    if (!names.length) flags.append(el("span", "none", "none"));
    names.forEach(function (k) { flags.append(el("span", "flag", k + " " + d.flags[k])); });
    parts.push(flags);
    var clean = el("div", "text clean");
    var orig = el("div", "text original");
    var info = el("div");
    info.id = "fact-info";
    parts.push(legend(d, clean, info));
    parts.push(el("div", "panes",
      el("section", null, el("h3", null, "Clean text, facts highlighted"), clean),
      el("section", null, el("h3", null, "Original (removed lines struck out; repairs, conversions marked)"), orig)));
    parts.push(info);
    renderClean(d, clean, info);
    renderOriginal(d, orig);
    parts.push(factsTable(d, info, clean), removedTable(d), editsTable(d));
    view.replaceChildren.apply(view, parts);
    view.scrollIntoView();
  }
  function metaTable(d) {
    var body = el("tbody");
    d.meta.forEach(function (kv) {
      var v = kv[1];
      body.append(el("tr", null, el("th", null, kv[0]), el("td", null, typeof v === "object" ? JSON.stringify(v) : v)));
    });
    var t = el("table", "kv", body);
    t.id = "doc-meta";
    return t;
  }
  function legend(d, clean, info) {
    var counts = {};
    d.facts.forEach(function (f) { counts[f.type] = (counts[f.type] || 0) + 1; });
    var box = el("div", "legend", el("span", null, "Highlight:"));
    var types = Object.keys(counts).sort();
    if (!types.length) box.append(el("span", "none", "no facts in this document"));
    types.forEach(function (t) {
      var input = el("input");
      input.type = "checkbox";
      input.checked = !state.hidden.has(t);
      input.dataset.type = t;
      input.addEventListener("change", function () {
        if (input.checked) state.hidden.delete(t); else state.hidden.add(t);
        renderClean(d, clean, info);
      });
      box.append(el("label", null, input, " ", el("span", "swatch " + typeClass(t), t), " " + counts[t]));
    });
    box.append(el("span", "ed ed-removed", "removed"), el("span", "ed ed-repair", "repaired"), el("span", "ed ed-convert", "converted"));
    return box;
  }
  // Offsets count Unicode code points (Python's str), not UTF-16 units.
  function marked(text, segs, make) {
    var chars = Array.from(text);
    var frag = document.createDocumentFragment();
    var pos = 0;
    segs.forEach(function (seg) {
      if (seg[0] > pos) frag.append(chars.slice(pos, seg[0]).join(""));
      frag.append(make(chars.slice(seg[0], seg[1]).join(""), seg[2]));
      pos = seg[1];
    });
    if (pos < chars.length) frag.append(chars.slice(pos).join(""));
    return frag;
  }
  function valueText(v) {
    if (v === null || typeof v !== "object") return String(v);
    return Object.keys(v).map(function (k) { return k + "=" + (typeof v[k] === "object" ? JSON.stringify(v[k]) : v[k]); }).join(", ");
  }
  function ruleText(f) { return f.rule_id + (f.rule_version === null || f.rule_version === undefined ? "" : " v" + f.rule_version); }
  function renderClean(d, box, info) {
    box.replaceChildren(marked(d.text, d.fact_segs, function (s, ids) {
      var visible = ids.filter(function (k) { return !state.hidden.has(d.facts[k].type); });
      var m = el("mark", "fact", s);
      if (!visible.length) { m.classList.add("off"); return m; }
      var f = d.facts[visible[0]];
      m.classList.add(typeClass(f.type));
      if (visible.length > 1) m.classList.add("nested");
      m.dataset.type = f.type;
      m.dataset.facts = visible.join(",");
      m.tabIndex = 0;
      m.title = visible.map(function (k) {
        var g = d.facts[k];
        return g.type + ": " + valueText(g.value) + "  [" + g.start + "–" + g.end + ", " + ruleText(g) + "]";
      }).join("\n");
      var show = function () {
        box.querySelectorAll("mark.selected").forEach(function (x) { x.classList.remove("selected"); });
        m.classList.add("selected");
        showFacts(d, visible, info);
      };
      m.addEventListener("click", show);
      m.addEventListener("keydown", function (e) { if (e.key === "Enter") show(); });
      return m;
    }));
  }
  function showFacts(d, ids, info) {
    var chars = Array.from(d.original);
    var parts = [];
    ids.forEach(function (k) {
      var f = d.facts[k];
      var rows = [["type", f.type], ["text", f.text], ["span", f.start + "–" + f.end],
        ["original", (f.orig_start === null ? "" : f.orig_start + "–" + f.orig_end + "  “" + chars.slice(f.orig_start, f.orig_end).join("") + "”")],
        ["rule", ruleText(f)], ["extractor", f.extractor], ["confidence", f.confidence], ["sentence", f.sentence]];
      var body = el("tbody");
      rows.forEach(function (r) { body.append(el("tr", null, el("th", null, r[0]), el("td", null, r[1] === null ? "" : r[1]))); });
      body.append(el("tr", null, el("th", null, "value"), el("td", null, el("pre", null, JSON.stringify(f.value, null, 1)))));
      parts.push(el("table", "kv fact-detail", body));
    });
    info.replaceChildren.apply(info, parts);
  }
  function renderOriginal(d, box) {
    box.replaceChildren(marked(d.original, d.orig_segs, function (s, group) {
      var g = d.edit_groups[group];
      var kind = isRemoval(g) ? "removed" : (g[1] === "repair" || g[1] === "convert" ? g[1] : "other");
      var span = el("span", "ed ed-" + kind, s);
      span.title = g[1] + " " + g[2] + (isRemoval(g) && index.reasons[g[2]] ? " (" + index.reasons[g[2]] + ")" : "") +
        ": " + clip(shown(g[3]), 60) + " → " + clip(shown(g[4]), 60);
      return span;
    }));
  }
  function factsTable(d, info, clean) {
    var wrap = el("div", null, el("h3", null, "Facts (" + d.facts.length + ")"));
    if (!d.facts.length) { wrap.append(el("p", "none", "No facts.")); return wrap; }
    var body = el("tbody");
    d.facts.forEach(function (f, k) {
      var tr = el("tr", null, el("td", null, el("span", "chip " + typeClass(f.type), f.type)), el("td", null, f.text),
        el("td", null, valueText(f.value)), el("td", "n", f.start + "–" + f.end), el("td", null, ruleText(f)),
        el("td", null, f.extractor), el("td", "n", f.confidence));
      tr.dataset.type = f.type;
      tr.addEventListener("click", function () { showFacts(d, [k], info); info.scrollIntoView({ block: "nearest" }); });
      body.append(tr);
    });
    var t = el("table", "facts", el("thead", null, el("tr", null, el("th", null, "type"), el("th", null, "text"), el("th", null, "value"),
      el("th", null, "span"), el("th", null, "rule"), el("th", null, "extractor"), el("th", null, "confidence"))), body);
    wrap.append(t);
    return wrap;
  }
  function removedTable(d) {
    var removed = d.edit_groups.filter(isRemoval);
    var wrap = el("div", null, el("h3", null, "Removed by clean (" + num(sum(removed.map(function (g) { return g[5]; }))) + ")"));
    if (!removed.length) { wrap.append(el("p", "none", "Nothing removed.")); return wrap; }
    var body = el("tbody");
    removed.forEach(function (g) {
      var line = g[3].replace(/\n$/, "") || g[3];  // a blank line shows as ⏎
      body.append(el("tr", null, el("td", null, el("code", null, shown(line))), el("td", null, g[2]),
        el("td", null, index.reasons[g[2]] || ""), el("td", "n", g[5] > 1 ? "×" + g[5] : "")));
    });
    wrap.append(el("table", "removed", el("thead", null, el("tr", null, el("th", null, "text"), el("th", null, "rule"),
      el("th", null, "reason"), el("th", null, ""))), body));
    return wrap;
  }
  function editsTable(d) {
    var rows = d.edit_groups.filter(function (g) { return !isRemoval(g); })
      .sort(function (a, b) { return (a[0] - b[0]) || (b[5] - a[5]); });
    var wrap = el("div", null, el("h3", null, "Repairs and conversions (" + num(sum(rows.map(function (g) { return g[5]; }))) + " edits, " + num(rows.length) + " distinct)"));
    if (!rows.length) { wrap.append(el("p", "none", "None.")); return wrap; }
    var body = el("tbody");
    rows.slice(0, EDIT_ROWS).forEach(function (g) {
      body.append(el("tr", null, el("td", null, g[1]), el("td", null, g[2]), el("td", null, el("code", null, shown(g[3]))),
        el("td", null, "→"), el("td", null, el("code", null, shown(g[4]))), el("td", "n", g[5])));
    });
    wrap.append(el("table", "edits", el("thead", null, el("tr", null, el("th", null, "stage"), el("th", null, "rule"), el("th", null, "before"),
      el("th", null, ""), el("th", null, "after"), el("th", null, "times"))), body));
    if (rows.length > EDIT_ROWS) wrap.append(el("p", "more", (rows.length - EDIT_ROWS) + " more not shown (see edits.parquet)."));
    return wrap;
  }

  buildFilters();
  applyFilters();
  var m = /^#doc-(\d+)$/.exec(location.hash);
  if (m && docs[+m[1]]) openDoc(+m[1]);
  document.documentElement.dataset.ready = "true";
})();
