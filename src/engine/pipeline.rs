//! One file through the pure core, the same for `check` (and so `audit` and `runbook`, which run
//! it) and the language server: the options each file's configuration and history make, then
//! the lint or the fix loop of a descriptor, the judgement of a deployment file with the files
//! it brings in, or the credentials check. What differs between callers is only where texts
//! come from (the disk, the editor's open buffers, standard input), given as a
//! [`Files`](crate::model::deployment::Files), and what they do with the outcome (reports and
//! writes, or editor diagnostics and edits).

use crate::diagnostic::Diagnostic;
use crate::io::config::{Config, Resolver};
use crate::io::history::History;
use crate::lint::fix::{self, FixOutcome};
use crate::lint::set::{judge_set, Declaration, SetOptions, SetOutcome};
use crate::lint::{LintOptions, Observed};
use crate::model::deployment::{self, FileFormat, Files};
use crate::model::descriptor::Baseline;
use crate::model::environment::Environment;
use crate::text::source::SourceFile;
use std::path::Path;
use std::sync::Arc;

/// The kind a deployment file found by name is judged as, by its content: a YAML file named like
/// an MTA variant that holds no MTA descriptor is any other YAML file (a Kubernetes manifest,
/// maybe); `None` when the content holds nothing the kind's reader judges.
pub fn deployment_kind(path: &Path, named: FileFormat, text: &str) -> Option<FileFormat> {
    let variant = path.file_name().and_then(|n| n.to_str()).is_some_and(deployment::is_mta_variant_name);
    let kind = if named == FileFormat::Mta && variant && !deployment::is_mta_descriptor(text) {
        FileFormat::Kubernetes
    } else {
        named
    };
    kind.is_relevant(text).then_some(kind)
}

/// What judging a file needs beyond its text: the configuration that applies to it, the
/// resolver for the other files it brings in, the history and the run's overrides.
pub struct Judge<'a> {
    pub configs: &'a Resolver,
    /// The configuration of the file judged.
    pub config: &'a Arc<Config>,
    /// The history the history rules compare with; `None`: the tree as it is (`audit`).
    pub history: Option<&'a History>,
    /// `--plan`: the plan of a descriptor that no deployment file names, over the configuration's.
    pub plan: Option<&'a str>,
    /// What the platform says about the instances (`check --live`); never in the editor.
    pub live: Option<&'a crate::model::platform::LiveFacts>,
}

/// A descriptor to judge on its own.
pub struct Descriptor<'a> {
    pub source: &'a SourceFile,
    /// The file it is, for its history, plan and environment; `None` for standard input.
    pub file: Option<&'a Path>,
    /// The path the configuration's selection and suppressions see (the file, or the name
    /// standard input stands for).
    pub configured_as: &'a Path,
}

/// A descriptor judged: the lint's findings, or the fix loop's outcome, and what the run
/// records of it.
pub struct JudgedDescriptor<'a> {
    pub outcome: FixOutcome,
    /// The descriptor at the base revision.
    pub base: Option<Baseline>,
    pub plan: Option<&'a str>,
    pub environment: Option<Environment>,
}

impl<'a> Judge<'a> {
    /// Lints a descriptor, or with `fix = Some(unsafe_fixes)` runs the fix loop on it.
    /// `observed` receives its migration state and `xsappname`.
    pub fn descriptor(
        &self,
        d: &Descriptor<'_>,
        fix: Option<bool>,
        observed: Option<&Observed>,
    ) -> JudgedDescriptor<'a> {
        let base = d.file.and_then(|path| self.history?.baseline(path, &d.source.text, self.config.grace_days));
        let config: &'a Config = self.config;
        let plan = self.plan.or_else(|| d.file.and_then(|p| config.plan_for(p)));
        let environment = d.file.and_then(|p| config.environment_for(p));
        let filter = |diagnostics: &mut Vec<Diagnostic>| config.apply(d.configured_as, diagnostics);
        let options = LintOptions {
            base: base.as_ref(),
            policies: &config.policies,
            filter: Some(&filter),
            plan,
            environment,
            own_rules_only: false,
            observed,
            started_in: None,
            recommendations: Some(&config.recommendations),
        };
        let outcome = match fix {
            None => FixOutcome::Unchanged(crate::lint::lint_with(d.source, &options)),
            Some(unsafe_fixes) => fix::fix_source(d.source, unsafe_fixes, &options),
        };
        JudgedDescriptor { outcome, base, plan, environment }
    }

    /// Judges a deployment file with the files it brings in (read through `files`), or with
    /// `fix = Some(unsafe_fixes)` runs the fix loop on the whole set.
    pub fn deployment(
        &self,
        declaration: &Declaration<'_>,
        source: SourceFile,
        files: &dyn Files,
        fix: Option<bool>,
    ) -> SetOutcome {
        let base_of = self.base_of();
        let filter = self.filter();
        judge_set(declaration, source, files, &self.set_options(&base_of, &filter, fix))
    }

    /// The options of a deployment set judged under this configuration.
    pub fn set_options<'o>(
        &'o self,
        base_of: &'o dyn Fn(&Path, &str) -> Option<Baseline>,
        filter: &'o dyn Fn(&Path, &mut Vec<Diagnostic>),
        fix: Option<bool>,
    ) -> SetOptions<'o> {
        SetOptions {
            policies: &self.config.policies,
            base_of,
            filter,
            fix,
            recommendations: Some(&self.config.recommendations),
            live: self.live,
        }
    }

    /// Where a descriptor of a set finds its base revision: under its own folder's grace days.
    pub fn base_of(&self) -> impl Fn(&Path, &str) -> Option<Baseline> + '_ {
        move |file: &Path, text: &str| {
            let grace_days = self.configs.for_file(file).map_or(self.config.grace_days, |c| c.grace_days);
            self.history?.baseline(file, text, grace_days)
        }
    }

    /// Selection, severities and suppressions for a file of a set: its own folder's configuration.
    pub fn filter(&self) -> impl Fn(&Path, &mut Vec<Diagnostic>) + '_ {
        move |file: &Path, diagnostics: &mut Vec<Diagnostic>| {
            self.configs.for_file(file).unwrap_or_else(|| self.config.clone()).apply(file, diagnostics);
        }
    }

    /// A possible credentials dump (XS120): its findings, `None` when it holds no credentials.
    pub fn credentials(&self, source: &SourceFile, configured_as: &Path) -> Option<Vec<Diagnostic>> {
        let mut diagnostics = Vec::new();
        if !crate::rules::xs120_committed_credentials::check_file(source, &mut diagnostics) {
            return None;
        }
        self.config.apply(configured_as, &mut diagnostics);
        Some(diagnostics)
    }
}
