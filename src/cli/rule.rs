//! `xsuaa-lint rule`: a rule's documentation, or the list of every rule.

use super::exit::{EXIT_CLEAN, EXIT_ERROR};
use crate::rules;
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct RuleArgs {
    /// A rule code (XS102) or name (instance-secret-only).
    #[arg(required_unless_present = "all")]
    pub code: Option<String>,
    /// List every rule with its code, name, default severity, fix and SAP security recommendation.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
}

pub fn run(args: RuleArgs) -> i32 {
    let mut out = std::io::stdout().lock();
    if args.all {
        let _ = writeln!(out, "{:<7} {:<28} {:<9} {:<18} {:<13} summary", "code", "name", "severity", "fix", "sap");
        for r in rules::ALL {
            let _ = writeln!(
                out,
                "{:<7} {:<28} {:<9} {:<18} {:<13} {}",
                r.code,
                r.name,
                r.severity.as_str(),
                r.fix.as_str(),
                r.recommendation.unwrap_or("-"),
                r.summary
            );
        }
        return EXIT_CLEAN;
    }
    let code = args.code.unwrap_or_default();
    match rules::by_code(&code) {
        Some(r) => {
            let _ = writeln!(out, "{}", rules::rule_doc(r.code).unwrap_or(r.summary));
            let _ = writeln!(out, "\nDefault severity: {}. Fix: {}.", r.severity.as_str(), r.fix.as_str());
            if let Some(id) = r.recommendation {
                let _ = writeln!(out, "SAP BTP security recommendation: {id}.");
            }
            EXIT_CLEAN
        }
        None => {
            eprintln!("error: unknown rule `{code}`; `xsuaa-lint rule --all` lists them");
            EXIT_ERROR
        }
    }
}
