//! Shared by the cross-reference rules: the finding for a reference that names nothing.

use super::{Context, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::parse::Node;

/// What a reference points at, for messages: `scope`, `attribute`, `role template`.
pub struct Target<'a> {
    pub kind: &'static str,
    /// The name the reference asks for (without `$XSAPPNAME.`).
    pub wanted: &'a str,
    /// Every name of that kind the descriptor defines.
    pub defined: &'a [&'a str],
    /// The reference as written for a given defined name.
    pub spell: fn(&str) -> String,
    /// The references already in the same list, as written: a fix must not repeat one.
    pub siblings: &'a [&'a str],
    /// Where this reference is in `siblings`.
    pub position: usize,
    /// The name a sibling asks for, as `wanted` is this reference's; `None` when it is not
    /// checked (a foreign reference, a placeholder).
    pub wanted_of: fn(&str) -> Option<&str>,
}

impl Target<'_> {
    /// The reference a case-only fix writes for `wanted`: when it names nothing and differs
    /// from exactly one defined name only in case.
    fn correction(&self, wanted: &str) -> Option<String> {
        if self.defined.contains(&wanted) {
            return None;
        }
        let mut same_but_case: Vec<&str> =
            self.defined.iter().copied().filter(|d| d.eq_ignore_ascii_case(wanted)).collect();
        same_but_case.sort_unstable();
        same_but_case.dedup();
        match same_but_case.as_slice() {
            [only] => Some((self.spell)(only)),
            _ => None,
        }
    }
}

/// A finding on `node` (a string token). A case-only mismatch with exactly one defined name
/// gets a safe fix: the reference is broken as written, so correcting its case breaks nothing.
pub fn unresolved(
    rule: &'static Rule,
    ctx: &Context<'_>,
    node: &Node,
    pointer: String,
    target: &Target<'_>,
) -> Diagnostic {
    let reference = node.as_str().unwrap_or_default();
    let kind = target.kind;
    let corrected = target.correction(target.wanted);
    let already_listed = corrected.as_ref().is_some_and(|c| target.siblings.contains(&c.as_str()));
    // Two spellings of one name in a list (`read`, `READ`) are fixed in the same pass: only the
    // first is rewritten, or the list would hold the corrected name twice.
    let fixed_before = !already_listed
        && corrected.is_some()
        && target.siblings[..target.position.min(target.siblings.len())]
            .iter()
            .any(|s| (target.wanted_of)(s).and_then(|w| target.correction(w)) == corrected);
    let duplicate = already_listed || fixed_before;
    if let Some(corrected) = corrected.as_ref().filter(|_| !duplicate) {
        let fix = Fix::new(
            Applicability::Safe,
            format!("Replace with `{corrected}`"),
            ctx.source,
            [(node.span, crate::edit::quote(corrected))],
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
    let help = match crate::suggest::closest(target.wanted, target.defined.iter().copied()) {
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
