//! The diagnostic and fix model. It knows nothing about how findings are rendered, nor about
//! the rule registry: a finding names its rule by code (and name).

pub mod edit;

use crate::text::source::{Position, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps every running binding working; applied by `--fix`.
    Safe,
    /// Can break something that runs today; applied only with `--unsafe-fixes`.
    Unsafe,
}

/// One replacement of the bytes `start.offset..end.offset` by `content`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Edit {
    pub start: Position,
    pub end: Position,
    pub content: String,
}

/// A fix: non-overlapping edits, applied together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

/// The rule a finding belongs to, as the finding carries it: its code, name, one-line summary
/// and default severity. Built-in rules give theirs; a policy of the configuration interns its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleId {
    pub code: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub severity: Severity,
    /// The SAP BTP security recommendation the rule checks (`BTP-UAA-0003`), if any.
    pub recommendation: Option<&'static str>,
}

/// A string kept for the rest of the process, once per distinct value: policy codes and names
/// are read from configuration files and live as long as their findings.
pub fn intern(value: &str) -> &'static str {
    static STRINGS: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<&'static str>>> =
        std::sync::OnceLock::new();
    let mut strings = STRINGS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = strings.get(value) {
        return known;
    }
    let kept: &'static str = Box::leak(value.to_string().into_boxed_str());
    strings.insert(kept);
    kept
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: RuleId,
    pub severity: Severity,
    pub message: String,
    /// Shared: a run holds every finding until the end, and a rule's help is mostly one text.
    pub help: Option<std::sync::Arc<str>>,
    /// RFC 6901 JSON Pointer of the node the finding is about (`""` for the root).
    pub pointer: String,
    pub start: Position,
    pub end: Position,
    pub fix: Option<Fix>,
    /// The span holds a secret (a committed client secret or key): outputs that show the
    /// source text mask it.
    pub secret: bool,
}

impl Diagnostic {
    pub fn span(&self) -> Span {
        Span::new(self.start.offset, self.end.offset)
    }
}

impl Diagnostic {
    /// A finding of `rule` at `span` of `source`, with the rule's default severity.
    pub fn new(
        rule: impl Into<RuleId>,
        source: &crate::text::source::SourceFile,
        span: Span,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let rule = rule.into();
        let (start, end) = source.locate(span);
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            pointer: pointer.into(),
            start,
            end,
            fix: None,
            secret: false,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into().into());
        self
    }

    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    /// Marks the span as a secret, never to be shown.
    pub fn holding_secret(mut self) -> Self {
        self.secret = true;
        self
    }
}

impl Fix {
    pub fn new(
        applicability: Applicability,
        message: impl Into<String>,
        source: &crate::text::source::SourceFile,
        edits: impl IntoIterator<Item = (Span, String)>,
    ) -> Self {
        let mut edits: Vec<Edit> = edits
            .into_iter()
            .map(|(span, content)| {
                let (start, end) = source.locate(span);
                Edit { start, end, content }
            })
            .collect();
        edits.sort_by_key(|e| (e.start.offset, e.end.offset));
        Fix { applicability, message: message.into(), edits }
    }

    /// The byte range this fix touches, from its first edit to its last.
    pub fn range(&self) -> Span {
        let start = self.edits.iter().map(|e| e.start.offset).min().unwrap_or(0);
        let end = self.edits.iter().map(|e| e.end.offset).max().unwrap_or(0);
        Span::new(start, end)
    }
}

impl Diagnostic {
    /// A finding at known positions, for files that could not be loaded as text.
    pub fn at(rule: impl Into<RuleId>, start: Position, end: Position, message: impl Into<String>) -> Self {
        let rule = rule.into();
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            pointer: String::new(),
            start,
            end,
            fix: None,
            secret: false,
        }
    }
}

/// The findings of one file, as a run hands them to its outputs (the engine's outcome per file).
#[derive(Debug, Default)]
pub struct FileReport {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
    /// The file's text, kept only for outputs that show snippets (and only with findings).
    pub source: Option<crate::text::source::SourceFile>,
    /// Fixes applied to this file (or that would be, with `--diff`).
    pub fixes_applied: usize,
    /// A unified diff of what `--fix` would change (`--diff`).
    pub diff: Option<String>,
}
