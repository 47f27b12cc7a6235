// The audit page's only script (its hash is the page's Content-Security-Policy). It renders the
// tables from the data embedded once (#report-data): rows through the DOM (text nodes, never
// markup), a page of rows at a time so that 50,000 instances open at once; sorts by the column
// whose heading was clicked (numbers numerically); filters by the search box and the state
// boxes; builds an instance's runbook when its row asks for it; and builds the CSV and the JSON to
// save when a button asks for them.
(function () {
  'use strict';
  var PAGE = 250, collator = new Intl.Collator();
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var report = data.report, repos = report.repositories;
  // What a terminal or a browser would act on rather than show (as the report's other formats):
  // control characters and the marks that reorder text, shown as escapes.
  var CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  function shown(text) {
    return String(text).replace(CONTROL, function (c) {
      var n = c.charCodeAt(0);
      return n < 0x80 ? '\\x' + (n < 16 ? '0' : '') + n.toString(16) : '\\u{' + n.toString(16) + '}';
    });
  }
  // Several lines (a runbook): newlines and tabs stay, as in the report's other formats.
  var CONTROL_IN_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;
  function shownLines(text) {
    return String(text).replace(CONTROL_IN_LINES, function (c) { return shown(c); });
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = shown(text);
    if (cls) e.className = cls;
    return e;
  }
  function link(href, text) {
    if (href === null || href === undefined) return el('span', text);
    var a = el('a', text);
    a.href = href;
    return a;
  }
  function branchOf(git) {
    var b = git.branch, d = git.default_branch;
    if (b && d && b !== d) return b + ' (default ' + d + ')';
    if (b) return b;
    if (d) return 'detached (default ' + d + ')';
    return '';
  }

  // One row per repository (worst first) and per instance (its repository's order, then worst
  // first within it), each with the text the search box looks in.
  var repoRows = data.order.map(function (r) {
    var repo = repos[r], view = data.repositories[r], git = repo.git || {};
    var words = [repo.path, view.name, git.remote || '', git.branch || ''];
    var states = {};
    repo.instances.forEach(function (i) { words.push(i.name, (i.owners || []).join(' ')); states[i.state] = true; });
    return { r: r, repo: repo, view: view, git: git, states: Object.keys(states), search: words.join(' ').toLowerCase() };
  });
  var instanceRows = [];
  repoRows.forEach(function (row) {
    var views = data.instances[row.r];
    var order = row.repo.instances.map(function (_, k) { return k; });
    order.sort(function (a, b) { return views[b].w - views[a].w || a - b; });
    order.forEach(function (k) {
      var i = row.repo.instances[k];
      instanceRows.push({ repo: row, i: i, v: views[k], search: [row.repo.path, row.view.name, i.name, i.kind, i.plan,
        i.state, i.file, (i.owners || []).join(' '), i.codes.join(' ')].join(' ').toLowerCase() });
    });
  });

  // A repository by its name, cut to the column's width; its full path on hover.
  function named(td, view) {
    var name = el('div', view.name, 'cut');
    name.title = shown(view.title);
    td.appendChild(name);
  }
  // The columns: what a cell shows and what it sorts by.
  var repoColumns = {
    repository: function (row, td) { named(td, row.view); return row.view.name; },
    branch: function (row, td) { var b = branchOf(row.git); td.textContent = shown(b); return b; },
    commit: function (row, td) {
      var c = row.git.commit || '';
      td.title = shown(c);
      td.appendChild(el('code', c.slice(0, 12)));
      return c;
    },
    score: function (row) { return row.view.score; },
    error: function (row) { return row.repo.findings.error; },
    warning: function (row) { return row.repo.findings.warning; },
    info: function (row) { return row.repo.findings.info; },
    credentials: function (row) { return row.repo.committed_credentials; },
    trend: function (row, td) {
      var t = row.repo.trend;
      td.className = 'trend';
      if (!t) return '';
      if (t.regressions > 0 || t.new_instance_secret > 0) td.className += ' down';
      else if (t.finished > 0 || t.improved > 0) td.className += ' up';
      td.dataset.finished = t.finished;
      td.dataset.newInstanceSecret = t.new_instance_secret;
      td.dataset.regressions = t.regressions;
      td.dataset.v = t.finished - t.regressions - t.new_instance_secret;
      td.textContent = shown(row.view.trend || '');
      return Number(td.dataset.v);
    },
  };
  var instanceColumns = {
    repository: function (row, td) { named(td, row.repo.view); return row.repo.view.name; },
    instance: function (row) { return row.i.name; },
    kind: function (row) { return row.i.kind; },
    plan: function (row) { return row.i.plan; },
    state: function (row, td) { if (row.v.w > 0) td.className = 'bad'; return row.i.state; },
    file: function (row, td) {
      var i = row.i, place = i.file + ':' + i.line;
      var first = el('div', null, 'cut');
      first.title = shown(place);
      first.appendChild(link(row.v.href !== undefined ? row.v.href : i.link, place));
      td.appendChild(first);
      (i.sources || []).slice(1).forEach(function (s, k) {
        var href = row.v.source_hrefs ? row.v.source_hrefs[k] : s.link;
        var also = el('div', null, 'cut meta');
        also.title = shown(s.file + ':' + s.line);
        also.appendChild(document.createTextNode('also '));
        also.appendChild(link(href, s.file + ':' + s.line));
        also.appendChild(document.createTextNode(' (' + shown(s.kind) + ')'));
        td.appendChild(also);
      });
      return place;
    },
    owners: function (row) { return (row.i.owners || []).join(' '); },
    codes: function (row) { return row.i.codes.join(' '); },
    change: function (row, td) {
      var change = row.i.change || '';
      td.className = 'change';
      td.dataset.change = change;
      td.textContent = shown(change + (row.i.previous_state ? ' (was ' + row.i.previous_state + ')' : ''));
      return change;
    },
    live: function (row, td) {
      var l = row.i.live;
      if (!l) return '';
      var words = l.status;
      if (l.instance_secret_holder_names && l.instance_secret_holder_names.length) {
        words += ': ' + l.instance_secret_holder_names.join(', ');
      }
      if (l.instance_secret_last_used_at) words += '; last used ' + l.instance_secret_last_used_at;
      td.textContent = shown(words);
      td.title = shown((l.reasons || []).join('\n'));
      if (l.status !== 'ready') td.className = 'bad';
      return l.status;
    },
    runbook: function (row, td) {
      if (row.v.command === undefined) { td.textContent = 'finished'; return 'finished'; }
      if (row.v.t === undefined) { td.appendChild(el('code', row.v.command)); return row.v.command; }
      var details = el('details'), summary = el('summary', 'runbook');
      details.appendChild(summary);
      details.addEventListener('toggle', function () { runbook(details, row); });
      td.appendChild(details);
      return '';
    },
  };

  // The runbook: its template with the instance's facts, in a row of its own under the instance.
  // Its first four facts are the instance's own fields; the rest are carried with it.
  function runbookText(row) {
    var i = row.i, v = row.v, facts = [i.file + ':' + i.line, i.file, i.name, i.codes.join(', ')].concat(v.f || []);
    return data.templates[v.t].map(function (part) { return typeof part === 'number' ? facts[part] : part; }).join('');
  }
  function runbook(details, row) {
    var tr = details.closest('tr'), next = tr.nextElementSibling;
    if (!details.open) {
      if (next && next.classList.contains('runbook')) next.remove();
      return;
    }
    var box = el('tr', null, 'runbook'), td = el('td');
    td.colSpan = tr.cells.length;
    var pre = el('pre');
    pre.textContent = shownLines(runbookText(row));
    td.appendChild(pre);
    var also = el('p', 'Also: ');
    also.appendChild(el('code', row.v.command));
    td.appendChild(also);
    box.appendChild(td);
    tr.after(box);
  }

  function Table(id, rows, columns) {
    var table = document.getElementById(id), body = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var keys = heads.map(function (th) { return th.dataset.col; });
    var more = document.getElementById(id + '-more');
    var matching = rows, limit = PAGE;
    function cell(row, key) {
      var td = el('td'), f = columns[key];
      var value = f ? f(row, td) : (row.repo.states ? row.repo.states[key] || 0 : '');
      if (!td.firstChild && !td.textContent) td.textContent = shown(value);
      if (heads[keys.indexOf(key)].classList.contains('n')) td.classList.add('n');
      return td;
    }
    function render() {
      var frag = document.createDocumentFragment();
      matching.slice(0, limit).forEach(function (row) {
        var tr = el('tr');
        if (row.i) tr.dataset.state = row.i.state;
        keys.forEach(function (key) { tr.appendChild(cell(row, key)); });
        frag.appendChild(tr);
      });
      body.textContent = '';
      body.appendChild(frag);
      more.parentNode.hidden = matching.length <= limit;
      more.textContent = 'Show ' + Math.min(PAGE, matching.length - limit) + ' more (' + (matching.length - limit) + ' not shown)';
    }
    more.addEventListener('click', function () { limit += PAGE; render(); });
    // Sorting: by the clicked column's value, numbers numerically; ascending first.
    heads.forEach(function (th, col) {
      th.addEventListener('click', function () {
        var desc = th.getAttribute('aria-sort') === 'ascending';
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
        var scratch = el('td');
        var keyed = rows.map(function (row) {
          var f = columns[keys[col]];
          var value = f ? f(row, scratch) : row.repo.states[keys[col]] || 0;
          scratch.textContent = '';
          return { row: row, value: value };
        });
        keyed.sort(function (a, b) {
          var x = a.value, y = b.value, nx = parseFloat(x), ny = parseFloat(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : collator.compare(String(x), String(y));
          return desc ? -c : c;
        });
        rows = keyed.map(function (k) { return k.row; });
        apply();
      });
    });
    return {
      filter: function (keep) { matching = rows.filter(keep); limit = PAGE; render(); return matching.length; },
      shownAll: function () { return matching.length <= limit; },
    };
  }

  var search = document.getElementById('search'),
    boxes = Array.prototype.slice.call(document.querySelectorAll('.state-filter'));
  var repoTable = Table('repositories', repoRows, repoColumns),
    instanceTable = Table('instances', instanceRows, instanceColumns);
  function apply() {
    var q = search.value.trim().toLowerCase(), on = {}, all = true;
    boxes.forEach(function (b) { on[b.value] = b.checked; if (!b.checked) all = false; });
    function hit(row) { return !q || row.search.indexOf(q) >= 0; }
    var shownInstances = instanceTable.filter(function (row) { return !!on[row.i.state] && hit(row); });
    var shownRepos = repoTable.filter(function (row) {
      return (all || row.states.some(function (s) { return on[s]; })) && hit(row);
    });
    var text = shownRepos + ' repositories, ' + shownInstances + ' instances shown';
    if (!repoTable.shownAll() || !instanceTable.shownAll()) text += ' (listed a page at a time: "Show more" under each table)';
    document.getElementById('shown').textContent = text;
    performance.mark('xsuaa-rendered');
  }
  search.addEventListener('input', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();

  function save(text, name, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type })), a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  // The JSON as `--format json` writes it: two spaces an indent, a final newline.
  document.getElementById('export-json').addEventListener('click', function () {
    save(JSON.stringify(report, null, 2) + '\n', 'xsuaa-audit.json', 'application/json');
  });
  // The CSV as `--format csv` writes it (src/audit/csv.rs), built from the report when asked
  // rather than carried in the page: a cell that would start a spreadsheet formula starts with
  // `'`; a field with a comma, a quote or a line break is quoted, its quotes doubled; `\n` ends
  // a row.
  var FORMULA_START = /^[=+\-@\t\r]/, NEEDS_QUOTES = /[",\r\n]/;
  function cell(value) {
    var s = value === undefined || value === null ? '' : String(value);
    return FORMULA_START.test(s) ? "'" + s : s;
  }
  function field(s) {
    return NEEDS_QUOTES.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function csv() {
    var lines = [['repository', 'file', 'line', 'instance', 'kind', 'plan', 'state', 'codes', 'owners', 'link',
      'sources', 'change', 'skipped', 'live', 'instance_secret_holders', 'instance_secret_holder_names',
      'instance_secret_last_used_at', 'live_reasons']];
    repos.forEach(function (repo) {
      repo.instances.forEach(function (i) {
        var places = i.sources && i.sources.length ? i.sources : [i], l = i.live;
        lines.push([cell(repo.path), cell(i.file), String(i.line), cell(i.name), cell(i.kind), cell(i.plan),
          cell(i.state), cell(i.codes.join(' ')), cell((i.owners || []).join(' ')), cell(i.link),
          cell(places.map(function (p) { return p.file + ':' + p.line; }).join(' ')), cell(i.change), '',
          cell(l ? l.status : ''), l ? String(l.instance_secret_holders || 0) : '',
          cell(l ? (l.instance_secret_holder_names || []).join(' ') : ''), cell(l ? l.instance_secret_last_used_at : ''),
          cell(l ? (l.reasons || []).join('; ') : '')]);
      });
    });
    (report.skipped || []).forEach(function (s) {
      lines.push([cell(s.path), '', '', '', '', '', 'skipped', '', '', '', '', '', cell(s.reason), '', '', '', '', '']);
    });
    return lines.map(function (row) { return row.map(field).join(',') + '\n'; }).join('');
  }
  document.getElementById('export-csv').addEventListener('click', function () {
    save(csv(), 'xsuaa-audit.csv', 'text/csv');
  });
})();
