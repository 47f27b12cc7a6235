//! Unified diffs of fixes, in the form `git apply` and `patch -p1` read from the repository root.

use similar::TextDiff;

pub fn unified(path: &str, old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    for hunk in diff.unified_diff().context_radius(3).missing_newline_hint(true).iter_hunks() {
        out.push_str(&hunk.to_string());
    }
    out
}
