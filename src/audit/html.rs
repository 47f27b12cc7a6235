//! A self-contained HTML report: no network, no external file. Totals and a bar chart of the
//! states across all repositories (inline SVG), a sortable per-repository table (a few lines of
//! inline script), and the instances that need work, each linked to its file and line.
//!
//! Text is escaped for HTML by `html-escape` (`&`, `<` and `>` in element content); a link's
//! target is the file's path percent-encoded as a relative URL (see [`uri_path`]), so that a `#`,
//! `?`, `%` or `:` in a path is part of the file name, never a fragment, query or scheme.

use super::{AuditReport, STATES};
use crate::report::uri_path;
use html_escape::encode_text as esc;
use std::io::{self, Write};

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.6em}table{border-collapse:collapse;margin:1em 0}\
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}td.n,th.n{text-align:right}\
th{background:#f3f3f3;cursor:pointer;user-select:none}th[aria-sort]::after{content:' \\25B4'}\
th[aria-sort=descending]::after{content:' \\25BE'}.bad{color:#a40000}\
svg text{font:12px system-ui,sans-serif}";

/// Sorts the table whose heading was clicked, by that column (numbers numerically).
const SCRIPT: &str = "document.querySelectorAll('table.sortable th').forEach(function(th,col){\
th.addEventListener('click',function(){var table=th.closest('table'),body=table.tBodies[0];\
var desc=th.getAttribute('aria-sort')==='ascending';\
table.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});\
th.setAttribute('aria-sort',desc?'descending':'ascending');\
var rows=Array.prototype.slice.call(body.rows);\
rows.sort(function(a,b){var x=a.cells[col].dataset.v||a.cells[col].textContent,\
y=b.cells[col].dataset.v||b.cells[col].textContent,nx=parseFloat(x),ny=parseFloat(y);\
var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return desc?-c:c;});\
rows.forEach(function(r){body.appendChild(r);});});});";

fn color(state: &str) -> &'static str {
    match state {
        "instance-only" => "#c0392b",
        "dual-instance-first" => "#e67e22",
        "implicit" => "#f1c40f",
        "invalid" => "#8e44ad",
        "dual" => "#3498db",
        "binding-only" => "#27ae60",
        _ => "#16a085",
    }
}

fn chart(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let max = STATES.iter().map(|s| report.totals.states.get(*s).copied().unwrap_or(0)).max().unwrap_or(0).max(1);
    let (bar, gap, height) = (70, 20, 200);
    let width = STATES.len() * (bar + gap) + gap;
    writeln!(
        out,
        "<svg id=\"chart\" role=\"img\" aria-label=\"instances per state\" width=\"{width}\" height=\"{}\">",
        height + 60
    )?;
    for (i, state) in STATES.iter().enumerate() {
        let n = report.totals.states.get(*state).copied().unwrap_or(0);
        let h = n * height / max;
        let x = gap + i * (bar + gap);
        let y = 20 + height - h;
        writeln!(
            out,
            "<g class=\"bar\" data-state=\"{state}\" data-count=\"{n}\"><rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"{}\"><title>{state}: {n}</title></rect>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
            color(state),
            x + bar / 2,
            y.saturating_sub(4).max(12),
            x + bar / 2,
            height + 40,
            super::table::short(state)
        )?;
    }
    writeln!(out, "</svg>")
}

pub fn write(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")?;
    // No network at all, even by accident: the page may load nothing but itself.
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
    )?;
    writeln!(out, "<title>XSUAA audit</title><style>{STYLE}</style></head><body>")?;
    writeln!(out, "<h1>XSUAA audit</h1>")?;
    writeln!(
        out,
        "<p id=\"totals\" data-repositories=\"{}\" data-instances=\"{}\">{} repositories ({} need work), {} service instances, {} committed credentials, {} files checked.</p>",
        t.repositories, t.instances, t.repositories, t.repositories_needing_work, t.instances, t.committed_credentials, t.files_checked
    )?;
    chart(report, out)?;

    writeln!(out, "<h2>Repositories</h2>\n<table id=\"repositories\" class=\"sortable\"><thead><tr><th>repository</th><th class=\"n\">score</th>")?;
    for state in STATES {
        write!(out, "<th class=\"n\">{state}</th>")?;
    }
    writeln!(out, "<th class=\"n\">credentials</th></tr></thead><tbody>")?;
    let worst = report.worst_first();
    let rest = report.repositories.iter().filter(|r| !r.needs_work());
    for repo in worst.iter().copied().chain(rest) {
        write!(out, "<tr><td>{}</td><td class=\"n\">{}</td>", esc(&repo.path), repo.score())?;
        for state in STATES {
            write!(out, "<td class=\"n\">{}</td>", repo.states.get(state).copied().unwrap_or(0))?;
        }
        writeln!(out, "<td class=\"n\">{}</td></tr>", repo.committed_credentials)?;
    }
    writeln!(out, "</tbody></table>")?;

    writeln!(out, "<h2>Instances that need work</h2>\n<table id=\"instances\" class=\"sortable\"><thead><tr><th>repository</th><th>instance</th><th>kind</th><th>plan</th><th>state</th><th>file</th><th>codes</th><th>runbook</th></tr></thead><tbody>")?;
    for repo in &worst {
        for i in repo.instances.iter().filter(|i| super::weight(&i.state) > 0) {
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"bad\">{}</td><td><a href=\"{}#L{}\">{}:{}</a></td><td>{}</td><td><code>{}</code></td></tr>",
                esc(&repo.path),
                esc(&i.name),
                esc(&i.kind),
                esc(&i.plan),
                esc(&i.state),
                uri_path(&i.file),
                i.line,
                esc(&i.file),
                i.line,
                esc(&i.codes.join(" ")),
                esc(&super::runbook_command(&i.file))
            )?;
        }
    }
    writeln!(out, "</tbody></table>\n<script>{SCRIPT}</script>\n</body></html>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::RepositoryAudit;
    use crate::inventory::InstanceRecord;

    fn page(repo: &str, file: &str, name: &str) -> String {
        let instance = InstanceRecord {
            file: file.into(),
            line: 3,
            name: name.into(),
            kind: "descriptor".into(),
            plan: "unknown".into(),
            state: "instance-only".into(),
            codes: vec!["XS102".into()],
            facts: Default::default(),
        };
        let report = AuditReport::new(vec![RepositoryAudit {
            path: repo.into(),
            files_checked: 1,
            committed_credentials: 0,
            errors: 0,
            states: [("instance-only".to_string(), 1)].into(),
            instances: vec![instance],
        }]);
        let mut out = Vec::new();
        write(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_is_escaped() {
        let html = page("<b>&amp;", "<b>&amp;/xs-security.json", "<script>alert(1)</script>");
        assert!(html.contains("<tr><td>&lt;b&gt;&amp;amp;</td>"), "{html}");
        assert!(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"), "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains(">&lt;b&gt;&amp;amp;/xs-security.json:3</a>"), "{html}");
    }

    /// The hand-written version put the path into `href` as it was: a `#` cut it into a
    /// fragment, a `?` into a query, `%41` read as `A`, and a folder named `javascript:...` made
    /// the link a script (which the page's CSP allows inline).
    #[test]
    fn links_are_relative_urls_of_the_file() {
        for (file, href) in [
            ("a/xs-security.json", "a/xs-security.json#L3"),
            ("r#1/x?y/p%41 é/xs-security.json", "r%231/x%3Fy/p%2541%20%C3%A9/xs-security.json#L3"),
            ("javascript:alert(1)/xs-security.json", "javascript%3Aalert%281%29/xs-security.json#L3"),
            ("a\"b'<c>&/xs-security.json", "a%22b%27%3Cc%3E%26/xs-security.json#L3"),
        ] {
            let html = page("r", file, "n");
            assert!(html.contains(&format!("<a href=\"{href}\">")), "{file}: {html}");
        }
    }
}
