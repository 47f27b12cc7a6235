//! The core's findings and fixes as the protocol has them: diagnostics, code actions, hover.

use super::analyze::{Analysis, Buffer, Change};
use super::position::Lines;
use super::uri;
use crate::diagnostic::{self, Applicability, Severity};
use crate::model::descriptor::MigrationState;
use crate::rules;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeDescription, DiagnosticSeverity, NumberOrString, Range,
    TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use std::str::FromStr;

pub const SOURCE: &str = "xsuaa-lint";
pub const FIX_ALL: &str = "source.fixAll.xsuaa-lint";

/// Where a rule is documented: its module, whose comment is the rule's documentation (what
/// `xsuaa-lint rule CODE` prints).
pub fn rule_doc_url(code: &str) -> Option<String> {
    let rule = rules::by_code(code)?;
    Some(format!(
        "{}/blob/main/src/rules/{}_{}.rs",
        env!("CARGO_PKG_REPOSITORY"),
        rule.code.to_ascii_lowercase(),
        rule.name.replace('-', "_")
    ))
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

pub fn diagnostic(lines: &Lines<'_>, d: &diagnostic::Diagnostic) -> lsp_types::Diagnostic {
    let message = match &d.help {
        Some(help) => format!("{}\n{help}", d.message),
        None => d.message.clone(),
    };
    lsp_types::Diagnostic {
        range: lines.range(d.start.offset, d.end.offset),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.code.to_string())),
        code_description: rule_doc_url(d.rule.code)
            .and_then(|u| Uri::from_str(&u).ok())
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}

/// The buffer's diagnostics; a configuration that cannot be read is one diagnostic at the top.
pub fn diagnostics(text: &str, analysis: &Analysis) -> Vec<lsp_types::Diagnostic> {
    let lines = Lines::new(text);
    let mut out: Vec<lsp_types::Diagnostic> = analysis
        .diagnostics
        .iter()
        .map(|d| {
            let mut shown = diagnostic(&lines, d);
            // Findings about the configuration point at the instances it is judged as.
            if !analysis.related.is_empty() && !rules::is_own_rule(d.rule.code) {
                shown.related_information = Some(analysis.related.clone());
            }
            shown
        })
        .collect();
    if let Some((message, offset)) = &analysis.config_file_error {
        out.push(lsp_types::Diagnostic {
            range: lines.range(*offset, *offset),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some(SOURCE.to_string()),
            message: format!("{message} (the files below this folder are not linted until it is repaired)"),
            ..lsp_types::Diagnostic::default()
        });
    }
    if let Some(error) = &analysis.config_error {
        out.push(lsp_types::Diagnostic {
            range: lines.range(0, 0),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some(SOURCE.to_string()),
            message: format!("the configuration cannot be used, so this file is not linted: {error}"),
            ..lsp_types::Diagnostic::default()
        });
    }
    out
}

/// A buffer that made the linter panic: said so, and the server goes on.
/// A buffer larger than `check` reads a file: not analysed.
pub fn too_large() -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_string()),
        code: Some(lsp_types::NumberOrString::String(crate::rules::xs000_io_error::RULE.code.to_string())),
        message: format!(
            "the buffer is larger than {} MiB; not checked (as `check` reads no larger file)",
            crate::io::load::MAX_FILE_SIZE >> 20
        ),
        ..lsp_types::Diagnostic::default()
    }
}

pub fn internal_error(what: &str) -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_string()),
        message: format!("internal error: xsuaa-lint failed on this buffer ({what}); please report it"),
        ..lsp_types::Diagnostic::default()
    }
}

fn touches(a: Range, b: Range) -> bool {
    let key = |p: lsp_types::Position| (p.line, p.character);
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}

/// Whether the client asked for actions of `kind` (`only` absent: every kind).
pub fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|o| kind == o.as_str() || kind.strip_prefix(o.as_str()).is_some_and(|r| r.starts_with('.')))
    })
}

/// One quick fix per finding with a fix that touches `range`.
// `WorkspaceEdit::changes` is keyed by `Uri`, whose parsed form clippy takes for mutable.
#[allow(clippy::mutable_key_type)]
pub fn quick_fixes(buffer_uri: &Uri, text: &str, analysis: &Analysis, range: Range) -> Vec<CodeActionOrCommand> {
    let lines = Lines::new(text);
    let mut out = Vec::new();
    for d in &analysis.diagnostics {
        let Some(fix) = &d.fix else { continue };
        let shown = diagnostic(&lines, d);
        if !touches(shown.range, range) {
            continue;
        }
        let safe = fix.applicability == Applicability::Safe;
        let edits = fix
            .edits
            .iter()
            .map(|e| TextEdit { range: lines.range(e.start.offset, e.end.offset), new_text: e.content.clone() })
            .collect();
        let title = format!("{} ({}){}", fix.message, d.rule.code, if safe { "" } else { " (unsafe)" });
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![shown]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(buffer_uri.clone(), edits)])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(safe),
            ..CodeAction::default()
        }));
    }
    out
}

/// Every safe fix of the buffer (and of the files a deployment file brings in), as the fix
/// loop of `--fix` applies them: one edit replacing each changed file.
// `WorkspaceEdit::changes` is keyed by `Uri`, whose parsed form clippy takes for mutable.
#[allow(clippy::mutable_key_type)]
pub fn fix_all(buffer_uri: &Uri, changes: &[Change]) -> Option<CodeActionOrCommand> {
    let mut edits = HashMap::new();
    for change in changes {
        let target = match &change.path {
            None => buffer_uri.clone(),
            Some(path) => uri::from_path(path)?,
        };
        let whole = Range { start: lsp_types::Position::default(), end: Lines::new(&change.before).end() };
        edits.insert(target, vec![TextEdit { range: whole, new_text: change.after.clone() }]);
    }
    if edits.is_empty() {
        return None;
    }
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: "xsuaa-lint: fix all safe findings".to_string(),
        kind: Some(CodeActionKind::new(FIX_ALL)),
        edit: Some(WorkspaceEdit { changes: Some(edits), ..WorkspaceEdit::default() }),
        ..CodeAction::default()
    }))
}

/// A rule's documentation, as `xsuaa-lint rule CODE` prints it.
pub fn rule_hover(code: &str) -> Option<String> {
    let rule = rules::by_code(code)?;
    let doc = rules::rule_doc(rule.code).unwrap_or(rule.summary);
    let link = rule_doc_url(rule.code).map(|u| format!("\n\n[{} documentation]({u})", rule.code)).unwrap_or_default();
    Some(format!(
        "**{} {}** (default severity: {}; fix: {})\n\n{doc}{link}",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        rule.fix.as_str()
    ))
}

/// What to do next in each migration state.
pub fn next_step(state: MigrationState) -> &'static str {
    match state {
        MigrationState::Implicit => {
            "No list: instances created before 2025 may still hand out instance secrets. Next step: list \
             `[\"binding-secret\", \"instance-secret\"]` explicitly and update the instance."
        }
        MigrationState::InstanceOnly => {
            "Every binding gets the instance secret. Next step: allow binding secrets first, \
             `[\"binding-secret\", \"instance-secret\"]`, and update the instance."
        }
        MigrationState::DualInstanceFirst => {
            "New bindings and service keys still default to the instance secret. Next step: move the other type \
             in front of `instance-secret` and update the instance."
        }
        MigrationState::Dual => {
            "New bindings get binding secrets; old ones may still hold the instance secret. Next step: rebind every \
             app and replace every service key, then remove `instance-secret` and update the instance again."
        }
        MigrationState::BindingOnly | MigrationState::X509 => {
            "Migration finished: the instance hands out no instance secret."
        }
        MigrationState::Invalid => "The list is not valid (see the schema finding): fix it first.",
    }
}

pub fn credential_types_hover(analysis: &Analysis) -> Option<String> {
    let state = analysis.state?;
    let mut text = format!("**Migration state: {}**\n\n{}", state.as_str(), next_step(state));
    for d in analysis.diagnostics.iter().filter(|d| rules::is_migration_rule(d.rule.code)) {
        text.push_str(&format!("\n\n{}: {}", d.rule.code, d.message));
    }
    Some(text)
}

/// The word under a byte offset (letters, digits, `-`, `_`).
pub fn word_at(text: &str, offset: usize) -> &str {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let offset = offset.min(text.len());
    let start = text[..offset].rfind(|c: char| !is_word(c)).map_or(0, |i| i + 1);
    let end = text[offset..].find(|c: char| !is_word(c)).map_or(text.len(), |i| offset + i);
    &text[start..end]
}

/// The hover text at a byte offset of a buffer: a rule code, `credential-types`, or the
/// findings there.
pub fn hover(buffer: &Buffer<'_>, analysis: &Analysis, offset: usize) -> Option<String> {
    let word = word_at(buffer.text, offset);
    if word.len() == 5 && word.starts_with("XS") {
        if let Some(text) = rule_hover(word) {
            return Some(text);
        }
    }
    if word == "credential-types" {
        if let Some(text) = credential_types_hover(analysis) {
            return Some(text);
        }
    }
    let mut codes: Vec<&str> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.start.offset <= offset && offset <= d.end.offset)
        .map(|d| d.rule.code)
        .collect();
    codes.dedup();
    let docs: Vec<String> = codes.iter().filter_map(|c| rule_hover(c)).collect();
    (!docs.is_empty()).then(|| docs.join("\n\n---\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_links_to_its_documented_module() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for rule in rules::ALL {
            let url = rule_doc_url(rule.code).unwrap();
            let file = url.split("/blob/main/").nth(1).unwrap();
            assert!(root.join(file).is_file(), "{} links to {file}", rule.code);
        }
    }

    #[test]
    fn kinds_asked_for_include_their_sub_kinds() {
        let source = [CodeActionKind::SOURCE];
        assert!(wanted(Some(&source), FIX_ALL));
        assert!(!wanted(Some(&source), "quickfix"));
        assert!(wanted(Some(&[CodeActionKind::new(FIX_ALL)]), FIX_ALL));
        assert!(!wanted(Some(&[CodeActionKind::new("source.fix")]), FIX_ALL));
        assert!(wanted(None, "quickfix"));
    }

    #[test]
    fn words_are_found_around_the_cursor() {
        let text = r#"{"credential-types": ["x"]} XS102"#;
        assert_eq!(word_at(text, 5), "credential-types");
        assert_eq!(word_at(text, text.len()), "XS102");
        assert_eq!(word_at(text, 0), "");
    }
}
