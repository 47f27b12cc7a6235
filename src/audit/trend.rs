//! `--compare OLD.json`: what moved since an earlier report, per instance, per repository and in
//! total.
//!
//! Instances of the two reports are matched within a repository (same path) by kind, name and
//! file, then what is left by kind and name alone (a file that moved is the same instance), then
//! by a place (file and line) in common.

use super::{AuditInstance, AuditReport};
use crate::engine::inventory::weight;
use crate::model::descriptor::MigrationState;
use crate::model::environment::Environment;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Counts of what moved; every field is a number of instances.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trend {
    /// Needed work before, finished now (binding secrets or X.509 only).
    pub finished: usize,
    /// New since the earlier report and able to hand out the instance secret: `instance-only`,
    /// `dual-instance-first`, or `implicit` (no list: the service's default of its day applies).
    pub new_instance_secret: usize,
    /// In a worse state than before (a state further from finished).
    pub regressions: usize,
    /// In a better state than before, not finished yet.
    pub improved: usize,
    /// New since the earlier report, in any state.
    pub new: usize,
    /// In the earlier report, gone now.
    pub removed: usize,
}

impl Trend {
    fn add(&mut self, other: &Trend) {
        self.finished += other.finished;
        self.new_instance_secret += other.new_instance_secret;
        self.regressions += other.regressions;
        self.improved += other.improved;
        self.new += other.new;
        self.removed += other.removed;
    }

    /// One line for people: `2 finished, 1 new instance-secret, 1 regression` (or `no change`).
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let mut part = |n: usize, one: &str, many: &str| {
            if n > 0 {
                parts.push(format!("{n} {}", if n == 1 { one } else { many }));
            }
        };
        part(self.finished, "finished", "finished");
        part(self.new_instance_secret, "new instance-secret", "new instance-secret");
        part(self.regressions, "regression", "regressions");
        part(self.improved, "improved", "improved");
        part(self.new, "new", "new");
        part(self.removed, "removed", "removed");
        if parts.is_empty() {
            "no change".into()
        } else {
            parts.join(", ")
        }
    }
}

/// A state that hands out instance secrets first: new ones of these are what a migration must
/// stop. Outside Cloud Foundry an absent list means binding secrets.
fn issues_instance_secrets(instance: &AuditInstance) -> bool {
    match instance.record.state {
        MigrationState::InstanceOnly | MigrationState::DualInstanceFirst => true,
        MigrationState::Implicit => !matches!(instance.environment, Some(Environment::Kyma | Environment::Other)),
        MigrationState::Dual | MigrationState::BindingOnly | MigrationState::X509 | MigrationState::Invalid => false,
    }
}

fn finished(state: MigrationState) -> bool {
    matches!(state, MigrationState::BindingOnly | MigrationState::X509)
}

/// What happened to one instance: `new`, `finished`, `regressed`, `improved`, or `None` (same state).
fn change(old: Option<MigrationState>, new: MigrationState) -> Option<&'static str> {
    let Some(old) = old else { return Some("new") };
    if finished(new) && !finished(old) {
        Some("finished")
    } else if weight(new) > weight(old) || (finished(old) && !finished(new)) {
        Some("regressed")
    } else if weight(new) < weight(old) {
        Some("improved")
    } else {
        None
    }
}

/// Marks each instance of `report` with its change since `old`, and sets the per-repository and
/// total trends.
pub fn compare(report: &mut AuditReport, old: &AuditReport) {
    let old_repos: HashMap<&str, &super::RepositoryAudit> =
        old.repositories.iter().map(|r| (r.path.as_str(), r)).collect();
    let mut total = Trend::default();
    for repo in &mut report.repositories {
        let previous: Vec<&AuditInstance> =
            old_repos.get(repo.path.as_str()).map_or_else(Vec::new, |r| r.instances.iter().collect());
        let mut taken = vec![false; previous.len()];
        let mut matched: Vec<Option<usize>> = vec![None; repo.instances.len()];
        // Exact first, then by kind and name, so a moved file keeps its history; then by a place
        // in common, so an instance that gained or lost a place (and so its representative) is
        // still the same one.
        for pass in 0..3 {
            for (i, instance) in repo.instances.iter().enumerate() {
                if matched[i].is_some() {
                    continue;
                }
                let r = &instance.record;
                let found = previous.iter().enumerate().position(|(j, p)| {
                    !taken[j]
                        && match pass {
                            0 => p.record.kind == r.kind && p.record.name == r.name && p.record.file == r.file,
                            1 => p.record.kind == r.kind && p.record.name == r.name,
                            _ => {
                                let places = instance.places();
                                p.places().iter().any(|place| places.contains(place))
                            }
                        }
                });
                if let Some(j) = found {
                    taken[j] = true;
                    matched[i] = Some(j);
                }
            }
        }
        let mut trend = Trend::default();
        for (instance, m) in repo.instances.iter_mut().zip(&matched) {
            let old_state = m.map(|j| previous[j].record.state);
            let state = instance.record.state;
            let moved = change(old_state, state);
            match moved {
                Some("new") => {
                    trend.new += 1;
                    trend.new_instance_secret += usize::from(issues_instance_secrets(instance));
                }
                Some("finished") => trend.finished += 1,
                Some("regressed") => trend.regressions += 1,
                Some("improved") => trend.improved += 1,
                _ => {}
            }
            instance.change = moved.map(str::to_string);
            instance.previous_state = old_state.filter(|s| *s != state);
        }
        trend.removed = taken.iter().filter(|t| !**t).count();
        total.add(&trend);
        repo.trend = Some(trend);
    }
    // Repositories of the earlier report that are gone: their instances are removed.
    let now: std::collections::HashSet<&str> = report.repositories.iter().map(|r| r.path.as_str()).collect();
    for repo in old.repositories.iter().filter(|r| !now.contains(r.path.as_str())) {
        total.removed += repo.instances.len();
    }
    report.totals.trend = Some(total);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_between_states() {
        use MigrationState::{BindingOnly, Dual, InstanceOnly, X509};
        assert_eq!(change(None, Dual), Some("new"));
        assert_eq!(change(Some(Dual), BindingOnly), Some("finished"));
        assert_eq!(change(Some(InstanceOnly), X509), Some("finished"));
        assert_eq!(change(Some(Dual), InstanceOnly), Some("regressed"));
        assert_eq!(change(Some(BindingOnly), Dual), Some("regressed"));
        assert_eq!(change(Some(InstanceOnly), Dual), Some("improved"));
        assert_eq!(change(Some(Dual), Dual), None);
        assert_eq!(change(Some(BindingOnly), X509), None);
        let t = Trend { finished: 2, regressions: 1, new_instance_secret: 1, new: 1, ..Trend::default() };
        assert_eq!(t.summary(), "2 finished, 1 new instance-secret, 1 regression, 1 new");
        assert_eq!(Trend::default().summary(), "no change");
    }
}
