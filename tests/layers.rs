//! The layers of `src/`, as `lib.rs`'s documentation lists them: a module imports only from its
//! own layer folder and the layers below it. An import that runs upward fails here, naming the
//! file and the path. Test modules (`#[cfg(test)]` and below) may reach anywhere.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each folder of `src/` with its floor; folders on one floor may import each other.
const LAYERS: &[(&str, u32)] = &[
    ("text", 1),
    ("syntax", 2),
    ("model", 3),
    ("diagnostic", 4),
    ("rules", 5),
    ("lint", 6),
    ("io", 7),
    ("engine", 8),
    ("report", 9),
    ("runbook", 9),
    ("audit", 9),
    ("server", 9),
    ("live", 9),
    ("cli", 10),
];

fn floor(layer: &str) -> Option<u32> {
    LAYERS.iter().find(|(name, _)| *name == layer).map(|(_, floor)| *floor)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a text names through `crate::a::…` or `crate::{a::…, b}`.
fn imported_layers(text: &str) -> BTreeSet<String> {
    let mut layers = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => {
                        let name: String =
                            group[i..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        layers.insert(name);
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            layers.insert(name);
        }
    }
    layers
}

#[test]
fn every_folder_of_src_is_a_layer_and_nothing_else_is_loose() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut unknown = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let known = if path.is_dir() { floor(&name).is_some() } else { name == "lib.rs" || name == "main.rs" };
        if !known {
            unknown.push(name);
        }
    }
    assert!(
        unknown.is_empty(),
        "src/ holds entries that are no layer (add them to a layer folder or to LAYERS): {unknown:?}"
    );
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    for (layer, _) in LAYERS {
        assert!(lib.contains(&format!("pub mod {layer};")), "lib.rs does not declare the layer `{layer}`");
        assert!(lib.contains(&format!("[`{layer}`]")), "lib.rs's layer map does not name `{layer}`");
    }
}

#[test]
fn layers_import_only_downward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut upward = Vec::new();
    for (layer, own) in LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for target in imported_layers(code) {
                if let Some(theirs) = floor(&target) {
                    if theirs > *own {
                        let shown = file.strip_prefix(&src).unwrap().display().to_string();
                        upward.push(format!("{shown} (floor {own}) imports crate::{target} (floor {theirs})"));
                    }
                }
            }
        }
    }
    assert!(upward.is_empty(), "imports that run upward:\n{}", upward.join("\n"));
}

#[test]
fn the_import_reader_sees_paths_and_groups() {
    let text = "use crate::model::deployment::Files;\nuse crate::{io::load, text::{source, escape}};\nfn f() { crate::engine::run(); }";
    let got: Vec<String> = imported_layers(text).into_iter().collect();
    assert_eq!(got, ["engine", "io", "model", "text"]);
}

/// The crates that parse a repository's files: only the syntax layer names them, so the model
/// reads its span trees and views whatever parser is behind them.
const PARSER_CRATES: &[&str] = &["hcl_edit", "jsonc_parser", "granit_parser"];

/// Whether a text names a crate as a path's first segment (`hcl_edit::…`, `use hcl_edit;`).
fn names_crate(text: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[test]
fn only_the_syntax_layer_names_the_parsers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut outside = Vec::new();
    for file in files {
        let shown = file.strip_prefix(&src).unwrap().display().to_string();
        if shown.starts_with("syntax") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for name in PARSER_CRATES.iter().filter(|name| names_crate(code, name)) {
            outside.push(format!("{shown} names `{name}`: read through `crate::syntax` instead"));
        }
    }
    assert!(outside.is_empty(), "parser crates named outside src/syntax/:\n{}", outside.join("\n"));
}

#[test]
fn the_crate_reader_sees_whole_names_only() {
    assert!(names_crate("use hcl_edit::structure::Body;", "hcl_edit"));
    assert!(names_crate("fn f(b: &hcl_edit::Span) {}", "hcl_edit"));
    assert!(!names_crate("let my_hcl_edit = 1; // hcl_edits", "hcl_edit"));
}
