//! Unified diffs of fixes, in the form `git apply` and `patch -p1` read from the repository root.
//!
//! Lines are what `patch` and `git apply` take them to be: text up to and including `\n`. A
//! carriage return is part of its line's content, so CRLF files, files with CR-only line ends
//! (one long line to these tools) and stray CRs all round-trip byte for byte.

use similar::{capture_diff_slices, group_diff_ops, Algorithm, DiffOp};
use std::fmt::Write as _;

/// Lines of context around each change, as `diff -u` and git.
const CONTEXT: usize = 3;

/// The text split after each `\n`; a last line without one is kept as it is.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// A file name in a `---`/`+++` header, as git writes it: C-quoted when it holds a control
/// character, `"` or `\`; otherwise as is, followed by a tab when it holds a space (without
/// it, `patch` ends the name at the space).
fn header_name(prefix: &str, path: &str) -> String {
    let name = format!("{prefix}{path}");
    if name.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
        let mut quoted = String::from("\"");
        for c in name.chars() {
            match c {
                '"' => quoted.push_str("\\\""),
                '\\' => quoted.push_str("\\\\"),
                '\t' => quoted.push_str("\\t"),
                '\n' => quoted.push_str("\\n"),
                '\r' => quoted.push_str("\\r"),
                c if c.is_control() => {
                    let mut buf = [0; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(quoted, "\\{b:03o}");
                    }
                }
                c => quoted.push(c),
            }
        }
        quoted.push('"');
        quoted
    } else if name.contains(' ') {
        name + "\t"
    } else {
        name
    }
}

/// `start,len` of a hunk side: an empty side names the line before it.
fn range(index: usize, len: usize) -> String {
    match len {
        1 => format!("{}", index + 1),
        0 => format!("{index},0"),
        _ => format!("{},{len}", index + 1),
    }
}

fn push_line(out: &mut String, sign: char, line: &str) {
    out.push(sign);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

/// The patch that turns `old` into `new` for the file at `path` (relative to the repository
/// root, `/`-separated); empty hunks when the texts are equal.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    let old_lines = lines(old);
    let new_lines = lines(new);
    let ops = capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines);
    let mut out = format!("--- {}\n+++ {}\n", header_name("a/", path), header_name("b/", path));
    for group in group_diff_ops(ops, CONTEXT) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let _ = writeln!(
            out,
            "@@ -{} +{} @@",
            range(old_range.start, old_range.len()),
            range(new_range.start, new_range.len())
        );
        for op in &group {
            let (old_part, new_part) = (&old_lines[op.old_range()], &new_lines[op.new_range()]);
            match op {
                DiffOp::Equal { .. } => old_part.iter().for_each(|l| push_line(&mut out, ' ', l)),
                DiffOp::Delete { .. } | DiffOp::Insert { .. } | DiffOp::Replace { .. } => {
                    old_part.iter().for_each(|l| push_line(&mut out, '-', l));
                    new_part.iter().for_each(|l| push_line(&mut out, '+', l));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_count_lines_as_patch_does() {
        let patch = unified("x.json", "a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(patch, "--- a/x.json\n+++ b/x.json\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
        // A carriage return is content, never a line end.
        let patch = unified("x.json", "a\rb\rc", "a\rB\rc");
        assert_eq!(
            patch,
            "--- a/x.json\n+++ b/x.json\n@@ -1 +1 @@\n-a\rb\rc\n\\ No newline at end of file\n+a\rB\rc\n\\ No newline at end of file\n"
        );
        assert_eq!(unified("x.json", "", "a\n"), "--- a/x.json\n+++ b/x.json\n@@ -0,0 +1 @@\n+a\n");
    }

    #[test]
    fn names_with_spaces_get_a_tab_and_odd_names_are_quoted() {
        assert!(unified("a b/x.json", "a\n", "b\n").starts_with("--- a/a b/x.json\t\n+++ b/a b/x.json\t\n"));
        assert!(unified("a\"b\\c\td.json", "a\n", "b\n").starts_with("--- \"a/a\\\"b\\\\c\\td.json\"\n"));
    }
}
