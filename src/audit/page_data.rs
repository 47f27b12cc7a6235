//! The data the HTML report's script renders, embedded once as one JSON island: the report
//! itself (what "Save as JSON" saves), how each repository is named, the order the tables start
//! in, and each instance's runbook as a shared template filled with the instance's own words.
//!
//! A runbook is the text `xsuaa-lint runbook` prints for the instance, rendered here by
//! [`crate::runbook::markdown`]; the page keeps it as a template (the text with the instance's
//! file, names and places cut out, shared by every instance whose runbook reads alike) and the
//! words cut out, so that 50,000 instances carry their facts and a few hundred templates rather
//! than 50,000 runbooks. Rebuilt in the page by joining the parts: the same text by construction.

use super::{AuditInstance, AuditReport, RepositoryAudit};
use crate::engine::inventory::{Merged, Place};
use serde::Serialize;
use std::collections::HashMap;

/// One piece of a runbook template: text as it is, or the instance's fact at that index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum TemplatePiece {
    Text(String),
    Fact(usize),
}

/// How the page shows one repository.
#[derive(Debug, Serialize)]
pub struct RepositoryView {
    /// Its remote without scheme, credentials and `.git` (`github.com/org/repo`), else its path
    /// relative to the folder that holds every audited repository.
    pub name: String,
    /// The full path (and the remote), shown on hover.
    pub title: String,
    pub score: usize,
    /// With `--compare`: what moved since, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<String>,
}

/// What the page needs of one instance beyond the report's record.
#[derive(Debug, Default, Serialize)]
pub struct InstanceView {
    /// Its weight (table order, worst first) and whether it needs work.
    pub w: usize,
    /// The link of its file when the recorded one is refused or missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// The links of its other places, when one is refused or missing (`None`: no link).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_hrefs: Option<Vec<Option<String>>>,
    /// The runbook: `t` a template index, `f` its facts; absent when finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub f: Vec<String>,
    /// `xsuaa-lint runbook FILE`, quoted for the shell; absent when finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

#[derive(Serialize)]
pub struct PageData<'a> {
    pub report: &'a AuditReport,
    pub repositories: Vec<RepositoryView>,
    /// Repository indices, worst first (then by path), then those that need no work.
    pub order: Vec<usize>,
    /// Per repository, per instance (in the report's order).
    pub instances: Vec<Vec<InstanceView>>,
    pub templates: Vec<Vec<TemplatePiece>>,
}

impl<'a> PageData<'a> {
    pub fn of(report: &'a AuditReport) -> Self {
        let common = common_folder(report.repositories.iter().map(|r| r.path.as_str()));
        let mut names: Vec<RepositoryView> = report
            .repositories
            .iter()
            .map(|repo| RepositoryView {
                name: name(repo, common),
                title: title(repo),
                score: repo.score(),
                trend: repo.trend.as_ref().map(|t| t.summary()),
            })
            .collect();
        // Two checkouts of one remote (two branches) keep apart by their paths.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for view in &names {
            *seen.entry(view.name.clone()).or_default() += 1;
        }
        for (view, repo) in names.iter_mut().zip(&report.repositories) {
            if seen[&view.name] > 1 {
                view.name = format!("{} ({})", view.name, relative(&repo.path, common));
            }
        }
        // As [`AuditReport::worst_first`], then the rest in path order.
        let repos = &report.repositories;
        let mut order: Vec<usize> = (0..repos.len()).filter(|&i| names[i].score > 0).collect();
        order.sort_by(|&a, &b| names[b].score.cmp(&names[a].score).then(repos[a].path.cmp(&repos[b].path)));
        order.extend((0..repos.len()).filter(|&i| names[i].score == 0));
        let mut templates = Templates::default();
        let instances = report
            .repositories
            .iter()
            .map(|repo| repo.instances.iter().map(|instance| view(instance, &mut templates)).collect())
            .collect();
        PageData { report, repositories: names, order, instances, templates: templates.list }
    }
}

/// The folder that holds every path (`""` when they share none, or for one repository its parent).
fn common_folder<'p>(mut paths: impl Iterator<Item = &'p str>) -> &'p str {
    let Some(first) = paths.next() else { return "" };
    let mut common = first.rsplit_once('/').map_or("", |(folder, _)| folder);
    for path in paths {
        let holds = |common: &str| path.strip_prefix(common).is_some_and(|rest| rest.starts_with('/'));
        while !common.is_empty() && !holds(common) {
            common = common.rsplit_once('/').map_or("", |(folder, _)| folder);
        }
    }
    common
}

fn relative<'p>(path: &'p str, common: &str) -> &'p str {
    match path.strip_prefix(common).and_then(|rest| rest.strip_prefix('/')) {
        Some(rest) if !common.is_empty() && !rest.is_empty() => rest,
        _ => path,
    }
}

fn name(repo: &RepositoryAudit, common: &str) -> String {
    match repo.git.as_ref().and_then(|g| g.remote.as_deref()) {
        Some(remote) if !remote.is_empty() => short_remote(remote),
        _ => relative(&repo.path, common).to_string(),
    }
}

/// `https://github.com/org/repo.git` and `git@github.com:org/repo.git` as `github.com/org/repo`.
/// The remote is stored without credentials ([`super::identity`]).
fn short_remote(remote: &str) -> String {
    let rest = remote.split_once("://").map_or(remote, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').filter(|(user, _)| !user.contains('/')).map_or(rest, |(_, host)| host);
    let rest = match rest.split_once(':') {
        // scp form (`host:path`): the path after the colon; a port (`host:22/path`) is dropped too.
        Some((host, path)) if !host.contains('/') => {
            let path = path.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches('/');
            format!("{host}/{path}")
        }
        _ => rest.to_string(),
    };
    rest.trim_end_matches('/').trim_end_matches(".git").to_string()
}

fn title(repo: &RepositoryAudit) -> String {
    match repo.git.as_ref().and_then(|g| g.remote.as_deref()) {
        Some(remote) if !remote.is_empty() => format!("{} ({remote})", repo.path),
        _ => repo.path.clone(),
    }
}

/// The instance's recorded link when its scheme is allowed, else `None`.
fn allowed(link: Option<&str>) -> Option<&str> {
    link.and_then(crate::text::escape::link)
}

fn view(instance: &AuditInstance, templates: &mut Templates) -> InstanceView {
    let record = &instance.record;
    let mut view = InstanceView { w: instance.weight(), ..InstanceView::default() };
    if allowed(instance.link.as_deref()).is_none() {
        view.href = Some(format!("{}#L{}", crate::report::uri_path(&record.file), record.line));
    }
    let others = instance.sources.iter().skip(1);
    if others.clone().any(|s| allowed(s.link.as_deref()).is_none()) {
        view.source_hrefs = Some(others.map(|s| allowed(s.link.as_deref()).map(String::from)).collect());
    }
    if crate::runbook::finished(record) {
        return view;
    }
    view.command = Some(super::runbook_command(&record.file));
    // Reports read back from JSON (`--merge`, an older run) lack what the steps need: the command only.
    if record.facts.environment.is_none() {
        return view;
    }
    let text = runbook_text(instance);
    let (template, facts) = cut(&text, &own_facts(instance), other_facts(instance));
    view.t = Some(templates.index(template));
    view.f = facts;
    view
}

/// The instance's section of `xsuaa-lint runbook`'s Markdown.
pub fn runbook_text(instance: &AuditInstance) -> String {
    let merged = Merged {
        record: instance.record.clone(),
        places: instance
            .sources
            .iter()
            .map(|s| Place { file: s.file.clone(), line: s.line, kind: s.kind, state: s.state })
            .collect(),
        conflicts: instance.conflicts.clone(),
    };
    let entries = crate::runbook::entries(std::slice::from_ref(&merged));
    let text = crate::runbook::markdown(&entries, 1);
    match text.strip_prefix("# XSUAA migration runbook\n\n") {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// The words of an instance that its record holds: its `file:line`, file, name and codes (as the
/// runbook writes them). The page reads them from the record: facts 0 to 3 of every template.
fn own_facts(instance: &AuditInstance) -> [String; 4] {
    let r = &instance.record;
    [format!("{}:{}", r.file, r.line), r.file.clone(), r.name.clone(), r.codes.join(", ")]
}

/// The other words that make an instance's runbook its own: descriptor, names, places.
fn other_facts(instance: &AuditInstance) -> Vec<String> {
    let f = &instance.record.facts;
    let mut facts = Vec::new();
    facts.extend(f.descriptor.iter().cloned());
    facts.extend(f.service_name.iter().cloned());
    facts.extend(f.xsappname.iter().cloned());
    for b in &f.bindings {
        facts.push(format!("{}:{}", b.file, b.line));
        facts.push(b.name.clone());
    }
    for s in &instance.sources {
        facts.push(format!("{}:{}", s.file, s.line));
    }
    if let Some(since) = &f.dual_since {
        facts.push(since.date.clone());
    }
    facts
}

/// `text` as a template and the facts it uses beyond `own` (in the order of their first use):
/// every occurrence of a fact, longest first, becomes a reference (`own`'s at 0 to 3, the
/// others' from 4). Short words are not cut out (`cf`, `app` would be cut out of the steps' own
/// text: still the same text, but fewer runbooks would share a template). Linear in the text
/// (Aho-Corasick).
fn cut(text: &str, own: &[String; 4], others: Vec<String>) -> (Vec<TemplatePiece>, Vec<String>) {
    let long = |fact: &String| fact.chars().count() >= 3;
    let mut patterns: Vec<(usize, &str)> =
        own.iter().enumerate().filter(|(_, fact)| long(fact)).map(|(i, fact)| (i, fact.as_str())).collect();
    let mut others: Vec<String> = others.into_iter().filter(|f| long(f) && !own.contains(f)).collect();
    others.sort();
    others.dedup();
    patterns.extend(others.iter().map(|fact| (usize::MAX, fact.as_str())));
    let Ok(matcher) = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(patterns.iter().map(|(_, fact)| fact))
    else {
        return (vec![TemplatePiece::Text(text.to_string())], Vec::new());
    };
    let mut parts = Vec::new();
    let mut used: Vec<String> = Vec::new();
    let mut at = 0;
    for m in matcher.find_iter(text) {
        if m.start() > at {
            parts.push(TemplatePiece::Text(text[at..m.start()].to_string()));
        }
        let (own_index, fact) = patterns[m.pattern().as_usize()];
        let i = if own_index != usize::MAX {
            own_index
        } else {
            4 + match used.iter().position(|u| u == fact) {
                Some(i) => i,
                None => {
                    used.push(fact.to_string());
                    used.len() - 1
                }
            }
        };
        parts.push(TemplatePiece::Fact(i));
        at = m.end();
    }
    if at < text.len() {
        parts.push(TemplatePiece::Text(text[at..].to_string()));
    }
    (parts, used)
}

/// The templates, each once.
#[derive(Default)]
struct Templates {
    list: Vec<Vec<TemplatePiece>>,
    at: HashMap<Vec<TemplatePiece>, usize>,
}

impl Templates {
    fn index(&mut self, template: Vec<TemplatePiece>) -> usize {
        if let Some(&i) = self.at.get(&template) {
            return i;
        }
        self.list.push(template.clone());
        self.at.insert(template, self.list.len() - 1);
        self.list.len() - 1
    }
}

/// What the page rebuilds from a template, the instance's own facts and the others (as `page.js`
/// does).
pub fn rebuild(template: &[TemplatePiece], own: &[String; 4], others: &[String]) -> String {
    template
        .iter()
        .map(|part| match part {
            TemplatePiece::Text(text) => text.as_str(),
            TemplatePiece::Fact(i) if *i < 4 => own[*i].as_str(),
            TemplatePiece::Fact(i) => others.get(i - 4).map_or("", String::as_str),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_are_named_without_scheme_user_and_git_suffix() {
        for (remote, name) in [
            ("https://github.com/SAP-samples/cap.git", "github.com/SAP-samples/cap"),
            ("git@github.com:SAP/open-ux-tools.git", "github.com/SAP/open-ux-tools"),
            ("ssh://git@gitlab.example.com:2222/group/sub/app.git", "gitlab.example.com/group/sub/app"),
            ("https://dev.azure.com/org/project/_git/repo", "dev.azure.com/org/project/_git/repo"),
            ("/srv/git/plain", "/srv/git/plain"),
        ] {
            assert_eq!(short_remote(remote), name, "{remote}");
        }
    }

    #[test]
    fn paths_are_shown_relative_to_the_folder_holding_all() {
        let paths = ["/home/a/repos/one", "/home/a/repos/two/x", "/home/a/repos/three"];
        assert_eq!(common_folder(paths.into_iter()), "/home/a/repos");
        assert_eq!(relative("/home/a/repos/two/x", "/home/a/repos"), "two/x");
        assert_eq!(common_folder(["alpha", "group/beta"].into_iter()), "");
        assert_eq!(common_folder(["/r/only"].into_iter()), "/r");
        assert_eq!(common_folder(["/r/ab", "/r/abc"].into_iter()), "/r");
        assert_eq!(relative("alpha", ""), "alpha");
    }

    #[test]
    fn a_template_and_its_facts_rebuild_the_text() {
        let own = ["app/mta.yaml:3", "app/mta.yaml", "uaa", "XS101"].map(String::from);
        let text = "## `uaa` (`app/mta.yaml:3`)\n\ncf deploy # app/mta.yaml, uaa-uaa, app/xs-security.json (XS101)\n";
        let (template, used) = cut(text, &own, vec!["app/xs-security.json".into(), "ab".into()]);
        assert_eq!(rebuild(&template, &own, &used), text);
        assert_eq!(used, ["app/xs-security.json"]);
        assert!(template.iter().filter(|p| matches!(p, TemplatePiece::Fact(_))).count() >= 6, "{template:?}");
        // Another instance of the same shape shares the template.
        let other = text.replace("app/", "svc/").replace("uaa", "auth");
        let own = ["svc/mta.yaml:3", "svc/mta.yaml", "auth", "XS101"].map(String::from);
        assert_eq!(cut(&other, &own, vec!["svc/xs-security.json".into()]).0, template);
    }
}
