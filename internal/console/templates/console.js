// The Cognate console's only script: confirmations for destructive forms
// and live tables (outbox, trigger log) refreshed every 2 seconds. It
// builds rows with textContent, never HTML, so message bodies stay text.
"use strict";

document.addEventListener("submit", function (ev) {
  var msg = ev.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) ev.preventDefault();
});

function cell(tr, text, cls) {
  var td = document.createElement("td");
  if (cls) td.className = cls;
  if (text instanceof Node) td.appendChild(text); else td.textContent = text == null ? "" : text;
  tr.appendChild(td);
  return td;
}

function details(summary, text) {
  var d = document.createElement("details");
  var s = document.createElement("summary");
  s.textContent = summary;
  var pre = document.createElement("pre");
  pre.textContent = text;
  d.appendChild(s);
  d.appendChild(pre);
  return d;
}

var rowOf = {
  outbox: function (m) {
    var tr = document.createElement("tr");
    [m.Time, m.Pool, m.Username, m.Attribute, m.Medium, m.Destination].forEach(function (v) { cell(tr, v); });
    cell(tr, m.Code, "code");
    var body = document.createElement("span");
    if (m.Subject) {
      var b = document.createElement("strong");
      b.textContent = m.Subject;
      body.appendChild(b);
      body.appendChild(document.createElement("br"));
    }
    body.appendChild(document.createTextNode(m.Body));
    cell(tr, body);
    return tr;
  },
  triggers: function (t) {
    var tr = document.createElement("tr");
    cell(tr, t.Time);
    cell(tr, t.Pool);
    var name = document.createElement("span");
    name.textContent = t.Trigger;
    name.appendChild(document.createElement("br"));
    var src = document.createElement("span");
    src.className = "muted";
    src.textContent = t.Source;
    name.appendChild(src);
    cell(tr, name);
    cell(tr, t.Function);
    cell(tr, t.Duration);
    if (t.Error) {
      var tag = document.createElement("span");
      tag.className = "tag off";
      tag.textContent = t.Error;
      cell(tr, tag);
    } else cell(tr, "ok");
    var both = document.createElement("div");
    both.appendChild(details("event", t.Event));
    both.appendChild(details("answer", t.Response));
    cell(tr, both);
    return tr;
  }
};

// detailsKey names a <details> of a live row, so that a refresh keeps
// open what the person opened.
function detailsKey(d) {
  var tr = d.closest("tr");
  return Array.prototype.map.call(tr.cells, function (c, i) { return i < 4 ? c.textContent : ""; }).join("|") + "|" + d.querySelector("summary").textContent;
}

function live(table) {
  var url = table.getAttribute("data-live");
  var make = rowOf[table.getAttribute("data-kind")];
  var cols = table.tHead.rows[0].cells.length;
  var last = null;
  function refresh() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (text) {
        if (text === last) return;
        last = text;
        var rows = JSON.parse(text) || [];
        var open = {};
        table.tBodies[0].querySelectorAll("details[open]").forEach(function (d) { open[detailsKey(d)] = true; });
        var tbody = document.createElement("tbody");
        rows.forEach(function (v) { tbody.appendChild(make(v)); });
        tbody.querySelectorAll("details").forEach(function (d) { if (open[detailsKey(d)]) d.open = true; });
        if (rows.length === 0) {
          var tr = document.createElement("tr");
          cell(tr, "Nothing yet.", "muted").colSpan = cols;
          tbody.appendChild(tr);
        }
        table.replaceChild(tbody, table.tBodies[0]);
        table.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { /* keep the rows; try again on the next tick */ })
      .then(function () { setTimeout(refresh, 2000); });
  }
  setTimeout(refresh, 2000);
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table[data-live]").forEach(live);
});
