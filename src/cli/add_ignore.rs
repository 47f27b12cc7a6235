//! `check --add-ignore --reason TEXT`: every current finding recorded as an `[[ignore]]` entry
//! in the configuration file that applies to its file, one entry per file and JSON Pointer
//! with the codes found there (as ruff's `--add-noqa` writes one comment per line with its
//! codes).

use crate::diagnostic::FileReport;
use crate::io::config::{add_ignores, entry_pointer, literal_glob, IgnoreEntry, Resolver};
use crate::text::escape::terminal;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The name of a configuration file `--add-ignore` creates.
const NEW_FILE: &str = "xsuaa-lint.toml";

/// Per configuration file: its folder and the codes per (path glob, pointer).
type Plan = BTreeMap<PathBuf, (PathBuf, BTreeMap<(String, Option<String>), BTreeSet<String>>)>;

/// Records the findings of `kept`: whether every file was written, and how many findings
/// could not be recorded (they still fail the gate).
pub fn record(kept: &[FileReport], named: &[PathBuf], configs: &Resolver, reason: &str) -> (bool, usize) {
    let mut plan = Plan::new();
    let mut skipped = 0usize;
    for report in kept {
        let path = Path::new(&report.path);
        let shown = terminal(&report.path);
        for d in &report.diagnostics {
            let code = d.rule.code;
            let why_not = if crate::rules::blocks_fixing(code) {
                Some("a file that cannot be read or parsed is repaired, not ignored")
            } else if code == crate::rules::xs900_unused_suppression::RULE.code {
                Some("an unused entry is removed, not ignored")
            } else {
                None
            };
            if let Some(why_not) = why_not {
                eprintln!("note: {shown}:{}:{}: {code} not recorded: {why_not}", d.start.line, d.start.column);
                skipped += 1;
                continue;
            }
            // A broken configuration stopped the run before; none here means the defaults.
            let Some(config) = configs.for_file(path) else { continue };
            let (file, folder) = match &config.file {
                Some(file) => (file.clone(), config.root.clone()),
                None => {
                    let folder = named_folder(path, named);
                    (folder.join(NEW_FILE), folder)
                }
            };
            let Some(relative) = relative_to(path, &folder) else {
                eprintln!("note: {shown}: {code} not recorded: the file is outside the folder of {}", file.display());
                skipped += 1;
                continue;
            };
            let entries = &mut plan.entry(file).or_insert_with(|| (folder, BTreeMap::new())).1;
            entries.entry((literal_glob(&relative), entry_pointer(&d.pointer))).or_default().insert(code.to_string());
        }
    }
    let mut written = true;
    let mut total = 0;
    for (file, (_, entries)) in plan {
        let entries: Vec<IgnoreEntry> = entries
            .into_iter()
            .map(|((path, pointer), rules)| IgnoreEntry { path, pointer, rules: rules.into_iter().collect() })
            .collect();
        let shown = crate::io::discover::display_path(&file, std::env::current_dir().ok().as_deref());
        match write_entries(&file, &entries, reason) {
            Ok(0) => {}
            Ok(added) => {
                total += added;
                eprintln!(
                    "Added {added} [[ignore]] entr{} to {}.",
                    if added == 1 { "y" } else { "ies" },
                    terminal(&shown)
                );
            }
            Err(e) => {
                eprintln!("error: {}: no entry added: {}", terminal(&shown), terminal(&e));
                written = false;
            }
        }
    }
    if total == 0 && written {
        eprintln!("No finding to record{}.", if skipped > 0 { " but those noted" } else { "" });
    }
    (written, skipped)
}

/// Adds the entries to `file` (created if missing), written whole and renamed into place.
fn write_entries(file: &Path, entries: &[IgnoreEntry], reason: &str) -> Result<usize, String> {
    let root = crate::io::load::repository_root(file);
    let original = match std::fs::symlink_metadata(file) {
        Ok(_) => Some(crate::io::load::read_text_within(file, &root, crate::io::load::MAX_FILE_SIZE)?),
        Err(_) => None,
    };
    let (text, added) = add_ignores(original.as_deref(), entries, reason)?;
    if added == 0 {
        return Ok(0);
    }
    match &original {
        Some(original) => crate::io::write::write_atomically(file, &root, original, &text),
        None => crate::io::write::write_new(file, text.as_bytes()),
    }
    .map_err(|e| e.to_string())?;
    Ok(added)
}

/// The folder named on the command line that holds `path` (the widest), where a new
/// configuration file goes; a file named itself: its folder.
fn named_folder(path: &Path, named: &[PathBuf]) -> PathBuf {
    let absolute = crate::model::deployment::normalize(path);
    named
        .iter()
        .map(|n| crate::model::deployment::normalize(n))
        .filter(|n| absolute.starts_with(n) && n.is_dir())
        .min_by_key(|n| n.components().count())
        .or_else(|| absolute.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `path` relative to `folder`, `/`-separated.
fn relative_to(path: &Path, folder: &Path) -> Option<String> {
    let absolute = crate::model::deployment::normalize(path);
    let relative = absolute.strip_prefix(crate::model::deployment::normalize(folder)).ok()?;
    Some(relative.to_string_lossy().replace('\\', "/"))
}
