// The audit page's only script (its hash is the page's Content-Security-Policy): sorts a table by
// the column whose heading was clicked (numbers numerically), filters rows by the search box and
// the state boxes, and saves the embedded CSV and JSON.
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0];
    var desc = th.getAttribute('aria-sort') === 'ascending';
    table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.v || a.cells[col].textContent,
        y = b.cells[col].dataset.v || b.cells[col].textContent,
        nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return desc ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
(function () {
  var search = document.getElementById('search'),
    boxes = Array.prototype.slice.call(document.querySelectorAll('.state-filter'));
  function apply() {
    var q = search.value.trim().toLowerCase(), on = {}, all = true, shown = 0, repos = 0;
    boxes.forEach(function (b) { on[b.value] = b.checked; if (!b.checked) all = false; });
    function hit(tr) { return !q || (tr.dataset.search || '').indexOf(q) >= 0; }
    document.querySelectorAll('#instances tbody tr').forEach(function (tr) {
      var v = !!on[tr.dataset.state] && hit(tr);
      tr.hidden = !v;
      if (v) shown++;
    });
    document.querySelectorAll('#repositories tbody tr').forEach(function (tr) {
      var states = (tr.dataset.states || '').split(' ').filter(Boolean);
      var v = (all || states.some(function (s) { return on[s]; })) && hit(tr);
      tr.hidden = !v;
      if (v) repos++;
    });
    document.getElementById('shown').textContent = repos + ' repositories, ' + shown + ' instances shown';
  }
  search.addEventListener('input', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
  function save(id, name, type) {
    var el = document.getElementById(id), text = el.tagName === 'TEXTAREA' ? el.value : el.textContent;
    var url = URL.createObjectURL(new Blob([text], { type: type })), a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  document.getElementById('export-json').addEventListener('click', function () { save('report-json', 'xsuaa-audit.json', 'application/json'); });
  document.getElementById('export-csv').addEventListener('click', function () { save('report-csv', 'xsuaa-audit.csv', 'text/csv'); });
})();
