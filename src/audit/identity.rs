//! Who and what a repository is, for the audit: its remote, branch and commit (read with `gix`),
//! the owners of a path (`CODEOWNERS`), and a link to a file and line that works wherever the
//! report is opened: the remote's web view for a known host, else the file by absolute path.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A repository's git identity; every field is `None` when git does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitIdentity {
    /// The fetch remote's URL (`origin`, or the only remote), without any password or token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// The remote's default branch (`refs/remotes/<remote>/HEAD`), as `git clone` records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<String>,
    /// The branch checked out (`None` when `HEAD` is detached).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The commit checked out (`HEAD`), in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// The identity of the repository at `dir` when it holds `.git` (a folder, or the file of a
/// worktree); `None` otherwise or when git cannot open it.
pub fn git_identity(dir: &Path) -> Option<GitIdentity> {
    if !dir.join(".git").exists() {
        return None;
    }
    // What git reads by itself is checked first: a FIFO `HEAD` would block the audit.
    if let Err(e) = crate::io::load::check_git_metadata(dir) {
        eprintln!("warning: {e}; the repository's identity is not read");
        return None;
    }
    let repo = gix::open(dir).ok()?;
    let remote_name = repo.remote_default_name(gix::remote::Direction::Fetch).map(|n| n.to_string());
    let remote = remote_name.as_ref().and_then(|name| {
        let url = repo.config_snapshot().string(format!("remote.{name}.url").as_str())?;
        Some(without_secrets(&url.to_string()))
    });
    let default_branch = remote_name.as_ref().and_then(|name| {
        let reference = repo.find_reference(format!("refs/remotes/{name}/HEAD").as_str()).ok()?;
        let target = reference.target().try_name()?.as_bstr().to_string();
        target.strip_prefix(&format!("refs/remotes/{name}/")).map(str::to_string)
    });
    let branch = repo.head_name().ok().flatten().map(|n| n.shorten().to_string());
    let commit = repo.head_id().ok().map(|id| id.to_string());
    Some(GitIdentity { remote, default_branch, branch, commit })
}

/// A remote URL fit to print (the fetching of remotes prints them too).
pub use crate::io::remote::without_secrets;

/// Where a remote lives: its host (with the port for http(s)) and the repository's path on it,
/// without `.git` and slashes around.
pub fn remote_parts(url: &str) -> Option<(String, String)> {
    let parsed = gix::url::parse(gix::bstr::BStr::new(url)).ok()?;
    let host = parsed.host()?.to_string();
    let host = match (parsed.scheme.clone(), parsed.port) {
        (gix::url::Scheme::Http | gix::url::Scheme::Https, Some(port)) => format!("{host}:{port}"),
        _ => host,
    };
    let path = parsed.path.to_string();
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_end_matches('/');
    // `ssh://host/~user/repo` and paths with nothing in them name no web page.
    if path.is_empty() || path.starts_with('~') {
        return None;
    }
    Some((host, path.to_string()))
}

/// The web view of a file at a line, for the hosts whose URLs are known, else by `patterns`
/// (`HOST=TEMPLATE`, checked first; see [`expand`]).
pub fn web_link(remote: &str, commit: &str, path: &str, line: usize, patterns: &[(String, String)]) -> Option<String> {
    let (host, repo) = remote_parts(remote)?;
    let template = match patterns.iter().find(|(h, _)| h.eq_ignore_ascii_case(&host)) {
        Some((_, template)) => template.as_str(),
        None => {
            let name = host.split(':').next().unwrap_or_default().to_ascii_lowercase();
            if name == "github.com" || name.starts_with("github.") {
                "https://{host}/{repo}/blob/{commit}/{path}#L{line}"
            } else if name == "gitlab.com" || name.starts_with("gitlab.") {
                "https://{host}/{repo}/-/blob/{commit}/{path}#L{line}"
            } else if name == "bitbucket.org" {
                "https://{host}/{repo}/src/{commit}/{path}#lines-{line}"
            } else {
                return None;
            }
        }
    };
    Some(expand(template, &host, &repo, commit, path, line))
}

/// Fills a link template: `{host}`, `{repo}` (the remote's path, `group/name`), `{commit}`,
/// `{path}` (in the repository, percent-encoded) and `{line}`.
pub fn expand(template: &str, host: &str, repo: &str, commit: &str, path: &str, line: usize) -> String {
    template
        .replace("{host}", host)
        .replace("{repo}", &crate::report::uri_path(repo))
        .replace("{commit}", commit)
        .replace("{path}", &crate::report::uri_path(path))
        .replace("{line}", &line.to_string())
}

/// `file://` and the absolute path, percent-encoded, with the line: opens from anywhere on this machine.
pub fn file_link(absolute: &Path, line: usize) -> String {
    let path = absolute.to_string_lossy().replace('\\', "/");
    let path = if path.starts_with('/') { path } else { format!("/{path}") };
    format!("file://{}#L{line}", crate::report::uri_path(&path))
}

/// `HOST=TEMPLATE` of `--link-pattern`.
pub fn parse_link_pattern(s: &str) -> Result<(String, String), String> {
    let (host, template) = s.split_once('=').ok_or("a link pattern is HOST=TEMPLATE, e.g. git.example.com=https://git.example.com/{repo}/blob/{commit}/{path}#L{line}")?;
    if host.trim().is_empty() || !template.contains("{path}") {
        return Err(format!("`{s}`: need a host before `=` and `{{path}}` in the template"));
    }
    Ok((host.trim().to_string(), template.trim().to_string()))
}

/// The rules of a repository's `CODEOWNERS` (the first of `.github/CODEOWNERS`, `CODEOWNERS`,
/// `docs/CODEOWNERS`, as GitHub reads them), in file order. Each pattern is kept as `glob`'s
/// tokens, matched without an automaton: memory grows with the patterns' text (a `.gitignore`
/// matcher per rule cost some 12 KB each, 240 MB for 20,000 rules).
#[derive(Default)]
pub struct CodeOwners {
    /// The file the rules come from, relative to the repository.
    pub file: Option<String>,
    rules: Vec<(Vec<glob::Pattern>, Vec<String>)>,
    /// Patterns left out: not readable as a glob, or longer or more complex than
    /// [`MAX_OWNER_PATTERN`] allows (GitHub ignores the lines it cannot read, too).
    pub skipped: usize,
    /// The file that is there but was not read, and why (a link out of the repository, a FIFO,
    /// larger than an owners list is).
    pub refused: Option<(String, String)>,
}

/// A pattern's most bytes, wildcards and `**`: a longer one names no path of a repository, and
/// the time to match it grows with its wildcards.
const MAX_OWNER_PATTERN: (usize, usize, usize) = (1024, 16, 4);

impl CodeOwners {
    pub fn load(repo: &Path) -> Self {
        for rel in [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] {
            let path = repo.join(rel);
            // As git sees it: a link is an entry too.
            if std::fs::symlink_metadata(&path).is_err() {
                continue;
            }
            return match crate::io::load::read_text_within(&path, repo, crate::io::load::MAX_IGNORE_FILE_SIZE) {
                Ok(text) => CodeOwners { file: Some(rel.to_string()), ..parse_rules(&text) },
                Err(reason) => CodeOwners { refused: Some((rel.to_string(), reason)), ..CodeOwners::default() },
            };
        }
        CodeOwners::default()
    }

    /// The owners of `path` (relative to the repository): the last matching rule's, as GitHub
    /// decides (a matching rule with no owner leaves the path without one).
    pub fn owners(&self, path: &str) -> Vec<String> {
        let path = path.trim_start_matches('/');
        if path.is_empty() {
            return Vec::new();
        }
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        for (patterns, owners) in self.rules.iter().rev() {
            if patterns.iter().any(|p| p.matches_with(path, options)) {
                return owners.clone();
            }
        }
        Vec::new()
    }
}

/// The globs of a CODEOWNERS pattern, read as a `.gitignore` line: matching the path itself
/// (unless the pattern names folders only) and anything below what it matches.
fn owner_globs(pattern: &str) -> Vec<String> {
    let (pattern, folders_only) = match pattern.strip_suffix('/') {
        Some(folder) => (folder, true),
        None => (pattern, false),
    };
    // A pattern with a slash before its end is relative to the root; one without, any depth.
    let glob = match pattern.strip_prefix('/') {
        Some(rooted) => rooted.to_string(),
        None if pattern.contains('/') => pattern.to_string(),
        None => format!("**/{pattern}"),
    };
    if glob.is_empty() || glob == "**/" {
        return Vec::new();
    }
    let below = if glob.ends_with("/**") { glob.clone() } else { format!("{glob}/**") };
    if folders_only {
        vec![below]
    } else {
        vec![glob, below]
    }
}

/// The rules of a `CODEOWNERS` text.
pub fn parse_rules(text: &str) -> CodeOwners {
    let mut rules = Vec::new();
    let mut skipped = 0;
    for line in text.lines() {
        // A comment, a blank line, or a GitLab section heading (`[Section]`, `^[Optional]`).
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('[') || line.starts_with("^[") {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(pattern) = words.next() else { continue };
        let owners: Vec<String> = words.take_while(|w| !w.starts_with('#')).map(str::to_string).collect();
        // Negation is not a CODEOWNERS pattern: GitHub ignores such a line.
        if pattern.starts_with('!') {
            continue;
        }
        let wildcards = pattern.bytes().filter(|b| matches!(b, b'*' | b'?' | b'[')).count();
        let (most_bytes, most_wildcards, most_recursive) = MAX_OWNER_PATTERN;
        if pattern.len() > most_bytes || wildcards > most_wildcards || pattern.matches("**").count() > most_recursive {
            skipped += 1;
            continue;
        }
        match owner_globs(pattern).iter().map(|g| glob::Pattern::new(g)).collect::<Result<Vec<_>, _>>() {
            Ok(patterns) if !patterns.is_empty() => rules.push((patterns, owners)),
            _ => skipped += 1,
        }
    }
    CodeOwners { file: None, rules, skipped, refused: None }
}

/// The path of `file` (as the report shows it, relative to `cwd` or absolute) inside the
/// repository at `repo` (absolute), with forward slashes; `None` when it is not inside.
pub fn path_in(repo: &Path, file: &str, cwd: Option<&Path>) -> Option<String> {
    let absolute = absolute_of(file, cwd);
    let rel = absolute.strip_prefix(repo).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

pub fn absolute_of(file: &str, cwd: Option<&Path>) -> PathBuf {
    let path = Path::new(file);
    match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_of_every_form_name_host_and_path() {
        for (url, host, path) in [
            ("git@github.com:acme/shop.git", "github.com", "acme/shop"),
            ("ssh://git@github.com/acme/shop.git", "github.com", "acme/shop"),
            ("ssh://git@gitlab.example.com:2222/group/sub/shop.git", "gitlab.example.com", "group/sub/shop"),
            ("https://github.com/acme/shop", "github.com", "acme/shop"),
            ("https://gitlab.com/group/sub/shop.git/", "gitlab.com", "group/sub/shop"),
            ("https://me@bitbucket.org/team/shop.git", "bitbucket.org", "team/shop"),
            ("https://git.example.com:8443/x/y.git", "git.example.com:8443", "x/y"),
        ] {
            assert_eq!(remote_parts(url), Some((host.to_string(), path.to_string())), "{url}");
        }
        assert_eq!(remote_parts("/srv/git/shop.git"), None);
    }

    #[test]
    fn secrets_never_reach_the_report() {
        for (remote, shown) in [
            ("https://user:ghp_secret@github.com/a/b.git", "https://github.com/a/b.git"),
            ("HTTPS://user:tok@GitHub.com/a/b.git", "https://github.com/a/b.git"),
            ("https://ghp_tokenonly@github.com/a/b.git", "https://github.com/a/b.git"),
            ("ssh://git:pw@host:2222/a/b.git", "ssh://host:2222/a/b.git"),
            ("git+https://u:p@host/a.git", "git+https://host/a.git"),
            ("https://host/a.git?private_token=x&ref=main&X-Amz-Signature=s", "https://host/a.git?ref=main"),
            ("https://host/a.git?access_token=x", "https://host/a.git"),
            ("git@github.com:a/b.git", "github.com:a/b.git"),
            ("https://github.com/a/b.git", "https://github.com/a/b.git"),
            ("/srv/git/shop.git", "/srv/git/shop.git"),
        ] {
            assert_eq!(without_secrets(remote), shown, "{remote}");
        }
    }

    #[test]
    fn links_per_host_and_pattern() {
        let c = "0123abc";
        let link = |remote: &str| web_link(remote, c, "srv/a b/xs-security.json", 7, &[]);
        assert_eq!(
            link("git@github.com:acme/shop.git").unwrap(),
            "https://github.com/acme/shop/blob/0123abc/srv/a%20b/xs-security.json#L7"
        );
        assert_eq!(
            link("https://gitlab.com/g/sub/shop.git").unwrap(),
            "https://gitlab.com/g/sub/shop/-/blob/0123abc/srv/a%20b/xs-security.json#L7"
        );
        assert_eq!(
            link("git@bitbucket.org:team/shop.git").unwrap(),
            "https://bitbucket.org/team/shop/src/0123abc/srv/a%20b/xs-security.json#lines-7"
        );
        assert_eq!(link("git@git.example.com:x/shop.git"), None);
        let patterns = vec![parse_link_pattern("git.example.com={host}/r/{repo}/c/{commit}/{path}?l={line}").unwrap()];
        assert_eq!(
            web_link("ssh://git@git.example.com:22/x/shop.git", c, "a.json", 2, &patterns).unwrap(),
            "git.example.com/r/x/shop/c/0123abc/a.json?l=2"
        );
        assert!(parse_link_pattern("no-equals").is_err() && parse_link_pattern("h=https://x/{line}").is_err());
        assert_eq!(file_link(Path::new("/w/a #1/xs.json"), 3), "file:///w/a%20%231/xs.json#L3");
    }

    #[test]
    fn codeowners_last_match_wins() {
        let owners = parse_rules(
            "# comment\n* @org/all\n/srv/ @org/backend # inline\n*.yaml @org/ops\n[Section]\nsrv/legacy/\n",
        );
        assert_eq!(owners.owners("xs-security.json"), ["@org/all"]);
        assert_eq!(owners.owners("srv/xs-security.json"), ["@org/backend"]);
        assert_eq!(owners.owners("srv/mta.yaml"), ["@org/ops"]);
        assert!(owners.owners("srv/legacy/xs-security.json").is_empty());
        assert!(CodeOwners::default().owners("a").is_empty());
    }
}
