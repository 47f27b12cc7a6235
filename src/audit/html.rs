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

use super::{AuditInstance, AuditReport, STATES};
use crate::model::descriptor::MigrationState;
use crate::text::escape::{html_attribute as attr, html_text as esc, json_in_script};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::{self, Write};

/// The page's style sheet and script, kept as files to be read and linted as CSS and JavaScript.
const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

fn color(state: MigrationState) -> &'static str {
    match state {
        MigrationState::InstanceOnly => "#c0392b",
        MigrationState::DualInstanceFirst => "#e67e22",
        MigrationState::Implicit => "#f1c40f",
        MigrationState::Invalid => "#8e44ad",
        MigrationState::Dual => "#3498db",
        MigrationState::BindingOnly => "#27ae60",
        MigrationState::X509 => "#16a085",
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
    let max =
        STATES.iter().map(|s| report.totals.states.get(s.as_str()).copied().unwrap_or(0)).max().unwrap_or(0).max(1);
    let (bar, gap, height) = (70, 20, 200);
    let width = STATES.len() * (bar + gap) + gap;
    writeln!(
        out,
        "<svg id=\"chart\" role=\"img\" aria-label=\"instances per state\" width=\"{width}\" height=\"{}\">",
        height + 60
    )?;
    for (i, state) in STATES.into_iter().enumerate() {
        let n = report.totals.states.get(state.as_str()).copied().unwrap_or(0);
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
            report.totals.states.get(state.as_str()).copied().unwrap_or(0),
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

/// A table's head, only the columns some row fills (`(key, heading, title, numeric)`), and an
/// empty body the script fills from the page's data.
fn table(id: &str, columns: &[(&str, String, &str, bool)], out: &mut dyn Write) -> io::Result<()> {
    write!(out, "<table id=\"{id}\" class=\"sortable\"><thead><tr>")?;
    for (key, heading, title, numeric) in columns {
        let class = if *numeric { " class=\"n\"" } else { "" };
        let title = if title.is_empty() { String::new() } else { format!(" title=\"{}\"", attr(title)) };
        write!(out, "<th data-col=\"{key}\"{class}{title}>{}</th>", esc(heading))?;
    }
    writeln!(
        out,
        "</tr></thead><tbody></tbody></table>\n<p class=\"more\" hidden><button type=\"button\" id=\"{id}-more\">Show more</button></p>"
    )
}

fn repositories(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let git = |f: fn(&super::identity::GitIdentity) -> bool| {
        report.repositories.iter().any(|r| r.git.as_ref().is_some_and(f))
    };
    let mut columns: Vec<(&str, String, &str, bool)> = vec![("repository", "repository".into(), "", false)];
    // The remote names the repository (its full URL on hover): no column of its own.
    if git(|g| g.branch.is_some() || g.default_branch.is_some()) {
        columns.push(("branch", "branch".into(), "", false));
    }
    if git(|g| g.commit.is_some()) {
        columns.push(("commit", "commit".into(), "", false));
    }
    for (key, heading) in [("score", "score"), ("error", "errors"), ("warning", "warnings"), ("info", "info")] {
        columns.push((key, heading.into(), "", true));
    }
    for state in STATES {
        columns.push((state.as_str(), super::table::short(state).into(), state.as_str(), true));
    }
    columns.push(("credentials", "credentials".into(), "committed credentials (XS120)", true));
    if report.totals.trend.is_some() {
        columns.push(("trend", "since last report".into(), "", false));
    }
    writeln!(out, "<h2>Repositories</h2>")?;
    table("repositories", &columns, out)
}

fn instances(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let any = |f: fn(&AuditInstance) -> bool| report.repositories.iter().flat_map(|r| &r.instances).any(f);
    let mut columns: Vec<(&str, String, &str, bool)> = ["repository", "instance", "kind", "plan", "state", "file"]
        .into_iter()
        .map(|key| (key, key.to_string(), "", false))
        .collect();
    if any(|i| !i.owners.is_empty()) {
        columns.push(("owners", "owners".into(), "", false));
    }
    if any(|i| !i.record.codes.is_empty()) {
        columns.push(("codes", "codes".into(), "", false));
    }
    if report.totals.trend.is_some() {
        columns.push(("change", "change".into(), "", false));
    }
    if any(|i| i.live.is_some()) {
        columns.push((
            "live",
            "platform".into(),
            "audit --live: ready to remove instance-secret, what still holds it, instanceSecretLastUsedAt",
            false,
        ));
    }
    columns.push(("runbook", "runbook".into(), "", false));
    writeln!(out, "<h2>Instances</h2>")?;
    table("instances", &columns, out)
}

/// The page's data, once ([`super::page_data`]): JSON inside a `script` element, escaped so
/// that no text ends it ([`crate::text::escape::json_in_script`]). The CSV and the JSON to save
/// are built from it by the script when a button is clicked (a copy of the CSV in the page would
/// weigh as much again).
fn exports(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let data = super::page_data::PageData::of(report);
    let json = serde_json::to_string(&data).map_err(io::Error::other)?;
    writeln!(out, "<script type=\"application/json\" id=\"report-data\">{}</script>", json_in_script(&json))
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
    use crate::engine::inventory::{InstanceKind, InstanceRecord};
    use crate::model::descriptor::MigrationState;

    fn page(repo: &str, file: &str, name: &str) -> String {
        let instance = InstanceRecord {
            file: file.into(),
            line: 3,
            name: name.into(),
            kind: InstanceKind::Descriptor,
            plan: "unknown".into(),
            state: MigrationState::InstanceOnly,
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

    /// The page's data: the JSON island, parsed back as the script reads it.
    fn island(html: &str) -> serde_json::Value {
        let start = html.find("<script type=\"application/json\" id=\"report-data\">").unwrap();
        let json = &html[start..];
        let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn text_is_escaped() {
        let html = page("<b>&amp;", "<b>&amp;/xs-security.json", "<script>alert(1)</script>\u{2028}");
        assert!(!html.contains("<script>alert") && !html.contains("<b>"), "{html}");
        let start = html.find("id=\"report-data\">").unwrap() + "id=\"report-data\">".len();
        let data = &html[start..start + html[start..].find("</script>").unwrap()];
        assert!(!data.contains(['<', '>', '&', '\u{2028}']), "{data}");
        assert!(html.contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u2028"), "{html}");
        let data = island(&html);
        assert_eq!(data["report"]["repositories"][0]["path"], "<b>&amp;");
        assert_eq!(data["repositories"][0]["name"], "<b>&amp;");
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
            assert_eq!(island(&html)["instances"][0][0]["href"], href, "{file}");
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
            kind: InstanceKind::Descriptor,
            plan: "unknown".into(),
            state: MigrationState::InstanceOnly,
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
        let back: AuditReport = serde_json::from_value(island(&html)["report"].clone()).unwrap();
        assert_eq!(back, report);
    }
}
