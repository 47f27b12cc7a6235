//! Where a script's commands run and what their file arguments name, as the shell would see
//! them: `cd "$(dirname "$0")/.."` changes the folder the next commands run in,
//! `ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"` names a folder by the script's
//! own, and `cat > params.json <<'EOF'` writes a file that a later `-c params.json` passes.
//! Only these forms are followed; anything else (a folder from the environment, a `cd` into a
//! variable) leaves the folder unknown, as it is.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// How many folders deep a followed path may go.
const MAX_DEPTH: usize = 64;

/// A place named by a script: a folder it runs in, or a file it names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Located {
    /// Relative to the folder the script is started from, which the script does not tell: its
    /// own folder or its project's (how scripts are run).
    Start(PathBuf),
    /// Relative to the script's own folder (`$(dirname "$0")`).
    Script(PathBuf),
    /// An absolute path: outside the repository.
    Absolute(String),
    /// Not known until the script runs (a variable, `cd -`, a folder from the environment).
    Unknown,
}

impl Located {
    /// The place `relative` names from here (`..` and `.` taken as written).
    fn join(&self, relative: &str) -> Located {
        let push = |base: &Path| {
            let mut out = base.to_path_buf();
            for part in Path::new(relative).components() {
                match part {
                    // Above the base: kept as `..`, resolved against the real folder later.
                    Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                        out.pop();
                    }
                    Component::ParentDir => out.push(".."),
                    Component::Normal(p) => out.push(p),
                    _ => {}
                }
            }
            out
        };
        // A path deeper than any repository's (`cd sub` in a loop of lines) is not followed:
        // each step copies it, so an ever longer one would cost the square of the script.
        let bounded = |path: PathBuf| (path.components().count() <= MAX_DEPTH).then_some(path);
        match self {
            Located::Start(base) => bounded(push(base)).map_or(Located::Unknown, Located::Start),
            Located::Script(base) => bounded(push(base)).map_or(Located::Unknown, Located::Script),
            Located::Absolute(base) if base.len() < 4096 => {
                Located::Absolute(format!("{}/{relative}", base.trim_end_matches('/')))
            }
            Located::Absolute(_) => Located::Unknown,
            Located::Unknown => Located::Unknown,
        }
    }
}

/// What the script has told so far: the folder its commands run in and the folders its
/// variables name.
pub(super) struct WorkDir {
    pub current: Located,
    variables: HashMap<String, Located>,
}

impl WorkDir {
    pub fn new() -> Self {
        WorkDir { current: Located::Start(PathBuf::new()), variables: HashMap::new() }
    }

    /// A new shell (a Makefile's recipe line): started again, variables kept (make's own).
    pub fn restart(&mut self) {
        self.current = Located::Start(PathBuf::new());
    }

    /// Follows the `cd`s and the folder assignments of one logical line (its raw text).
    pub fn follow(&mut self, line: &str) {
        if !(line.contains("cd") || line.contains('=')) {
            return;
        }
        for part in top_level_parts(line) {
            let part = part.trim_start();
            if part.starts_with('(') {
                // A subshell's `cd` does not outlast it.
                continue;
            }
            if let Some(target) = ["cd ", "pushd "].iter().find_map(|c| part.strip_prefix(c)) {
                self.current = self.locate(&first_word(target));
            } else if part == "cd" || part == "popd" || part.starts_with("popd ") {
                self.current = Located::Unknown;
            } else if let Some((name, value)) = assignment(part) {
                let place = self.locate(&first_word(value));
                self.variables.insert(name.to_string(), place);
            }
        }
    }

    /// The place a word names (its quotes removed), from the current folder.
    pub fn locate(&self, word: &str) -> Located {
        let word: String = word.chars().filter(|c| !matches!(c, '"' | '\'')).collect();
        let word = word.trim();
        // `$(cd DIR && pwd)`: DIR.
        if let Some(inner) = word.strip_prefix("$(cd ").and_then(|w| w.strip_suffix(')')) {
            let inner = ["&& pwd -P", "&& pwd", "; pwd -P", "; pwd"]
                .iter()
                .find_map(|tail| inner.trim_end().strip_suffix(tail))
                .map(|dir| dir.trim().trim_start_matches("-P ").trim_start_matches("-- "));
            return inner.map_or(Located::Unknown, |dir| self.locate(dir));
        }
        let (base, rest) = match self.base_of(word) {
            Some(found) => found,
            None if word.contains(['$', '`', '~']) || word.is_empty() => return Located::Unknown,
            None if word.starts_with('/') => return Located::Absolute(word.to_string()),
            None => (self.current.clone(), word),
        };
        let rest = rest.trim_start_matches('/');
        if rest.contains(['$', '`']) {
            return Located::Unknown;
        }
        if rest.is_empty() {
            base
        } else {
            base.join(rest)
        }
    }

    /// The folder a word starts with, and the rest: the script's folder, a variable, `$PWD`.
    fn base_of<'w>(&self, word: &'w str) -> Option<(Located, &'w str)> {
        const SCRIPT_FOLDER: [&str; 12] = [
            "$(dirname $0)",
            "$(dirname -- $0)",
            "$(dirname ${0})",
            "$(dirname ${BASH_SOURCE[0]})",
            "$(dirname -- ${BASH_SOURCE[0]})",
            "$(dirname $BASH_SOURCE)",
            "$(dirname ${BASH_SOURCE})",
            "$(dirname $(realpath $0))",
            "$(dirname $(readlink -f $0))",
            "${0%/*}",
            "${BASH_SOURCE[0]%/*}",
            "${BASH_SOURCE%/*}",
        ];
        if let Some(rest) = SCRIPT_FOLDER.iter().find_map(|p| word.strip_prefix(p)) {
            return Some((Located::Script(PathBuf::new()), rest));
        }
        if let Some(rest) = ["$PWD", "${PWD}", "$(pwd)", "."].iter().find_map(|p| word.strip_prefix(p)) {
            if rest.is_empty() || rest.starts_with('/') {
                return Some((self.current.clone(), rest));
            }
        }
        let (name, rest) = if let Some(braced) = word.strip_prefix("${") {
            let end = braced.find('}')?;
            (&braced[..end], &braced[end + 1..])
        } else {
            let unbraced = word.strip_prefix('$')?;
            let end = unbraced.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(unbraced.len());
            (&unbraced[..end], &unbraced[end..])
        };
        let place = self.variables.get(name)?;
        (rest.is_empty() || rest.starts_with('/')).then(|| (place.clone(), rest))
    }
}

/// `NAME=VALUE` (after `export`, `readonly`, `local`, `declare`): the name and the value.
fn assignment(part: &str) -> Option<(&str, &str)> {
    let part = ["export ", "readonly ", "local ", "declare "].iter().find_map(|k| part.strip_prefix(k)).unwrap_or(part);
    let (name, value) = part.split_once('=')?;
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some((name, value))
}

/// A line cut at the shell's separators (`&&`, `||`, `;`, `|`, `&`) that are outside quotes
/// and `$(...)`.
fn top_level_parts(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut depth, mut quote) = (0, 0usize, None::<u8>);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(b'"'), b'\\') => i += 1,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(c),
            (None, b'\\') => i += 1,
            (None, b'(') => depth += 1,
            (None, b')') => depth = depth.saturating_sub(1),
            (None, b'#') if i == 0 || bytes[i - 1].is_ascii_whitespace() => break,
            (None, b'&' | b'|' | b';' | b'\n') if depth == 0 => {
                parts.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&line[start.min(line.len())..]);
    parts
}

/// The first word of a command's arguments, its quotes and `$(...)` kept whole.
fn first_word(text: &str) -> String {
    let text = text.trim_start();
    let text = text.strip_prefix("-- ").or_else(|| text.strip_prefix("-P ")).unwrap_or(text).trim_start();
    let bytes = text.as_bytes();
    let (mut depth, mut quote) = (0usize, None::<u8>);
    for (i, &c) in bytes.iter().enumerate() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(c),
            (None, b'(') => depth += 1,
            (None, b')') => depth = depth.saturating_sub(1),
            (None, b' ' | b'\t' | b'\r' | b'\n') if depth == 0 => return text[..i].to_string(),
            _ => {}
        }
    }
    text.to_string()
}

/// The file a here-document is written to on its line (`cat > FILE <<EOF`, `cat <<EOF > FILE`,
/// `tee FILE <<EOF`), as the line's words give it.
pub(super) fn heredoc_target(words: &[(String, crate::text::source::Span)]) -> Option<&str> {
    let mut words = words.iter().map(|w| w.0.as_str());
    let mut tee = false;
    while let Some(word) = words.next() {
        if word == ">" || word == ">|" || (tee && !word.starts_with('-') && !word.starts_with("<<")) {
            return if tee { Some(word) } else { words.next() };
        }
        if let Some(file) = word.strip_prefix('>').filter(|f| !f.is_empty() && !f.starts_with(['>', '&'])) {
            return Some(file);
        }
        tee |= word == "tee";
    }
    None
}

/// How `place` is shown in a message, from the script's folder (`..`, `deploy`, `.`).
pub(super) fn shown(relative: &Path) -> String {
    if relative.as_os_str().is_empty() {
        ".".to_string()
    } else {
        relative.to_string_lossy().replace('\\', "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cds_and_folder_variables_are_followed() {
        let mut dir = WorkDir::new();
        assert_eq!(dir.locate("xs-security.json"), Located::Start("xs-security.json".into()));
        dir.follow("cd \"$(dirname \"$0\")/..\"");
        assert_eq!(dir.current, Located::Script("..".into()));
        assert_eq!(dir.locate("./xs-security.json"), Located::Script("../xs-security.json".into()));
        dir.follow("cd deploy && echo done");
        assert_eq!(dir.current, Located::Script("../deploy".into()));
        dir.follow("ROOT_DIR=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")/..\" && pwd)\"");
        assert_eq!(dir.locate("\"$ROOT_DIR/xs-security.json\""), Located::Script("../xs-security.json".into()));
        assert_eq!(dir.locate("${ROOT_DIR}/a/../b.json"), Located::Script("../b.json".into()));
        // A subshell's `cd`, a `cd` inside `$(...)`: the folder stays.
        dir.follow("(cd /tmp && ls) ; X=$(cd sub && pwd)");
        assert_eq!(dir.current, Located::Script("../deploy".into()));
        dir.follow("cd \"$WORKSPACE\"");
        assert_eq!(dir.current, Located::Unknown);
        assert_eq!(dir.locate("x.json"), Located::Unknown);
        assert_eq!(dir.locate("/tmp/p.json"), Located::Absolute("/tmp/p.json".into()));
        assert_eq!(dir.locate("$OTHER/x.json"), Located::Unknown);
    }

    #[test]
    fn heredoc_targets_are_found() {
        let words = |line: &str| -> Vec<(String, crate::text::source::Span)> {
            line.split(' ').map(|w| (w.to_string(), crate::text::source::Span::default())).collect()
        };
        assert_eq!(heredoc_target(&words("cat > /tmp/p.json <<EOF")), Some("/tmp/p.json"));
        assert_eq!(heredoc_target(&words("cat <<EOF >p.json")), Some("p.json"));
        assert_eq!(heredoc_target(&words("tee -a p.json <<EOF")), Some("p.json"));
        assert_eq!(heredoc_target(&words("cat <<EOF 2>&1")), None);
    }
}
