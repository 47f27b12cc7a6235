//! A self-contained HTML report: no network, no external file. When and how it was made, a
//! legend of the states with their next step, a bar chart (inline SVG), a search box and state
//! filters, sortable tables of the repositories (identity, findings by severity, trend) and of
//! the instances (each linked to its file and line, with its runbook one click away), and the
//! report itself as CSV and JSON to save: a few lines of inline script, nothing fetched.
//!
//! Text is escaped for HTML by [`crate::text::escape`] (`&`, `<` and `>` in element content; attribute
//! values with quotes too; control characters shown as escapes). A recorded link is kept only
//! with an `https`, `http` or `file` scheme ([`crate::text::escape::link`]: a merged shard may hold
//! anything); otherwise, and without a recorded URL (a report of an older version), the link is
//! the file's path percent-encoded as a relative URL (see [`uri_path`]), so that a `#`, `?`,
//! `%` or `:` in a path is part of the file name, never a fragment, query or scheme. The page's
//! one script is allowed by its SHA-256 in the Content-Security-Policy, not as any inline script.

use super::{AuditInstance, AuditReport, RepositoryAudit, STATES};
use crate::report::uri_path;
use crate::text::escape::{html_attribute as attr, html_data, html_text as esc};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::{self, Write};

/// The page's style sheet and script, kept as files to be read and linted as CSS and JavaScript.
const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

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

/// Escaped text with `code` spans for backquoted parts (the legend's texts).
fn rich(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { format!("<code>{}</code>", esc(part)) } else { esc(part) })
        .collect()
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

fn legend(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<h2>Legend</h2>\n<table id=\"legend\"><thead><tr><th>state</th><th class=\"n\">instances</th><th>what it means</th><th>next step</th></tr></thead><tbody>")?;
    for state in STATES {
        let (meaning, next) = super::legend(state);
        writeln!(
            out,
            "<tr data-state=\"{state}\"><td><span class=\"sw\" style=\"background:{}\"></span>{state}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            color(state),
            report.totals.states.get(state).copied().unwrap_or(0),
            rich(meaning),
            rich(next)
        )?;
    }
    writeln!(out, "</tbody></table>")
}

fn header(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    writeln!(out, "<h1>XSUAA audit</h1>")?;
    if let Some(g) = &report.generated {
        write!(
            out,
            "<p id=\"made\" class=\"meta\" data-date=\"{}\">Made {} by xsuaa-lint {}: <code>{}</code>",
            attr(&g.date),
            esc(&g.date),
            esc(&g.tool_version),
            esc(&g.command)
        )?;
        if let Some(c) = &g.compared_with {
            write!(out, "; compared with <code>{}</code>", esc(&c.file))?;
            if let Some(date) = &c.date {
                write!(out, " of {}", esc(date))?;
            }
        }
        writeln!(out, ".</p>")?;
    }
    writeln!(
        out,
        "<p id=\"totals\" data-repositories=\"{}\" data-instances=\"{}\">{} repositories ({} need work), {} service instances, {} committed credentials, {} files checked; findings: {} errors, {} warnings, {} info.</p>",
        t.repositories, t.instances, t.repositories, t.repositories_needing_work, t.instances, t.committed_credentials, t.files_checked,
        t.findings.error, t.findings.warning, t.findings.info
    )?;
    if let Some(trend) = &t.trend {
        writeln!(
            out,
            "<p id=\"trend\" data-finished=\"{}\" data-new-instance-secret=\"{}\" data-regressions=\"{}\" data-improved=\"{}\" data-new=\"{}\" data-removed=\"{}\"><strong>Since {}:</strong> {}.</p>",
            trend.finished, trend.new_instance_secret, trend.regressions, trend.improved, trend.new, trend.removed,
            esc(&super::markdown::compared(report)),
            esc(&trend.summary())
        )?;
    }
    for s in &report.skipped {
        writeln!(out, "<p class=\"skipped bad\">Skipped {}: {}.</p>", esc(&s.path), esc(&s.reason))?;
    }
    writeln!(out, "<p id=\"export\"><button id=\"export-json\" type=\"button\">Save as JSON</button> <button id=\"export-csv\" type=\"button\">Save as CSV</button></p>")
}

fn controls(out: &mut dyn Write) -> io::Result<()> {
    write!(out, "<div id=\"controls\"><input id=\"search\" type=\"search\" placeholder=\"Search repositories, instances, files, owners, codes\" aria-label=\"search\"><fieldset id=\"filters\"><legend hidden>states shown</legend>")?;
    for state in STATES {
        write!(out, "<label><input type=\"checkbox\" class=\"state-filter\" value=\"{state}\" checked><span class=\"sw\" style=\"background:{}\"></span>{state}</label>", color(state))?;
    }
    writeln!(out, "</fieldset> <span id=\"shown\" class=\"meta\"></span></div>")
}

fn repositories(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let trend = report.totals.trend.is_some();
    write!(out, "<h2>Repositories</h2>\n<table id=\"repositories\" class=\"sortable\"><thead><tr><th>repository</th><th>remote</th><th>branch</th><th>commit</th><th class=\"n\">score</th><th class=\"n\">errors</th><th class=\"n\">warnings</th><th class=\"n\">info</th>")?;
    for state in STATES {
        write!(out, "<th class=\"n\">{state}</th>")?;
    }
    writeln!(
        out,
        "<th class=\"n\">credentials</th>{}</tr></thead><tbody>",
        if trend { "<th>since last report</th>" } else { "" }
    )?;
    let worst = report.worst_first();
    let rest = report.repositories.iter().filter(|r| !r.needs_work());
    for repo in worst.iter().copied().chain(rest) {
        let git = repo.git.clone().unwrap_or_default();
        let mut states: Vec<&str> = repo.instances.iter().map(|i| i.record.state.as_str()).collect();
        states.sort_unstable();
        states.dedup();
        let mut search =
            vec![repo.path.clone(), git.remote.clone().unwrap_or_default(), git.branch.clone().unwrap_or_default()];
        search.extend(repo.instances.iter().flat_map(|i| [i.record.name.clone(), i.owners.join(" ")]));
        let commit = git.commit.as_deref().unwrap_or("");
        let branch = match (&git.branch, &git.default_branch) {
            (Some(b), Some(d)) if b != d => format!("{b} (default {d})"),
            (Some(b), _) => b.clone(),
            (None, Some(d)) => format!("detached (default {d})"),
            (None, None) => String::new(),
        };
        write!(
            out,
            "<tr data-states=\"{}\" data-search=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td title=\"{}\"><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            attr(&states.join(" ")),
            attr(&search.join(" ").to_lowercase()),
            esc(&repo.path),
            esc(git.remote.as_deref().unwrap_or("")),
            esc(&branch),
            attr(commit),
            esc(&commit.chars().take(12).collect::<String>()),
            repo.score(),
            repo.findings.error,
            repo.findings.warning,
            repo.findings.info
        )?;
        for state in STATES {
            write!(out, "<td class=\"n\">{}</td>", repo.states.get(state).copied().unwrap_or(0))?;
        }
        write!(out, "<td class=\"n\">{}</td>", repo.committed_credentials)?;
        if trend {
            trend_cell(repo, out)?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody></table>")
}

fn trend_cell(repo: &RepositoryAudit, out: &mut dyn Write) -> io::Result<()> {
    match &repo.trend {
        Some(t) => {
            let class = if t.regressions > 0 || t.new_instance_secret > 0 {
                "down"
            } else if t.finished > 0 || t.improved > 0 {
                "up"
            } else {
                ""
            };
            write!(
                out,
                "<td class=\"trend {class}\" data-finished=\"{}\" data-new-instance-secret=\"{}\" data-regressions=\"{}\" data-v=\"{}\">{}</td>",
                t.finished,
                t.new_instance_secret,
                t.regressions,
                (t.finished as i64).saturating_sub(t.regressions as i64).saturating_sub(t.new_instance_secret as i64),
                esc(&t.summary())
            )
        }
        None => write!(out, "<td class=\"trend\"></td>"),
    }
}

/// The instance's recorded link when its scheme is allowed, else its file as a relative URL.
fn link_of(instance: &AuditInstance) -> String {
    let i = &instance.record;
    match instance.link.as_deref().and_then(crate::text::escape::link) {
        Some(link) => link.to_string(),
        None => format!("{}#L{}", uri_path(&i.file), i.line),
    }
}

fn runbook(instance: &AuditInstance) -> String {
    let record = &instance.record;
    let command = super::runbook_command(&record.file);
    if crate::runbook::finished(record) {
        return "finished".into();
    }
    // Reports read back from JSON (`--merge`, an older run) lack what the steps need: the command then.
    if record.facts.environment.is_empty() {
        return format!("<code>{}</code>", esc(&command));
    }
    let merged = crate::engine::inventory::Merged {
        record: record.clone(),
        places: instance
            .sources
            .iter()
            .map(|s| crate::engine::inventory::Place {
                file: s.file.clone(),
                line: s.line,
                kind: s.kind.clone(),
                state: s.state.clone(),
            })
            .collect(),
        conflicts: instance.conflicts.clone(),
    };
    let entries = crate::runbook::entries(std::slice::from_ref(&merged));
    let text = crate::runbook::markdown(&entries, 1);
    let text = text.strip_prefix("# XSUAA migration runbook\n\n").unwrap_or(&text);
    format!(
        "<details><summary>runbook</summary><pre>{}</pre><p>Also: <code>{}</code></p></details>",
        esc(text),
        esc(&command)
    )
}

fn instances(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let trend = report.totals.trend.is_some();
    writeln!(
        out,
        "<h2>Instances</h2>\n<table id=\"instances\" class=\"sortable\"><thead><tr><th>repository</th><th>instance</th><th>kind</th><th>plan</th><th>state</th><th>file</th><th>owners</th><th>codes</th>{}<th>runbook</th></tr></thead><tbody>",
        if trend { "<th>change</th>" } else { "" }
    )?;
    let worst = report.worst_first();
    let rest = report.repositories.iter().filter(|r| !r.needs_work());
    for repo in worst.iter().copied().chain(rest) {
        let mut ordered: Vec<&AuditInstance> = repo.instances.iter().collect();
        ordered.sort_by_key(|i| std::cmp::Reverse(i.weight()));
        for instance in ordered {
            let i = &instance.record;
            let search = [
                repo.path.as_str(),
                &i.name,
                &i.kind,
                &i.plan,
                &i.state,
                &i.file,
                &instance.owners.join(" "),
                &i.codes.join(" "),
            ]
            .join(" ")
            .to_lowercase();
            let class = if instance.needs_work() { " class=\"bad\"" } else { "" };
            write!(
                out,
                "<tr data-state=\"{}\" data-search=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td{class}>{}</td><td><a href=\"{}\">{}:{}</a>",
                attr(&i.state),
                attr(&search),
                esc(&repo.path),
                esc(&i.name),
                esc(&i.kind),
                esc(&i.plan),
                esc(&i.state),
                attr(&link_of(instance)),
                esc(&i.file),
                i.line,
            )?;
            for s in instance.sources.iter().skip(1) {
                let place = format!("{}:{}", esc(&s.file), s.line);
                let place = match s.link.as_deref().and_then(crate::text::escape::link) {
                    Some(link) => format!("<a href=\"{}\">{place}</a>", attr(link)),
                    None => place,
                };
                write!(out, "<br><span class=\"meta\">also {place} ({})</span>", esc(&s.kind))?;
            }
            write!(out, "</td><td>{}</td><td>{}</td>", esc(&instance.owners.join(" ")), esc(&i.codes.join(" ")))?;
            if trend {
                let change = instance.change.as_deref().unwrap_or("");
                let was = instance.previous_state.as_deref().map_or(String::new(), |s| format!(" (was {s})"));
                write!(out, "<td class=\"change\" data-change=\"{}\">{}{}</td>", attr(change), esc(change), esc(&was))?;
            }
            writeln!(out, "<td>{}</td></tr>", runbook(instance))?;
        }
    }
    writeln!(out, "</tbody></table>")
}

/// The report as data to save: JSON inside a `script` element (every `<` escaped, so no text
/// ends the element), CSV in a hidden `textarea` (its text is escaped like any element's).
fn exports(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let json = serde_json::to_string_pretty(report).map_err(io::Error::other)? + "\n";
    writeln!(out, "<script type=\"application/json\" id=\"report-json\">{}</script>", json.replace('<', "\\u003c"))?;
    let mut csv = Vec::new();
    super::csv::write(report, &mut csv)?;
    writeln!(out, "<textarea id=\"report-csv\" hidden>{}</textarea>", html_data(&String::from_utf8_lossy(&csv)))
}

/// The Content-Security-Policy source of [`SCRIPT`]: `'sha256-...'` of its text, so that the
/// browser runs that script and no other, whatever the report's text holds.
pub fn script_hash() -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT.as_bytes())))
}

pub fn write(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")?;
    // No network at all, even by accident: the page may load nothing but itself, and run only
    // its own script.
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src {}; img-src data:\">",
        script_hash()
    )?;
    writeln!(out, "<title>XSUAA audit</title><style>{STYLE}</style></head><body>")?;
    header(report, out)?;
    legend(report, out)?;
    chart(report, out)?;
    controls(out)?;
    repositories(report, out)?;
    instances(report, out)?;
    exports(report, out)?;
    writeln!(out, "<script>{SCRIPT}</script>\n</body></html>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditInstance, RepositoryAudit};
    use crate::engine::inventory::InstanceRecord;

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
            findings: Default::default(),
            git: None,
            codeowners: None,
            trend: None,
            instances: vec![AuditInstance::of(instance)],
        }]);
        let mut out = Vec::new();
        write(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_is_escaped() {
        let html = page("<b>&amp;", "<b>&amp;/xs-security.json", "<script>alert(1)</script>");
        assert!(html.contains("\"><td>&lt;b&gt;&amp;amp;</td>"), "{html}");
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

    /// What the audit added (the command line, owners, remote, sources, the embedded report)
    /// is text like any other: escaped, and no `</script>` in a field ends the data's element.
    #[test]
    fn added_fields_are_escaped_and_the_data_reads_back() {
        let evil = "</script><script>alert(1)</script>";
        let mut instance = AuditInstance::of(InstanceRecord {
            file: "a/xs-security.json".into(),
            line: 1,
            name: evil.into(),
            kind: "descriptor".into(),
            plan: "unknown".into(),
            state: "instance-only".into(),
            codes: vec![],
            facts: Default::default(),
        });
        instance.owners = vec![evil.into()];
        instance.link = Some(format!("https://x/{evil}\""));
        let mut report = AuditReport::new(vec![RepositoryAudit {
            path: evil.into(),
            files_checked: 1,
            committed_credentials: 0,
            errors: 0,
            states: Default::default(),
            findings: Default::default(),
            git: Some(crate::audit::identity::GitIdentity { remote: Some(evil.into()), ..Default::default() }),
            codeowners: None,
            trend: None,
            instances: vec![instance],
        }]);
        report.generated = Some(crate::audit::Generated { command: evil.into(), ..Default::default() });
        let mut out = Vec::new();
        write(&report, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        assert_eq!(html.matches("</script>").count(), 2, "the data's element and the page's script: {html}");
        let start = html.find("<script type=\"application/json\" id=\"report-json\">").unwrap();
        let json = &html[start..];
        let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
        let back: AuditReport = serde_json::from_str(json).unwrap();
        assert_eq!(back, report);
    }
}
