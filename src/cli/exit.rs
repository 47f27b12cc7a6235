//! Exit statuses, a public contract (README): 0 clean, 1 findings, 2 usage, configuration or
//! I/O errors. Every subcommand decides its status here.

use crate::diagnostic::Severity;
use clap::ValueEnum;

/// `--fail-on` of `check` and `audit`: the lowest severity that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
}

impl FailOn {
    pub fn severity(self) -> Severity {
        match self {
            FailOn::Info => Severity::Info,
            FailOn::Warning => Severity::Warning,
            FailOn::Error => Severity::Error,
        }
    }
}

/// Exit statuses: a public contract (README).
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// What a run came to, as far as its exit status is concerned.
#[derive(Debug, Default, Clone, Copy)]
pub struct Verdict {
    /// Usage, configuration, I/O or write errors: always 2.
    pub errors: bool,
    /// Findings at or above the failing severity (or, for `--diff`, a diff to apply).
    pub failing: bool,
    /// `--exit-zero`: findings never fail the run (errors still do).
    pub exit_zero: bool,
}

impl Verdict {
    pub fn status(self) -> i32 {
        if self.errors {
            EXIT_ERROR
        } else if self.failing && !self.exit_zero {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_win_then_findings_unless_exit_zero() {
        let v = |errors, failing, exit_zero| Verdict { errors, failing, exit_zero }.status();
        assert_eq!(v(true, true, true), EXIT_ERROR);
        assert_eq!(v(false, true, false), EXIT_FINDINGS);
        assert_eq!(v(false, true, true), EXIT_CLEAN);
        assert_eq!(v(false, false, false), EXIT_CLEAN);
    }
}
