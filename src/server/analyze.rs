//! One buffer through the pure core, as `xsuaa-lint check` would judge the file: its
//! configuration (the nearest `xsuaa-lint.toml`, read afresh each time, so an edited one applies
//! at the next change), the history rules against `HEAD`, and for a deployment file the
//! descriptors and extensions it brings in, read from the open buffers before the disk.

use super::position::Lines;
use crate::diagnostic::Diagnostic;
use crate::engine::pipeline::{Descriptor, Judge};
use crate::io::config::Config;
use crate::io::config::{Discovery, Resolver};
use crate::io::discover::{self, FileKind};
use crate::io::history::History;
use crate::lint::fix::FixOutcome;
use crate::lint::set::{Declaration, SetOutcome};
use crate::lint::Observed;
use crate::model::deployment::normalize;
use crate::model::deployment::{self, FileFormat, Files, LayerKind, Unreadable};
use crate::model::descriptor::MigrationState;
use crate::text::source::SourceFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What kind of file a buffer holds, by its name (as the walk decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Descriptor,
    Deployment(FileFormat),
    Credentials,
    /// `xsuaa-lint.toml`: its own errors, hover on the rule codes it names.
    Config,
    /// Not a file xsuaa-lint judges: no diagnostics.
    Other,
}

/// A buffer's kind, by its name and, as the walk decides, its folder (`.github/workflows/*.yml` is
/// a CI file, `.pipeline/config.yml` Piper's, not Kubernetes YAML).
pub fn kind_of(path: Option<&Path>, name: &str) -> DocKind {
    if crate::io::config::FILE_NAMES.contains(&name) {
        return DocKind::Config;
    }
    match discover::classify_path(path.unwrap_or(Path::new(name)), name) {
        Some(FileKind::Descriptor) => DocKind::Descriptor,
        Some(FileKind::Deployment(kind)) => DocKind::Deployment(kind),
        Some(FileKind::Credentials) => DocKind::Credentials,
        // A client that sends any JSON file (the extension activates on descriptor names only).
        None if name.to_ascii_lowercase().ends_with(".json") => DocKind::Descriptor,
        None => DocKind::Other,
    }
}

/// The open buffers with a path, by lexically normalised absolute path.
pub type OpenTexts = HashMap<PathBuf, String>;

/// Files as the editor has them: an open buffer wins over the disk.
pub struct OpenFiles<'a>(pub &'a OpenTexts);

impl Files for OpenFiles<'_> {
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, Unreadable> {
        match self.0.get(&normalize(path)) {
            // Capped as a file on disk is.
            Some(text) if text.len() as u64 > crate::io::load::MAX_FILE_SIZE => Err(Unreadable::Missing),
            Some(text) => Ok(SourceFile::new(shown, text.clone())),
            None => crate::io::load::Disk.read(path, shown),
        }
    }

    /// A module's or chart's other files, as on disk (a new unsaved file is not listed).
    fn list(&self, folder: &Path, suffix: &str) -> Vec<PathBuf> {
        crate::io::load::Disk.list(folder, suffix)
    }
}

/// A buffer to judge.
pub struct Buffer<'a> {
    /// `None` for a buffer that is not a file (`untitled:`).
    pub path: Option<&'a Path>,
    /// Its file name, which decides its kind.
    pub name: &'a str,
    pub text: &'a str,
}

/// A file a fix changes.
pub struct Change {
    /// `None`: the buffer itself.
    pub path: Option<PathBuf>,
    pub before: String,
    pub after: String,
}

#[derive(Default)]
pub struct Analysis {
    /// The buffer's findings.
    pub diagnostics: Vec<Diagnostic>,
    /// A descriptor's migration state.
    pub state: Option<MigrationState>,
    /// The configuration that applies cannot be read.
    pub config_error: Option<String>,
    /// A configuration file's own error: the message and its byte offset.
    pub config_file_error: Option<(String, usize)>,
    /// With `fix`: what the fix loop changed (the buffer, and files a deployment file brings in).
    pub changes: Vec<Change>,
    /// A descriptor judged through deployment files: where the instances using it are declared,
    /// for the findings about its configuration.
    pub related: Vec<lsp_types::DiagnosticRelatedInformation>,
}

/// Judges a buffer; with `fix = Some(unsafe_fixes)`, runs the core's fix loop on it.
pub fn analyze(buffer: &Buffer<'_>, open: &OpenTexts, fix: Option<bool>) -> Analysis {
    let kind = kind_of(buffer.path, buffer.name);
    if kind == DocKind::Other {
        return Analysis::default();
    }
    if kind == DocKind::Config {
        // The buffer as it is (the files it configures use it once saved).
        let root = buffer.path.and_then(Path::parent).map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        return match crate::io::config::Config::parse(buffer.text, buffer.name, root) {
            Ok(_) => Analysis::default(),
            Err(e) => Analysis {
                config_file_error: Some((e.message, e.position.map_or(0, |p| p.offset))),
                ..Analysis::default()
            },
        };
    }
    let cwd = std::env::current_dir().ok();
    let configured_as = buffer.path.map_or_else(|| PathBuf::from(buffer.name), Path::to_path_buf);
    let shown = buffer.path.map_or_else(|| buffer.name.to_string(), |p| discover::display_path(p, cwd.as_deref()));
    let source = SourceFile::new(shown, buffer.text.to_string());
    let resolver = Resolver::new(Discovery::Nearest);
    let Some(config) = resolver.for_file(&configured_as) else {
        let errors: Vec<String> = resolver.errors().iter().map(ToString::to_string).collect();
        return Analysis { config_error: Some(errors.join("; ")), ..Analysis::default() };
    };
    // History against HEAD, as in pre-commit: a new reader each time, so a commit made while
    // the buffer is open is the base from then on.
    let history = History::new(None);
    match kind {
        DocKind::Descriptor => {
            let through = buffer.path.and_then(|path| {
                deployments_using(path, open).into_iter().find_map(|deployment| {
                    let text = match open.get(&deployment) {
                        Some(text) => text.clone(),
                        None => {
                            let root = crate::io::load::repository_root(&deployment);
                            crate::io::load::read_path_within(
                                &deployment,
                                "",
                                crate::io::load::ReadAs::Deployment,
                                Some(&root),
                            )
                            .ok()?
                            .text
                        }
                    };
                    let shown = discover::display_path(&deployment, cwd.as_deref());
                    let set = DeploymentJudging { resolver: &resolver, config: &config, history: &history, open, fix };
                    set.through(&deployment, SourceFile::new(shown, text), path)
                })
            });
            if let Some(analysis) = through {
                return analysis;
            }
            let observed = Observed::default();
            let judge = judge(&resolver, &config, &history);
            let descriptor = Descriptor { source: &source, file: buffer.path, configured_as: &configured_as };
            let mut analysis = Analysis::default();
            match judge.descriptor(&descriptor, fix, Some(&observed)).outcome {
                FixOutcome::Unchanged(d) | FixOutcome::Refused { diagnostics: d, .. } => analysis.diagnostics = d,
                FixOutcome::Fixed(fixed) => {
                    analysis.diagnostics = fixed.remaining;
                    analysis.changes.push(Change { path: None, before: source.text.clone(), after: fixed.text });
                }
            }
            analysis.state = Some(observed.state.get());
            analysis
        }
        DocKind::Credentials => {
            let diagnostics = judge(&resolver, &config, &history).credentials(&source, &configured_as);
            Analysis { diagnostics: diagnostics.unwrap_or_default(), ..Analysis::default() }
        }
        DocKind::Deployment(kind) => {
            let path = normalize(&configured_as);
            let Some(kind) = crate::engine::pipeline::deployment_kind(&path, kind, buffer.text) else {
                return Analysis::default();
            };
            let set = DeploymentJudging { resolver: &resolver, config: &config, history: &history, open, fix };
            let outcome = set.judge(&path, kind, source);
            let converged = outcome.converged;
            let mut analysis = Analysis {
                diagnostics: converged.diagnostics.into_iter().next().unwrap_or_default(),
                ..Analysis::default()
            };
            for (file, original) in converged.originals.into_iter().enumerate() {
                let Some(before) = original else { continue };
                let after = converged.files[file].text.clone();
                let path = (file > 0).then(|| outcome.set.paths[file].clone());
                analysis.changes.push(Change { path, before, after });
            }
            analysis
        }
        DocKind::Config | DocKind::Other => Analysis::default(),
    }
}

/// The per-file pipeline as the editor runs it: history against `HEAD`, no `--plan`, never the
/// platform.
fn judge<'a>(resolver: &'a Resolver, config: &'a Arc<Config>, history: &'a History) -> Judge<'a> {
    Judge { configs: resolver, config, history: Some(history), plan: None, live: None }
}

/// What judging a deployment set needs.
struct DeploymentJudging<'a> {
    resolver: &'a Resolver,
    config: &'a Arc<Config>,
    history: &'a History,
    open: &'a OpenTexts,
    fix: Option<bool>,
}

impl DeploymentJudging<'_> {
    fn judge(&self, path: &Path, kind: FileFormat, source: SourceFile) -> SetOutcome {
        let root = crate::engine::repository_root(path);
        let extensions = match kind {
            FileFormat::Mta => crate::engine::extensions_of_mta(path, self.resolver),
            _ => Vec::new(),
        };
        let declaration = Declaration { path, kind, root: &root, extensions: &extensions };
        judge(self.resolver, self.config, self.history).deployment(
            &declaration,
            source,
            &OpenFiles(self.open),
            self.fix,
        )
    }

    /// A descriptor as the deployment file `deployment` judges it, if the file uses it (as
    /// `check` reports a descriptor that a deployment file of the walk uses): its findings, the
    /// state of the first instance using it, and where those instances are declared.
    fn through(&self, deployment: &Path, source: SourceFile, descriptor: &Path) -> Option<Analysis> {
        let outcome = self.judge(deployment, FileFormat::Mta, source);
        let wanted = normalize(descriptor);
        let file = outcome.set.paths.iter().position(|p| normalize(p) == wanted)?;
        if !outcome.descriptors.get(file).copied().unwrap_or(false) {
            return None;
        }
        let mut analysis = Analysis::default();
        for (n, instance) in outcome.set.instances.iter().enumerate() {
            if !instance.layers.iter().any(|l| l.kind == LayerKind::DescriptorFile && l.file == file) {
                continue;
            }
            if analysis.state.is_none() {
                analysis.state = outcome.instances.get(n).map(|j| j.state);
            }
            let declared_in = &outcome.set.files[instance.file];
            let Some(uri) = super::uri::from_path(&normalize(&outcome.set.paths[instance.file])) else { continue };
            let range = Lines::new(&declared_in.text).range(instance.span.start, instance.span.end);
            analysis.related.push(lsp_types::DiagnosticRelatedInformation {
                location: lsp_types::Location { uri, range },
                message: format!(
                    "judged as the configuration of `{}`, declared in {}",
                    instance.name, declared_in.path
                ),
            });
        }
        let converged = outcome.converged;
        for (n, original) in converged.originals.iter().enumerate() {
            let Some(before) = original else { continue };
            let path = (n != file).then(|| outcome.set.paths[n].clone());
            analysis.changes.push(Change { path, before: before.clone(), after: converged.files[n].text.clone() });
        }
        analysis.diagnostics = converged.diagnostics.into_iter().nth(file).unwrap_or_default();
        Some(analysis)
    }
}

/// The MTA deployment descriptors that may name a descriptor by `path:`: those of its folder and
/// the folders above it, up to the repository, open or on disk.
fn deployments_using(descriptor: &Path, open: &OpenTexts) -> Vec<PathBuf> {
    let descriptor = normalize(descriptor);
    let root = crate::engine::repository_root(&descriptor);
    let mut found = Vec::new();
    for folder in descriptor.ancestors().skip(1) {
        for name in deployment::MTA_NAMES {
            let candidate = folder.join(name);
            if open.contains_key(&candidate) || candidate.is_file() {
                found.push(candidate);
            }
        }
        if folder == root {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workflow_is_a_ci_file_as_in_a_walk() {
        let path = Path::new("/repo/.github/workflows/deploy.yml");
        assert_eq!(kind_of(Some(path), "deploy.yml"), DocKind::Deployment(FileFormat::Ci));
        let piper = Path::new("/repo/.pipeline/config.yml");
        assert_eq!(kind_of(Some(piper), "config.yml"), DocKind::Deployment(FileFormat::Piper));
        assert_eq!(
            kind_of(Some(Path::new("/repo/k8s/deploy.yml")), "deploy.yml"),
            DocKind::Deployment(FileFormat::Kubernetes)
        );
    }

    /// As in `check`: a file named like an MTA variant that holds no MTA is read as the YAML it is.
    #[test]
    fn an_mta_variant_holding_a_manifest_is_judged_as_kubernetes_yaml() {
        let dir = std::env::temp_dir().join(format!("xsuaa-lint-lsp-variant-{}", std::process::id()));
        let path = dir.join("mta-dev.yaml");
        let text = "apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: my-xsuaa\nspec:\n  serviceOfferingName: xsuaa\n  servicePlanName: application\n  parameters:\n    xsappname: my-app\n";
        let buffer = Buffer { path: Some(&path), name: "mta-dev.yaml", text };
        let analysis = analyze(&buffer, &OpenTexts::new(), None);
        let codes: Vec<&str> = analysis.diagnostics.iter().map(|d| d.rule.code).collect();
        assert!(codes.contains(&"XS101"), "{codes:?}");
    }

    /// As `check mta.yaml`: the MTA gets the `.mtaext` files under its folder, not only those
    /// beside it, so a descriptor it uses is judged with what the extension sets.
    #[test]
    fn an_mta_gets_the_extensions_under_its_folder_as_check_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let mta = "_schema-version: '3.1'\nID: bookshop\nversion: 1.0.0\nresources:\n  - name: bookshop-uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: ./xs-security.json\n";
        let extension = "_schema-version: '3.1'\nID: bookshop.trial\nextends: bookshop\nresources:\n  - name: bookshop-uaa\n    parameters:\n      config:\n        oauth2-configuration:\n          credential-types: [instance-secret]\n";
        let descriptor = "{ \"xsappname\": \"bookshop\", \"oauth2-configuration\": { \"credential-types\": [\"binding-secret\"] } }\n";
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::create_dir_all(dir.path().join("ext")).unwrap();
        std::fs::write(dir.path().join("mta.yaml"), mta).unwrap();
        std::fs::write(dir.path().join("ext/trial.mtaext"), extension).unwrap();
        let path = dir.path().join("xs-security.json");
        std::fs::write(&path, descriptor).unwrap();
        let buffer = Buffer { path: Some(&path), name: "xs-security.json", text: descriptor };
        let analysis = analyze(&buffer, &OpenTexts::new(), None);
        assert_eq!(analysis.state, Some(MigrationState::InstanceOnly), "{:?}", analysis.related);
        // Without the extension the descriptor's own list decides.
        std::fs::remove_file(dir.path().join("ext/trial.mtaext")).unwrap();
        let analysis = analyze(&buffer, &OpenTexts::new(), None);
        assert_eq!(analysis.state, Some(MigrationState::BindingOnly));
    }

    #[test]
    fn an_open_workflow_gets_the_findings_of_its_cf_commands() {
        let dir = std::env::temp_dir().join(format!("xsuaa-lint-lsp-workflow-{}", std::process::id()));
        let path = dir.join(".github/workflows/deploy.yml");
        let text = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cf create-service xsuaa application my-xsuaa\n";
        let buffer = Buffer { path: Some(&path), name: "deploy.yml", text };
        let analysis = analyze(&buffer, &OpenTexts::new(), None);
        let codes: Vec<&str> = analysis.diagnostics.iter().map(|d| d.rule.code).collect();
        assert!(codes.contains(&"XS101"), "{codes:?}");
    }
}
