//! `--statistics`: the number of findings per rule, most frequent first, then the summary.

use super::{write_summary, FileReport, Summary};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub fn write(reports: &[FileReport], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let mut counts: BTreeMap<&str, (usize, &str, bool)> = BTreeMap::new();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        let entry = counts.entry(d.rule.code).or_insert((0, d.rule.name, false));
        entry.0 += 1;
        // `[*]`: `--fix` applies it (an unsafe fix needs `--unsafe-fixes` and is not marked).
        entry.2 |= d.fix.as_ref().is_some_and(|f| f.applicability == crate::diagnostic::Applicability::Safe);
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|(_, (n, _, _))| n.to_string().len()).max().unwrap_or(1);
    for (code, (n, name, fixable)) in rows {
        let mark = if fixable { "[*] " } else { "    " };
        writeln!(out, "{n:>width$}  {code:<6} {mark}{name}")?;
    }
    write_summary(out, summary)
}
