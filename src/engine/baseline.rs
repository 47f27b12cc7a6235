//! Baselines: the findings recorded at adoption time, so that a gate fails only on new ones.
//!
//! A finding is keyed by path (relative to the baseline file's folder), code and JSON Pointer,
//! never by line, so unrelated edits do not break the baseline; each key keeps a count.

use crate::diagnostic::FileReport;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const VERSION: u32 = 1;

/// More findings than any run could record for one key (a file is at most 16 MiB): a count
/// above it is no baseline written by `--write-baseline`, and would overflow sums.
const MAX_COUNT: usize = u32::MAX as usize;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    code: String,
    pointer: String,
    count: usize,
}

type Key = (String, String, String);

/// Paths are stored relative to the folder of the baseline file, with `/`.
struct Keys {
    cwd: Option<PathBuf>,
    folder: Option<PathBuf>,
}

impl Keys {
    fn new(baseline: &Path) -> Self {
        let folder = std::path::absolute(baseline).ok().and_then(|p| p.parent().map(Path::to_path_buf));
        Keys { cwd: std::env::current_dir().ok(), folder }
    }

    fn path(&self, shown: &str) -> String {
        let absolute = match &self.cwd {
            Some(cwd) => cwd.join(shown),
            None => PathBuf::from(shown),
        };
        let relative = self.folder.as_ref().and_then(|f| absolute.strip_prefix(f).ok());
        relative.map_or_else(|| shown.to_string(), |r| r.to_string_lossy().replace('\\', "/"))
    }

    fn counts(&self, reports: &[FileReport]) -> BTreeMap<Key, usize> {
        let mut counts = BTreeMap::new();
        for report in reports {
            let path = self.path(&report.path);
            for d in &report.diagnostics {
                let n: &mut usize =
                    counts.entry((path.clone(), d.rule.code.to_string(), d.pointer.clone())).or_default();
                *n = n.saturating_add(1);
            }
        }
        counts
    }
}

/// Records every finding of `reports`; returns how many.
pub fn write(file: &Path, reports: &[FileReport]) -> std::io::Result<usize> {
    let counts = Keys::new(file).counts(reports);
    let total = counts.values().fold(0usize, |sum, n| sum.saturating_add(*n));
    let findings =
        counts.into_iter().map(|((path, code, pointer), count)| Entry { path, code, pointer, count }).collect();
    let mut text = serde_json::to_string_pretty(&BaselineFile { version: VERSION, findings })?;
    text.push('\n');
    crate::io::write::write_new(file, text.as_bytes())?;
    Ok(total)
}

/// A loaded baseline; shared by the worker threads, which consume its counts file by file.
pub struct FindingsBaseline {
    keys: Keys,
    left: Mutex<BTreeMap<Key, usize>>,
    checked: Mutex<BTreeSet<String>>,
}

impl FindingsBaseline {
    pub fn load(file: &Path) -> Result<Self, String> {
        // Bounded and regular files only (not `/dev/zero`, not a FIFO); a byte-order mark is fine.
        let text = crate::io::load::read_text(file)?;
        let parsed: BaselineFile = serde_json::from_str(crate::io::load::without_bom(&text))
            .map_err(|e| format!("not a baseline written by `--write-baseline`: {e}"))?;
        if parsed.version != VERSION {
            return Err(format!("baseline version {} is not supported (expected {VERSION})", parsed.version));
        }
        let mut counts = BTreeMap::new();
        for e in parsed.findings {
            if e.count > MAX_COUNT {
                return Err(format!(
                    "the count {} of {} {} `{}` is not a number of findings (at most {MAX_COUNT})",
                    e.count, e.path, e.code, e.pointer
                ));
            }
            let n: &mut usize = counts.entry((e.path, e.code, e.pointer)).or_default();
            *n = n.saturating_add(e.count);
        }
        Ok(FindingsBaseline { keys: Keys::new(file), left: Mutex::new(counts), checked: Mutex::new(BTreeSet::new()) })
    }

    /// Drops the findings of one file that the baseline knows (up to its count per key).
    pub fn filter(&self, report: &mut FileReport) {
        let path = self.keys.path(&report.path);
        let Ok(mut left) = self.left.lock() else { return };
        report.diagnostics.retain(|d| {
            let key = (path.clone(), d.rule.code.to_string(), d.pointer.clone());
            match left.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
        if let Ok(mut checked) = self.checked.lock() {
            checked.insert(path);
        }
    }

    /// Recorded findings of the files checked in this run that no longer occur.
    pub fn gone(&self) -> usize {
        let (Ok(left), Ok(checked)) = (self.left.lock(), self.checked.lock()) else { return 0 };
        left.iter()
            .filter(|((path, _, _), _)| checked.contains(path))
            .fold(0usize, |sum, (_, n)| sum.saturating_add(*n))
    }
}
