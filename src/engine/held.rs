//! What a run holds until a path's turn comes, compactly: the findings parked for files judged
//! through deployment files, and the reports made before their turn. A 1,000,000-file tree
//! holds tens of thousands of each until the walk reaches their paths.

use crate::diagnostic::{Diagnostic, FileReport, RuleId};
use crate::text::source::{Position, SourceFile};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// A finding held until its file's turn, in a third of a [`Diagnostic`]'s room (80 bytes
/// against 248; a 1,000,000-file tree holds some 16,000): the rule by its index in the run's
/// short list of rules, positions in 32 bits (files are read up to 16 MiB), message and pointer
/// in one text shared by the findings held that have the same (a rule's message often names
/// nothing of its file), a fix (rare outside `--fix`) boxed.
pub struct HeldFinding {
    rule: u32,
    severity: crate::diagnostic::Severity,
    secret: bool,
    start: [u32; 3],
    end: [u32; 3],
    /// The message, then the pointer.
    text: Arc<str>,
    message_len: u32,
    help: Option<Arc<str>>,
    fix: Option<Box<crate::diagnostic::Fix>>,
}

/// The rules of the findings held, each once (a finding names its rule by index), and their
/// texts, each once while a finding holds it.
#[derive(Default)]
pub struct HeldRules(Mutex<Vec<RuleId>>, Mutex<HashSet<Arc<str>>>);

impl HeldRules {
    pub fn hold(&self, diagnostic: Diagnostic) -> HeldFinding {
        let mut rules = self.0.lock().unwrap();
        let rule = match rules.iter().position(|r| *r == diagnostic.rule) {
            Some(index) => index,
            None => {
                rules.push(diagnostic.rule);
                rules.len() - 1
            }
        };
        drop(rules);
        let fit = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let position = |p: Position| [fit(p.line), fit(p.column), fit(p.offset)];
        let Diagnostic { severity, message, help, pointer, start, end, fix, secret, .. } = diagnostic;
        let message_len = fit(message.len());
        let mut text = message;
        text.push_str(&pointer);
        let text = {
            let mut texts = self.1.lock().unwrap();
            match texts.get(text.as_str()) {
                Some(shared) => shared.clone(),
                None => {
                    let text: Arc<str> = text.into();
                    texts.insert(text.clone());
                    text
                }
            }
        };
        HeldFinding {
            rule: u32::try_from(rule).unwrap_or(u32::MAX),
            severity,
            secret,
            start: position(start),
            end: position(end),
            text,
            message_len,
            help,
            fix: fix.map(Box::new),
        }
    }

    pub fn unhold(&self, held: HeldFinding) -> Diagnostic {
        let position = |[line, column, offset]: [u32; 3]| Position {
            line: line as usize,
            column: column as usize,
            offset: offset as usize,
        };
        let (message, pointer) = held.text.split_at(held.message_len as usize);
        let (message, pointer) = (message.to_string(), pointer.to_string());
        // The last finding holding a text lets it go: the set keeps none that no finding holds.
        {
            let mut texts = self.1.lock().unwrap();
            if Arc::strong_count(&held.text) == 2 {
                texts.remove(&held.text);
            }
            drop(held.text);
        }
        let rule = self.0.lock().unwrap()[held.rule as usize];
        Diagnostic {
            rule,
            severity: held.severity,
            message,
            help: held.help,
            pointer,
            start: position(held.start),
            end: position(held.end),
            fix: held.fix.map(|f| *f),
            secret: held.secret,
        }
    }
}

/// A report waiting for its path's turn: 48 bytes and its findings held, against a
/// [`FileReport`]'s 160 and its findings.
pub struct WaitingReport {
    pub path: Box<str>,
    findings: Vec<HeldFinding>,
    /// What a report rarely has.
    rest: Option<Box<Rare>>,
}

/// The text an output shows, a diff, fixes applied: rare in a report.
struct Rare {
    source: Option<SourceFile>,
    diff: Option<String>,
    fixes_applied: usize,
}

impl WaitingReport {
    pub fn diff(&self) -> Option<&String> {
        self.rest.as_ref().and_then(|rest| rest.diff.as_ref())
    }

    /// Position, rule and message of each finding, as reports of one path are ordered.
    pub fn findings<'a>(&'a self, rules: &[RuleId]) -> Vec<(usize, &'static str, &'a str)> {
        let code = |rule: u32| rules.get(rule as usize).map_or("", |r| r.code);
        self.findings.iter().map(|f| (f.start[2] as usize, code(f.rule), f.message())).collect()
    }
}

impl HeldFinding {
    fn message(&self) -> &str {
        self.text.get(..self.message_len as usize).unwrap_or_default()
    }
}

impl HeldRules {
    /// The rules known so far, by index.
    pub fn known(&self) -> Vec<RuleId> {
        self.0.lock().unwrap().clone()
    }

    pub fn wait(&self, report: FileReport) -> WaitingReport {
        let FileReport { path, diagnostics, source, fixes_applied, diff } = report;
        let mut findings = Vec::with_capacity(diagnostics.len());
        findings.extend(diagnostics.into_iter().map(|d| self.hold(d)));
        let rare = source.is_some() || diff.is_some() || fixes_applied != 0;
        WaitingReport {
            path: path.into_boxed_str(),
            findings,
            rest: rare.then(|| Box::new(Rare { source, diff, fixes_applied })),
        }
    }

    pub fn report(&self, waiting: WaitingReport) -> FileReport {
        let WaitingReport { path, findings, rest } = waiting;
        let Rare { source, diff, fixes_applied } =
            rest.map_or(Rare { source: None, diff: None, fixes_applied: 0 }, |r| *r);
        let diagnostics = findings.into_iter().map(|f| self.unhold(f)).collect();
        FileReport { path: path.into_string(), diagnostics, source, fixes_applied, diff }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Applicability, Edit, Fix, Severity};
    use crate::report::tests::finding;
    use crate::report::tests::report;
    use crate::text::source::Position;

    /// Every field comes back as it was, the rule of a policy too, and a held finding takes a
    /// third of the room.
    #[test]
    fn a_held_finding_comes_back_as_it_was() {
        let rules = HeldRules::default();
        let mut plain = finding(&crate::rules::xs102_instance_secret_only::RULE, "/oauth2-configuration");
        plain.help = Some("run `cf update-service`".into());
        let mut fixed = finding(&crate::rules::xs101_implicit_credential_types::RULE, "");
        fixed.severity = Severity::Error;
        fixed.secret = true;
        fixed.start = Position { line: 70_000, column: 4_000, offset: 16 * 1024 * 1024 - 1 };
        let edit = Edit { start: fixed.start, end: fixed.end, content: "\"binding-secret\"".into() };
        fixed.fix = Some(Fix { applicability: Applicability::Safe, message: "m".into(), edits: vec![edit] });
        let policy = finding(crate::rules::policy::rule("ORG1", "no wildcard", Severity::Info), "/scopes/0");
        for diagnostic in [plain, fixed, policy] {
            let before = format!("{diagnostic:?}");
            let held = rules.hold(diagnostic);
            assert_eq!(format!("{:?}", rules.unhold(held)), before);
        }
        assert!(std::mem::size_of::<HeldFinding>() * 3 <= std::mem::size_of::<Diagnostic>() + 8);
    }

    /// Equal texts are held once, and let go with the last finding holding them.
    #[test]
    fn texts_are_shared_while_held() {
        let rules = HeldRules::default();
        let rule = &crate::rules::xs102_instance_secret_only::RULE;
        let held: Vec<HeldFinding> = (0..3).map(|_| rules.hold(finding(rule, "/x"))).collect();
        let other = rules.hold(finding(rule, "/y"));
        assert_eq!(rules.1.lock().unwrap().len(), 2);
        for finding in held {
            assert_eq!(rules.unhold(finding).pointer, "/x");
        }
        assert_eq!(rules.1.lock().unwrap().len(), 1, "a text no finding holds is kept");
        rules.unhold(other);
        assert!(rules.1.lock().unwrap().is_empty());
    }

    /// A report comes back as it was, with its text, diff and fixes, or without.
    #[test]
    fn a_waiting_report_comes_back_as_it_was() {
        let rules = HeldRules::default();
        let plain = report("a/xs-security.json", vec![finding(&crate::rules::xs102_instance_secret_only::RULE, "/x")]);
        let mut full = report("b/mta.yaml", Vec::new());
        full.source = Some(SourceFile::new("b/mta.yaml", "ID: b\n".into()));
        full.diff = Some("--- a\n+++ b\n".into());
        full.fixes_applied = 2;
        for before in [plain, full] {
            let shown = format!("{before:?}");
            let waiting = rules.wait(before);
            assert_eq!(format!("{:?}", rules.report(waiting)), shown);
        }
    }
}
