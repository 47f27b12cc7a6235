//! Kustomize (`kustomization.yaml`): which files a kustomization builds and in which namespace,
//! so that a `ServiceBinding` is linked to the `ServiceInstance` it names when the two are in
//! different files of one build (`kubectl apply -k`). A kustomization's `resources:` (and the
//! older `bases:`) name files, or folders that hold a kustomization of their own (a base), whose
//! files are built too; its `namespace:` is given to every object it builds, a base's included
//! (kustomize's namespace transformer: the outer kustomization's wins). Remote resources (URLs,
//! `github.com/...`) are not followed, and nothing outside the repository is read. Patches are
//! not applied: a binding or instance is read as its file writes it.

use super::{normalize, Files, Unreadable};
use crate::syntax::json::Node;
use crate::text::source::SourceFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The names kustomize looks for in a folder, in its order.
pub(super) const NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// How many bases deep a build is followed: deeper is not a layout people write.
const MAX_DEPTH: usize = 32;

/// A kustomization as its file writes it.
struct Kustomization {
    namespace: Option<String>,
    /// `resources:` then `bases:`, as written.
    resources: Vec<String>,
}

impl Kustomization {
    /// `None`: unreadable, or not YAML (kustomize refuses it; nothing is built from it).
    fn of(read: Result<SourceFile, Unreadable>) -> Option<Kustomization> {
        let source = read.ok()?;
        let doc = crate::syntax::yaml::parse_documents(&source.text).ok()?.into_iter().next()?;
        let namespace = doc.get("namespace").and_then(Node::as_str).filter(|n| !n.is_empty()).map(String::from);
        let mut resources = Vec::new();
        for key in ["resources", "bases"] {
            for entry in doc.get(key).and_then(Node::as_array).unwrap_or_default() {
                if let Some(entry) = entry.as_str() {
                    resources.push(entry.to_string());
                }
            }
        }
        Some(Kustomization { namespace, resources })
    }
}

/// A remote resource, which kustomize fetches: not followed.
fn is_remote(entry: &str) -> bool {
    entry.contains("://") || entry.starts_with("git@") || entry.starts_with("github.com/") || entry.contains('?')
}

/// The kustomization file of `folder`, with what it says, when it has one that parses.
fn of_folder(folder: &Path, files: &dyn Files) -> Option<(PathBuf, std::sync::Arc<Option<Kustomization>>)> {
    NAMES.iter().find_map(|name| {
        let path = folder.join(name);
        let made = files.derived(&path, "kustomization", &|read| std::sync::Arc::new(Kustomization::of(read)));
        let made = made.downcast::<Option<Kustomization>>().ok()?;
        made.is_some().then_some((path, made))
    })
}

/// A file a kustomization builds and the namespace the build gives it (`None`: its own).
pub(super) type Member = (PathBuf, Option<String>);

/// A build that holds the file asked about: the namespace it gives that file, and its files.
pub(super) struct Build {
    pub namespace: Option<String>,
    pub members: Rc<Vec<Member>>,
}

/// The kustomizations whose builds hold `file`: those of its folder and of the folders above it
/// up to `root`, and any of the repository that takes one of those as a base (found by
/// [`Files::find_named`]), in path order. None, and no look at the repository, when no folder
/// from the file's up to `root` holds a kustomization.
pub(super) fn builds_with(file: &Path, root: &Path, files: &dyn Files) -> Vec<Build> {
    let file = normalize(file);
    let root = normalize(root);
    let mut kustomizations: Vec<PathBuf> = Vec::new();
    for folder in file.ancestors().skip(1) {
        if !folder.starts_with(&root) {
            break;
        }
        if let Some((path, _)) = of_folder(folder, files) {
            kustomizations.push(path);
        }
    }
    if kustomizations.is_empty() {
        return Vec::new();
    }
    kustomizations.extend(files.find_named(&root, NAMES).iter().map(|p| normalize(p)));
    kustomizations.sort();
    kustomizations.dedup();
    let mut memo = HashMap::new();
    let mut builds = Vec::new();
    for kustomization in kustomizations {
        let members = members(&kustomization, &root, files, &mut memo, 0);
        if let Some((_, namespace)) = members.iter().find(|(p, _)| *p == file) {
            builds.push(Build { namespace: namespace.clone(), members: members.clone() });
        }
    }
    builds
}

/// Every file the kustomization at `path` builds, with the namespace the build gives it; each
/// kustomization's made once (`memo`; `None` while it is being made, so a cycle of bases ends).
fn members(
    path: &Path,
    root: &Path,
    files: &dyn Files,
    memo: &mut HashMap<PathBuf, Option<Rc<Vec<Member>>>>,
    depth: usize,
) -> Rc<Vec<Member>> {
    match memo.get(path) {
        Some(Some(made)) => return made.clone(),
        Some(None) => return Rc::default(),
        None => {}
    }
    if depth > MAX_DEPTH {
        return Rc::default();
    }
    memo.insert(path.to_path_buf(), None);
    let folder = path.parent().unwrap_or(Path::new(""));
    let made = files.derived(path, "kustomization", &|read| std::sync::Arc::new(Kustomization::of(read)));
    let mut out: Vec<Member> = Vec::new();
    if let Some(Some(kustomization)) = made.downcast_ref::<Option<Kustomization>>() {
        let namespace = &kustomization.namespace;
        for entry in &kustomization.resources {
            if is_remote(entry) {
                continue;
            }
            let resource = normalize(&folder.join(entry));
            // Outside the repository: not read (a link out of it is refused by `files`).
            if !resource.starts_with(root) {
                continue;
            }
            match of_folder(&resource, files) {
                Some((base, _)) => {
                    for (member, inner) in members(&base, root, files, memo, depth + 1).iter() {
                        out.push((member.clone(), namespace.clone().or_else(|| inner.clone())));
                    }
                }
                None => out.push((resource, namespace.clone())),
            }
        }
    }
    let out = Rc::new(out);
    memo.insert(path.to_path_buf(), Some(out.clone()));
    out
}
