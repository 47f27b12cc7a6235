//! Shared by the cross-reference rules: the finding for a reference that names nothing.

use super::{Context, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::syntax::json::Node;
use std::collections::HashSet;

/// What a reference points at, for messages: `scope`, `attribute`, `role template`.
pub struct Target<'a> {
    pub kind: &'static str,
    /// The name the reference asks for (without `$XSAPPNAME.`).
    pub wanted: &'a str,
    /// Every name of that kind the descriptor defines.
    pub defined: &'a Names<'a>,
    /// The reference as written for a given defined name.
    pub spell: fn(&str) -> String,
    /// The references of the same list, as written: a fix must not repeat one.
    pub siblings: &'a HashSet<&'a str>,
}

/// "Did you mean" suggestions computed per rule and file at most: each compares the reference
/// with every defined name, so a file with a million unresolved references must not pay that
/// a million times. Real descriptors have a few.
const MAX_SUGGESTIONS: usize = 1_000;

/// Comparisons of names that the suggestions of one rule in one file may make in all: with
/// thousands of names, fewer suggestions, so that the work stays linear in the file.
const MAX_COMPARISONS: usize = 1_000_000;

/// The names a descriptor defines, indexed once per rule and file: looking one up, in any
/// case, does not scan them all.
pub struct Names<'a> {
    list: Vec<&'a str>,
    exact: HashSet<&'a str>,
    /// Where in `list` each name is, by its lowercase: built when a reference is first found
    /// unresolved (most descriptors have none).
    by_lowercase: std::cell::OnceCell<std::collections::HashMap<String, Vec<usize>>>,
}

impl<'a> Names<'a> {
    pub fn new(list: Vec<&'a str>) -> Self {
        let exact = list.iter().copied().collect();
        Names { list, exact, by_lowercase: std::cell::OnceCell::new() }
    }

    /// The names that differ from `name` at most in case, in the order they are defined.
    fn same_but_case(&self, name: &str) -> Vec<&'a str> {
        let by_lowercase = self.by_lowercase.get_or_init(|| {
            let mut by_lowercase: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
            for (at, defined) in self.list.iter().enumerate() {
                by_lowercase.entry(defined.to_ascii_lowercase()).or_default().push(at);
            }
            by_lowercase
        });
        let places = by_lowercase.get(&name.to_ascii_lowercase());
        places.into_iter().flatten().map(|&at| self.list[at]).collect()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.exact.contains(name)
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// What the findings of one rule in one file share, in the order of the references.
#[derive(Default)]
pub struct Seen {
    /// Corrections given to earlier entries of the current list.
    claimed: HashSet<String>,
    suggestions: usize,
    comparisons: usize,
}

impl Seen {
    /// Call before the first reference of each list.
    pub fn next_list(&mut self) {
        self.claimed.clear();
    }
}

impl Target<'_> {
    /// The reference a case-only fix writes: when `wanted` names nothing and differs from
    /// exactly one defined name only in case.
    fn correction(&self) -> Option<String> {
        if self.defined.contains(self.wanted) {
            return None;
        }
        let mut same_but_case: Vec<&str> = self.defined.same_but_case(self.wanted);
        same_but_case.sort_unstable();
        same_but_case.dedup();
        match same_but_case.as_slice() {
            [only] => Some((self.spell)(only)),
            _ => None,
        }
    }
}

/// A finding on `node` (a string token), for the references of a list in order. A case-only
/// mismatch with exactly one defined name gets a safe fix (the reference is broken as written,
/// so correcting its case breaks nothing), unless the list holds the corrected name already or
/// an earlier entry is corrected to it: then the help says to remove the entry.
pub fn unresolved(
    rule: &'static Rule,
    ctx: &Context<'_>,
    node: &Node,
    pointer: String,
    target: &Target<'_>,
    seen: &mut Seen,
) -> Diagnostic {
    let reference = node.as_str().unwrap_or_default();
    let kind = target.kind;
    let corrected = target.correction();
    let already_listed = corrected.as_ref().is_some_and(|c| target.siblings.contains(c.as_str()));
    // Two spellings of one name in a list (`read`, `READ`) are fixed in the same pass: only the
    // first is rewritten, or the list would hold the corrected name twice.
    let fixed_before = !already_listed && corrected.as_ref().is_some_and(|c| !seen.claimed.insert(c.clone()));
    let duplicate = already_listed || fixed_before;
    if let Some(corrected) = corrected.as_ref().filter(|_| !duplicate) {
        let fix = Fix::new(
            Applicability::Safe,
            format!("Replace with `{corrected}`"),
            ctx.source,
            [(node.span, crate::diagnostic::edit::quote(corrected))],
        );
        return Diagnostic::new(
            rule,
            ctx.source,
            node.span,
            pointer,
            format!("`{reference}` names no {kind}; did you mean `{corrected}` (differs only in case)?"),
        )
        .with_help(format!("Names are case-sensitive: write `{corrected}`."))
        .with_fix(Some(fix));
    }
    let suggestion = if duplicate
        || seen.suggestions >= MAX_SUGGESTIONS
        || seen.comparisons + target.defined.list.len() > MAX_COMPARISONS
    {
        None
    } else {
        seen.suggestions += 1;
        seen.comparisons += target.defined.list.len();
        crate::rules::suggest::closest(target.wanted, target.defined.list.iter().copied())
    };
    let help = match suggestion {
        _ if duplicate => {
            let corrected = corrected.unwrap_or_default();
            if already_listed {
                format!("`{corrected}` is already listed beside it (names are case-sensitive): remove this entry.")
            } else {
                format!(
                    "An earlier entry of this list is corrected to `{corrected}` too (names are case-sensitive): \
                     remove this entry."
                )
            }
        }
        Some(s) => {
            format!("Did you mean `{}`? Otherwise define the {kind} or remove the reference.", (target.spell)(&s.value))
        }
        None if target.defined.is_empty() => {
            format!("The descriptor defines no {kind}: define it or remove the reference.")
        }
        None => format!("Define the {kind} or remove the reference."),
    };
    Diagnostic::new(rule, ctx.source, node.span, pointer, format!("`{reference}` names no {kind} of this descriptor"))
        .with_help(help)
}
