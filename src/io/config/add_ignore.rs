//! `check --add-ignore`: the current findings recorded as `[[ignore]]` entries in a
//! configuration file, its formatting, comments and key order kept (as ruff's `--add-noqa`
//! records them in the source).

use super::*;
use toml_edit::{value, Array, ArrayOfTables, DocumentMut, Item, Table};

/// One entry to record: the findings of `rules` at one place of one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IgnoreEntry {
    /// Relative to the configuration file's folder, `/`-separated; written as a glob that
    /// matches this path only.
    pub path: String,
    /// The JSON Pointer of the findings; `None` for the whole file.
    pub pointer: Option<String>,
    pub rules: Vec<String>,
}

/// A `/`-separated path as a glob that matches only itself: each glob metacharacter in a class
/// of its own (`,` and `!` are plain outside braces and classes).
pub fn literal_glob(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '*' | '?' | '[' | ']' | '{' | '}' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

/// The pointer as an entry records it: `None` for the whole file (the empty pointer) or for
/// one that is no RFC 6901 pointer (the entry then covers the file).
pub fn entry_pointer(pointer: &str) -> Option<String> {
    (!pointer.is_empty() && pointer_problem(pointer).is_none()).then(|| pointer.to_string())
}

/// The text of the configuration file with `entries` appended as `[[ignore]]` tables with
/// `reason` (`original` is `None` for a new file), and how many were added: an entry whose
/// path, pointer and rules an entry of the file already has is not added again. The result is
/// parsed and checked as a configuration before it is returned.
pub fn add_ignores(original: Option<&str>, entries: &[IgnoreEntry], reason: &str) -> Result<(String, usize), String> {
    let (bom, body) = match original {
        Some(text) => match text.strip_prefix('\u{feff}') {
            Some(rest) => ("\u{feff}", rest),
            None => ("", text),
        },
        None => ("", ""),
    };
    let crlf = body.contains("\r\n");
    let mut doc: DocumentMut = body.parse().map_err(|e: toml_edit::TomlError| e.message().trim().to_string())?;
    if original.is_none() {
        doc.decor_mut().set_prefix(
            "# Findings recorded by `xsuaa-lint check --add-ignore`: remove each entry once its finding is fixed.\n",
        );
    }
    let tables = match doc.entry("ignore").or_insert(Item::ArrayOfTables(ArrayOfTables::new())) {
        Item::ArrayOfTables(tables) => tables,
        _ => return Err("`ignore` is not written as `[[ignore]]` tables; entries cannot be added to it".into()),
    };
    let existing: std::collections::BTreeSet<IgnoreEntry> = tables
        .iter()
        .filter_map(|t| {
            let path = t.get("path")?.as_str()?.to_string();
            let pointer = t.get("pointer").and_then(|p| p.as_str()).map(str::to_string);
            let mut rules: Vec<String> =
                t.get("rules")?.as_array()?.iter().filter_map(|r| r.as_str().map(str::to_uppercase)).collect();
            rules.sort();
            Some(IgnoreEntry { path, pointer, rules })
        })
        .collect();
    let mut added = 0;
    for entry in entries {
        let mut sorted = entry.clone();
        sorted.rules.sort();
        if existing.contains(&sorted) {
            continue;
        }
        let mut table = Table::new();
        table.decor_mut().set_prefix("\n");
        table["path"] = value(entry.path.as_str());
        if let Some(pointer) = &entry.pointer {
            table["pointer"] = value(pointer.as_str());
        }
        table["rules"] = value(entry.rules.iter().map(String::as_str).collect::<Array>());
        table["reason"] = value(reason);
        tables.push(table);
        added += 1;
    }
    let mut text = doc.to_string();
    if crlf {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    let text = format!("{bom}{text}");
    // What is written must be a configuration that loads: re-parsed and checked as one.
    Config::parse(&text, "xsuaa-lint.toml", PathBuf::from("/"))
        .map_err(|e| format!("the result would not load: {e}"))?;
    Ok((text, added))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, pointer: Option<&str>, rules: &[&str]) -> IgnoreEntry {
        IgnoreEntry {
            path: path.into(),
            pointer: pointer.map(str::to_string),
            rules: rules.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn appends_after_what_is_there_keeping_comments_order_and_line_endings() {
        let original = "# our settings\r\nplan = \"broker\" # the plan\r\n\r\n[rules]\r\nselect = [\"XS1\"]  # migration only\r\n\r\n[[ignore]]\r\npath = \"old/xs-security.json\"\r\nrules = [\"XS102\"]\r\nreason = \"SEC-1\"\r\n";
        let entries = [entry("a/xs-security.json", Some("/oauth2-configuration"), &["XS102", "XS103"])];
        let (text, added) = add_ignores(Some(original), &entries, "adopted 2026-12").unwrap();
        assert_eq!(added, 1);
        assert_eq!(
            text,
            format!(
                "{original}\r\n[[ignore]]\r\npath = \"a/xs-security.json\"\r\npointer = \"/oauth2-configuration\"\r\nrules = [\"XS102\", \"XS103\"]\r\nreason = \"adopted 2026-12\"\r\n"
            )
        );
        // Again: nothing added, the text unchanged.
        let (again, added) = add_ignores(Some(&text), &entries, "adopted 2026-12").unwrap();
        assert_eq!((again.as_str(), added), (text.as_str(), 0));
    }

    #[test]
    fn a_new_file_and_odd_reasons_and_paths() {
        let entries = [entry(&literal_glob("we[ir]d {x,y}*?/xs-security.json"), None, &["XS101"])];
        let (text, _) = add_ignores(None, &entries, "line\n\"quoted\" ''' \u{7}").unwrap();
        let config = Config::parse(&text, "xsuaa-lint.toml", PathBuf::from("/r")).unwrap();
        assert_eq!(config.suppressions[0].reason, "line\n\"quoted\" ''' \u{7}");
        // The glob matches that path, and no other.
        assert_eq!(config.suppression_index.matching("we[ir]d {x,y}*?/xs-security.json"), [0]);
        assert!(config.suppression_index.matching("wed x*?/xs-security.json").is_empty());
        assert!(config.suppression_index.matching("wid {x,y}ab/xs-security.json").is_empty());
        assert!(text.starts_with("# Findings recorded by"), "{text}");
    }

    #[test]
    fn keeps_a_byte_order_mark_and_refuses_an_inline_ignore() {
        let (text, added) =
            add_ignores(Some("\u{feff}plan = \"broker\"\n"), &[entry("a", None, &["XS1"])], "r").unwrap();
        assert!(text.starts_with("\u{feff}plan = \"broker\"\n"), "{text}");
        assert_eq!(added, 1);
        let inline = "ignore = [{ path = \"a\", rules = [\"XS1\"], reason = \"r\" }]\n";
        assert!(add_ignores(Some(inline), &[entry("b", None, &["XS1"])], "r").is_err());
    }
}
