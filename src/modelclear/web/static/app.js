// modelclear web UI: suggestions for the id field from /api/search (same origin only).
(function () {
  "use strict";
  var input = document.getElementById("f-id");
  var list = document.getElementById("id-suggestions");
  if (!input || !list || !window.fetch) { return; }
  var timer = null;
  var last = "";
  function fill(results) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    results.forEach(function (r) {
      var option = document.createElement("option");
      option.value = r.id;
      if (r.name && r.name !== r.id) { option.label = r.name; }
      list.appendChild(option);
    });
  }
  function lookup() {
    var q = input.value.trim();
    if (q.length < 2 || q === last) { return; }
    last = q;
    fetch(input.getAttribute("data-search") + "?kind=artifact&limit=15&q=" + encodeURIComponent(q),
          { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && input.value.trim() === q) { fill(data.results || []); } })
      .catch(function () { /* keep the suggestions we have */ });
  }
  input.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(lookup, 150);
  });
}());
